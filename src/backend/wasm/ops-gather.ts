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
  const name = kernelName("gather", x.dtype);
  const dims = layout(xShape, indexShape, axis);
  if (name === null || dims === null || index.dtype !== "int32" || !k.has(name)) return false;
  if (k.call(name, ...dims, x.address, index.address, out.address) !== 0) {
    fail("gather", `an index is outside [0, ${dims[3]}) on axis ${axis}`);
  }
  return true;
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
  const name = kernelName("scatter_add", src.dtype);
  const dims = layout(outShape, indexShape, axis);
  if (name === null || dims === null || index.dtype !== "int32" || !k.has(name)) return false;
  if (k.call(name, ...dims, src.address, index.address, out.address) !== 0) {
    fail("scatterAdd", `an index is outside [0, ${dims[3]}) on axis ${axis}`);
  }
  return true;
}
