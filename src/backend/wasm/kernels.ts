// The instantiated kernel module with its heap and thread pool: typed views of buffers, per-thread scratch,
// and calls to exported kernels, on this thread or split over the workers.
import type { DType, TypedArray } from "../../dtype.js";
import { bytesPerElement } from "../../dtype.js";
import { HEAP_BASE, WasmHeap } from "./heap.js";
import type { KernelModule } from "./module.js";
import { KERNEL_ADDRESSES, type KernelName, type KernelSignatures } from "./signatures.js";
import { type Job, ThreadPool } from "./threads.js";

/** The most threads a pool may have. */
const MAX_THREADS = 64;
/** The thread pool's control block sits just below the heap. */
const CONTROL_BASE = HEAP_BASE - ThreadPool.controlBytes;

type KernelFn = (...args: number[]) => number;

/** Where a traced run names a traced input's memory: its argument, the input, and the byte offset into it. */
type Rebind = readonly [arg: number, input: number, offset: number];

/**
 * A kernel run as a trace saw it, ready to run again on the replay's inputs (the buffers at the traced inputs'
 * places). One function type for every kind of run, so that the loop that replays them stays small once V8
 * compiles it, whatever runs it meets.
 */
type Replayable = (inputs: readonly Buffer[]) => unknown;

/** What trace() saw, ready to replay; null where JavaScript also read or wrote the memory. */
export type Trace = readonly Replayable[] | null;

/** A traced input: the bytes [start, end) of the memory that a replay finds elsewhere. */
interface InputRange {
  readonly start: number;
  readonly end: number;
}

interface Buffer {
  readonly address: number;
  readonly dtype: DType;
  readonly size: number;
}

export class Kernels {
  readonly heap: WasmHeap;
  readonly memory: WebAssembly.Memory;
  readonly relaxed: boolean;
  readonly shared: boolean;
  private readonly exports: Record<string, KernelFn>;
  private pool: ThreadPool | null = null;
  private wanted = 1;
  /** Per-thread scratch blocks (address, bytes) for kernels that pack their operands. */
  private readonly scratch: { address: number; bytes: number }[] = [];
  /** The kernel runs of the trace in progress, or null. */
  private tracing: Replayable[] | null = null;
  /** The inputs of the trace in progress: runs that name their memory are patched on each replay. */
  private tracedInputs: readonly InputRange[] = [];
  /** Whether JavaScript touched the memory during the trace in progress (a view was made). */
  private touched = false;
  /** Traces that may still replay into the scratch blocks: while > 0, a grown block keeps the old one. */
  private scratchHolds = 0;
  private readonly retiredScratch: { address: number; bytes: number }[] = [];

  constructor(
    private readonly loaded: KernelModule,
    threads: number,
  ) {
    this.shared = loaded.shared;
    this.memory = new WebAssembly.Memory({ initial: 32, maximum: 65536, shared: loaded.shared });
    const instance = new WebAssembly.Instance(loaded.module, {
      env: {
        memory: this.memory,
        abort: () => {
          throw new Error("wasm backend: a kernel aborted");
        },
      },
    });
    this.exports = instance.exports as unknown as Record<string, KernelFn>;
    // Every build says whether it is the relaxed-SIMD one (wasm/assembly/probe.ts).
    this.relaxed = (instance.exports.RELAXED_SIMD as WebAssembly.Global | undefined)?.value === 1;
    this.heap = new WasmHeap(this.memory);
    this.setThreads(threads);
  }

  has(name: KernelName): boolean {
    return typeof this.exports[name] === "function";
  }

  /** Runs kernel `name` on this thread; its parameters are KernelSignatures[name] (signatures.ts). */
  call<N extends KernelName>(name: N, ...args: KernelSignatures[N]): number {
    if (this.tracing !== null) this.traceCall(name, args);
    return this.exports[name](...args);
  }

  /**
   * Runs `fn`, JavaScript that reads or writes `buffers` through views, and no other memory or state; a trace
   * replays it as it replays kernels (a fill, the sum of a reduction's partials), unless a buffer is an input.
   */
  host(fn: () => void, buffers: readonly Buffer[]): void {
    const touched = this.touched;
    fn();
    this.touched = touched;
    if (this.tracing === null) return;
    const input = buffers.some((b) => this.inputAt(b.address, b.address + b.size * Kernels.width(b)) >= 0);
    if (input) this.touched = true;
    else this.tracing.push(fn);
  }

  /**
   * Runs `fn` and returns the kernel runs it made, split as for every thread asked for (a replay may find
   * them all started), or null where it also touched memory from JavaScript; the scratch blocks those runs
   * use stay allocated until releaseTrace(). Runs that name the memory of `inputs` are replayed on the
   * addresses that replay() is given for them.
   */
  trace(fn: () => void, inputs: readonly Buffer[] = []): Trace {
    if (this.tracing !== null) throw new Error("wasm backend: traces do not nest");
    const seen: Replayable[] = [];
    this.tracing = seen;
    this.tracedInputs = inputs.map((b) => ({ start: b.address, end: b.address + b.size * Kernels.width(b) }));
    this.touched = false;
    try {
      fn();
    } finally {
      this.tracing = null;
      this.tracedInputs = [];
    }
    if (this.touched) return null;
    this.scratchHolds++;
    return seen;
  }

  /** Runs a trace again: the same kernels on the same addresses, but the inputs' (`inputs`, as traced). */
  replay(trace: readonly Replayable[], inputs: readonly Buffer[] = []): void {
    for (const run of trace) run(inputs);
  }

  /** A trace will not run again: once none may, the scratch blocks grown meanwhile are freed. */
  releaseTrace(): void {
    if (--this.scratchHolds > 0) return;
    for (const block of this.retiredScratch) this.heap.free(block.address, block.bytes);
    this.retiredScratch.length = 0;
  }

  /** Every exported function and its parameter count, as compiled (for the signature test). */
  exported(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, fn] of Object.entries(this.exports))
      if (typeof fn === "function") out.set(name, fn.length);
    return out;
  }

  /** Threads asked for; `available` says how many have started. */
  get threads(): number {
    return this.wanted;
  }

  /** Threads that can take a share of a job now (workers start asynchronously); all asked for in a trace. */
  get available(): number {
    if (this.tracing !== null) return this.wanted;
    return this.pool ? this.pool.available : 1;
  }

  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
      throw new RangeError(`setThreads: expected an integer from 1 to ${MAX_THREADS}, got ${n}`);
    }
    if (!this.shared) n = 1;
    if (n === this.wanted && (this.pool !== null) === n > 1) return;
    this.pool?.close();
    this.pool = null;
    this.wanted = n;
    if (n > 1) {
      const names = Object.keys(this.exports).filter((k) => typeof this.exports[k] === "function");
      this.pool = new ThreadPool(
        this.memory,
        this.loaded.module,
        (name, args) => this.exports[name](...args),
        names,
        CONTROL_BASE,
        n,
      );
    }
  }

  /** Runs `name` with each argument list in `shares` at once, one per thread (the first on this one). */
  parallel<N extends KernelName>(name: N, shares: readonly KernelSignatures[N][]): void {
    if (this.tracing !== null) this.traceJob(name, shares);
    this.runShares(name, shares);
  }

  /** Adds a call on this thread to the trace in progress: bound, or patched on replay where it names an input. */
  private traceCall(name: KernelName, args: readonly number[]): void {
    const kernel = this.exports[name];
    const rebinds = this.rebindsOf(name, args);
    if (rebinds.length === 0) {
      // A wasm function ignores arguments past its own: the replay's inputs are dropped.
      const bound: () => number = kernel.bind(null, ...args);
      this.tracing?.push(bound);
      return;
    }
    const patched = [...args];
    this.tracing?.push((inputs) => {
      for (const [arg, input, offset] of rebinds) patched[arg] = inputs[input].address + offset;
      return kernel(...patched);
    });
  }

  /**
   * Adds a split run to the trace in progress: packed once by the pool that runs it (again if the pool changed
   * since), its shares' input addresses patched on each replay.
   */
  private traceJob(name: KernelName, shares: readonly (readonly number[])[]): void {
    const copies = shares.map((share) => [...share]);
    const rebinds = copies.flatMap((share, i) => this.rebindsOf(name, share).map((r) => [i, ...r] as const));
    let job: Job | null = null;
    this.tracing?.push((inputs) => {
      const pool = this.pool;
      if (pool !== null && job?.pool !== pool) job = pool.prepare(name, copies);
      for (const [share, arg, input, offset] of rebinds) {
        const address = inputs[input].address + offset;
        copies[share][arg] = address;
        if (job !== null) job.packed[share * job.nargs + arg] = address;
      }
      if (pool === null || job === null || copies.length === 1) this.runShares(name, copies);
      else pool.runJob(job);
    });
  }

  /** The address arguments of a call that point into a traced input. */
  private rebindsOf(name: KernelName, args: readonly number[]): Rebind[] {
    const rebinds: Rebind[] = [];
    if (this.tracedInputs.length === 0) return rebinds;
    for (const arg of KERNEL_ADDRESSES[name]) {
      const input = this.inputAt(args[arg]);
      if (input >= 0) rebinds.push([arg, input, args[arg] - this.tracedInputs[input].start]);
    }
    return rebinds;
  }

  /** The traced input whose bytes meet [start, end) (by default the byte at `start`), or -1. */
  private inputAt(start: number, end = start + 1): number {
    return this.tracedInputs.findIndex((r) => start < r.end && end > r.start);
  }

  private runShares(name: KernelName, shares: readonly (readonly number[])[]): void {
    if (shares.length === 1 || !this.pool) {
      for (const share of shares) this.exports[name](...share);
      return;
    }
    this.pool.run(name, shares);
  }

  /** A scratch block of at least `bytes` for thread `thread`, kept and reused across calls. */
  scratchFor(thread: number, bytes: number): number {
    const have = this.scratch[thread];
    if (have && have.bytes >= bytes) return have.address;
    if (have && this.scratchHolds > 0) this.retiredScratch.push(have);
    else if (have) this.heap.free(have.address, have.bytes);
    const grown = Math.max(bytes, (have?.bytes ?? 0) * 2, 65536);
    this.scratch[thread] = { address: this.heap.alloc(grown), bytes: grown };
    return this.scratch[thread].address;
  }

  /** A typed view of a buffer: valid until memory grows (the next allocation may do that). */
  view(b: Buffer): TypedArray {
    this.touched = true;
    const buffer = this.heap.buffer;
    switch (b.dtype) {
      case "float32":
        return new Float32Array(buffer, b.address, b.size);
      case "float64":
        return new Float64Array(buffer, b.address, b.size);
      case "int32":
        return new Int32Array(buffer, b.address, b.size);
      case "bool":
        return new Uint8Array(buffer, b.address, b.size);
    }
  }

  /** Bytes per element of a buffer's dtype. */
  static width(b: Buffer): number {
    return bytesPerElement(b.dtype);
  }
}
