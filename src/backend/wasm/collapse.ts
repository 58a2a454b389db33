// Strided layouts brought down to the 2-D form the kernels take: adjacent axes merge where every view
// steps through them as one; what is left above two axes is looped over here, one kernel call per slab.
import type { Shape } from "../../shape.js";

/** Several views' strides over one shape, with the axes merged as far as all of them allow. */
export interface Collapsed {
  readonly shape: number[];
  /** strides[v][axis] for view v. */
  readonly strides: number[][];
}

/** Merges axis i into axis i+1 wherever, for every view, stride[i] = stride[i+1]·shape[i+1]; drops size-1 axes. */
export function collapse(shape: Shape, strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const size = shape[axis];
    if (size === 1) continue;
    const last = outShape.length - 1;
    const merges = last >= 0 && strides.every((s, v) => outStrides[v][last] === s[axis] * size);
    if (merges) {
      outShape[last] *= size;
      strides.forEach((s, v) => {
        outStrides[v][last] = s[axis];
      });
    } else {
      outShape.push(size);
      strides.forEach((s, v) => {
        outStrides[v].push(s[axis]);
      });
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `slab(offsets, outer, inner, outerStrides, innerStrides)` once per 2-D slab of the collapsed layout:
 * offsets[v] is view v's element offset of the slab; a layout of rank < 2 is one slab with outer (and inner) 1.
 */
export function forEachSlab(
  c: Collapsed,
  base: readonly number[],
  slab: (
    offsets: readonly number[],
    outer: number,
    inner: number,
    outerStrides: readonly number[],
    innerStrides: readonly number[],
  ) => void,
): void {
  const rank = c.shape.length;
  const views = c.strides.length;
  if (rank <= 2) {
    const inner = rank >= 1 ? c.shape[rank - 1] : 1;
    const outer = rank === 2 ? c.shape[0] : 1;
    const innerStrides = c.strides.map((s) => (rank >= 1 ? s[rank - 1] : 0));
    const outerStrides = c.strides.map((s) => (rank === 2 ? s[0] : 0));
    slab(base, outer, inner, outerStrides, innerStrides);
    return;
  }
  const loopRank = rank - 2;
  const index = new Array<number>(loopRank).fill(0);
  const offsets = [...base];
  const outerStrides = c.strides.map((s) => s[rank - 2]);
  const innerStrides = c.strides.map((s) => s[rank - 1]);
  for (;;) {
    slab(offsets, c.shape[rank - 2], c.shape[rank - 1], outerStrides, innerStrides);
    let axis = loopRank - 1;
    for (; axis >= 0; axis--) {
      index[axis]++;
      for (let v = 0; v < views; v++) offsets[v] += c.strides[v][axis];
      if (index[axis] < c.shape[axis]) break;
      for (let v = 0; v < views; v++) offsets[v] -= c.strides[v][axis] * c.shape[axis];
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}
