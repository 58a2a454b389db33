// Elementwise, reduction and copy kernels on the wasm backend. Each returns false for a case it has no
// kernel for (dtype, layout), and the backend runs the reference kernel on views of wasm memory instead.
// Strided cases are collapsed to 2-D slabs (collapse.ts); whole contiguous operands skip that and call the
// kernel once without allocating. Big jobs (PARALLEL_MIN elements of transcendentals, PARALLEL_MIN_STREAMING
// of anything else) are split over the threads.
import type { DType } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import type { BinaryOp, ReduceOp, UnaryOp, View } from "../backend.js";
import { collapse, forEachSlab } from "./collapse.js";
import type { WasmBuffer } from "./index.js";
import type { Kernels } from "./kernels.js";

/** Below this many elements a compute-bound job (transcendentals) stays on one thread: waking a worker costs more. */
export const PARALLEL_MIN = 1 << 16;
/** The same for memory-bound jobs (arithmetic, comparisons, where, cast, copy, sums), which gain less from threads. */
export const PARALLEL_MIN_STREAMING = 1 << 18;
/** Unary ops that cost tens of operations per element. */
const HEAVY: { readonly [K in UnaryOp]?: true } = {
  exp: true,
  log: true,
  log1p: true,
  tanh: true,
  sigmoid: true,
  softplus: true,
};
/** Thread shares start on multiples of this many elements (whole vectors, 64-byte lines for float32). */
const ALIGN = 16;

// Op codes: must match wasm/assembly/elementwise.ts.
const UNARY_CODE: { readonly [K in UnaryOp]?: number } = {
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
const ARITH_CODE: { readonly [K in BinaryOp]?: number } = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};
const COMPARE_CODE: { readonly [K in BinaryOp]?: number } = {
  equal: 0,
  notEqual: 1,
  less: 2,
  lessEqual: 3,
  greater: 4,
  greaterEqual: 5,
};
const REDUCE_CODE: { readonly [K in ReduceOp]: number } = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 };
const CAST_CODE: { readonly [from in DType]: { readonly [to in DType]?: number } } = {
  float32: { float64: 0, bool: 6, int32: 8 },
  float64: { float32: 1, bool: 7, int32: 9 },
  bool: { float32: 2, float64: 3, int32: 11, bool: 12 },
  int32: { float32: 4, float64: 5, bool: 10 },
};

const WIDTH: { readonly [K in DType]: number } = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Kernel names by float dtype (null for the others). */
function suffix(dtype: DType): "f32" | "f64" | null {
  return dtype === "float32" ? "f32" : dtype === "float64" ? "f64" : null;
}

/** The view's buffer, or null where the reference path should run (and report a freed buffer). */
function bufferOf(v: View): WasmBuffer | null {
  const b = v.id as WasmBuffer;
  return b.freed ? null : b;
}

/** Whether the view walks `shape` as one contiguous run (any offset). */
function runsContiguously(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Whether the view reads one element for the whole shape. */
function isScalar(shape: Shape, strides: readonly number[]): boolean {
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1 && strides[i] !== 0) return false;
  return true;
}

function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides of a contiguous shape. */
function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** [start, count) chunks of n elements for `parts` threads, starts on multiples of ALIGN. */
function chunks(n: number, parts: number): [number, number][] {
  const step = Math.ceil(n / parts / ALIGN) * ALIGN;
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += step) out.push([start, Math.min(step, n - start)]);
  return out;
}

/** Threads to use for a job of `size` elements (`heavy`: compute-bound). */
function threadsFor(k: Kernels, size: number, heavy = false): number {
  return size >= (heavy ? PARALLEL_MIN : PARALLEL_MIN_STREAMING) ? k.available : 1;
}

/**
 * Runs a slab kernel `name(...head, rows, n, p0, so0, si0, p1, so1, si1, ...)` over one slab; `views` holds the
 * (address, outer stride, inner stride) triples and `widths` each view's bytes per element. A big slab is split
 * over the threads by rows, or by columns when it has fewer rows than threads. Shares never overlap in output,
 * since the output view (the last) is one-to-one.
 */
function runSlab(
  k: Kernels,
  name: string,
  head: readonly number[],
  rows: number,
  n: number,
  views: readonly number[],
  widths: readonly number[],
): void {
  const threads = threadsFor(k, rows * n);
  if (threads <= 1) {
    k.call(name, ...head, rows, n, ...views);
    return;
  }
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
  k.parallel(name, shares);
}

export function unaryWasm(k: Kernels, op: UnaryOp, x: WasmBuffer, out: WasmBuffer, size: number): boolean {
  const code = UNARY_CODE[op];
  const s = suffix(x.dtype);
  if (code === undefined || s === null || out.dtype !== x.dtype) return false;
  const name = s === "f32" ? "ew_unary_f32" : "ew_unary_f64";
  if (!k.has(name)) return false;
  if (size === 0) return true;
  const threads = threadsFor(k, size, HEAVY[op]);
  if (threads <= 1) {
    k.call(name, code, size, x.address, out.address);
    return true;
  }
  const w = WIDTH[x.dtype];
  k.parallel(
    name,
    chunks(size, threads).map(([start, count]) => [
      code,
      count,
      x.address + start * w,
      out.address + start * w,
    ]),
  );
  return true;
}

export function binaryWasm(
  k: Kernels,
  op: BinaryOp,
  a: View,
  b: View,
  out: WasmBuffer,
  shape: Shape,
): boolean {
  const A = bufferOf(a);
  const B = bufferOf(b);
  if (A === null || B === null || A.dtype !== B.dtype) return false;
  const s = suffix(A.dtype);
  if (s === null) return false;
  let code = ARITH_CODE[op];
  let name: string;
  if (code !== undefined) {
    if (out.dtype !== A.dtype) return false;
    name = s === "f32" ? "ew_binary_f32" : "ew_binary_f64";
  } else {
    code = COMPARE_CODE[op];
    if (code === undefined || out.dtype !== "bool") return false;
    name = s === "f32" ? "ew_compare_f32" : "ew_compare_f64";
  }
  if (!k.has(name)) return false;
  const size = sizeOf(shape);
  if (size === 0) return true;
  const w = WIDTH[A.dtype];
  const wo = WIDTH[out.dtype];
  const pa = A.address + a.offset * w;
  const pb = B.address + b.offset * w;
  // Whole-operand fast paths: one call, no allocation, unless the job is split over threads.
  if (size < PARALLEL_MIN_STREAMING || k.available <= 1) {
    if (runsContiguously(shape, a.strides)) {
      if (runsContiguously(shape, b.strides)) {
        k.call(name, code, 1, size, pa, 0, 1, pb, 0, 1, out.address, 0, 1);
        return true;
      }
      if (isScalar(shape, b.strides)) {
        k.call(name, code, 1, size, pa, 0, 1, pb, 0, 0, out.address, 0, 1);
        return true;
      }
    } else if (isScalar(shape, a.strides) && runsContiguously(shape, b.strides)) {
      k.call(name, code, 1, size, pa, 0, 0, pb, 0, 1, out.address, 0, 1);
      return true;
    }
  }
  if (shape.length === 2 && size < PARALLEL_MIN_STREAMING) {
    // Already a slab (a bias add, a transposed operand): no collapsing needed.
    const [rows, n] = shape;
    k.call(
      name,
      code,
      rows,
      n,
      pa,
      a.strides[0],
      a.strides[1],
      pb,
      b.strides[0],
      b.strides[1],
      out.address,
      n,
      1,
    );
    return true;
  }
  const c = collapse(shape, [a.strides, b.strides, contiguousStrides(shape)]);
  const head = [code];
  const widths = [w, w, wo];
  forEachSlab(c, [0, 0, 0], (offsets, rows, n, os, is) => {
    const views = [
      pa + offsets[0] * w,
      os[0],
      is[0],
      pb + offsets[1] * w,
      os[1],
      is[1],
      out.address + offsets[2] * wo,
      os[2],
      1,
    ];
    runSlab(k, name, head, rows, n, views, widths);
  });
  return true;
}

export function whereWasm(k: Kernels, c: View, a: View, b: View, out: WasmBuffer, shape: Shape): boolean {
  const C = bufferOf(c);
  const A = bufferOf(a);
  const B = bufferOf(b);
  if (C === null || A === null || B === null) return false;
  if (C.dtype !== "bool" || A.dtype !== B.dtype || out.dtype !== A.dtype) return false;
  const s = suffix(A.dtype);
  if (s === null) return false;
  const name = s === "f32" ? "ew_where_f32" : "ew_where_f64";
  if (!k.has(name)) return false;
  const size = sizeOf(shape);
  if (size === 0) return true;
  const w = WIDTH[A.dtype];
  const pc = C.address + c.offset;
  const pa = A.address + a.offset * w;
  const pb = B.address + b.offset * w;
  const col = collapse(shape, [c.strides, a.strides, b.strides, contiguousStrides(shape)]);
  const widths = [1, w, w, w];
  forEachSlab(col, [0, 0, 0, 0], (offsets, rows, n, os, is) => {
    const views = [
      pc + offsets[0],
      os[0],
      is[0],
      pa + offsets[1] * w,
      os[1],
      is[1],
      pb + offsets[2] * w,
      os[2],
      is[2],
      out.address + offsets[3] * w,
      os[3],
      1,
    ];
    runSlab(k, name, [], rows, n, views, widths);
  });
  return true;
}

/**
 * [outer, r, inner] for reducing `axes` of `shape` when the reduced axes (size-1 axes aside) are adjacent,
 * else null.
 */
function reduceLayout(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  let outer = 1;
  let r = 1;
  let inner = 1;
  // 0: kept axes before the reduced block, 1: in it, 2: kept axes after it.
  let phase = 0;
  let next = 0;
  for (let d = 0; d < shape.length; d++) {
    const reduced = next < axes.length && axes[next] === d;
    if (reduced) next++;
    const size = shape[d];
    if (size === 1) continue;
    if (reduced) {
      if (phase === 2) return null;
      phase = 1;
      r *= size;
    } else if (phase === 0) {
      outer *= size;
    } else {
      phase = 2;
      inner *= size;
    }
  }
  return [outer, r, inner];
}

export function reduceWasm(
  k: Kernels,
  op: ReduceOp,
  x: WasmBuffer,
  shape: Shape,
  axes: readonly number[],
  out: WasmBuffer,
): boolean {
  const s = suffix(x.dtype);
  if (s === null) return false;
  const arg = op === "argmax" || op === "argmin";
  if (out.dtype !== (arg ? "int32" : x.dtype)) return false;
  const name = s === "f32" ? "ew_reduce_f32" : "ew_reduce_f64";
  if (!k.has(name)) return false;
  const layout = reduceLayout(shape, axes);
  if (layout === null) return false;
  const [outer, r, inner] = layout;
  if (outer * inner === 0 || out.size === 0) return true;
  if (r === 0) {
    if (arg) return false;
    k.view(out).fill(op === "sum" ? 0 : op === "max" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
    return true;
  }
  const code = REDUCE_CODE[op];
  const w = WIDTH[x.dtype];
  const wo = WIDTH[out.dtype];
  const threads = threadsFor(k, outer * r * inner);
  if (threads <= 1) {
    k.call(name, code, outer, r, inner, inner, x.address, out.address);
    return true;
  }
  const shares: number[][] = [];
  if (outer >= threads) {
    const band = Math.ceil(outer / threads);
    for (let o0 = 0; o0 < outer; o0 += band) {
      const count = Math.min(band, outer - o0);
      shares.push([
        code,
        count,
        r,
        inner,
        inner,
        x.address + o0 * r * inner * w,
        out.address + o0 * inner * wo,
      ]);
    }
  } else if (inner >= ALIGN * threads) {
    // Columns of the output: each share reduces a band of j over all of r.
    for (const [j0, count] of chunks(inner, threads)) {
      shares.push([code, outer, r, count, inner, x.address + j0 * w, out.address + j0 * wo]);
    }
  } else if (inner === 1 && !arg) {
    // One long run per output (few outputs): each thread reduces a piece into a float64 partial.
    const part = s === "f32" ? "ew_reduce_part_f32" : "ew_reduce_part_f64";
    const pieces = chunks(r, threads);
    const scratch = k.scratchFor(0, 8 * outer * pieces.length);
    for (let o = 0; o < outer; o++) {
      const partShares = pieces.map(([start, count], t) => [
        code,
        count,
        x.address + (o * r + start) * w,
        scratch + 8 * (o * pieces.length + t),
      ]);
      k.parallel(part, partShares);
    }
    const partials = new Float64Array(k.heap.buffer, scratch, outer * pieces.length);
    const result = k.view(out);
    for (let o = 0; o < outer; o++) {
      let acc = partials[o * pieces.length];
      for (let t = 1; t < pieces.length; t++) {
        const v = partials[o * pieces.length + t];
        if (op === "sum") acc += v;
        else if (Number.isNaN(acc) || Number.isNaN(v)) acc = Number.NaN;
        else acc = op === "max" ? Math.max(acc, v) : Math.min(acc, v);
      }
      result[o] = acc;
    }
    return true;
  } else {
    k.call(name, code, outer, r, inner, inner, x.address, out.address);
    return true;
  }
  k.parallel(name, shares);
  return true;
}

export function castWasm(k: Kernels, x: WasmBuffer, out: WasmBuffer, size: number): boolean {
  if (x.dtype === out.dtype && x.dtype !== "bool") {
    if (!k.has("ew_memcpy")) return false;
    if (size > 0 && x.address !== out.address)
      k.call("ew_memcpy", out.address, x.address, size * WIDTH[x.dtype]);
    return true;
  }
  const code = CAST_CODE[x.dtype][out.dtype];
  if (code === undefined || !k.has("ew_cast")) return false;
  if (size === 0) return true;
  const threads = threadsFor(k, size);
  if (threads <= 1) {
    k.call("ew_cast", code, size, x.address, out.address);
    return true;
  }
  const wx = WIDTH[x.dtype];
  const wo = WIDTH[out.dtype];
  k.parallel(
    "ew_cast",
    chunks(size, threads).map(([start, count]) => [
      code,
      count,
      x.address + start * wx,
      out.address + start * wo,
    ]),
  );
  return true;
}

export function copyWasm(k: Kernels, src: View, dst: View, shape: Shape): boolean {
  const S = bufferOf(src);
  const D = bufferOf(dst);
  if (S === null || D === null || S.dtype !== D.dtype || !k.has("ew_copy")) return false;
  const size = sizeOf(shape);
  if (size === 0) return true;
  const w = WIDTH[S.dtype];
  const ps = S.address + src.offset * w;
  const pd = D.address + dst.offset * w;
  if (runsContiguously(shape, src.strides) && runsContiguously(shape, dst.strides)) {
    k.call("ew_memcpy", pd, ps, size * w);
    return true;
  }
  const c = collapse(shape, [src.strides, dst.strides]);
  const head = [w];
  const widths = [w, w];
  // Overlapping strided views (a buffer copied onto itself through another layout) go one thread, in order.
  const alone = S === D;
  forEachSlab(c, [0, 0], (offsets, rows, n, os, is) => {
    const views = [ps + offsets[0] * w, os[0], is[0], pd + offsets[1] * w, os[1], is[1]];
    if (alone) k.call("ew_copy", w, rows, n, ...views);
    else runSlab(k, "ew_copy", head, rows, n, views, widths);
  });
  return true;
}
