// Offsets of every element of a strided view, in row-major order of `shape` (the reference backend's indexer).
import type { Shape } from "../../shape.js";

export function isContiguous(shape: Shape, strides: readonly number[], offset: number): boolean {
  if (offset !== 0) return false;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** The buffer offset of each element of the view, row-major over `shape`. */
export function offsetsOf(shape: Shape, strides: readonly number[], offset: number): Int32Array {
  let size = 1;
  for (const d of shape) size *= d;
  const out = new Int32Array(size);
  if (size === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let pos = offset;
  for (let i = 0; i < size; i++) {
    out[i] = pos;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      pos += strides[d];
      if (index[d] < shape[d]) break;
      pos -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
