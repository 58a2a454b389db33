// Shared by the parent (bench/run.ts) and the children (child.ts, short.ts, threads.ts, layout.ts): the engines,
// their weight layouts, the cases, the model, the synthetic data (made once by the parent, read by every child,
// rotated through slot by slot as a data loader would hand out batches) and what an engine provides.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// ---------------------------------------------------------------------------------------------------------
// Engines, layouts and cases

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
  "chainrule-capture-2t",
  "tfjs-cpu",
  "tfjs-wasm",
  "jax-js",
  "chainrule-webgpu",
  "tfjs-webgpu",
  "jax-js-webgpu",
] as const;
export type EngineName = (typeof ENGINES)[number];

/** The engines that need a GPU: run only with --gpu. */
export const GPU_ENGINES: readonly EngineName[] = ["chainrule-webgpu", "tfjs-webgpu", "jax-js-webgpu"];

/** The figure the ratios are taken from, and the peers it is compared with. */
export const FOCUS: EngineName = "chainrule-wasm-2t";
/** The same, with the training step and the forward pass written with cr.capture. */
export const CAPTURED: EngineName = "chainrule-capture-2t";
export const PEERS: readonly EngineName[] = ["tfjs-cpu", "tfjs-wasm", "jax-js"];

export function isChainrule(engine: EngineName): boolean {
  return engine.startsWith("chainrule-");
}

/**
 * How a layer's weight W is stored: "in-out" is [in, out] with o = x·W (the TensorFlow.js and JAX habit);
 * "out-in" is [out, in] with o = x·Wᵀ (nn.Linear and PyTorch).
 */
export type Layout = "in-out" | "out-in";
export const LAYOUT_LABEL: Record<Layout, string> = { "in-out": "[in, out]", "out-in": "[out, in]" };

/**
 * The layouts each engine's training and inference cases are measured in; where there are two, the faster is
 * kept per case. Chainrule runs the user's path only: nn.Linear, [out, in] (the layout section compares both).
 */
export function engineLayouts(engine: EngineName): readonly Layout[] {
  return isChainrule(engine) ? ["out-in"] : ["in-out", "out-in"];
}

/** Environment for an engine's child process: the Chainrule engines pick their backend at start-up. */
export function engineEnv(engine: EngineName): Record<string, string> {
  switch (engine) {
    case "chainrule-js":
      return { CHAINRULE_BACKEND: "js" };
    case "chainrule-wasm-1t":
      return { CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "1" };
    case "chainrule-wasm-2t":
      return { CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "2" };
    case "chainrule-capture-2t":
      return { CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "2", CHAINRULE_BENCH_CAPTURE: "1" };
    case "chainrule-webgpu":
      return { CHAINRULE_BENCH_WEBGPU: "1" };
    default:
      return {};
  }
}

export type CaseKind = "sgemm" | "mlp" | "infer";

/** The case kinds an engine runs: a captured step is about steps, so the capture engine skips sgemm. */
export function engineKinds(engine: EngineName): readonly CaseKind[] {
  return engine === CAPTURED ? ["mlp", "infer"] : ["sgemm", "mlp", "infer"];
}

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

/** --gpu: the sizes where a GPU is worth measuring (sgemm 1024-8192, training batch 256-8192, inference). */
export const GPU_SGEMM_SIZES = [1024, 2048, 4096, 8192];
export const GPU_MLP_BATCHES = [256, 1024, 4096, 8192];
export const GPU_INFER_BATCH = 4096;

/** --gpu-check: one small case of each kind, enough to see each GPU engine run and agree. */
export const GPU_CHECK_CASES = ["sgemm256", "mlp64", "infer64"];

export function gpuCases(): CaseSpec[] {
  return [
    ...GPU_SGEMM_SIZES.map((n) => `sgemm${n}`),
    ...GPU_MLP_BATCHES.map((b) => `mlp${b}`),
    `infer${GPU_INFER_BATCH}`,
  ].map(parseCase);
}

export function allCases(quick: boolean): CaseSpec[] {
  const ids = [
    ...(quick ? QUICK_SGEMM_SIZES : SGEMM_SIZES).map((n) => `sgemm${n}`),
    ...(quick ? QUICK_MLP_BATCHES : MLP_BATCHES).map((b) => `mlp${b}`),
    `infer${INFER_BATCH}`,
  ];
  return ids.map(parseCase);
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

/** The threads section (threads.ts): batches and rounds of 1 against 2 wasm threads on the training step. */
export const THREAD_BATCHES = [8, 16, 32, 64, 256];
export const QUICK_THREAD_BATCHES = [16, 64];
export const THREAD_ROUNDS = 30;
export const QUICK_THREAD_ROUNDS = 8;

/** The layout section (layout.ts): "train64" is the training step at batch 64, "infer256" the forward pass. */
export const LAYOUT_CASES = ["train64", "train256", "infer256"];
export const QUICK_LAYOUT_CASES = ["train256"];
export const LAYOUT_ROUNDS = 20;
export const QUICK_LAYOUT_ROUNDS = 6;

/** The data-throughput sizes in bytes: a small one, then 1, 4 and 16 MiB. */
export const IO_SIZES = [64 * 1024, 2 ** 20, 4 * 2 ** 20, 16 * 2 ** 20];
export const QUICK_IO_SIZES = [64 * 1024, 2 ** 20];

export function bytesLabel(bytes: number): string {
  return bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 1024} KiB`;
}

// ---------------------------------------------------------------------------------------------------------
// The model and its hyperparameters (the chapter's network)

export const MLP = { inputs: 784, hidden: 256, outputs: 10, lambda: 1e-4, lr: 0.1 } as const;
/** Steps taken on one batch from the shared initial weights before timing; the loss after them is compared. */
export const VERIFY_STEPS = 5;
/** The batch slot the checks use (not slot 0, so that an engine mishandling a view's offset shows). */
export const VERIFY_SLOT = 1;
export const LOSS_TOLERANCE = 1e-2;

// ---------------------------------------------------------------------------------------------------------
// Synthetic data: seeded, made once by the parent, written to a folder, read by each child

/** Different batches the steps rotate through: step i trains on slot i mod SLOTS. */
export const SLOTS = 4;

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
  /** [SLOTS · maxBatch, 784], uniform in [0, 1). Batch b in slot s is rows s·b … s·b + b − 1. */
  x: Float32Array;
  /** [SLOTS · maxBatch] class indices in [0, 10). */
  y: Int32Array;
  /** W1 [256, 784], He normal. */
  w1: Float32Array;
  /** W2 [10, 256], Xavier uniform. */
  w2: Float32Array;
  maxBatch: number;
}

export function makeData(maxBatch: number, seed = 0): BenchData {
  const { inputs, hidden, outputs } = MLP;
  const rows = SLOTS * maxBatch;
  const x = uniform(rows * inputs, seed + 1);
  const rng = makeRng(seed + 2);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) y[i] = Math.floor(rng() * outputs);
  const w1 = normal(hidden * inputs, seed + 3, Math.sqrt(2 / inputs));
  const a = Math.sqrt(6 / (hidden + outputs));
  const w2 = uniform(outputs * hidden, seed + 4, -a, a);
  return { x, y, w1, w2, maxBatch };
}

/**
 * The typed arrays of one batch, as a data loader hands them over: views of the shared data, slot by slot, so
 * that consecutive steps never see the same arrays. Every engine makes its tensors from these on every step.
 */
export function batchArrays(
  data: BenchData,
  batch: number,
  slot: number,
): { x: Float32Array; y: Int32Array } {
  if (batch > data.maxBatch) throw new Error(`batch ${batch} is larger than the data (${data.maxBatch})`);
  const first = (slot % SLOTS) * batch;
  return {
    x: data.x.subarray(first * MLP.inputs, (first + batch) * MLP.inputs),
    y: data.y.subarray(first, first + batch),
  };
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

/** The shared weights in a layout: as stored ([out, in]) or transposed to [in, out]. */
export function weightsIn(data: BenchData, layout: Layout): { w1: Float32Array; w2: Float32Array } {
  if (layout === "out-in") return { w1: data.w1, w2: data.w2 };
  return {
    w1: transpose2d(data.w1, MLP.hidden, MLP.inputs),
    w2: transpose2d(data.w2, MLP.outputs, MLP.hidden),
  };
}

// ---------------------------------------------------------------------------------------------------------
// What an engine provides

/**
 * One repetition on batch slot `slot` (ignored by sgemm); returns a number read back from the engine, which
 * also forces lazy engines to compute. Training returns the objective J before the update.
 */
export type Rep = (slot: number) => number | Promise<number>;

export interface Prepared {
  rep: Rep;
  dispose(): void;
}

/** Data in and out at one size: GB/s (10⁹ bytes per second), medians. */
export interface IoRow {
  bytes: number;
  /** tensor(float32Array, { shape }), then dispose. */
  tensor: number;
  /** t.dataSync() of a float32 tensor. */
  dataSync: number;
  /** await t.data() of a float32 tensor. */
  data: number;
  /** The baseline: Float32Array.prototype.set into a preallocated array of the same size. */
  memcpy: number;
}

export interface Engine {
  /** Versions, backend, threads: whatever describes what was measured. */
  info: Record<string, string | number | boolean>;
  sgemm(n: number, a: Float32Array, b: Float32Array): Promise<Prepared>;
  /** A training step on a batch of `batch` rows, inputs made from the slot's typed arrays on every step. */
  mlpTrain(batch: number, data: BenchData, layout: Layout): Promise<Prepared>;
  /** A forward pass with the initial weights; rep() returns the sum of the slot's first example's logits. */
  infer(batch: number, data: BenchData, layout: Layout): Promise<Prepared>;
  /** Data in and out (Chainrule only): tensor() from a Float32Array, dataSync(), data(), at `bytes`. */
  io?(bytes: number, seconds: number): Promise<IoRow>;
}
