// Worker threads that run kernel calls on the shared memory: worker_threads in Node, Web Workers in a
// cross-origin-isolated page. A job is a list of shares that every thread, the caller included, claims one
// at a time from a shared counter, so a worker that wakes late takes less and never holds the job up.

import { nodeProcess } from "./module.js";

/**
 * The control block, one for the pool: int32 words SEQ (bumped per job, what idle workers wait on), KERNEL,
 * NARGS, DONE (shares finished), ERROR, READY (workers started); at byte 8 the claim word (a BigInt64:
 * job number << 16 | shares << 8 | next share); from byte 64 the f64 arguments, share after share.
 */
const CONTROL_BYTES = 16128;
const ARGS_AT = 64;
const MAX_ARG_WORDS = (CONTROL_BYTES - ARGS_AT) / 8;
const SEQ = 0;
const KERNEL = 4;
const NARGS = 5;
const DONE = 6;
const ERROR = 7;
const READY = 8;
/** The most shares one job may have (they are counted in 8 bits of the claim word). */
export const MAX_SHARES = 255;
/** How long an idle worker spins for the next job before it sleeps (milliseconds). */
const SPIN_MS = 0.5;

/**
 * The worker's program, as source text so it needs no file of its own (and no TypeScript loader).
 * It instantiates the module on the shared memory, then loops: wait for SEQ to move, claim and run shares.
 */
const WORKER_BODY = `
function serve(module, memory, at, names) {
  const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("abort"); } } });
  const kernels = names.map((name) => instance.exports[name]);
  const ctl = new Int32Array(memory.buffer, at, 16);
  const claim = new BigInt64Array(memory.buffer, at + 8, 1);
  const args = new Float64Array(memory.buffer, at + ${ARGS_AT}, ${MAX_ARG_WORDS});
  let seen = Atomics.load(ctl, ${SEQ});
  Atomics.add(ctl, ${READY}, 1);
  // Three small functions, not one loop: V8 compiles each once it is hot, and none is compiled before the
  // code it holds has run (a single loop was compiled while it was still waiting, then again).
  for (;;) {
    seen = nextJob(ctl, seen);
    if (seen < 0) return;
    takeShares(ctl, claim, args, kernels);
  }
}
// Spin a while before sleeping: a training step hands out work every few microseconds, and waking a
// sleeping thread costs tens of them. Returns the new job number (negative: stop).
function nextJob(ctl, seen) {
  const start = performance.now();
  let spins = 0;
  while (Atomics.load(ctl, ${SEQ}) === seen) {
    if ((++spins & 1023) === 0 && performance.now() - start > ${SPIN_MS}) break;
  }
  if (Atomics.load(ctl, ${SEQ}) === seen) Atomics.wait(ctl, ${SEQ}, seen);
  return Atomics.load(ctl, ${SEQ});
}
// Claims and runs shares of the current job until none is left.
function takeShares(ctl, claim, args, kernels) {
  for (;;) {
    const word = Atomics.load(claim, 0);
    const shares = Number((word >> 8n) & 255n);
    const next = Number(word & 255n);
    if (next >= shares) return;
    if (Atomics.compareExchange(claim, 0, word, word + 1n) !== word) continue;
    const n = ctl[${NARGS}];
    const a = [];
    for (let i = 0; i < n; i++) a.push(args[next * n + i]);
    try {
      kernels[ctl[${KERNEL}]](...a);
    } catch (e) {
      Atomics.store(ctl, ${ERROR}, 1);
    }
    if (Atomics.add(ctl, ${DONE}, 1) + 1 === shares) Atomics.notify(ctl, ${DONE});
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
function startWorker(module: WebAssembly.Module, memory: WebAssembly.Memory, at: number, names: string[]) {
  const node = nodeProcess();
  if (node) {
    const { Worker } = node.getBuiltinModule!("node:worker_threads") as NodeWorkerThreads;
    const source = `${WORKER_BODY}\nconst { workerData } = require("node:worker_threads");\nserve(workerData.module, workerData.memory, workerData.at, workerData.names);`;
    const worker = new Worker(source, { eval: true, workerData: { module, memory, at, names } });
    worker.on("error", () => {});
    // A worker waiting for work must not keep the process alive.
    worker.unref();
    return worker;
  }
  if (typeof Worker === "undefined" || typeof Blob === "undefined") return null;
  const source = `${WORKER_BODY}\nonmessage = (e) => serve(e.data.module, e.data.memory, e.data.at, e.data.names);`;
  try {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url);
    worker.postMessage({ module, memory, at, names });
    return worker;
  } catch {
    // A Content-Security-Policy without `worker-src blob:` refuses the worker: run on fewer threads.
    return null;
  }
}

/** Whether this thread may block in Atomics.wait (Node's main thread may; a page's main thread may not). */
function canBlock(): boolean {
  return nodeProcess() !== null;
}

/** A job ready to run on the pool that prepared it: its kernel's index and its shares' arguments, packed. */
export interface Job {
  readonly pool: ThreadPool;
  readonly name: string;
  readonly index: number;
  readonly nargs: number;
  readonly shares: readonly (readonly number[])[];
  readonly packed: Float64Array;
}

export class ThreadPool {
  private readonly workers: WorkerHandle[] = [];
  private readonly kernelIndex = new Map<string, number>();
  private job = 0;

  /** `at` is the address of CONTROL_BYTES of shared memory reserved for the control block. */
  constructor(
    private readonly memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    private readonly run0: (name: string, args: readonly number[]) => void,
    names: readonly string[],
    readonly at: number,
    threads: number,
  ) {
    for (const [i, name] of names.entries()) this.kernelIndex.set(name, i);
    new Int32Array(memory.buffer, at, CONTROL_BYTES / 4).fill(0);
    for (let i = 0; i < threads - 1; i++) {
      const handle = startWorker(module, memory, at, [...names]);
      if (handle) this.workers.push(handle);
    }
  }

  /** Bytes of shared memory the control block takes. */
  static get controlBytes(): number {
    return CONTROL_BYTES;
  }

  /** Workers that have started and can take work now (they start asynchronously). */
  readyWorkers(): number {
    return Math.min(this.workers.length, Atomics.load(this.control(), READY));
  }

  /** Threads available for a job right now: this one plus the ready workers. */
  get available(): number {
    return 1 + this.readyWorkers();
  }

  /**
   * Runs `name` once per entry of `shares` (argument lists of one length) and returns when all are done.
   * This thread and the workers claim shares one at a time, so any number of shares up to MAX_SHARES works;
   * a few more shares than threads evens out a worker that starts late.
   */
  run(name: string, shares: readonly (readonly number[])[]): void {
    const index = this.indexOf(name, shares);
    const nargs = shares[0]?.length ?? 0;
    const args = new Float64Array(this.memory.buffer, this.at + ARGS_AT, shares.length * nargs);
    for (let i = 0; i < shares.length; i++) args.set(shares[i], i * nargs);
    this.execute(name, index, nargs, shares);
  }

  /** A job checked and its arguments packed, to run many times (a captured step's). */
  prepare(name: string, shares: readonly (readonly number[])[]): Job {
    const index = this.indexOf(name, shares);
    const nargs = shares[0]?.length ?? 0;
    const packed = new Float64Array(shares.length * nargs);
    for (let i = 0; i < shares.length; i++) packed.set(shares[i], i * nargs);
    return { pool: this, name, index, nargs, shares, packed };
  }

  /** Runs a job this pool prepared. */
  runJob(job: Job): void {
    new Float64Array(this.memory.buffer, this.at + ARGS_AT, job.packed.length).set(job.packed);
    this.execute(job.name, job.index, job.nargs, job.shares);
  }

  /** The kernel's index, once the shares are checked: few enough, of one length, fitting the control block. */
  private indexOf(name: string, shares: readonly (readonly number[])[]): number {
    const index = this.kernelIndex.get(name);
    if (index === undefined) throw new Error(`wasm threads: no kernel "${name}"`);
    const count = shares.length;
    const nargs = shares[0]?.length ?? 0;
    if (count > MAX_SHARES) throw new Error(`wasm threads: ${count} shares, at most ${MAX_SHARES}`);
    if (count * nargs > MAX_ARG_WORDS) {
      throw new Error(`wasm threads: ${count} shares of ${nargs} arguments do not fit the control block`);
    }
    for (const share of shares)
      if (share.length !== nargs) throw new Error(`wasm threads: shares of "${name}" differ in length`);
    return index;
  }

  /** Starts the job whose arguments are in place, runs shares on this thread too, and waits for the rest. */
  private execute(name: string, index: number, nargs: number, shares: readonly (readonly number[])[]): void {
    const count = shares.length;
    const ctl = this.control();
    ctl[KERNEL] = index;
    ctl[NARGS] = nargs;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, ERROR, 0);
    this.job = (this.job + 1) % 2 ** 30;
    const claim = new BigInt64Array(this.memory.buffer, this.at + 8, 1);
    Atomics.store(claim, 0, (BigInt(this.job) << 16n) | (BigInt(count) << 8n));
    Atomics.store(ctl, SEQ, this.job);
    Atomics.notify(ctl, SEQ);
    let failure: unknown = null;
    for (;;) {
      const word = Atomics.load(claim, 0);
      const next = Number(word & 255n);
      if (next >= count) break;
      if (Atomics.compareExchange(claim, 0, word, word + 1n) !== word) continue;
      try {
        this.run0(name, shares[next]);
      } catch (error) {
        failure ??= error;
      }
      Atomics.add(ctl, DONE, 1);
    }
    let spins = 0;
    for (let done = Atomics.load(ctl, DONE); done < count; done = Atomics.load(ctl, DONE)) {
      if (++spins > 2000 && canBlock()) Atomics.wait(ctl, DONE, done, 1);
    }
    if (failure !== null) throw failure;
    if (Atomics.load(ctl, ERROR) !== 0) throw new Error(`wasm threads: kernel "${name}" failed on a worker`);
  }

  /** Stops every worker. */
  close(): void {
    const ctl = this.control();
    Atomics.store(ctl, SEQ, -1);
    Atomics.notify(ctl, SEQ);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }

  private control(): Int32Array {
    return new Int32Array(this.memory.buffer, this.at, 16);
  }
}
