// Op table rows for reductions (sum, mean, max, min, var, std, argmax, argmin), the log-sum-exp family
// and matrix products (matmul with NumPy semantics, dot, outer).
import * as cr from "../../src/index.js";
import { distinct, type Rng, randomShape, sample, type Values } from "./gen.js";
import * as nd from "./nd.js";
import { type Case, type OpRow, plain, row } from "./row.js";

interface ReduceAttrs {
  axis?: number | number[];
  keepdims?: boolean;
  correction?: number;
}

/** How a row treats a case whose reduced axes hold no elements. */
type EmptyReduction = "check" | "forwardOnly" | "skip";

function randomAxes(rng: Rng, rank: number): number | number[] | undefined {
  if (rng.next() < 0.2) return undefined;
  const picked = rng.shuffle(Array.from({ length: rank }, (_, i) => i)).slice(0, rng.int(1, rank));
  const signed = picked.map((a) => (rng.next() < 0.5 ? a - rank : a));
  return signed.length === 1 && rng.next() < 0.5 ? signed[0] : signed;
}

/** How many elements each output of reducing `axis` of `shape` sums over. */
function countOf(shape: readonly number[], axis: ReduceAttrs["axis"]): number {
  return nd.normAxes(axis, shape.length).reduce((n, a) => n * shape[a], 1);
}

function reductionCases(
  rng: Rng,
  input: (shape: number[]) => nd.Arr,
  empty: EmptyReduction,
): Case<ReduceAttrs>[] {
  const shapes: [number[], ReduceAttrs][] = [
    [[], {}],
    [[], { keepdims: true }],
    [[0, 3], { axis: 1 }],
    [[0, 3], { axis: 0, keepdims: true }],
    [[2, 3, 4], {}],
    [[2, 3, 4], { axis: [0, 2], keepdims: true }],
    [[2, 3, 4], { axis: -1 }],
    [[3, 4], { axis: [-1, -2] }],
  ];
  for (let i = 0; i < 3; i++) {
    const shape = randomShape(rng);
    shapes.push([shape, { axis: randomAxes(rng, shape.length), keepdims: rng.next() < 0.5 }]);
  }
  const cases: Case<ReduceAttrs>[] = [];
  for (const [shape, attrs] of shapes) {
    const emptyReduced = countOf(shape, attrs.axis) === 0;
    if (emptyReduced && empty === "skip") continue;
    cases.push({ inputs: [input(shape)], attrs, forwardOnly: emptyReduced && empty === "forwardOnly" });
  }
  return cases;
}

/** var and std: Bessel's correction where at least two elements are reduced, none otherwise. */
function statsCases(rng: Rng, sqrt: boolean): Case<ReduceAttrs>[] {
  return reductionCases(rng, (s) => sample(rng, s), "forwardOnly").map((c) => {
    const n = countOf(c.inputs[0].shape, c.attrs.axis);
    const correction = n >= 2 ? rng.int(0, 1) : 0;
    // std of a single element is sqrt(0): no derivative there.
    return { ...c, attrs: { ...c.attrs, correction }, forwardOnly: c.forwardOnly || (sqrt && n === 1) };
  });
}

function reduction(
  name: string,
  fn: (x: cr.Tensor, attrs: ReduceAttrs) => cr.Tensor,
  ref: (values: number[], attrs: ReduceAttrs) => number,
  cases: (rng: Rng) => Case<ReduceAttrs>[],
  options: { smooth: boolean; kind?: nd.Kind },
): OpRow {
  return row({
    name,
    fn: ([x], attrs: ReduceAttrs) => fn(x, attrs),
    reference: ([x], attrs) =>
      nd.reduce(x, attrs.axis, attrs.keepdims ?? false, (v) => ref(v, attrs), options.kind),
    cases,
    smooth: options.smooth,
    piecewiseLinear: !options.smooth,
    rtol: 1e-11,
  });
}

const lse = (v: number[]): number => {
  if (v.length === 0) return -Infinity;
  const m = Math.max(...v);
  return m + Math.log(nd.total(v.map((x) => Math.exp(x - m))));
};

interface ArgAttrs {
  axis?: number;
  keepdims?: boolean;
}

function argCases(rng: Rng): Case<ArgAttrs>[] {
  const x = (shape: number[]) => distinct(rng, shape);
  const random = Array.from({ length: 3 }, () => {
    const shape = randomShape(rng);
    return { inputs: [x(shape)], attrs: { axis: rng.int(-shape.length, shape.length - 1), keepdims: true } };
  });
  return [
    { inputs: [x([])], attrs: {} },
    { inputs: [x([0, 3])], attrs: { axis: 1 } },
    { inputs: [x([5])], attrs: {} },
    { inputs: [x([2, 3, 4])], attrs: {} },
    { inputs: [x([2, 3, 4])], attrs: { keepdims: true } },
    { inputs: [x([2, 3, 4])], attrs: { axis: 1 } },
    { inputs: [x([3, 4])], attrs: { axis: -2, keepdims: true } },
    ...random,
  ];
}

function argRef(x: nd.Arr, attrs: ArgAttrs, better: (a: number, b: number) => boolean): nd.Arr {
  const keepdims = attrs.keepdims ?? false;
  if (attrs.axis !== undefined) {
    return nd.reduce(x, attrs.axis, keepdims, (v) => nd.argFirst(v, better), "int32");
  }
  const flat = nd.argFirst(Array.from(x.data), better);
  return nd.arr(keepdims ? x.shape.map(() => 1) : [], [flat], "int32");
}

interface SoftmaxAttrs {
  axis?: number;
}

function softmaxCases(rng: Rng): Case<SoftmaxAttrs>[] {
  const x = (shape: number[]) => sample(rng, shape, (r) => r.uniform(-3, 3));
  const random = Array.from({ length: 2 }, () => {
    const shape = randomShape(rng);
    return { inputs: [x(shape)], attrs: { axis: rng.int(-shape.length, shape.length - 1) } };
  });
  return [
    { inputs: [x([])], attrs: {} },
    { inputs: [x([0, 3])], attrs: {} },
    { inputs: [x([3, 0])], attrs: {} },
    { inputs: [x([4])], attrs: {} },
    { inputs: [x([2, 3])], attrs: { axis: 0 } },
    { inputs: [x([2, 3, 4])], attrs: { axis: 1 } },
    { inputs: [x([2, 3, 4])], attrs: { axis: -3 } },
    ...random,
  ];
}

function logSoftmaxRef(x: nd.Arr, axis: number | undefined): nd.Arr {
  if (x.shape.length === 0) return nd.map(x, () => 0);
  const m = nd.reduce(x, axis ?? -1, true, lse);
  return nd.zip("float", (v, l) => v - l, x, m);
}

const vec: Values = (r) => r.uniform(-2, 2);

function matmulCases(rng: Rng): Case<null>[] {
  const x = (shape: number[]) => sample(rng, shape, vec);
  const m = rng.int(1, 4);
  const k = rng.int(1, 4);
  const n = rng.int(1, 4);
  return [
    plain(x([3]), x([3])),
    plain(x([3]), x([3, 2])),
    plain(x([2, 3]), x([3])),
    plain(x([m, k]), x([k, n])),
    plain(x([2, m, k]), x([k, n])),
    plain(x([2, 1, m, k]), x([3, k, n])),
    plain(x([3]), x([2, 3, 4])),
    plain(x([2, 3, 4]), x([4])),
    plain(x([0, 3]), x([3, 2])),
    plain(x([2, 0]), x([0, 3])),
    plain(x([1, 3]), x([3, 1])),
  ];
}

interface TransposeAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** Operands stored transposed (last two axes swapped), as matmul's transposeA / transposeB read them. */
function transposedMatmulCases(rng: Rng): Case<TransposeAttrs>[] {
  const x = (shape: number[]) => sample(rng, shape, vec);
  const m = rng.int(1, 4);
  const k = rng.int(1, 4);
  const n = rng.int(1, 4);
  return [
    { inputs: [x([m, k]), x([n, k])], attrs: { transposeB: true } },
    { inputs: [x([k, m]), x([k, n])], attrs: { transposeA: true } },
    { inputs: [x([k, m]), x([n, k])], attrs: { transposeA: true, transposeB: true } },
    { inputs: [x([2, m, k]), x([n, k])], attrs: { transposeB: true } },
    { inputs: [x([2, 1, k, m]), x([3, n, k])], attrs: { transposeA: true, transposeB: true } },
    { inputs: [x([3]), x([2, 4, 3])], attrs: { transposeB: true } },
    { inputs: [x([2, 3, 4]), x([3])], attrs: { transposeA: true } },
    { inputs: [x([0, 3]), x([2, 3])], attrs: { transposeB: true } },
    { inputs: [x([0, 2]), x([0, 3])], attrs: { transposeA: true } },
  ];
}

/** The reference: transpose the last two axes explicitly, then multiply. */
function transposedLast(x: nd.Arr, on: boolean | undefined): nd.Arr {
  if (!on) return x;
  const perm = x.shape.map((_, i) => i);
  const r = x.shape.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return nd.permute(x, perm);
}

export const reduceRows: OpRow[] = [
  reduction(
    "sum",
    (x, a) => cr.sum(x, a),
    nd.total,
    (rng) => reductionCases(rng, (s) => sample(rng, s), "check"),
    { smooth: true },
  ),
  reduction(
    "sumSquares",
    (x, a) => cr.sumSquares(x, a),
    (v) => v.reduce((t, e) => t + e * e, 0),
    (rng) => reductionCases(rng, (s) => sample(rng, s), "check"),
    { smooth: true },
  ),
  reduction(
    "mean",
    (x, a) => cr.mean(x, a),
    nd.average,
    (rng) => reductionCases(rng, (s) => sample(rng, s), "forwardOnly"),
    { smooth: true },
  ),
  reduction(
    "max",
    (x, a) => cr.max(x, a),
    (v) => Math.max(...v),
    (rng) => reductionCases(rng, (s) => distinct(rng, s), "skip"),
    { smooth: false },
  ),
  reduction(
    "min",
    (x, a) => cr.min(x, a),
    (v) => Math.min(...v),
    (rng) => reductionCases(rng, (s) => distinct(rng, s), "skip"),
    { smooth: false },
  ),
  reduction(
    "var",
    (x, a) => cr.var(x, a),
    (v, a) => nd.variance(v, a.correction ?? 1),
    (rng) => statsCases(rng, false),
    { smooth: true },
  ),
  reduction(
    "std",
    (x, a) => cr.std(x, a),
    (v, a) => Math.sqrt(nd.variance(v, a.correction ?? 1)),
    (rng) => statsCases(rng, true),
    { smooth: true },
  ),
  reduction(
    "logsumexp",
    (x, a) => cr.logsumexp(x, a),
    lse,
    (rng) => reductionCases(rng, (s) => sample(rng, s), "forwardOnly"),
    { smooth: true },
  ),
  row({
    name: "argmax",
    fn: ([x], a: ArgAttrs) => cr.argmax(x, a),
    reference: ([x], a) => argRef(x, a, (p, q) => p > q),
    cases: argCases,
    smooth: false,
    differentiable: false,
  }),
  row({
    name: "argmin",
    fn: ([x], a: ArgAttrs) => cr.argmin(x, a),
    reference: ([x], a) => argRef(x, a, (p, q) => p < q),
    cases: argCases,
    smooth: false,
    differentiable: false,
  }),
  row({
    name: "logSoftmax",
    fn: ([x], a: SoftmaxAttrs) => cr.logSoftmax(x, a),
    reference: ([x], a) => logSoftmaxRef(x, a.axis),
    cases: softmaxCases,
    smooth: true,
    rtol: 1e-11,
  }),
  row({
    name: "softmax",
    fn: ([x], a: SoftmaxAttrs) => cr.softmax(x, a),
    reference: ([x], a) => nd.map(logSoftmaxRef(x, a.axis), Math.exp),
    cases: softmaxCases,
    smooth: true,
    rtol: 1e-11,
  }),
  row({
    name: "matmul",
    fn: ([a, b]) => cr.matmul(a, b),
    reference: ([a, b]) => nd.matmul(a, b),
    cases: matmulCases,
    smooth: true,
    broadcasts: true,
    rtol: 1e-11,
  }),
  {
    ...row({
      name: "matmul transposed",
      fn: ([a, b], attrs) => cr.matmul(a, b, attrs),
      reference: ([a, b], t) => nd.matmul(transposedLast(a, t.transposeA), transposedLast(b, t.transposeB)),
      cases: transposedMatmulCases,
      smooth: true,
      rtol: 1e-11,
    }),
    noScalar:
      "a transposed operand has two axes or more; 1-D operands and size-one matrices stand in for 0-d",
  },
  row({
    name: "dot",
    fn: ([a, b]) => cr.dot(a, b),
    reference: ([a, b]) => nd.arr([], [nd.total(Array.from(a.data, (v, i) => v * b.data[i]))]),
    cases: (rng) =>
      [3, 0, 1, 4, ...Array.from({ length: 4 }, () => rng.int(1, 6))].map((n) =>
        plain(sample(rng, [n], vec), sample(rng, [n], vec)),
      ),
    smooth: true,
    rtol: 1e-11,
  }),
  {
    ...row({
      name: "outer",
      fn: ([a, b]) => cr.outer(a, b),
      reference: ([a, b]) => nd.fromFn([a.shape[0], b.shape[0]], ([i, j]) => a.data[i] * b.data[j]),
      cases: (rng) =>
        [
          [3, 2],
          [0, 3],
          [1, 1],
          [4, 0],
          ...Array.from({ length: 4 }, () => [rng.int(1, 4), rng.int(1, 4)]),
        ].map(([n, m]) => plain(sample(rng, [n], vec), sample(rng, [m], vec))),
      smooth: true,
    }),
    noScalar: "outer takes 1-D operands and gives a 2-D result; size-one vectors stand in for 0-d",
  },
];
