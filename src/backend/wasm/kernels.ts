// The instantiated kernel module with its heap and thread pool: typed views of buffers, per-thread scratch,
// and calls to exported kernels, on this thread or split over the workers.
import type { DType, TypedArray } from "../../dtype.js";
import { bytesPerElement } from "../../dtype.js";
import { HEAP_BASE, WasmHeap } from "./heap.js";
import type { KernelModule } from "./module.js";
import type { KernelName, KernelSignatures } from "./signatures.js";
import { type Job, ThreadPool } from "./threads.js";

/** The most threads a pool may have. */
const MAX_THREADS = 64;
/** The thread pool's control block sits just below the heap. */
const CONTROL_BASE = HEAP_BASE - ThreadPool.controlBytes;

type KernelFn = (...args: number[]) => number;

/**
 * A kernel run as a trace saw it, ready to run again: a call on this thread with its arguments bound, or a
 * job split over the pool, packed by the pool that runs it (packed again if the pool changed since).
 */
type Replayable =
  | { readonly call: () => number }
  | { readonly shares: readonly (readonly number[])[]; readonly name: KernelName; job: Job | null };

/** What trace() saw, ready to replay; null where JavaScript also read or wrote the memory. */
export type Trace = readonly Replayable[] | null;

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
    if (this.tracing !== null) this.tracing.push({ call: this.exports[name].bind(null, ...args) });
    return this.exports[name](...args);
  }

  /**
   * Runs `fn` and returns the kernel runs it made, split as for every thread asked for (a replay may find
   * them all started), or null where it also touched memory from JavaScript; the scratch blocks those runs
   * use stay allocated until releaseTrace().
   */
  trace(fn: () => void): Trace {
    if (this.tracing !== null) throw new Error("wasm backend: traces do not nest");
    const seen: Replayable[] = [];
    this.tracing = seen;
    this.touched = false;
    try {
      fn();
    } finally {
      this.tracing = null;
    }
    if (this.touched) return null;
    this.scratchHolds++;
    return seen;
  }

  /** Runs a trace again: the same kernels on the same addresses. */
  replay(trace: readonly Replayable[]): void {
    for (const run of trace) {
      if ("call" in run) run.call();
      else if (run.shares.length === 1 || !this.pool) this.runShares(run.name, run.shares);
      else {
        if (run.job?.pool !== this.pool) run.job = this.pool.prepare(run.name, run.shares);
        this.pool.runJob(run.job);
      }
    }
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
    if (this.tracing !== null)
      this.tracing.push({ name, shares: shares.map((share) => [...share]), job: null });
    this.runShares(name, shares);
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

  /** The memory as JavaScript sees it, for reading what kernels wrote (marks a trace as touched). */
  hostMemory(): ArrayBufferLike {
    this.touched = true;
    return this.heap.buffer;
  }

  /** Bytes per element of a buffer's dtype. */
  static width(b: Buffer): number {
    return bytesPerElement(b.dtype);
  }
}
