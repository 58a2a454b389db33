// Movement primitives: reshape, permute, expand, strided slice and its adjoint (unslice), concat.
// reshape, permute, expand and slice are views of their input's buffer (a reshape of a strided view copies);
// unslice and concat copy through strided views. slice and unslice are each other's VJP.
import { type DType, promote } from "../dtype.js";
import { fail } from "../errors.js";
import {
  broadcastStrides,
  checkShape,
  fmt,
  normalizeAxis,
  runsContiguously,
  type Shape,
  sizeOf,
  stridesOf,
} from "../shape.js";
import { emptyTensor, outputTensor, shareBuffer } from "../tensor/create.js";
import { d1 } from "../tensor/derivative.js";
import type { Tensor } from "../tensor/tensor.js";
import { apply, type PrimRule, viewOf } from "./apply.js";
import { cast } from "./binary.js";
import { sumTo } from "./sum-to.js";

export interface MovementAttrs {
  reshape: { shape: readonly number[] };
  permute: { perm: readonly number[] };
  expand: { shape: readonly number[] };
  /** Output shape, and per axis the first index and the step. */
  slice: { shape: readonly number[]; starts: readonly number[]; steps: readonly number[] };
  /** Places the input into zeros of `shape` at starts + i·steps. */
  unslice: { shape: readonly number[]; starts: readonly number[]; steps: readonly number[] };
  concat: { axis: number };
}

/** The view of `shape` inside a contiguous tensor of `outer`, starting at `starts`, stepping by `steps`. */
function windowView(t: Tensor, outer: Shape, starts: readonly number[], steps: readonly number[]) {
  const strides = stridesOf(outer);
  const offset = starts.reduce((acc, s, i) => acc + s * strides[i], 0);
  return { id: t.storage.id, strides: strides.map((s, i) => s * steps[i]), offset };
}

/**
 * x's strides for `shape` when the two differ only in axes of size 1 (squeeze, unsqueeze): the other axes keep
 * theirs. null when they differ otherwise.
 */
function stridesAddingOrDroppingOnes(x: Tensor, shape: Shape): number[] | null {
  const kept = x.shape.flatMap((d, i) => (d === 1 ? [] : [i]));
  const strides: number[] = [];
  let next = 0;
  for (const d of shape) {
    if (d === 1) strides.push(0);
    else if (next < kept.length && x.shape[kept[next]] === d) strides.push(x.strides[kept[next++]]);
    else return null;
  }
  return next === kept.length ? strides : null;
}

/**
 * x in a new shape: a view when x is one row-major run or the shapes differ only in axes of size 1, else a
 * row-major copy of x read as `shape`.
 */
function reshaped(x: Tensor, shape: Shape): Tensor {
  if (runsContiguously(x.shape, x.strides))
    return shareBuffer(x, shape, { strides: stridesOf(shape), offset: x.offset });
  const strides = stridesAddingOrDroppingOnes(x, shape);
  if (strides) return shareBuffer(x, shape, { strides, offset: x.offset });
  const out = outputTensor(shape, x.dtype);
  x.copyRowMajor(out.storage.id);
  return out;
}

/** The window of x at starts + i·steps, of `shape`, as a view of x's buffer. */
function window(x: Tensor, shape: Shape, starts: readonly number[], steps: readonly number[]): Tensor {
  const offset = starts.reduce((acc, s, i) => acc + s * x.strides[i], x.offset);
  return shareBuffer(x, shape, { strides: x.strides.map((s, i) => s * steps[i]), offset });
}

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const movementRules: { [P in keyof MovementAttrs]: PrimRule<MovementAttrs[P]> } = {
  reshape: {
    forward: ([x], { shape }) => reshaped(x, shape),
    readsViews: true,
    // d reshape(x) = g reshaped back
    vjp: (g, _, __, n) => [reshape(g, n.inputs[0].shape)],
    derivative: d1("reshape({g}) to {x0:shape}", "\\operatorname{reshape}\\left({g}\\right)"),
  },
  permute: {
    forward: ([x], { perm }) =>
      shareBuffer(
        x,
        perm.map((p) => x.shape[p]),
        { strides: perm.map((p) => x.strides[p]), offset: x.offset },
      ),
    readsViews: true,
    // d permute(x, p) = permute(g, p⁻¹)
    vjp: (g, _, { perm }) => [permute(g, inversePermutation(perm))],
    derivative: d1(
      "permute({g}) by the inverse of {@perm}",
      "\\operatorname{permute}^{-1}\\left({g}\\right)",
    ),
  },
  expand: {
    forward: ([x], { shape }) =>
      shareBuffer(x, shape, { strides: broadcastStrides(x.shape, shape, x.strides), offset: x.offset }),
    readsViews: true,
    // d expand(x) = g summed over the broadcast axes
    vjp: (g, _, __, n) => [sumTo(g, n.inputs[0].shape)],
    derivative: d1("sumTo({g}) to {x0:shape}", "\\operatorname{sumTo}\\left({g}\\right)"),
  },
  slice: {
    forward: ([x], { shape, starts, steps }) => window(x, shape, starts, steps),
    readsViews: true,
    // d x[starts::steps] = g placed back into zeros of x's shape
    vjp: (g, _, { starts, steps }, n) => [unslice(g, n.inputs[0].shape, starts, steps)],
    derivative: d1("unslice({g}) into zeros of {x0:shape}", "\\operatorname{unslice}\\left({g}\\right)"),
  },
  unslice: {
    forward: ([x], { shape, starts, steps }) => {
      const out = emptyTensor(shape, x.dtype);
      x.storage.backend.copy(viewOf(x), windowView(out, shape, starts, steps), x.shape);
      return out;
    },
    readsViews: true,
    // d unslice(x) = the same window read out of g
    vjp: (g, _, { starts, steps }, n) => [slicePrim(g, n.inputs[0].shape, starts, steps)],
    derivative: d1("slice({g}) to {x0:shape}", "\\operatorname{slice}\\left({g}\\right)"),
  },
  concat: {
    forward: (xs, { axis }) => {
      const shape = [...xs[0].shape];
      shape[axis] = xs.reduce((acc, t) => acc + t.shape[axis], 0);
      // The pieces tile the whole output, so it needs no zero-fill.
      const out = outputTensor(shape, xs[0].dtype);
      const starts = shape.map(() => 0);
      const steps = shape.map(() => 1);
      for (const t of xs) {
        t.storage.backend.copy(viewOf(t), windowView(out, shape, starts, steps), t.shape);
        starts[axis] += t.shape[axis];
      }
      return out;
    },
    readsViews: true,
    // d concat(xs) = the matching slices of g
    vjp: (g, _, { axis }, n) => {
      let start = 0;
      return n.inputs.map((t) => {
        const starts = t.shape.map((__, i) => (i === axis ? start : 0));
        start += t.shape[axis];
        return slicePrim(
          g,
          t.shape,
          starts,
          t.shape.map(() => 1),
        );
      });
    },
    derivative: {
      ...d1("slice({g}) to {x0:shape}", "\\operatorname{slice}\\left({g}\\right)"),
      forEachInput: true,
    },
  },
};

export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

/** Same values in a new shape; one axis may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) fail("reshape", `${fmt(shape)}: only one axis may be -1`);
  const known = sizeOf(shape.filter((d) => d !== -1));
  let target = [...shape];
  if (unknown === 1) {
    if (known === 0 || x.size % known !== 0)
      fail("reshape", `cannot infer -1 reshaping ${fmt(x.shape)} to ${fmt(shape)}`);
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  checkShape("reshape", target);
  if (sizeOf(target) !== x.size) {
    fail(
      "reshape",
      `cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(target)} (${sizeOf(target)} elements)`,
    );
  }
  if (target.length === x.ndim && target.every((d, i) => d === x.shape[i])) return x;
  return apply(movementRules, "reshape", [x], { shape: target });
}

/** Reorders axes: output axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.ndim)
    fail("permute", `${fmt(perm)} has ${perm.length} axes; the tensor ${fmt(x.shape)} has rank ${x.ndim}`);
  const norm = perm.map((p) => normalizeAxis("permute", p, x.shape));
  if (new Set(norm).size !== norm.length)
    fail("permute", `${fmt(perm)} is not a permutation of the ${x.ndim} axes`);
  if (norm.every((p, i) => p === i)) return x;
  return apply(movementRules, "permute", [x], { perm: norm });
}

/** Broadcasts x to `shape` (NumPy rules; -1 keeps a size). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  return expandAs("expand", x, shape);
}

/** expand, with errors in the name of `op` (broadcastTo is the same op under another name). */
export function expandAs(op: string, x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) fail(op, `cannot expand ${fmt(x.shape)} to fewer axes ${fmt(shape)}`);
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  checkShape(op, target);
  for (let i = 0; i < x.ndim; i++) {
    const from = x.shape[i];
    const to = target[lead + i];
    if (from !== to && from !== 1) {
      fail(
        op,
        `cannot expand ${fmt(x.shape)} to ${fmt(target)}: axis ${i} has size ${from}, needs 1 or ${to}`,
      );
    }
  }
  if (lead === 0 && target.every((d, i) => d === x.shape[i])) return x;
  return apply(movementRules, "expand", [x], { shape: target });
}

export function slicePrim(
  x: Tensor,
  shape: readonly number[],
  starts: readonly number[],
  steps: readonly number[],
): Tensor {
  if (shape.every((d, i) => d === x.shape[i]) && starts.every((s) => s === 0) && steps.every((s) => s === 1))
    return x;
  return apply(movementRules, "slice", [x], { shape, starts, steps });
}

/** Zeros of `shape` with x written at starts + i·steps (the adjoint of a slice; pad is built on it). */
export function unslice(
  x: Tensor,
  shape: readonly number[],
  starts: readonly number[],
  steps: readonly number[],
): Tensor {
  return apply(movementRules, "unslice", [x], { shape, starts, steps });
}

/** Joins tensors along an existing axis; dtypes are promoted to a common one. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) fail("concat", "needs at least one tensor");
  const rank = xs[0].ndim;
  if (rank === 0) fail("concat", "cannot concatenate 0-d tensors; use stack");
  const ax = normalizeAxis("concat", axis, xs[0].shape);
  xs.forEach((t, k) => {
    const ok = t.ndim === rank && t.shape.every((d, i) => i === ax || d === xs[0].shape[i]);
    if (!ok) {
      fail(
        "concat",
        `tensor ${k} has shape ${fmt(t.shape)}, tensor 0 has ${fmt(xs[0].shape)}: all sizes but axis ${ax} must match`,
      );
    }
  });
  const dtype = xs.map((t) => t.dtype).reduce<DType>((a, b) => promote(a, b), xs[0].dtype);
  if (xs.length === 1) return xs[0];
  return apply(
    movementRules,
    "concat",
    xs.map((t) => (t.dtype === dtype ? t : cast(t, dtype))),
    { axis: ax },
  );
}

export default movementRules;
