// Gather and scatter-add on the wasm backend: one kernel call when the index has the other tensor's shape
// on every axis but the gathered one (cross-entropy's case); other layouts use the reference kernels.
import { fail } from "../../errors.js";
import type { Shape } from "../../shape.js";
import type { WasmBuffer } from "./buffer.js";
import type { Kernels } from "./kernels.js";

/** [outer, count, inner] of the index and the axis size of the other tensor, or null for other layouts. */
function layout(target: Shape, indexShape: Shape, axis: number): [number, number, number, number] | null {
  if (target.length !== indexShape.length) return null;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < target.length; i++) {
    if (i === axis) continue;
    if (target[i] !== indexShape[i]) return null;
    if (i < axis) outer *= target[i];
    else inner *= target[i];
  }
  return [outer, indexShape[axis], inner, target[axis]];
}

function kernelName<F extends "gather" | "scatter_add">(
  family: F,
  dtype: string,
): `${F}_${"f32" | "f64"}` | null {
  return dtype === "float32" ? `${family}_f32` : dtype === "float64" ? `${family}_f64` : null;
}

/**
 * One `family` kernel call over (outer, count, inner, axis size) for `values` (what is read, x or src), `index`
 * and `out`; `target` is the shape the index walks into. False where there is no kernel for the dtype or layout.
 */
function alongAxisWasm(
  k: Kernels,
  family: "gather" | "scatter_add",
  op: string,
  values: WasmBuffer,
  target: Shape,
  index: WasmBuffer,
  indexShape: Shape,
  axis: number,
  out: WasmBuffer,
): boolean {
  const name = kernelName(family, values.dtype);
  const dims = layout(target, indexShape, axis);
  if (name === null || dims === null || index.dtype !== "int32" || !k.has(name)) return false;
  if (k.call(name, ...dims, values.address, index.address, out.address) !== 0) {
    fail(op, `an index is outside [0, ${dims[3]}) on axis ${axis}`);
  }
  return true;
}

/** out = x gathered at index along axis; false where there is no kernel for the dtype or layout. */
export function gatherWasm(
  k: Kernels,
  x: WasmBuffer,
  xShape: Shape,
  index: WasmBuffer,
  indexShape: Shape,
  axis: number,
  out: WasmBuffer,
): boolean {
  return alongAxisWasm(k, "gather", "gather", x, xShape, index, indexShape, axis, out);
}

/** out += src scattered to index along axis; false where there is no kernel for the dtype or layout. */
export function scatterAddWasm(
  k: Kernels,
  src: WasmBuffer,
  index: WasmBuffer,
  indexShape: Shape,
  axis: number,
  out: WasmBuffer,
  outShape: Shape,
): boolean {
  return alongAxisWasm(k, "scatter_add", "scatterAdd", src, outShape, index, indexShape, axis, out);
}
