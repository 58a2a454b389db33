// Elementwise loops of the reference backend, iterating row by row: offsets are computed once per row of
// the innermost axis, and the common arithmetic ops get their own loops instead of a call per element.
import type { TypedArray } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import type { BinaryOp, View } from "../backend.js";
import { BINARY } from "./math.js";
import { offsetsOf } from "./strided.js";

/** Row starts (over all axes but the last) and the stride along the last axis. */
export function rows(shape: Shape, view: View): { starts: Int32Array; step: number; length: number } {
  if (shape.length === 0) return { starts: Int32Array.of(view.offset), step: 0, length: 1 };
  const last = shape.length - 1;
  return {
    starts: offsetsOf(shape.slice(0, last), view.strides.slice(0, last), view.offset),
    step: shape[last] === 1 ? 0 : view.strides[last],
    length: shape[last],
  };
}

/** out[o..o+n) = op(a[ia + k·sa], b[ib + k·sb]); true if the op has a dedicated loop. */
function arithmeticRow(
  op: BinaryOp,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
  out: TypedArray,
  o: number,
  n: number,
): boolean {
  switch (op) {
    case "add":
      for (let k = 0; k < n; k++, ia += sa, ib += sb) out[o + k] = a[ia] + b[ib];
      return true;
    case "sub":
      for (let k = 0; k < n; k++, ia += sa, ib += sb) out[o + k] = a[ia] - b[ib];
      return true;
    case "mul":
      for (let k = 0; k < n; k++, ia += sa, ib += sb) out[o + k] = a[ia] * b[ib];
      return true;
    case "div":
      for (let k = 0; k < n; k++, ia += sa, ib += sb) out[o + k] = a[ia] / b[ib];
      return true;
    default:
      return false;
  }
}

export function binaryInto(
  op: BinaryOp,
  a: TypedArray,
  av: View,
  b: TypedArray,
  bv: View,
  out: TypedArray,
  shape: Shape,
) {
  const ra = rows(shape, av);
  const rb = rows(shape, bv);
  const n = ra.length;
  const f = BINARY[op];
  for (let r = 0; r < ra.starts.length; r++) {
    const o = r * n;
    let ia = ra.starts[r];
    let ib = rb.starts[r];
    if (arithmeticRow(op, a, ia, ra.step, b, ib, rb.step, out, o, n)) continue;
    for (let k = 0; k < n; k++, ia += ra.step, ib += rb.step) out[o + k] = f(a[ia], b[ib]);
  }
}

export function whereInto(
  c: TypedArray,
  cv: View,
  a: TypedArray,
  av: View,
  b: TypedArray,
  bv: View,
  out: TypedArray,
  shape: Shape,
) {
  const rc = rows(shape, cv);
  const ra = rows(shape, av);
  const rb = rows(shape, bv);
  const n = ra.length;
  for (let r = 0; r < ra.starts.length; r++) {
    let ic = rc.starts[r];
    let ia = ra.starts[r];
    let ib = rb.starts[r];
    const o = r * n;
    for (let k = 0; k < n; k++, ic += rc.step, ia += ra.step, ib += rb.step)
      out[o + k] = c[ic] ? a[ia] : b[ib];
  }
}

export function copyInto(src: TypedArray, sv: View, dst: TypedArray, dv: View, shape: Shape) {
  const rs = rows(shape, sv);
  const rd = rows(shape, dv);
  const n = rs.length;
  for (let r = 0; r < rs.starts.length; r++) {
    let is = rs.starts[r];
    let id = rd.starts[r];
    if (rs.step === 1 && rd.step === 1) {
      dst.set(src.subarray(is, is + n), id);
      continue;
    }
    if (rs.step === 0 && rd.step === 1) {
      dst.fill(src[is], id, id + n);
      continue;
    }
    for (let k = 0; k < n; k++, is += rs.step, id += rd.step) dst[id] = src[is];
  }
}
