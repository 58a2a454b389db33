// Binary arithmetic, comparisons and where on the wasm backend, over broadcast strided views. Whole contiguous
// (or scalar) operands call the kernel once without allocating; other layouts go slab by slab (collapse.ts).
import { type Shape, sizeOf, stridesOf } from "../../shape.js";
import type { BinaryOp, View } from "../backend.js";
import type { WasmBuffer } from "./buffer.js";
import { collapse, forEachSlab } from "./collapse.js";
import type { Kernels } from "./kernels.js";
import {
  ARITH_CODE,
  bufferOf,
  COMPARE_CODE,
  isScalar,
  PARALLEL_MIN,
  runSlab,
  runsContiguously,
  suffix,
  WIDTH,
} from "./ops-common.js";

/**
 * runSlab's (address, outer stride, inner stride) triples for one slab: each operand's base address moved to the
 * slab's first element (`offsets` in elements of `widths` bytes); the output, the last, steps by 1 within a row.
 */
function slabViews(
  bases: readonly number[],
  widths: readonly number[],
  offsets: readonly number[],
  outerStrides: readonly number[],
  innerStrides: readonly number[],
): number[] {
  const last = bases.length - 1;
  const views: number[] = [];
  for (let v = 0; v <= last; v++) {
    views.push(bases[v] + offsets[v] * widths[v], outerStrides[v], v === last ? 1 : innerStrides[v]);
  }
  return views;
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
  let name: "ew_binary_f32" | "ew_binary_f64" | "ew_compare_f32" | "ew_compare_f64";
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
  if (size < PARALLEL_MIN || k.available <= 1) {
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
  if (shape.length === 2 && size < PARALLEL_MIN) {
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
  const c = collapse(shape, [a.strides, b.strides, stridesOf(shape)]);
  const head: [number] = [code];
  const widths = [w, w, wo];
  const bases = [pa, pb, out.address];
  forEachSlab(c, [0, 0, 0], (offsets, rows, n, os, is) => {
    runSlab(k, name, head, rows, n, slabViews(bases, widths, offsets, os, is), widths);
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
  const col = collapse(shape, [c.strides, a.strides, b.strides, stridesOf(shape)]);
  const widths = [1, w, w, w];
  const bases = [pc, pa, pb, out.address];
  forEachSlab(col, [0, 0, 0, 0], (offsets, rows, n, os, is) => {
    runSlab(k, name, [], rows, n, slabViews(bases, widths, offsets, os, is), widths);
  });
  return true;
}
