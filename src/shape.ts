// Shape arithmetic: sizes, strides, NumPy broadcasting and axis normalisation, with errors that name the op.
import { fail } from "./errors.js";

export type Shape = readonly number[];

export function fmt(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  // An indexed loop: shapes come as plain and as frozen arrays, and for-of over both is slow.
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(op: string, shape: Shape): void {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) fail(op, `invalid shape ${fmt(shape)}: sizes must be integers >= 0`);
  }
}

/** NumPy broadcasting of two shapes; the error names both shapes and the axis that disagrees. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail(op, `cannot broadcast ${fmt(a)} with ${fmt(b)}: axis ${i - rank} has sizes ${da} and ${db}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Whether a view with these strides walks `shape` as one contiguous row-major run (from any offset). */
export function runsContiguously(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/**
 * Element strides of `shape` viewed as `target` under broadcasting (0 on broadcast axes); `own` are the
 * strides the tensor is stored with (row-major unless it is a view).
 */
export function broadcastStrides(
  shape: Shape,
  target: Shape,
  own: readonly number[] = stridesOf(shape),
): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[lead + i] = shape[i] === 1 ? 0 : own[i];
  return out;
}

/**
 * `axis` as an index in [0, rank), negatives counting from the end. `rank` is the shape's own rank unless
 * the op says otherwise (unsqueeze and stack address rank + 1 positions; a 0-d tensor has one for softmax).
 * The error names the op, the axis and the shape.
 */
export function normalizeAxis(op: string, axis: number, shape: Shape, rank = shape.length): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    fail(op, `axis ${String(axis)} must be an integer (tensor ${fmt(shape)})`);
  }
  if (axis < -rank || axis >= rank) {
    const range = rank === 0 ? "none (the tensor is 0-d)" : `[${-rank}, ${rank - 1}]`;
    fail(
      op,
      `axis ${axis} is out of range for ${fmt(shape)} (rank ${shape.length}): valid axes are ${range}`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Sorted, distinct, non-negative axes of `shape`; `undefined` means all axes. */
export function normalizeAxes(
  op: string,
  axis: number | readonly number[] | undefined,
  shape: Shape,
): number[] {
  if (axis === undefined) return Array.from({ length: shape.length }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(op, a, shape));
  if (new Set(out).size !== out.length)
    fail(op, `axis ${JSON.stringify(list)} repeats an axis of ${fmt(shape)}`);
  return out.sort((x, y) => x - y);
}
