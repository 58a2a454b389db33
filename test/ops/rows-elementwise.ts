// Op table rows for elementwise ops: unary math and activations, binary arithmetic with broadcasting,
// comparisons, where, clamp and cast. Kinks are avoided by the value generators (see gen.ts).

import type { DType, Tensor } from "../../src/index.js";
import * as cr from "../../src/index.js";
import {
  anyReal,
  awayFromZero,
  binaryShapes,
  bools,
  broadcastPair,
  lattice,
  positive,
  type Rng,
  randomShape,
  sample,
  smallInt,
  unaryShapes,
  type Values,
} from "./gen.js";
import * as nd from "./nd.js";
import { type Case, type OpRow, plain, row } from "./row.js";

interface UnaryOptions {
  smooth?: boolean;
  piecewiseLinear?: boolean;
  rtol?: number;
}

function unary(
  name: string,
  fn: (x: Tensor) => Tensor,
  ref: (v: number) => number,
  values: Values,
  options: UnaryOptions = {},
): OpRow {
  return row({
    name,
    fn: ([x]) => fn(x),
    reference: ([x]) => nd.map(x, ref),
    cases: (rng) => unaryShapes(rng).map((s) => plain(sample(rng, s, values))),
    smooth: options.smooth ?? true,
    piecewiseLinear: options.piecewiseLinear,
    rtol: options.rtol,
  });
}

function binary(
  name: string,
  fn: (a: Tensor, b: Tensor) => Tensor,
  ref: (a: number, b: number) => number,
  va: Values,
  vb: Values,
  smooth = true,
): OpRow {
  return row({
    name,
    fn: ([a, b]) => fn(a, b),
    reference: ([a, b]) => nd.zip("float", ref, a, b),
    cases: (rng) => binaryShapes(rng).map(([sa, sb]) => plain(sample(rng, sa, va), sample(rng, sb, vb))),
    smooth,
    piecewiseLinear: !smooth,
    broadcasts: true,
  });
}

function comparison(
  name: string,
  fn: (a: Tensor, b: Tensor) => Tensor,
  ref: (a: number, b: number) => boolean,
) {
  return row({
    name,
    fn: ([a, b]) => fn(a, b),
    reference: ([a, b]) => nd.zip("bool", (x, y) => (ref(x, y) ? 1 : 0), a, b),
    cases: (rng) =>
      binaryShapes(rng).map(([sa, sb]) => plain(sample(rng, sa, smallInt), sample(rng, sb, smallInt))),
    smooth: false,
    differentiable: false,
    broadcasts: true,
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

interface ClampAttrs {
  min?: number;
  max?: number;
  /** Bounds given as tensors (inputs 1 and 2) rather than numbers. */
  tensors?: boolean;
}

function clampCases(rng: Rng): Case<ClampAttrs>[] {
  const x = (shape: number[]) => sample(rng, shape, lattice(1));
  const lo = (shape: number[]) => sample(rng, shape, lattice(0, -2, 0));
  const hi = (shape: number[]) => sample(rng, shape, lattice(0, 1, 3));
  return [
    { inputs: [x([])], attrs: { min: -0.5, max: 0.5 } },
    { inputs: [x([0, 3])], attrs: { min: -0.5, max: 0.5 } },
    { inputs: [x([2, 3])], attrs: { min: 0 } },
    { inputs: [x([4])], attrs: { max: 1 } },
    { inputs: [x(randomShape(rng))], attrs: { min: -1, max: 1 } },
    { inputs: [x([2, 3]), lo([3]), hi([2, 1])], attrs: { tensors: true } },
    { inputs: [x([]), lo([]), hi([])], attrs: { tensors: true } },
    { inputs: [x([3, 1]), lo([1, 4]), hi([])], attrs: { tensors: true } },
    { inputs: [x([0]), lo([1]), hi([1])], attrs: { tensors: true } },
  ];
}

const clampRef = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

function whereCases(rng: Rng): Case<null>[] {
  const f = (shape: number[]) => sample(rng, shape);
  const random = Array.from({ length: 4 }, () => {
    const [a, b] = broadcastPair(rng);
    return plain(bools(rng, rng.next() < 0.5 ? a : b), f(a), f(b));
  });
  return [
    plain(bools(rng, []), f([]), f([])),
    plain(bools(rng, [2, 3]), f([]), f([3])),
    plain(bools(rng, [3]), f([0, 3]), f([1])),
    plain(bools(rng, [2, 1]), f([1, 3]), f([2, 3])),
    ...random,
  ];
}

interface CastAttrs {
  to: DType;
  /** Cast again to this dtype (float64 for the gradient checks). */
  back?: DType;
}

function castCases(rng: Rng): Case<CastAttrs>[] {
  // Multiples of 1/16 plus 1/32: exact in float32, never integers (trunc has no kink there).
  const dyadic: Values = (r) => (r.int(-40, 40) + 0.5) / 16;
  const withZeros: Values = (r) => (r.next() < 0.3 ? 0 : dyadic(r));
  return [
    { inputs: [sample(rng, [], dyadic)], attrs: { to: "float32", back: "float64" } },
    { inputs: [sample(rng, [0, 2], dyadic)], attrs: { to: "float32", back: "float64" } },
    { inputs: [sample(rng, randomShape(rng), dyadic)], attrs: { to: "float32", back: "float64" } },
    { inputs: [sample(rng, randomShape(rng), dyadic)], attrs: { to: "float32", back: "float64" } },
    { inputs: [sample(rng, [3, 1, 2], dyadic)], attrs: { to: "float32", back: "float64" } },
    // No gradient flows through an int or bool result: both sides of the check see zero.
    { inputs: [sample(rng, [2, 3], dyadic)], attrs: { to: "int32", back: "float64" } },
    { inputs: [sample(rng, [], dyadic)], attrs: { to: "int32", back: "float64" } },
    { inputs: [sample(rng, [4], dyadic)], attrs: { to: "bool", back: "float64" } },
    { inputs: [sample(rng, [3, 2], withZeros)], attrs: { to: "bool" }, forwardOnly: true },
    { inputs: [sample(rng, [5], dyadic)], attrs: { to: "int32" }, forwardOnly: true },
    { inputs: [sample(rng, [2, 2], smallInt, "int32")], attrs: { to: "float64" }, forwardOnly: true },
    { inputs: [sample(rng, [4], smallInt, "int32")], attrs: { to: "bool" }, forwardOnly: true },
    { inputs: [bools(rng, [3])], attrs: { to: "int32" }, forwardOnly: true },
    { inputs: [bools(rng, [2, 2])], attrs: { to: "float32" }, forwardOnly: true },
  ];
}

function castRef(x: nd.Arr, to: DType): nd.Arr {
  if (to === "int32") return nd.arr(x.shape, x.data.map(Math.trunc), "int32");
  if (to === "bool")
    return nd.arr(
      x.shape,
      x.data.map((v) => (v !== 0 ? 1 : 0)),
      "bool",
    );
  return nd.arr(x.shape, to === "float32" ? x.data.map(Math.fround) : x.data, to);
}

export const elementwiseRows: OpRow[] = [
  unary("neg", cr.neg, (x) => -x, anyReal),
  unary("exp", cr.exp, Math.exp, anyReal),
  unary("log", cr.log, Math.log, positive),
  unary("log1p", cr.log1p, Math.log1p, (r) => r.uniform(-0.5, 2)),
  unary("sqrt", cr.sqrt, Math.sqrt, positive),
  unary("abs", cr.abs, Math.abs, awayFromZero, { smooth: false, piecewiseLinear: true }),
  unary("sign", cr.sign, Math.sign, awayFromZero, { smooth: false, piecewiseLinear: true }),
  unary("sin", cr.sin, Math.sin, anyReal),
  unary("cos", cr.cos, Math.cos, anyReal),
  unary("tanh", cr.tanh, Math.tanh, anyReal),
  unary("sigmoid", cr.sigmoid, sigmoid, (r) => r.uniform(-6, 6)),
  unary("relu", cr.relu, (x) => Math.max(x, 0), awayFromZero, { smooth: false, piecewiseLinear: true }),
  row({
    name: "leakyRelu",
    fn: ([x], slope: number | null) => (slope === null ? cr.leakyRelu(x) : cr.leakyRelu(x, slope)),
    reference: ([x], slope) => nd.map(x, (v) => (v > 0 ? v : v * (slope ?? 0.01))),
    cases: (rng) =>
      unaryShapes(rng).map((s, i) => ({ inputs: [sample(rng, s, awayFromZero)], attrs: i % 2 ? 0.2 : null })),
    smooth: false,
    piecewiseLinear: true,
  }),
  unary(
    "gelu",
    (x) => cr.gelu(x),
    (x) => 0.5 * x * (1 + nd.erf(x / Math.SQRT2)),
    anyReal,
    { rtol: 1e-11 },
  ),
  unary(
    "gelu(tanh)",
    (x) => cr.gelu(x, { approximate: "tanh" }),
    (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))),
    anyReal,
  ),
  unary(
    "softplus",
    cr.softplus,
    (x) => Math.log(1 + Math.exp(x)),
    (r) => r.uniform(-5, 5),
  ),
  unary("erf", cr.erf, nd.erf, (r) => r.uniform(-2.5, 2.5), { rtol: 1e-11 }),
  unary("atan", cr.atan, Math.atan, anyReal),
  row({
    name: "isfinite",
    fn: ([x]) => cr.isfinite(x),
    reference: ([x]) => nd.zip("bool", (v) => (Number.isFinite(v) ? 1 : 0), x),
    cases: (rng) =>
      unaryShapes(rng).map((s) =>
        plain(sample(rng, s, (r) => r.pick([0, -1.5, 2, Infinity, -Infinity, Number.NaN]))),
      ),
    smooth: false,
    differentiable: false,
  }),
  binary("add", cr.add, (a, b) => a + b, anyReal, anyReal),
  binary("sub", cr.sub, (a, b) => a - b, anyReal, anyReal),
  binary("mul", cr.mul, (a, b) => a * b, anyReal, anyReal),
  binary("div", cr.div, (a, b) => a / b, anyReal, awayFromZero),
  binary("maximum", cr.maximum, Math.max, lattice(0), lattice(1), false),
  binary("minimum", cr.minimum, Math.min, lattice(0), lattice(1), false),
  row({
    name: "pow",
    fn: ([a, b]) => cr.pow(a, b),
    reference: ([a, b]) => nd.zip("float", Math.pow, a, b),
    cases: (rng) => [
      ...binaryShapes(rng).map(([sa, sb]) => plain(sample(rng, sa, positive), sample(rng, sb, anyReal))),
      // A negative base needs an integer exponent; the exponent's gradient is NaN there (log of a negative).
      {
        inputs: [sample(rng, [2, 3], awayFromZero), sample(rng, [3], (r) => r.int(-2, 3))],
        attrs: null,
        forwardOnly: true,
      },
    ],
    smooth: true,
    broadcasts: true,
  }),
  comparison("equal", cr.equal, (a, b) => a === b),
  comparison("notEqual", cr.notEqual, (a, b) => a !== b),
  comparison("less", cr.less, (a, b) => a < b),
  comparison("lessEqual", cr.lessEqual, (a, b) => a <= b),
  comparison("greater", cr.greater, (a, b) => a > b),
  comparison("greaterEqual", cr.greaterEqual, (a, b) => a >= b),
  row({
    name: "logicalNot",
    fn: ([x]) => cr.logicalNot(x),
    reference: ([x]) => nd.zip("bool", (v) => (v ? 0 : 1), x),
    cases: (rng) => unaryShapes(rng).map((s) => plain(bools(rng, s))),
    smooth: false,
    differentiable: false,
  }),
  row({
    name: "where",
    fn: ([c, a, b]) => cr.where(c, a, b),
    reference: ([c, a, b]) => nd.zip("float", (cv, av, bv) => (cv ? av : bv), c, a, b),
    cases: whereCases,
    smooth: true,
    broadcasts: true,
  }),
  row({
    name: "clamp",
    fn: ([x, lo, hi], a: ClampAttrs) => (a.tensors ? cr.clamp(x, lo, hi) : cr.clamp(x, a.min, a.max)),
    reference: ([x, lo, hi], a) =>
      a.tensors
        ? nd.zip("float", clampRef, x, lo, hi)
        : nd.map(x, (v) => clampRef(v, a.min ?? -Infinity, a.max ?? Infinity)),
    cases: clampCases,
    smooth: false,
    piecewiseLinear: true,
    broadcasts: true,
  }),
  row({
    name: "cast",
    fn: ([x], { to, back }: CastAttrs) => (back ? cr.cast(cr.cast(x, to), back) : cr.cast(x, to)),
    reference: ([x], { to, back }) => (back ? castRef(castRef(x, to), back) : castRef(x, to)),
    cases: castCases,
    smooth: true,
    // Values and steps are exact in float32, so finite differences through a float32 cast are exact.
    gradcheck: { eps: 2 ** -10 },
  }),
];
