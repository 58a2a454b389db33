// Shared by the parent (bench/run.ts) and the per-engine children (bench/child.ts): the cases, the engine
// list, the synthetic data (made once by the parent, read by every child), the timing loop and the JSON shapes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// ---------------------------------------------------------------------------------------------------------
// Engines and cases

/** The installed version of a package: its package.json, found above its entry point (exports may hide it). */
export function packageVersion(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === name && pkg.version) return pkg.version;
  }
  return "unknown";
}

export const ENGINES = [
  "chainrule-js",
  "chainrule-wasm-1t",
  "chainrule-wasm-2t",
  "tfjs-cpu",
  "tfjs-wasm",
  "jax-js",
] as const;
export type EngineName = (typeof ENGINES)[number];

/** The figure the ratios are taken from, and the peers it is compared with. */
export const FOCUS: EngineName = "chainrule-wasm-2t";
export const PEERS: readonly EngineName[] = ["tfjs-cpu", "tfjs-wasm", "jax-js"];

/** Environment for an engine's child process: the Chainrule engines pick their backend at start-up. */
export function engineEnv(engine: EngineName): Record<string, string> {
  switch (engine) {
    case "chainrule-js":
      return { CHAINRULE_BACKEND: "js" };
    case "chainrule-wasm-1t":
      return { CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "1" };
    case "chainrule-wasm-2t":
      return { CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "2" };
    default:
      return {};
  }
}

export type CaseKind = "sgemm" | "mlp" | "infer";

export interface CaseSpec {
  id: string;
  kind: CaseKind;
  /** Matrix size n for sgemm, batch size otherwise. */
  size: number;
  unit: "GFLOP/s" | "examples/s";
  title: string;
}

export const SGEMM_SIZES = [256, 512, 1024, 2048];
export const MLP_BATCHES = [64, 256, 1024];
export const INFER_BATCH = 256;
export const QUICK_SGEMM_SIZES = [256, 512];
export const QUICK_MLP_BATCHES = [64, 256];

export function allCases(quick: boolean): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const n of quick ? QUICK_SGEMM_SIZES : SGEMM_SIZES) {
    cases.push({
      id: `sgemm${n}`,
      kind: "sgemm",
      size: n,
      unit: "GFLOP/s",
      title: `sgemm ${n}×${n}·${n}×${n}`,
    });
  }
  for (const b of quick ? QUICK_MLP_BATCHES : MLP_BATCHES) {
    cases.push({
      id: `mlp${b}`,
      kind: "mlp",
      size: b,
      unit: "examples/s",
      title: `MLP train step, batch ${b}`,
    });
  }
  cases.push({
    id: `infer${INFER_BATCH}`,
    kind: "infer",
    size: INFER_BATCH,
    unit: "examples/s",
    title: `MLP inference, batch ${INFER_BATCH}`,
  });
  return cases;
}

/** Parses a case id such as "sgemm512", "mlp64" or "infer256" (any size is accepted). */
export function parseCase(id: string): CaseSpec {
  const m = /^(sgemm|mlp|infer)(\d+)$/.exec(id);
  if (!m) throw new Error(`unknown case "${id}": use sgemmN, mlpN or inferN, e.g. sgemm512, mlp64, infer256`);
  const kind = m[1] as CaseKind;
  const size = Number(m[2]);
  if (kind === "sgemm")
    return { id, kind, size, unit: "GFLOP/s", title: `sgemm ${size}×${size}·${size}×${size}` };
  if (kind === "mlp") return { id, kind, size, unit: "examples/s", title: `MLP train step, batch ${size}` };
  return { id, kind, size, unit: "examples/s", title: `MLP inference, batch ${size}` };
}

/** Work per repetition: floating-point operations for sgemm, examples otherwise. */
export function workPerRep(spec: CaseSpec): number {
  return spec.kind === "sgemm" ? (2 * spec.size ** 3) / 1e9 : spec.size;
}

// ---------------------------------------------------------------------------------------------------------
// The model and its hyperparameters (the chapter's network)

export const MLP = { inputs: 784, hidden: 256, outputs: 10, lambda: 1e-4, lr: 0.1 } as const;
/** Steps taken from the shared initial weights before timing; the loss after them is compared across engines. */
export const VERIFY_STEPS = 5;
export const LOSS_TOLERANCE = 1e-2;

// ---------------------------------------------------------------------------------------------------------
// Synthetic data: seeded, made once by the parent, written to a folder, read by each child

/** mulberry32: a small, fast 32-bit generator; the same seed gives the same floats everywhere. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(count: number, seed: number, lo = 0, hi = 1): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

export function normal(count: number, seed: number, std: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** The inputs every engine trains and predicts on. Weights are stored as PyTorch's Linear has them: [out, in]. */
export interface BenchData {
  /** [maxBatch, 784], uniform in [0, 1). Batch b uses the first b rows. */
  x: Float32Array;
  /** [maxBatch] class indices in [0, 10). */
  y: Int32Array;
  /** W1 [256, 784], He normal. */
  w1: Float32Array;
  /** W2 [10, 256], Xavier uniform. */
  w2: Float32Array;
  maxBatch: number;
}

export function makeData(maxBatch: number, seed = 0): BenchData {
  const { inputs, hidden, outputs } = MLP;
  const x = uniform(maxBatch * inputs, seed + 1);
  const rng = makeRng(seed + 2);
  const y = new Int32Array(maxBatch);
  for (let i = 0; i < maxBatch; i++) y[i] = Math.floor(rng() * outputs);
  const w1 = normal(hidden * inputs, seed + 3, Math.sqrt(2 / inputs));
  const a = Math.sqrt(6 / (hidden + outputs));
  const w2 = uniform(outputs * hidden, seed + 4, -a, a);
  return { x, y, w1, w2, maxBatch };
}

export function writeData(dir: string, data: BenchData): void {
  mkdirSync(dir, { recursive: true });
  for (const name of ["x", "y", "w1", "w2"] as const) {
    const arr = data[name];
    writeFileSync(join(dir, `${name}.bin`), new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  }
  writeFileSync(join(dir, "meta.json"), JSON.stringify({ maxBatch: data.maxBatch }));
}

function readBytes(path: string): ArrayBuffer {
  const buf = readFileSync(path);
  // Copy into a fresh, aligned ArrayBuffer (a Buffer may sit at any offset in a shared pool).
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export function readData(dir: string): BenchData {
  const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as { maxBatch: number };
  return {
    x: new Float32Array(readBytes(join(dir, "x.bin"))),
    y: new Int32Array(readBytes(join(dir, "y.bin"))),
    w1: new Float32Array(readBytes(join(dir, "w1.bin"))),
    w2: new Float32Array(readBytes(join(dir, "w2.bin"))),
    maxBatch: meta.maxBatch,
  };
}

/** The sgemm operands: made in each child from the same seeds (n = 2048 would be 32 MB to pass around). */
export function sgemmOperands(n: number): { a: Float32Array; b: Float32Array } {
  return { a: uniform(n * n, 1000 + n, -1, 1), b: uniform(n * n, 2000 + n, -1, 1) };
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose2d(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// What an engine provides, and the timing loop

/** One repetition; returns a number read back from the engine (forces lazy engines to compute). */
export type Rep = () => number | Promise<number>;

export interface Prepared {
  rep: Rep;
  dispose(): void;
}

export interface Engine {
  /** Versions, backend, threads: whatever describes what was measured. */
  info: Record<string, string | number | boolean>;
  sgemm(n: number, a: Float32Array, b: Float32Array): Promise<Prepared>;
  /** A training step on the first `batch` rows; rep() returns the objective J before the update. */
  mlpTrain(batch: number, data: BenchData): Promise<Prepared>;
  /** A forward pass on the first `batch` rows with the initial weights; rep() returns a logit. */
  infer(batch: number, data: BenchData): Promise<Prepared>;
}

export interface TimingOptions {
  /** Warm-up repetitions (at least), and at least this many seconds of them when the reps are short. */
  warmupReps: number;
  warmupSeconds: number;
  minReps: number;
  /** Keep repeating until this much time has been spent timing (and minReps are done). */
  minSeconds: number;
  /** Stop after this much time even if minReps are not done, once 3 reps are. */
  maxSeconds: number;
}

export function timingOptions(
  quick: boolean,
  overrides: { reps?: number; seconds?: number } = {},
): TimingOptions {
  const base: TimingOptions = quick
    ? { warmupReps: 1, warmupSeconds: 0.1, minReps: 3, minSeconds: 0.3, maxSeconds: 5 }
    : { warmupReps: 2, warmupSeconds: 3, minReps: 5, minSeconds: 1.5, maxSeconds: 30 };
  if (overrides.reps !== undefined) {
    base.minReps = overrides.reps;
    base.warmupReps = Math.min(base.warmupReps, overrides.reps);
  }
  if (overrides.seconds !== undefined) {
    base.minSeconds = overrides.seconds;
    base.warmupSeconds = Math.min(base.warmupSeconds, overrides.seconds);
  }
  return base;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs warm-up reps, then timed reps; returns each timed rep's seconds and the last value read back. */
export async function measure(rep: Rep, t: TimingOptions): Promise<{ seconds: number[]; last: number }> {
  let last = Number.NaN;
  const warmStart = performance.now();
  // Warm up by time, not by count: with two threads busy, V8's background compilers (and concurrent GC) get
  // little CPU, and a fast step can take a couple of seconds to reach its steady speed. A slow rep (sgemm
  // 2048 on a JS engine takes seconds) needs only one once the time is up.
  for (let i = 0; ; i++) {
    const elapsed = (performance.now() - warmStart) / 1000;
    // Enough reps once the time is up, or a single rep that alone took longer than the warm-up time.
    if (elapsed >= t.warmupSeconds && (i >= t.warmupReps || (i >= 1 && elapsed / i > t.warmupSeconds))) break;
    last = await rep();
  }
  const seconds: number[] = [];
  const start = performance.now();
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    const enough = seconds.length >= t.minReps && elapsed >= t.minSeconds;
    const tooLong = seconds.length >= Math.min(3, t.minReps) && elapsed >= t.maxSeconds;
    if (enough || tooLong || seconds.length >= 10000) break;
    const t0 = performance.now();
    last = await rep();
    seconds.push((performance.now() - t0) / 1000);
  }
  return { seconds, last };
}

// ---------------------------------------------------------------------------------------------------------
// Results

export interface CaseResult {
  id: string;
  kind: CaseKind;
  size: number;
  unit: string;
  /** Median seconds per repetition. */
  medianSeconds: number;
  /** GFLOP/s or examples/s at the median. */
  value: number;
  reps: number;
  samples: number[];
  /** Training: J at each of the first VERIFY_STEPS steps from the shared initial weights, then after them. */
  losses?: number[];
  lossAfter?: number;
  /** Inference: the sum of the logits of the first example (a check that engines agree). */
  checksum?: number;
  error?: string;
  warning?: string;
}

export interface EngineResult {
  engine: EngineName;
  ok: boolean;
  error?: string;
  info: Record<string, string | number | boolean>;
  cases: CaseResult[];
  wallSeconds: number;
}

/** The threads section: 1 against 2 wasm threads on the training step, interleaved in one process. */
export const THREAD_BATCHES = [8, 16, 32, 64, 256];
export const QUICK_THREAD_BATCHES = [16, 64];
export const THREAD_ROUNDS = 30;
export const QUICK_THREAD_ROUNDS = 8;

export interface ThreadsRow {
  batch: number;
  rounds: number;
  /** Timed steps per thread count per round (after a warm-up); each round keeps the median step. */
  stepsPerRound: number;
  /** The medians over rounds of the per-round median step time, in milliseconds. */
  ms1: number;
  ms2: number;
  /** The median over rounds of (1-thread time ÷ 2-thread time): above 1, two threads are faster. */
  speedup: number;
  /** A 95% interval for that median (sign-test order statistics), and the range over rounds. */
  low: number;
  high: number;
  min: number;
  max: number;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  /** The case ids asked for, in order. */
  cases: string[];
  machine: Record<string, string | number>;
  options: TimingOptions;
  engines: EngineResult[];
  /** value(FOCUS) / value(peer) by case id and peer. */
  ratios: Record<string, Record<string, number | null>>;
  /** 1 against 2 threads at each batch (absent when the section was not run). */
  threads?: ThreadsRow[];
  lossCheck: { case: string; reference: string; values: Record<string, number>; flagged: string[] }[];
  problems: string[];
}
