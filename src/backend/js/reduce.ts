// Reductions for the reference backend: sum/sumSquares/max/min accumulate in float64; argmax/argmin keep the first winner.
import type { TypedArray } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import type { ReduceOp } from "../backend.js";
import { offsetsOf } from "./strided.js";

export function reduceInto(
  op: ReduceOp,
  x: TypedArray,
  shape: Shape,
  axes: readonly number[],
  out: TypedArray,
): void {
  const reduced = new Set(axes);
  // Output strides over the kept axes, 0 on reduced ones: maps each input element to its output slot.
  const outStrides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (!reduced.has(i)) {
      outStrides[i] = s;
      s *= shape[i];
    }
  }
  const slot = offsetsOf(shape, outStrides, 0);
  const n = x.length;
  if (op === "sum" || op === "sumSquares") {
    const acc = new Float64Array(out.length);
    if (op === "sum") for (let i = 0; i < n; i++) acc[slot[i]] += x[i];
    else if (x instanceof Float32Array) for (let i = 0; i < n; i++) acc[slot[i]] += Math.fround(x[i] * x[i]);
    else for (let i = 0; i < n; i++) acc[slot[i]] += x[i] * x[i];
    for (let j = 0; j < out.length; j++) out[j] = acc[j];
    return;
  }
  if (op === "max" || op === "min") {
    const acc = new Float64Array(out.length).fill(op === "max" ? -Infinity : Infinity);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const j = slot[i];
      const best = acc[j];
      if (Number.isNaN(best)) continue;
      if (Number.isNaN(v) || (op === "max" ? v > best : v < best)) acc[j] = v;
    }
    for (let j = 0; j < out.length; j++) out[j] = acc[j];
    return;
  }
  // argmax / argmin over a single axis: the coordinate along that axis of the first best element.
  const axis = axes[0];
  const axisStrides = shape.map((_, i) => (i === axis ? 1 : 0));
  const coord = offsetsOf(shape, axisStrides, 0);
  const best = new Float64Array(out.length).fill(Number.NaN);
  const seen = new Uint8Array(out.length);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const j = slot[i];
    if (seen[j] && Number.isNaN(best[j])) continue;
    const better = !seen[j] || Number.isNaN(v) || (op === "argmax" ? v > best[j] : v < best[j]);
    if (better) {
      seen[j] = 1;
      best[j] = v;
      out[j] = coord[i];
    }
  }
}
