// Shared by the wasm backend's elementwise, reduce and copy dispatch (ops-unary/binary/reduce/copy.ts): the op
// codes of the kernels in wasm/assembly/ew-*.ts, the thread thresholds, and layout and thread-splitting helpers.
// Strided cases are collapsed to 2-D slabs (collapse.ts) and big slabs split over the threads by runSlab.
import type { DType } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import type { BinaryOp, ReduceOp, UnaryOp, View } from "../backend.js";
import type { WasmBuffer } from "./buffer.js";
import type { Kernels } from "./kernels.js";
import type { KernelSignatures, SlabKernel } from "./signatures.js";

/**
 * Below this many elements a job stays on one thread: handing a share to a worker costs more than it saves.
 * Memory-bound jobs (arithmetic, comparisons, where, copies, sums, the optimizer's update) gain too: each core
 * streams its half from its own cache (on 2 cores the training step at batch 256 ran 7% faster with its
 * weight-sized passes split than with them from 4× this size, at batch 64 12%).
 */
export const PARALLEL_MIN = 1 << 16;
/** Thread shares start on multiples of this many elements (whole vectors, 64-byte lines for float32). */
export const ALIGN = 16;

// Op codes: the kernels' constants in wasm/assembly/lib/ew-common.ts (unary, binary, compare, reduce) and
// ew-cast.ts; test/backend/wasm-op-codes.test.ts reads both sides and fails on any difference.
export const UNARY_CODE: { readonly [K in UnaryOp]?: number } = {
  neg: 0,
  exp: 1,
  log: 2,
  log1p: 3,
  sqrt: 4,
  abs: 5,
  sign: 6,
  tanh: 7,
  sigmoid: 8,
  relu: 9,
  softplus: 10,
};
export const ARITH_CODE: { readonly [K in BinaryOp]?: number } = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};
export const COMPARE_CODE: { readonly [K in BinaryOp]?: number } = {
  equal: 0,
  notEqual: 1,
  less: 2,
  lessEqual: 3,
  greater: 4,
  greaterEqual: 5,
};
export const REDUCE_CODE: { readonly [K in ReduceOp]: number } = {
  sum: 0,
  max: 1,
  min: 2,
  argmax: 3,
  argmin: 4,
  sumSquares: 5,
};
export const CAST_CODE: { readonly [from in DType]: { readonly [to in DType]?: number } } = {
  float32: { float64: 0, bool: 6, int32: 8 },
  float64: { float32: 1, bool: 7, int32: 9 },
  bool: { float32: 2, float64: 3, int32: 11, bool: 12 },
  int32: { float32: 4, float64: 5, bool: 10 },
};

export const WIDTH: { readonly [K in DType]: number } = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Kernel names by float dtype (null for the others). */
export function suffix(dtype: DType): "f32" | "f64" | null {
  return dtype === "float32" ? "f32" : dtype === "float64" ? "f64" : null;
}

/** The view's buffer, or null where the reference path should run (and report a freed buffer). */
export function bufferOf(v: View): WasmBuffer | null {
  const b = v.id as WasmBuffer;
  return b.freed ? null : b;
}

/** Whether the view walks `shape` as one contiguous run (any offset): shape.ts holds it for both sides. */
export { runsContiguously } from "../../shape.js";

/** Whether the view reads one element for the whole shape. */
export function isScalar(shape: Shape, strides: readonly number[]): boolean {
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1 && strides[i] !== 0) return false;
  return true;
}

/** [start, count) chunks of n elements for `parts` threads, starts on multiples of ALIGN. */
export function chunks(n: number, parts: number): [number, number][] {
  const step = Math.ceil(n / parts / ALIGN) * ALIGN;
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += step) out.push([start, Math.min(step, n - start)]);
  return out;
}

/** Threads to use for a job of `size` elements. */
export function threadsFor(k: Kernels, size: number): number {
  return size >= PARALLEL_MIN ? k.available : 1;
}

/**
 * Runs `name(code, count, x, out)` over two contiguous buffers of `size` elements: one call, or aligned chunks
 * over the threads a job of that size gets.
 */
export function runChunked(
  k: Kernels,
  name: "ew_unary_f32" | "ew_unary_f64" | "ew_cast",
  code: number,
  x: WasmBuffer,
  out: WasmBuffer,
  size: number,
): void {
  const threads = threadsFor(k, size);
  if (threads <= 1) {
    k.call(name, code, size, x.address, out.address);
    return;
  }
  const wx = WIDTH[x.dtype];
  const wo = WIDTH[out.dtype];
  k.parallel(
    name,
    chunks(size, threads).map(([start, count]) => [
      code,
      count,
      x.address + start * wx,
      out.address + start * wo,
    ]),
  );
}

/** The arguments a slab kernel takes before (rows, n, ...views): an op code, nothing, or the element width. */
export interface SlabHead {
  ew_binary_f32: [op: number];
  ew_binary_f64: [op: number];
  ew_compare_f32: [op: number];
  ew_compare_f64: [op: number];
  ew_where_f32: [];
  ew_where_f64: [];
  ew_copy: [width: number];
}

/**
 * Runs a slab kernel `name(...head, rows, n, p0, so0, si0, p1, so1, si1, ...)` over one slab; `views` holds the
 * (address, outer stride, inner stride) triples and `widths` each view's bytes per element. A big slab is split
 * over the threads by rows, or by columns when it has fewer rows than threads. Shares never overlap in output,
 * since the output view (the last) is one-to-one.
 */
export function runSlab<N extends SlabKernel>(
  k: Kernels,
  name: N,
  head: SlabHead[N],
  rows: number,
  n: number,
  views: readonly number[],
  widths: readonly number[],
): void {
  const threads = threadsFor(k, rows * n);
  if (threads <= 1) {
    const args: number[] = [...head, rows, n, ...views];
    k.call(name, ...(args as KernelSignatures[N]));
    return;
  }
  // The argument lists are built here, so tsc sees number[]: the head's type and the views' count fix their shape.
  const shares: number[][] = [];
  if (rows >= threads) {
    const band = Math.ceil(rows / threads);
    for (let r0 = 0; r0 < rows; r0 += band) {
      const moved = views.slice();
      for (let v = 0; v < widths.length; v++) moved[3 * v] += r0 * views[3 * v + 1] * widths[v];
      shares.push([...head, Math.min(band, rows - r0), n, ...moved]);
    }
  } else {
    for (const [c0, count] of chunks(n, threads)) {
      const moved = views.slice();
      for (let v = 0; v < widths.length; v++) moved[3 * v] += c0 * views[3 * v + 2] * widths[v];
      shares.push([...head, rows, count, ...moved]);
    }
  }
  k.parallel(name, shares as KernelSignatures[N][]);
}
