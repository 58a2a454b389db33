// Reduction primitives: sum, sumSquares, max, min (differentiable) and argmax, argmin (integer results, no
// gradient).
import type { ReduceOp } from "../backend/backend.js";
import type { DType } from "../dtype.js";
import { fail } from "../errors.js";
import { fmt, normalizeAxes, normalizeAxis } from "../shape.js";
import { emptyTensor, outputTensor } from "../tensor/create.js";
import { d1 } from "../tensor/derivative.js";
import { FREED_BY_LIBRARY, type Tensor } from "../tensor/tensor.js";
import { apply, type PrimRule, viewOf } from "./apply.js";
import { add, cast, div, equal, mul, notEqual } from "./binary.js";
import { expand, reshape } from "./movement.js";

export interface ReduceAttrs {
  axes: readonly number[];
  keepdims: boolean;
}
export type ReducePrim = "sum" | "sumSquares" | "max" | "min" | "argmax" | "argmin";

export interface AxisOptions {
  axis?: number | readonly number[];
  keepdims?: boolean;
}

/** The shape after reducing `axes`: size-1 axes with keepdims, dropped without. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  return keepdims
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i));
}

function kernel(op: ReduceOp, x: Tensor, { axes, keepdims }: ReduceAttrs, dtype: DType): Tensor {
  const out = emptyTensor(reducedShape(x.shape, axes, keepdims), dtype);
  x.storage.backend.reduce(op, x.storage.id, x.shape, axes, out.storage.id);
  return out;
}

/** g brought back to the input's shape: reduced axes restored as size 1, then broadcast. */
function spread(g: Tensor, x: Tensor, { axes }: ReduceAttrs): Tensor {
  return expand(reshape(g, reducedShape(x.shape, axes, true)), x.shape);
}

/**
 * max/min send the gradient to the elements equal to the result, shared evenly among ties. A NaN wins the
 * value and equals nothing, so where the result is NaN the NaN elements share it (as torch.max(x) does).
 */
function extremumVjp(g: Tensor, [x, y]: readonly Tensor[], attrs: ReduceAttrs): Tensor[] {
  const mask = add(cast(equal(x, spread(y, x, attrs)), g.dtype), cast(notEqual(x, x), g.dtype));
  const count = spread(sumPrim(mask, attrs), x, attrs);
  return [div(mul(spread(g, x, attrs), mask), count)];
}

/** g spread back to the elements equal to the result, each share divided by the number of ties. */
const extremumDerivative = d1(
  "broadcast({g}) ⊙ [{x0:name} = {y:name}] ⊘ ties, to {x0:shape}",
  "\\operatorname{broadcast}\\left({g}\\right) \\odot \\mathbb{1}[{x0} = {y}] \\oslash n_{=}",
);

const sumDType = (d: DType): DType => (d === "bool" ? "int32" : d);

/**
 * Σ x² over the axes, recorded as one node that saves only x: one kernel pass for float dtypes, two (square,
 * then sum) for integers and bool.
 */
function squaresKernel(x: Tensor, attrs: ReduceAttrs): Tensor {
  if (x.dtype === "float32" || x.dtype === "float64") return kernel("sumSquares", x, attrs, x.dtype);
  const dtype = sumDType(x.dtype);
  const squares = outputTensor(x.shape, dtype); // the mul kernel writes every element
  try {
    const input = dtype === x.dtype ? x : cast(x, dtype);
    const view = viewOf(input);
    x.storage.backend.binary("mul", view, view, squares.storage.id, x.shape);
    if (input !== x) input.dispose(FREED_BY_LIBRARY);
    return kernel("sum", squares, attrs, dtype);
  } finally {
    squares.dispose(FREED_BY_LIBRARY);
  }
}

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const reduceRules: { [P in ReducePrim]: PrimRule<ReduceAttrs> } = {
  // d Σx = g broadcast back over the reduced axes
  sum: {
    forward: ([x], a) => kernel("sum", x, a, sumDType(x.dtype)),
    vjp: (g, _, a, n) => [spread(g, n.inputs[0], a)],
    derivative: d1("broadcast({g}) to {x0:shape}", "\\operatorname{broadcast}\\left({g}\\right)"),
  },
  // d Σx² = 2 x ⊙ g broadcast back over the reduced axes (one pass: g is a scalar or has size-1 axes)
  sumSquares: {
    forward: ([x], a) => squaresKernel(x, a),
    save: ([x]) => [x],
    vjp: (g, [x], a) => [mul(x, reshape(mul(g, 2), reducedShape(x.shape, a.axes, true)))],
    derivative: d1(
      "2 {x0:name} ⊙ broadcast({g})",
      "2\\, {x0} \\odot \\operatorname{broadcast}\\left({g}\\right)",
    ),
  },
  // d max(x) = g at the maximal elements, split among ties
  max: {
    forward: ([x], a) => kernel("max", x, a, x.dtype),
    save: ([x], y) => [x, y],
    vjp: extremumVjp,
    derivative: extremumDerivative,
  },
  // d min(x) = g at the minimal elements, split among ties
  min: {
    forward: ([x], a) => kernel("min", x, a, x.dtype),
    save: ([x], y) => [x, y],
    vjp: extremumVjp,
    derivative: extremumDerivative,
  },
  argmax: { forward: ([x], a) => kernel("argmax", x, a, "int32") },
  argmin: { forward: ([x], a) => kernel("argmin", x, a, "int32") },
};

function sumPrim(x: Tensor, attrs: ReduceAttrs): Tensor {
  return apply(reduceRules, "sum", [x], attrs);
}

function attrsOf(op: string, x: Tensor, options: AxisOptions): ReduceAttrs {
  return { axes: normalizeAxes(op, options.axis, x.shape), keepdims: options.keepdims ?? false };
}

export function sum(x: Tensor, options: AxisOptions = {}): Tensor {
  return sumPrim(x, attrsOf("sum", x, options));
}

/** Σ x² over the axes (all by default): the squared Frobenius norm ‖x‖²_F, one graph node instead of two. */
export function sumSquares(x: Tensor, options: AxisOptions = {}): Tensor {
  return apply(reduceRules, "sumSquares", [x], attrsOf("sumSquares", x, options));
}

function extremum(op: "max" | "min", x: Tensor, options: AxisOptions): Tensor {
  const attrs = attrsOf(op, x, options);
  if (attrs.axes.some((a) => x.shape[a] === 0)) {
    fail(op, `cannot reduce an empty axis of ${fmt(x.shape)}: ${op} of no elements is undefined`);
  }
  return apply(reduceRules, op, [x.dtype === "bool" ? cast(x, "int32") : x], attrs);
}

export const max = (x: Tensor, options: AxisOptions = {}): Tensor => extremum("max", x, options);
export const min = (x: Tensor, options: AxisOptions = {}): Tensor => extremum("min", x, options);

export interface ArgOptions {
  /** One axis; without it the tensor is flattened first. */
  axis?: number;
  keepdims?: boolean;
}

function argExtremum(op: "argmax" | "argmin", x: Tensor, options: ArgOptions): Tensor {
  const flat = options.axis === undefined;
  const input = flat ? reshape(x, [x.size]) : x;
  const axis = flat ? 0 : normalizeAxis(op, options.axis!, x.shape);
  if (input.shape[axis] === 0) fail(op, `cannot take ${op} over an empty axis of ${fmt(x.shape)}`);
  const keepdims = options.keepdims ?? false;
  const out = apply(reduceRules, op, [input], { axes: [axis], keepdims: flat ? false : keepdims });
  return flat && keepdims
    ? reshape(
        out,
        x.shape.map(() => 1),
      )
    : out;
}

/** Index of the largest value (the first one on ties; NaN counts as largest). */
export const argmax = (x: Tensor, options: ArgOptions = {}): Tensor => argExtremum("argmax", x, options);
export const argmin = (x: Tensor, options: ArgOptions = {}): Tensor => argExtremum("argmin", x, options);

export default reduceRules;
