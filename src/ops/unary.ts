// Unary elementwise primitives, each a forward kernel call beside its VJP (one-line math comment each).
import type { UnaryOp } from "../backend/backend.js";
import { outputTensor } from "../tensor/create.js";
import { type Derivative, d1 } from "../tensor/derivative.js";
import type { VjpRule } from "../tensor/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { apply, type PrimRule, withDense } from "./apply.js";
import { cast, div, lessEqual, mul, sub, where } from "./binary.js";
import { asFloat, toTensor } from "./convert.js";

type Empty = Record<string, never>;
export type UnaryPrim = Exclude<UnaryOp, "isfinite" | "not">;
export type UnaryAttrs = { [P in UnaryPrim]: Empty };

/** The kernel over a row-major buffer (isfinite and logicalNot call it directly, not through apply's door). */
function kernel(op: UnaryOp, x: Tensor, outDType = x.dtype): Tensor {
  const out = outputTensor(x.shape, outDType);
  withDense([x], ([d]) => x.storage.backend.unary(op, d.storage.id, out.storage.id, x.size));
  return out;
}

function rule(
  op: UnaryPrim,
  grad: VjpRule<Empty>["vjp"],
  derivative: Derivative,
  save?: "input" | "output",
): PrimRule<Empty> {
  return {
    forward: ([x]) => kernel(op, x),
    save: save ? (inputs, out) => [save === "input" ? inputs[0] : out] : undefined,
    vjp: grad,
    derivative,
  };
}

const SQRT_PI = Math.sqrt(Math.PI);

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const unaryRules: { [P in UnaryPrim]: PrimRule<Empty> } = {
  // d(-x) = -g
  neg: rule("neg", (g) => [neg(g)], d1("−{g}", "-{g}")),
  // d exp(x) = g · exp(x)
  exp: rule("exp", (g, [y]) => [mul(g, y)], d1("{g} ⊙ {y}", "{g} \\odot {y}"), "output"),
  // d log(x) = g / x
  log: rule("log", (g, [x]) => [div(g, x)], d1("{g} ⊘ {x0}", "{g} \\oslash {x0}"), "input"),
  // d log1p(x) = g / (1 + x)
  log1p: rule(
    "log1p",
    (g, [x]) => [div(g, add1(x))],
    d1("{g} ⊘ (1 + {x0})", "{g} \\oslash (1 + {x0})"),
    "input",
  ),
  // d sqrt(x) = g / (2 sqrt(x))
  sqrt: rule("sqrt", (g, [y]) => [div(g, mul(y, 2))], d1("{g} ⊘ (2 {y})", "{g} \\oslash (2 {y})"), "output"),
  // d |x| = g · sign(x), so |x|'(0) = 0 as in PyTorch
  abs: rule(
    "abs",
    (g, [x]) => [mul(g, sign(x))],
    d1("{g} ⊙ sign({x0:name})", "{g} \\odot \\operatorname{sign}({x0})"),
    "input",
  ),
  // d sign(x) = 0 everywhere (PyTorch's convention at the jump)
  sign: rule("sign", () => [null], { text: [null], latex: [null] }),
  // d sin(x) = g · cos(x)
  sin: rule(
    "sin",
    (g, [x]) => [mul(g, cos(x))],
    d1("{g} ⊙ cos({x0:name})", "{g} \\odot \\cos({x0})"),
    "input",
  ),
  // d cos(x) = -g · sin(x)
  cos: rule(
    "cos",
    (g, [x]) => [neg(mul(g, sin(x)))],
    d1("−{g} ⊙ sin({x0:name})", "-{g} \\odot \\sin({x0})"),
    "input",
  ),
  // d tanh(x) = g · (1 - tanh²(x))
  tanh: rule(
    "tanh",
    (g, [y]) => [mul(g, sub(1, mul(y, y)))],
    d1("{g} ⊙ (1 − {y}²)", "{g} \\odot (1 - {y}^{2})"),
    "output",
  ),
  // d σ(x) = g · σ(x)(1 - σ(x))
  sigmoid: rule(
    "sigmoid",
    (g, [y]) => [mul(g, mul(y, sub(1, y)))],
    d1("{g} ⊙ {y} ⊙ (1 − {y:name})", "{g} \\odot {y} \\odot (1 - {y})"),
    "output",
  ),
  // d relu(x) = g · [relu(x) <= 0 is false]: relu'(0) = 0, and a NaN passes g, both as in PyTorch
  relu: rule(
    "relu",
    (g, [y]) => [where(lessEqual(y, 0), 0, g)],
    d1("{g} ⊙ [{x0:name} > 0]", "{g} \\odot \\mathbb{1}[{x0} > 0]"),
    "output",
  ),
  // d softplus(x) = g · σ(x)
  softplus: rule(
    "softplus",
    (g, [x]) => [mul(g, sigmoid(x))],
    d1("{g} ⊙ σ({x0:name})", "{g} \\odot \\sigma({x0})"),
    "input",
  ),
  // d erf(x) = g · 2/√π · exp(-x²)
  erf: rule(
    "erf",
    (g, [x]) => [mul(g, mul(exp(neg(mul(x, x))), 2 / SQRT_PI))],
    d1("{g} ⊙ 2/√π · exp(−{x0:name}²)", "{g} \\odot \\tfrac{2}{\\sqrt{\\pi}} e^{-{x0}^{2}}"),
    "input",
  ),
  // d atan(x) = g / (1 + x²)
  atan: rule(
    "atan",
    (g, [x]) => [div(g, add1(mul(x, x)))],
    d1("{g} ⊘ (1 + {x0:name}²)", "{g} \\oslash (1 + {x0}^{2})"),
    "input",
  ),
};

function add1(x: Tensor): Tensor {
  return sub(x, -1);
}

const run = (prim: UnaryPrim, x: Tensor | number, float = true): Tensor => {
  const t = toTensor(prim, x);
  return apply(unaryRules, prim, [float ? asFloat(t) : t.dtype === "bool" ? cast(t, "int32") : t], {});
};

export const neg = (x: Tensor | number): Tensor => run("neg", x, false);
export const exp = (x: Tensor | number): Tensor => run("exp", x);
export const log = (x: Tensor | number): Tensor => run("log", x);
export const log1p = (x: Tensor | number): Tensor => run("log1p", x);
export const sqrt = (x: Tensor | number): Tensor => run("sqrt", x);
export const abs = (x: Tensor | number): Tensor => run("abs", x, false);
export const sign = (x: Tensor | number): Tensor => run("sign", x, false);
export const sin = (x: Tensor | number): Tensor => run("sin", x);
export const cos = (x: Tensor | number): Tensor => run("cos", x);
export const tanh = (x: Tensor | number): Tensor => run("tanh", x);
export const sigmoid = (x: Tensor | number): Tensor => run("sigmoid", x);
export const relu = (x: Tensor | number): Tensor => run("relu", x, false);
/** log(1 + eˣ), computed without overflow. */
export const softplus = (x: Tensor | number): Tensor => run("softplus", x);
export const erf = (x: Tensor | number): Tensor => run("erf", x);
export const atan = (x: Tensor | number): Tensor => run("atan", x);

/** Elementwise test for finite values (not NaN, not ±inf), as a bool tensor. */
export function isfinite(x: Tensor | number): Tensor {
  const t = toTensor("isfinite", x);
  t.assertLive("isfinite");
  return kernel("isfinite", t, "bool");
}

export function logicalNot(x: Tensor | boolean): Tensor {
  const t = toTensor("logicalNot", x);
  t.assertLive("logicalNot");
  return kernel("not", t, "bool");
}

export default unaryRules;
