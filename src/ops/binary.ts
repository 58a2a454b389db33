// Binary elementwise primitives with NumPy broadcasting, comparisons, where and cast.
// Broadcast gradients come back at the output's shape; the backward sweep reduces them once.

import type { BinaryOp } from "../backend/backend.js";
import { type DType, isDType, isFloat } from "../dtype.js";
import { fail } from "../errors.js";
import { broadcastShapes } from "../shape.js";
import { outputTensor } from "../tensor/create.js";
import { type Derivative, d1 } from "../tensor/derivative.js";
import { isGradEnabled } from "../tensor/grad-mode.js";
import type { VjpRule } from "../tensor/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { apply, broadcastView, needsGrad, type PrimRule } from "./apply.js";
import { asFloat, commonOperands, type TensorLike, toTensor } from "./convert.js";
import { log, neg } from "./unary.js";

type Empty = Record<string, never>;
export type ArithPrim = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";
export type ComparePrim = "equal" | "notEqual" | "less" | "lessEqual" | "greater" | "greaterEqual";
export type BinaryAttrs = { [P in ArithPrim | ComparePrim]: Empty } & {
  where: Empty;
  cast: { dtype: DType };
};

function kernel(op: BinaryOp, a: Tensor, b: Tensor, outDType: DType): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = outputTensor(shape, outDType);
  a.storage.backend.binary(op, broadcastView(a, shape), broadcastView(b, shape), out.storage.id, shape);
  return out;
}

const saveBoth = (inputs: readonly Tensor[]): Tensor[] => [inputs[0], inputs[1]];

/** Where a and b tie, each gets half the gradient (PyTorch's convention for maximum/minimum). */
function tieSplit(g: Tensor, a: Tensor, b: Tensor, wins: (a: Tensor, b: Tensor) => Tensor): Tensor {
  const share = add(cast(wins(a, b), g.dtype), mul(cast(equal(a, b), g.dtype), 0.5));
  return mul(g, share);
}

const arith = (
  op: ArithPrim,
  vjp: VjpRule<Empty>["vjp"],
  derivative: Derivative,
  save = false,
): PrimRule<Empty> => ({
  forward: ([a, b]) => kernel(op, a, b, a.dtype),
  readsViews: true,
  save: save ? saveBoth : undefined,
  vjp,
  derivative,
});

/** The derivative of a broadcasting binary op: a's and b's gradients as text, then as LaTeX. */
const d2 = (text: [string, string], latex: [string, string], same?: Derivative["same"]): Derivative => ({
  text,
  latex,
  broadcasts: true,
  ...(same ? { same } : {}),
});

/** maximum's derivative (minimum's with <): each operand gets g where it wins, and half of it on ties. */
function tieSplitDerivative(wins: ">" | "<"): Derivative {
  const text = (a: string, b: string) =>
    `{g} ⊙ ([{${a}:name} ${wins} {${b}:name}] + ½[{${a}:name} = {${b}:name}])`;
  const latex = (a: string, b: string) =>
    `{g} \\odot (\\mathbb{1}[{${a}} ${wins} {${b}}] + \\tfrac{1}{2}\\mathbb{1}[{${a}} = {${b}}])`;
  return d2([text("x0", "x1"), text("x1", "x0")], [latex("x0", "x1"), latex("x1", "x0")]);
}

const compare = (op: ComparePrim): PrimRule<Empty> => ({
  forward: ([a, b]) => kernel(op, a, b, "bool"),
  readsViews: true,
});

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const binaryRules: { [P in keyof BinaryAttrs]: PrimRule<BinaryAttrs[P]> } = {
  // d(a + b) = (g, g)
  add: arith("add", (g) => [g, g], d2(["{g}", "{g}"], ["{g}", "{g}"])),
  // d(a - b) = (g, -g)
  sub: arith("sub", (g) => [g, neg(g)], d2(["{g}", "−{g}"], ["{g}", "-{g}"])),
  // d(a · b) = (g · b, g · a)
  mul: arith(
    "mul",
    (g, [a, b], _, n) => {
      // x·x (the penalty's ‖W‖²): both partials are g·x; outside a recorded backward, compute it once.
      if (a === b && !isGradEnabled() && needsGrad(n, 0)) {
        const t = mul(g, a);
        return [t, t];
      }
      return [needsGrad(n, 0) ? mul(g, b) : null, needsGrad(n, 1) ? mul(g, a) : null];
    },
    d2(["{g} ⊙ {x1:value}", "{g} ⊙ {x0:value}"], ["{g} \\odot {x1:value}", "{g} \\odot {x0:value}"], {
      text: "2 · {x0} ⊙ {g}",
      latex: "2\\, {x0} \\odot {g}",
    }),
    true,
  ),
  // d(a / b) = (g / b, -g · a / b²)
  div: arith(
    "div",
    (g, [a, b], _, n) => [
      needsGrad(n, 0) ? div(g, b) : null,
      needsGrad(n, 1) ? neg(div(mul(g, a), mul(b, b))) : null,
    ],
    d2(
      ["{g} ⊘ {x1:value}", "−{g} ⊙ {x0} ⊘ {x1:name}²"],
      ["{g} \\oslash {x1:value}", "-{g} \\odot {x0} \\oslash {x1}^{2}"],
    ),
    true,
  ),
  // d(aᵇ) = (g · b · aᵇ⁻¹, g · aᵇ · log a), with the a-gradient 0 where b = 0 and the b-gradient 0 where a = 0
  pow: arith(
    "pow",
    (g, [a, b], _, n) => [
      needsGrad(n, 0) ? where(equal(b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))) : null,
      needsGrad(n, 1) ? where(equal(a, 0), 0, mul(g, mul(pow(a, b), log(where(equal(a, 0), 1, a))))) : null,
    ],
    d2(
      ["{g} ⊙ {x1:value} ⊙ {x0:name}^({x1:value} − 1)", "{g} ⊙ {y} ⊙ log {x0:name}"],
      ["{g} \\odot {x1:value} \\odot {x0}^{{x1:value} - 1}", "{g} \\odot {y} \\odot \\log {x0}"],
    ),
    true,
  ),
  // d max(a, b) = g to the larger, split evenly on ties
  maximum: arith(
    "maximum",
    (g, [a, b]) => [tieSplit(g, a, b, greater), tieSplit(g, b, a, greater)],
    tieSplitDerivative(">"),
    true,
  ),
  // d min(a, b) = g to the smaller, split evenly on ties
  minimum: arith(
    "minimum",
    (g, [a, b]) => [tieSplit(g, a, b, less), tieSplit(g, b, a, less)],
    tieSplitDerivative("<"),
    true,
  ),
  equal: compare("equal"),
  notEqual: compare("notEqual"),
  less: compare("less"),
  lessEqual: compare("lessEqual"),
  greater: compare("greater"),
  greaterEqual: compare("greaterEqual"),
  where: {
    forward: ([c, a, b]) => {
      const shape = broadcastShapes("where", broadcastShapes("where", c.shape, a.shape), b.shape);
      const out = outputTensor(shape, a.dtype);
      const views = [c, a, b].map((t) => broadcastView(t, shape));
      a.storage.backend.where(views[0], views[1], views[2], out.storage.id, shape);
      return out;
    },
    readsViews: true,
    save: ([c]) => [c],
    // d where(c, a, b) = (none, g where c, g where not c)
    vjp: (g, [c]) => [null, where(c, g, 0), where(c, 0, g)],
    derivative: {
      text: [null, "{g} where {x0:name}, else 0", "{g} where not {x0:name}, else 0"],
      latex: [null, "{g} \\odot \\mathbb{1}[{x0}]", "{g} \\odot \\mathbb{1}[\\lnot {x0}]"],
      broadcasts: true,
    },
  },
  cast: {
    forward: ([x], { dtype }) => {
      const out = outputTensor(x.shape, dtype);
      x.storage.backend.cast(x.storage.id, out.storage.id, x.size);
      return out;
    },
    // d cast(x) = g cast back to x's dtype (no gradient into int or bool inputs)
    vjp: (g, _, __, n) => [isFloat(n.inputs[0].dtype) ? cast(g, n.inputs[0].dtype) : null],
    derivative: d1("cast({g}) to the dtype of {x0:name}", "\\operatorname{cast}\\left({g}\\right)"),
  },
};

function arithmetic(op: ArithPrim, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = commonOperands(op, a, b);
  if (op === "div" || op === "pow") return apply(binaryRules, op, [asFloat(x), asFloat(y)], {});
  if (x.dtype === "bool" && op !== "maximum" && op !== "minimum") {
    return apply(binaryRules, op, [cast(x, "int32"), cast(y, "int32")], {});
  }
  return apply(binaryRules, op, [x, y], {});
}

export const add = (a: TensorLike, b: TensorLike): Tensor => arithmetic("add", a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => arithmetic("sub", a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => arithmetic("mul", a, b);
/** True division: integer inputs give a float32 result. */
export const div = (a: TensorLike, b: TensorLike): Tensor => arithmetic("div", a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => arithmetic("pow", a, b);
/** Elementwise larger value; NaN wins; ties share the gradient. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => arithmetic("maximum", a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => arithmetic("minimum", a, b);

const comparison = (op: ComparePrim, a: TensorLike, b: TensorLike): Tensor =>
  apply(binaryRules, op, commonOperands(op, a, b), {});

export const equal = (a: TensorLike, b: TensorLike): Tensor => comparison("equal", a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => comparison("notEqual", a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => comparison("less", a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => comparison("lessEqual", a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => comparison("greater", a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => comparison("greaterEqual", a, b);

/** cond ? a : b elementwise, all three broadcast together; cond is cast to bool. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = toTensor("where", cond, "bool");
  const [x, y] = commonOperands("where", a, b);
  return apply(binaryRules, "where", [c.dtype === "bool" ? c : cast(c, "bool"), x, y], {});
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (!isDType(dtype))
    fail("cast", `unknown dtype ${JSON.stringify(dtype)}; use float32, float64, int32 or bool`);
  if (x.dtype === dtype) return x;
  return apply(binaryRules, "cast", [x], { dtype });
}

export default binaryRules;
