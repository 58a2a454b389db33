// Worker threads that run kernel calls on the shared memory: worker_threads in Node, Web Workers in a
// cross-origin-isolated page. The calling thread takes the first share of each job and waits for the rest.

import { nodeProcess } from "./module.js";

/** Bytes of control block per worker: seq, kernel, argument count, done, ready (int32), then arguments (f64). */
const SLOT = 256;
const MAX_ARGS = (SLOT - 32) / 8;
const SEQ = 0;
const KERNEL = 1;
const NARGS = 2;
const DONE = 3;
const READY = 4;
const ERROR = 5;

/**
 * The worker's program, as source text so it needs no file of its own (and no TypeScript loader).
 * It instantiates the module on the shared memory, then loops: wait for seq to move, run the kernel, mark done.
 */
const WORKER_BODY = `
function serve(module, memory, slot, names) {
  const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("abort"); } } });
  const kernels = names.map((name) => instance.exports[name]);
  const ctl = new Int32Array(memory.buffer, slot, 8);
  const args = new Float64Array(memory.buffer, slot + 32, ${MAX_ARGS});
  Atomics.store(ctl, ${READY}, 1);
  let seen = Atomics.load(ctl, ${SEQ});
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctl, ${SEQ}) === seen && spins < 4000) spins++;
    if (Atomics.load(ctl, ${SEQ}) === seen) Atomics.wait(ctl, ${SEQ}, seen);
    seen = Atomics.load(ctl, ${SEQ});
    if (seen < 0) return;
    const n = ctl[${NARGS}];
    const a = [];
    for (let i = 0; i < n; i++) a.push(args[i]);
    try {
      kernels[ctl[${KERNEL}]](...a);
    } catch (e) {
      Atomics.store(ctl, ${ERROR}, 1);
    }
    Atomics.store(ctl, ${DONE}, seen);
    Atomics.notify(ctl, ${DONE});
  }
}
`;

interface WorkerHandle {
  terminate(): unknown;
}
interface NodeWorkerThreads {
  Worker: new (
    source: string,
    options: { eval: true; workerData: unknown },
  ) => WorkerHandle & { unref(): void; on(event: string, f: (e: unknown) => void): void };
}

/** Starts one worker serving `slot`; returns null where workers cannot be made. */
function startWorker(module: WebAssembly.Module, memory: WebAssembly.Memory, slot: number, names: string[]) {
  const node = nodeProcess();
  if (node) {
    const { Worker } = node.getBuiltinModule!("node:worker_threads") as NodeWorkerThreads;
    const source = `${WORKER_BODY}\nconst { workerData } = require("node:worker_threads");\nserve(workerData.module, workerData.memory, workerData.slot, workerData.names);`;
    const worker = new Worker(source, { eval: true, workerData: { module, memory, slot, names } });
    worker.on("error", () => {});
    // A worker waiting for work must not keep the process alive.
    worker.unref();
    return worker;
  }
  if (typeof Worker === "undefined" || typeof Blob === "undefined") return null;
  const source = `${WORKER_BODY}\nonmessage = (e) => serve(e.data.module, e.data.memory, e.data.slot, e.data.names);`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url);
  worker.postMessage({ module, memory, slot, names });
  return worker;
}

/** Whether this thread may block in Atomics.wait (Node's main thread may; a page's main thread may not). */
function canBlock(): boolean {
  return nodeProcess() !== null;
}

export class ThreadPool {
  private readonly workers: { handle: WorkerHandle; slot: number }[] = [];
  private readonly kernelIndex = new Map<string, number>();
  private seq = 0;

  /** `slots` is the address of (threads - 1) · 256 bytes of shared memory reserved for control blocks. */
  constructor(
    private readonly memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    private readonly run0: (name: string, args: readonly number[]) => void,
    names: readonly string[],
    readonly slots: number,
    threads: number,
  ) {
    for (const [i, name] of names.entries()) this.kernelIndex.set(name, i);
    for (let i = 0; i < threads - 1; i++) {
      const slot = slots + i * SLOT;
      new Int32Array(memory.buffer, slot, SLOT / 4).fill(0);
      const handle = startWorker(module, memory, slot, [...names]);
      if (handle) this.workers.push({ handle, slot });
    }
  }

  static slotBytes(threads: number): number {
    return Math.max(0, threads - 1) * SLOT;
  }

  /** Workers that have started and can take work now (they start asynchronously). */
  readyWorkers(): number {
    let n = 0;
    for (const w of this.workers) {
      if (Atomics.load(this.control(w.slot), READY) === 1) n++;
      else break;
    }
    return n;
  }

  /** Threads available for a job right now: this one plus the ready workers. */
  get available(): number {
    return 1 + this.readyWorkers();
  }

  /**
   * Runs `name` once per entry of `shares` (argument lists): the first here, the others on workers, and
   * returns when all are done. The caller sizes `shares` to `available`.
   */
  run(name: string, shares: readonly (readonly number[])[]): void {
    const index = this.kernelIndex.get(name);
    if (index === undefined) throw new Error(`wasm threads: no kernel "${name}"`);
    this.seq = (this.seq + 1) & 0x3fffffff;
    const seq = this.seq;
    for (let i = 1; i < shares.length; i++) {
      const { slot } = this.workers[i - 1];
      const ctl = this.control(slot);
      const args = new Float64Array(this.memory.buffer, slot + 32, MAX_ARGS);
      const share = shares[i];
      if (share.length > MAX_ARGS)
        throw new Error(`wasm threads: ${share.length} arguments, at most ${MAX_ARGS}`);
      for (let j = 0; j < share.length; j++) args[j] = share[j];
      ctl[KERNEL] = index;
      ctl[NARGS] = share.length;
      Atomics.store(ctl, SEQ, seq);
      Atomics.notify(ctl, SEQ);
    }
    this.run0(name, shares[0]);
    let failed = false;
    for (let i = 1; i < shares.length; i++) {
      const ctl = this.control(this.workers[i - 1].slot);
      let spins = 0;
      while (Atomics.load(ctl, DONE) !== seq) {
        if (++spins > 2000 && canBlock()) Atomics.wait(ctl, DONE, Atomics.load(ctl, DONE), 1);
      }
      if (Atomics.exchange(ctl, ERROR, 0) !== 0) failed = true;
    }
    if (failed) throw new Error(`wasm threads: kernel "${name}" failed on a worker`);
  }

  /** Stops every worker. */
  close(): void {
    for (const w of this.workers) {
      const ctl = this.control(w.slot);
      Atomics.store(ctl, SEQ, -1);
      Atomics.notify(ctl, SEQ);
      w.handle.terminate();
    }
    this.workers.length = 0;
  }

  private control(slot: number): Int32Array {
    return new Int32Array(this.memory.buffer, slot, 8);
  }
}
