// WGSL for reductions (one thread per output element, looping over the reduced axes), the softmax and
// cross-entropy rows (one thread per row), and gather / scatter-add along an axis.
import { stridesOf } from "../../shape.js";
import type { ReduceOp, SoftmaxMode } from "../backend.js";
import { binding, entry, FLOAT_HELPERS, type GpuDType, PARAMS, STORED } from "./wgsl-common.js";

/** Elements one workgroup reduces: 64 threads × 256 steps, short loops for every GPU (llvmpipe caps loops). */
export const REDUCE_CHUNK = 16384;

/**
 * Parameter words: [outputs, keptRank, reducedRank, reducedCount, chunks, kept shape, kept strides, reduced
 * shape, reduced strides], strides in elements of the contiguous input. Workgroup w reduces chunk w % chunks of
 * output w / chunks into out[w].
 */
export function reduceParams(
  shape: readonly number[],
  axes: readonly number[],
  outputs: number,
  chunks: number,
): Uint32Array {
  const strides = stridesOf(shape);
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  return Uint32Array.from([
    outputs,
    kept.length,
    axes.length,
    reducedCount(shape, axes),
    chunks,
    ...kept.map((d) => shape[d]),
    ...kept.map((d) => strides[d]),
    ...axes.map((d) => shape[d]),
    ...axes.map((d) => strides[d]),
  ]);
}

export function reducedCount(shape: readonly number[], axes: readonly number[]): number {
  let count = 1;
  for (const a of axes) count *= shape[a];
  return count;
}

const REDUCE_OFFSETS = `
fn place(n: u32, rank: u32, at: u32) -> u32 {
  var rest = n;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = p[at + u32(d)];
    off += (rest % dim) * p[at + rank + u32(d)];
    rest = rest / dim;
  }
  return off;
}`;

/**
 * One workgroup per (output, chunk): 64 threads stride through the chunk, then halve in workgroup memory.
 * Sum, max and min propagate NaN as the reference does; argmax/argmin keep the first winner (a NaN wins).
 */
export function reduceKernel(op: ReduceOp, x: GpuDType, out: GpuDType): string {
  const float = x === "float32";
  const type = float ? "f32" : "i32";
  const nan = (v: string) => (float ? `isnan_(${v})` : "false");
  const beats = (v: string, w: string) => (op === "max" || op === "argmax" ? `${v} > ${w}` : `${v} < ${w}`);
  const sum = op === "sum" || op === "sumSquares";
  const start = sum
    ? `${type}(0)`
    : float
      ? `${op === "max" || op === "argmax" ? "-" : ""}inf_()`
      : `${op === "max" || op === "argmax" ? "-2147483647 - 1" : "2147483647"}`;
  const arg = op === "argmax" || op === "argmin";
  // (v, at) replaces (best, won) when it wins; for the arg ops a tie goes to the lower index.
  const takes = (v: string, at: string, best: string, won: string) =>
    sum
      ? "false"
      : arg
        ? `${won} == NONE || (${at} != NONE && ((${nan(v)} && (!${nan(best)} || ${at} < ${won})) || (!${nan(best)} && (${beats(v, best)} || (${v} == ${best} && ${at} < ${won})))))`
        : `!${nan(best)} && (${nan(v)} || ${beats(v, best)})`;
  const step =
    op === "sum"
      ? "best = best + v;"
      : op === "sumSquares"
        ? "best = best + v * v;"
        : `if (${takes("v", "r", "best", "won")}) { best = v; won = r; }`;
  const merge = sum
    ? "vals[li] = vals[li] + vals[li + half];"
    : `if (${takes("vals[li + half]", "wins[li + half]", "vals[li]", "wins[li]")}) { vals[li] = vals[li + half]; wins[li] = wins[li + half]; }`;
  const result = arg ? "i32(wins[0])" : "vals[0]";
  return `${PARAMS}
${binding(1, "xs", STORED[x], false)}
${binding(2, "out", STORED[out], true)}
${FLOAT_HELPERS}
${REDUCE_OFFSETS}
const NONE = 0xffffffffu;
var<workgroup> vals: array<${type}, 64>;
var<workgroup> wins: array<u32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let w = wg.x + wg.y * nw.x;
  let chunks = p[4];
  if (w >= p[0] * chunks) { return; }
  let keptRank = p[1];
  let redRank = p[2];
  let count = p[3];
  let base = place(w / chunks, keptRank, 5u);
  let redAt = 5u + 2u * keptRank;
  let per = (count + chunks - 1u) / chunks;
  let first = (w % chunks) * per;
  let last = min(count, first + per);
  var best = ${start};
  var won = NONE;
  for (var r = first + li; r < last; r += 64u) {
    let v = ${type}(xs[base + place(r, redRank, redAt)]);
    ${step}
  }
  vals[li] = best;
  wins[li] = won;
  workgroupBarrier();
  for (var half = 32u; half > 0u; half = half / 2u) {
    if (li < half) {
      ${merge}
    }
    workgroupBarrier();
  }
  if (li == 0u) { out[w] = ${STORED[out]}(${result}); }
}`;
}

const ROW_SHIFT = `
fn rowShift(start: u32, cols: u32) -> vec2f {
  var m = -inf_();
  for (var j = 0u; j < cols; j++) { m = max(m, xs[start + j]); }
  let shift = select(0.0, m, isfinite_(m));
  var s = 0.0;
  for (var j = 0u; j < cols; j++) { s += exp(xs[start + j] - shift); }
  return vec2f(shift, log(s));
}`;

/**
 * A kernel with one thread per row of xs (p = [rows, cols]) that reads the row's shift: `body` runs with cols,
 * start (the row's first element) and sl = rowShift(start, cols); `bindings` follow xs (binding 1).
 */
function shiftedRowsKernel(bindings: string, body: string): string {
  return `${PARAMS}
${binding(1, "xs", "f32", false)}
${bindings}
${FLOAT_HELPERS}
${ROW_SHIFT}
${entry(`  let cols = p[1];
  let start = i * cols;
  let sl = rowShift(start, cols);
${body}`)}`;
}

/** p = [rows, cols]; one thread per row: log-softmax or softmax shifted by the row maximum. */
export function softmaxKernel(mode: SoftmaxMode): string {
  const value = mode === "log" ? "v" : "exp(v)";
  return shiftedRowsKernel(
    binding(2, "out", "f32", true),
    `  for (var j = 0u; j < cols; j++) {
    let v = xs[start + j] - sl.x - sl.y;
    out[start + j] = ${value};
  }`,
  );
}

/** p = [rows, cols]; ℓ_r = log Σ exp(x_r − m) − (x_r[y_r] − m). */
export const CROSS_ENTROPY_KERNEL = shiftedRowsKernel(
  `${binding(2, "labels", "i32", false)}
${binding(3, "out", "f32", true)}`,
  "  out[i] = -(xs[start + u32(labels[i])] - sl.x - sl.y);",
);

/**
 * Gather parameters: [outputs, rank, index shape, target strides with the axis's zeroed, axis stride];
 * scatter-add's: [lines, rank, axis, index shape, target strides].
 */
export function axisParams(
  threads: number,
  target: readonly number[],
  indexShape: readonly number[],
  axis: number,
  zeroAxis: boolean,
): Uint32Array {
  const own = stridesOf(target);
  const strides = own.map((v, d) => (zeroAxis && d === axis ? 0 : v));
  const head = zeroAxis ? [threads, indexShape.length] : [threads, indexShape.length, axis];
  const tail = zeroAxis ? [own[axis] ?? 0] : [];
  return Uint32Array.from([...head, ...indexShape, ...strides, ...tail]);
}

/** out[i] = x[base(i) + index[i]·stride] (32-bit words). */
export const GATHER_KERNEL = `${PARAMS}
${binding(1, "xs", "u32", false)}
${binding(2, "index", "i32", false)}
${binding(3, "out", "u32", true)}
${entry(`  let rank = p[1];
  var rest = i;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = p[2u + u32(d)];
    off += (rest % dim) * p[2u + rank + u32(d)];
    rest = rest / dim;
  }
  out[i] = xs[off + u32(index[i]) * p[2u + 2u * rank]];`)}`;

/**
 * One thread per line along the axis (every other coordinate fixed): its targets never meet another line's,
 * so the adds need no atomics and run in the reference's order.
 */
export function scatterAddKernel(dtype: GpuDType): string {
  const type = STORED[dtype];
  return `${PARAMS}
${binding(1, "src", type, false)}
${binding(2, "index", "i32", false)}
${binding(3, "out", type, true)}
${entry(`  let rank = p[1];
  let axis = p[2];
  let along = p[3u + axis];
  var rest = i;
  var srcBase = 0u;
  var outBase = 0u;
  var srcStride = 1u;
  var srcAxisStride = 1u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = p[3u + u32(d)];
    if (u32(d) == axis) {
      srcAxisStride = srcStride;
    } else {
      let c = rest % dim;
      rest = rest / dim;
      srcBase += c * srcStride;
      outBase += c * p[3u + rank + u32(d)];
    }
    srcStride *= dim;
  }
  let outStride = p[3u + rank + axis];
  for (var j = 0u; j < along; j++) {
    let s = srcBase + j * srcAxisStride;
    let o = outBase + u32(index[s]) * outStride;
    out[o] = out[o] + src[s];
  }`)}`;
}
