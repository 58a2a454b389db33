// Shape composites built on the movement primitives: slice with NumPy-style specs, pad, flatten,
// squeeze/unsqueeze, transpose, stack and split. No gradient code here.
import { fail } from "../../errors.js";
import { fmt, normalizeAxes, normalizeAxis } from "../../shape.js";
import { full } from "../../tensor/create.js";
import type { Tensor } from "../../tensor/tensor.js";
import { where } from "../binary.js";
import { concat, expandAs, permute, reshape, slicePrim, unslice } from "../movement.js";

/** Per axis: an integer picks one index (the axis is dropped); [start, end, step] slices; null keeps all. */
export type SliceSpec = number | null | readonly [(number | null)?, (number | null)?, (number | null)?];

function clampIndex(i: number, size: number, step: number): number {
  if (i < 0) i += size;
  return step > 0 ? Math.min(Math.max(i, 0), size) : Math.min(Math.max(i, -1), size - 1);
}

/** NumPy basic slicing: `slice(x, [[0, 2], null, 1, [null, null, -1]])` is `x[0:2, :, 1, ::-1]`. */
export function slice(x: Tensor, specs: readonly SliceSpec[]): Tensor {
  if (specs.length > x.ndim)
    fail("slice", `${specs.length} specs for a tensor of rank ${x.ndim} ${fmt(x.shape)}`);
  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  x.shape.forEach((size, axis) => {
    const spec = specs[axis] ?? null;
    if (typeof spec === "number") {
      if (!Number.isInteger(spec))
        fail("slice", `index ${spec} on axis ${axis} of ${fmt(x.shape)} must be an integer`);
      if (spec < -size || spec >= size) {
        fail("slice", `index ${spec} is out of range for axis ${axis} of ${fmt(x.shape)} (size ${size})`);
      }
      starts.push(spec < 0 ? spec + size : spec);
      steps.push(1);
      shape.push(1);
      return;
    }
    const [startRaw, endRaw, stepRaw] = spec ?? [];
    for (const [name, bound] of [
      ["start", startRaw],
      ["end", endRaw],
    ] as const) {
      if (bound != null && !Number.isInteger(bound)) {
        fail("slice", `${name} ${bound} on axis ${axis} of ${fmt(x.shape)} must be an integer or null`);
      }
    }
    const step = stepRaw ?? 1;
    if (!Number.isInteger(step) || step === 0)
      fail("slice", `step on axis ${axis} of ${fmt(x.shape)} must be a nonzero integer, got ${step}`);
    const start = startRaw == null ? (step > 0 ? 0 : size - 1) : clampIndex(startRaw, size, step);
    const end = endRaw == null ? (step > 0 ? size : -1) : clampIndex(endRaw, size, step);
    const length = Math.max(0, Math.ceil((end - start) / step));
    starts.push(length === 0 ? 0 : start);
    steps.push(step);
    shape.push(length);
  });
  const out = slicePrim(x, shape, starts, steps);
  const dropped = specs.some((s) => typeof s === "number");
  return dropped
    ? reshape(
        out,
        shape.filter((_, i) => typeof specs[i] !== "number"),
      )
    : out;
}

/** Pads with `value`: widths per axis as [before, after], from the first axis; missing axes get none. */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor {
  if (widths.length > x.ndim) fail("pad", `${widths.length} pad widths for a tensor of rank ${x.ndim}`);
  const all = x.shape.map((_, i) => widths[i] ?? [0, 0]);
  for (const [b, a] of all) {
    if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) {
      fail("pad", `widths must be integers >= 0, got ${JSON.stringify(widths)}`);
    }
  }
  const shape = x.shape.map((d, i) => d + all[i][0] + all[i][1]);
  const starts = all.map(([b]) => b);
  const steps = shape.map(() => 1);
  const placed = unslice(x, shape, starts, steps);
  if (value === 0) return placed;
  // Choose, rather than add, between x and the value: exact for ±inf, and the result keeps x's dtype.
  const inside = unslice(full(x.shape, 1, { dtype: "bool" }), shape, starts, steps);
  return where(inside, placed, full([], value, { dtype: x.dtype }));
}

/** Joins the axes from start to end (inclusive) into one; a 0-d tensor (axes 0 and -1 only) becomes [1]. */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  const s = normalizeAxis("flatten", start, x.shape, Math.max(x.ndim, 1));
  const e = normalizeAxis("flatten", end, x.shape, Math.max(x.ndim, 1));
  if (x.ndim === 0) return reshape(x, [1]);
  if (e < s) fail("flatten", `end axis ${end} comes before start axis ${start}`);
  const middle = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), middle, ...x.shape.slice(e + 1)]);
}

/** Removes size-1 axes (all of them, or the ones named). */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  const axes =
    axis === undefined
      ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
      : normalizeAxes("squeeze", axis, x.shape);
  for (const a of axes) {
    if (x.shape[a] !== 1) fail("squeeze", `axis ${a} of ${fmt(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** Inserts a size-1 axis at `axis` (an axis of the result, so -1 appends). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis("unsqueeze", axis, x.shape, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/**
 * Swaps two axes (the last two by default). Without axes, a tensor of rank < 2 comes back unchanged; named
 * axes must exist (a 1-D or 0-d tensor has axes 0 and -1, as in PyTorch).
 */
export function transpose(x: Tensor, axis0?: number, axis1?: number): Tensor {
  if (axis0 === undefined && axis1 === undefined && x.ndim < 2) return x;
  const rank = Math.max(x.ndim, 1);
  const a = normalizeAxis("transpose", axis0 ?? -2, x.shape, rank);
  const b = normalizeAxis("transpose", axis1 ?? -1, x.shape, rank);
  if (x.ndim < 2) return x;
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

/** Joins equal-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) fail("stack", "needs at least one tensor");
  const a = normalizeAxis("stack", axis, xs[0].shape, xs[0].ndim + 1);
  xs.forEach((t, k) => {
    if (fmt(t.shape) !== fmt(xs[0].shape))
      fail("stack", `tensor ${k} has shape ${fmt(t.shape)}, tensor 0 has ${fmt(xs[0].shape)}`);
  });
  return concat(
    xs.map((t) => reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)])),
    a,
  );
}

/** Splits along `axis` into pieces of the given sizes, or into `sections` equal pieces. */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normalizeAxis("split", axis, x.shape);
  const n = x.shape[a];
  let parts: number[];
  if (typeof sizes === "number") {
    if (!Number.isInteger(sizes) || sizes <= 0 || n % sizes !== 0) {
      fail("split", `cannot split axis ${a} of size ${n} into ${sizes} equal parts`);
    }
    parts = new Array<number>(sizes).fill(n / sizes);
  } else {
    parts = [...sizes];
    if (parts.reduce((s, v) => s + v, 0) !== n || parts.some((p) => !Number.isInteger(p) || p < 0)) {
      fail("split", `sizes ${fmt(parts)} do not add up to ${n}, the size of axis ${a} of ${fmt(x.shape)}`);
    }
  }
  let start = 0;
  return parts.map((p) => {
    const starts = x.shape.map((_, i) => (i === a ? start : 0));
    start += p;
    return slicePrim(
      x,
      x.shape.map((d, i) => (i === a ? p : d)),
      starts,
      x.shape.map(() => 1),
    );
  });
}

/** Broadcasts x to `shape` (an alias of expand). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expandAs("broadcastTo", x, shape);
}
