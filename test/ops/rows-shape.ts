// Op table rows for movement and indexing: reshape, flatten, transpose, permute, expand, squeeze,
// unsqueeze, slice, gather, index, scatterAdd, concat, stack, split and pad. All linear, so all smooth.
import * as cr from "../../src/index.js";
import type { SliceSpec } from "../../src/index.js";
import { indices, type Rng, randomShape, sample } from "./gen.js";
import * as nd from "./nd.js";
import { type Case, type OpRow, type RowSpec, row } from "./row.js";

/** A linear op: smooth, with cases built from (shape, attrs) pairs over random values. */
function movement<A>(
  name: string,
  fn: (x: cr.Tensor, attrs: A) => cr.Tensor,
  reference: (x: nd.Arr, attrs: A) => nd.Arr,
  cases: (rng: Rng) => [number[], A][],
): OpRow {
  return row({
    name,
    fn: ([x], attrs: A) => fn(x, attrs),
    reference: ([x], attrs) => reference(x, attrs),
    cases: (rng) => cases(rng).map(([shape, attrs]) => ({ inputs: [sample(rng, shape)], attrs })),
    smooth: true,
  });
}

function randomPerm(rng: Rng, rank: number): number[] {
  return rng.shuffle(Array.from({ length: rank }, (_, i) => i));
}

const expandCases = (rng: Rng): [number[], { shape: number[] }][] => {
  const s = randomShape(rng);
  return [
    [[], { shape: [2, 3] }],
    [[1], { shape: [3] }],
    [[3, 1], { shape: [3, 4] }],
    [[3], { shape: [2, 3] }],
    [[1, 3], { shape: [2, -1] }],
    [[0], { shape: [2, 0] }],
    [[1, 1], { shape: [0, 2] }],
    [[2, 1, 3], { shape: [4, 2, 2, 3] }],
    [s.map((d) => (rng.next() < 0.5 ? 1 : d)), { shape: [2, ...s] }],
  ];
};

interface FlattenAttrs {
  start?: number;
  end?: number;
}

function flattenRef(x: nd.Arr, { start = 0, end = -1 }: FlattenAttrs): nd.Arr {
  if (x.shape.length === 0) return nd.reshape(x, [1]);
  const r = x.shape.length;
  const s = start < 0 ? start + r : start;
  const e = end < 0 ? end + r : end;
  return nd.reshape(x, [...x.shape.slice(0, s), nd.sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

function transposeRef(x: nd.Arr, { a0 = -2, a1 = -1 }: { a0?: number; a1?: number }): nd.Arr {
  const r = x.shape.length;
  if (r < 2) return x;
  const a = a0 < 0 ? a0 + r : a0;
  const b = a1 < 0 ? a1 + r : a1;
  return nd.permute(
    x,
    x.shape.map((_, i) => (i === a ? b : i === b ? a : i)),
  );
}

function squeezeRef(x: nd.Arr, axis: number | number[] | undefined): nd.Arr {
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : nd.normAxes(axis, x.shape.length);
  return nd.reshape(
    x,
    x.shape.filter((_, i) => !axes.includes(i)),
  );
}

function unsqueezeRef(x: nd.Arr, axis: number): nd.Arr {
  const a = axis < 0 ? axis + x.shape.length + 1 : axis;
  return nd.reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

const toRefSpec = (s: SliceSpec): nd.RefSpec =>
  s === null || typeof s === "number" ? s : [s[0] ?? null, s[1] ?? null, s[2] ?? 1];

interface AxisAttr {
  axis: number;
}

/** Inputs [x, index] for gather: index fits inside x on every axis but `axis`. */
function gatherCases(rng: Rng): Case<AxisAttr>[] {
  const c = (x: number[], index: number[], axis: number): Case<AxisAttr> => {
    const ax = axis < 0 ? axis + x.length : axis;
    return { inputs: [sample(rng, x), indices(rng, index, x[ax])], attrs: { axis } };
  };
  return [
    c([3], [5], 0),
    c([1], [1], 0),
    c([3], [0], 0),
    c([3, 4], [3, 2], 1),
    c([3, 4], [2, 4], 0),
    c([2, 3], [1, 3], -2),
    c([2, 3, 4], [2, 3, 5], -1),
    c([0, 3], [0, 2], 1),
    c([2, 3, 2], [1, 2, 2], 1),
  ];
}

interface ScatterAttrs {
  axis: number;
  shape: number[];
}

function scatterCases(rng: Rng): Case<ScatterAttrs>[] {
  const c = (src: number[], shape: number[], axis: number): Case<ScatterAttrs> => {
    const ax = axis < 0 ? axis + shape.length : axis;
    return { inputs: [sample(rng, src), indices(rng, src, shape[ax])], attrs: { axis, shape } };
  };
  return [
    c([5], [3], 0),
    c([1], [1], 0),
    c([0], [3], 0),
    c([2, 3], [2, 4], 1),
    c([3, 4], [2, 4], 0),
    c([0, 2], [3, 2], 0),
    c([2, 3, 2], [2, 3, 4], -1),
    c([1, 2], [3, 2], -2),
  ];
}

interface IndexAttrs {
  indices: number[];
  axis?: number;
  /** Pass the indices as an int32 tensor rather than an array. */
  tensor?: boolean;
}

function indexCases(rng: Rng): [number[], IndexAttrs][] {
  const pick = (n: number, size: number) => Array.from({ length: n }, () => rng.int(0, size - 1));
  return [
    [[4], { indices: [3, 0, 3] }],
    [[1], { indices: [0, 0, 0] }],
    [[3, 4], { indices: [2, 0], axis: 1 }],
    [[3, 4], { indices: [], axis: 0 }],
    [[2, 3, 4], { indices: [1], axis: -1, tensor: true }],
    [[0, 3], { indices: [2, 1], axis: 1 }],
    [[3, 2], { indices: pick(4, 3), tensor: true }],
    [[2, 4, 2], { indices: pick(3, 4), axis: -2 }],
  ];
}

function indexRef(x: nd.Arr, { indices: list, axis = 0 }: IndexAttrs): nd.Arr {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.map((d, i) => (i === ax ? list.length : d));
  return nd.fromFn(shape, (idx) => nd.get(x, idx.map((v, i) => (i === ax ? list[v] : v))));
}

/** Rows whose cases are lists of tensors (concat, stack). */
function joinRow(
  name: string,
  fn: (xs: cr.Tensor[], axis: number) => cr.Tensor,
  reference: (xs: nd.Arr[], axis: number) => nd.Arr,
  cases: [number[][], number][],
  noScalar?: string,
): OpRow {
  const spec: RowSpec<number> = {
    name,
    fn,
    reference,
    cases: (rng) => cases.map(([shapes, axis]) => ({ inputs: shapes.map((s) => sample(rng, s)), attrs: axis })),
    smooth: true,
  };
  return { ...row(spec), noScalar };
}

interface SplitAttrs {
  sizes: number | number[];
  axis?: number;
}

function splitRef(x: nd.Arr, { sizes, axis = 0 }: SplitAttrs): nd.Arr[] {
  const n = x.shape[axis < 0 ? axis + x.shape.length : axis];
  const parts = typeof sizes === "number" ? new Array<number>(sizes).fill(n / sizes) : sizes;
  return nd.split(x, parts, axis);
}

interface PadAttrs {
  widths: [number, number][];
  value?: number;
}

export const shapeRows: OpRow[] = [
  movement(
    "reshape",
    (x, { shape }: { shape: number[] }) => cr.reshape(x, shape),
    (x, { shape }) => nd.reshape(x, shape),
    () => [
      [[], { shape: [1, 1] }],
      [[], { shape: [-1] }],
      [[1], { shape: [] }],
      [[0, 3], { shape: [3, 0] }],
      [[0, 3], { shape: [-1, 3] }],
      [[2, 3], { shape: [3, 2] }],
      [[2, 3], { shape: [-1] }],
      [[2, 3, 4], { shape: [4, -1] }],
      [[2, 2, 3], { shape: [3, -1, 2] }],
    ],
  ),
  movement(
    "flatten",
    (x, a: FlattenAttrs) => cr.flatten(x, a.start, a.end),
    flattenRef,
    (rng) => [
      [[], {}],
      [[0, 3], {}],
      [[2, 0, 3], { start: 1 }],
      [[2, 3, 4], {}],
      [[2, 3, 4], { start: 1, end: 2 }],
      [[2, 3, 4], { start: 0, end: 1 }],
      [[2, 3, 4], { start: -2, end: -1 }],
      [[2, 1, 3], { start: 1, end: 1 }],
      [randomShape(rng, 1, 4), { start: 0, end: -1 }],
    ],
  ),
  movement(
    "transpose",
    (x, a: { a0?: number; a1?: number }) => cr.transpose(x, a.a0, a.a1),
    transposeRef,
    (rng) => [
      [[], {}],
      [[3], {}],
      [[2, 3], {}],
      [[0, 3], {}],
      [[2, 3, 4], { a0: 0, a1: 2 }],
      [[2, 3, 4], { a0: -1, a1: -3 }],
      [[2, 0, 3], { a0: 0, a1: 1 }],
      [[2, 3, 4], { a0: 1, a1: 1 }],
      [randomShape(rng, 2, 4), {}],
    ],
  ),
  movement(
    "permute",
    (x, { perm }: { perm: number[] }) => cr.permute(x, perm),
    (x, { perm }) => nd.permute(x, perm.map((p) => (p < 0 ? p + x.shape.length : p))),
    (rng) => [
      [[], { perm: [] }],
      [[3], { perm: [0] }],
      [[2, 3], { perm: [1, 0] }],
      [[2, 3, 4], { perm: [2, 0, 1] }],
      [[2, 3, 4], { perm: [-1, 0, 1] }],
      [[0, 2, 3], { perm: [1, 2, 0] }],
      [[2, 1, 3, 2], { perm: [3, 1, 0, 2] }],
      [[4, 3, 2], { perm: randomPerm(rng, 3) }],
    ],
  ),
  movement(
    "expand",
    (x, { shape }: { shape: number[] }) => cr.expand(x, shape),
    (x, { shape }) =>
      nd.expandTo(
        x,
        shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.shape.length)] : d)),
      ),
    expandCases,
  ),
  movement(
    "broadcastTo",
    (x, { shape }: { shape: number[] }) => cr.broadcastTo(x, shape),
    (x, { shape }) =>
      nd.expandTo(
        x,
        shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.shape.length)] : d)),
      ),
    expandCases,
  ),
  movement<{ axis?: number | number[] }>(
    "squeeze",
    (x, { axis }: { axis?: number | number[] }) => cr.squeeze(x, axis),
    (x, { axis }) => squeezeRef(x, axis),
    () => [
      [[], {}],
      [[1], {}],
      [[1, 3, 1], {}],
      [[1, 3, 1], { axis: 0 }],
      [[1, 3, 1], { axis: -1 }],
      [[1, 3, 1], { axis: [0, 2] }],
      [[0, 1], { axis: 1 }],
      [[2, 1, 3], { axis: 1 }],
      [[2, 3], {}],
    ],
  ),
  movement(
    "unsqueeze",
    (x, { axis }: { axis: number }) => cr.unsqueeze(x, axis),
    (x, { axis }) => unsqueezeRef(x, axis),
    () => [
      [[], { axis: 0 }],
      [[], { axis: -1 }],
      [[3], { axis: 0 }],
      [[3], { axis: 1 }],
      [[3], { axis: -1 }],
      [[2, 3], { axis: 1 }],
      [[0, 2], { axis: 2 }],
      [[2, 3], { axis: -2 }],
    ],
  ),
  movement<{ specs: SliceSpec[] }>(
    "slice",
    (x, { specs }: { specs: SliceSpec[] }) => cr.slice(x, specs),
    (x, { specs }) => nd.slice(x, specs.map(toRefSpec)),
    () => [
      [[], { specs: [] }],
      [[4], { specs: [[1, 3]] }],
      [[4], { specs: [[null, null, -1]] }],
      [[5], { specs: [[null, null, 2]] }],
      [[5], { specs: [[4, 0, -2]] }],
      [[5], { specs: [[-1, -6, -1]] }],
      [[3, 4], { specs: [1, [null, null, -1]] }],
      [[3, 4], { specs: [-1] }],
      [[2, 3, 4], { specs: [null, [0, 2], [3, null, -2]] }],
      [[4], { specs: [[3, 1]] }],
      [[0, 3], { specs: [null, [1, 3]] }],
      [[3, 4], { specs: [[-2], [-10, 10, 3]] }],
      [[3, 2, 4], { specs: [[null, null, -2], 0, [1, -1]] }],
    ],
  ),
  {
    ...row({
      name: "gather",
      fn: ([x, index], { axis }: AxisAttr) => cr.gather(x, index, axis),
      reference: ([x, index], { axis }) => nd.gather(x, index, axis),
      cases: gatherCases,
      smooth: true,
    }),
    noScalar: "gather needs an axis; size-one and empty inputs stand in for 0-d",
  },
  {
    ...movement(
      "index",
      (x, a: IndexAttrs) =>
        cr.index(x, a.tensor ? cr.tensor(Int32Array.from(a.indices)) : a.indices, a.axis ?? 0),
      indexRef,
      indexCases,
    ),
    noScalar: "index needs an axis; size-one and empty inputs stand in for 0-d",
  },
  {
    ...row({
      name: "scatterAdd",
      fn: ([src, index], { axis, shape }: ScatterAttrs) => cr.scatterAdd(src, index, axis, shape),
      reference: ([src, index], { axis, shape }) => nd.scatterAdd(src, index, axis, shape),
      cases: scatterCases,
      smooth: true,
    }),
    noScalar: "scatterAdd needs an axis; size-one and empty inputs stand in for 0-d",
  },
  joinRow(
    "concat",
    (xs, axis) => cr.concat(xs, axis),
    nd.concat,
    [
      [[[2], [3]], 0],
      [[[1], [1]], 0],
      [[[3]], 0],
      [[[0], [0]], 0],
      [[[2, 3], [1, 3], [0, 3]], 0],
      [[[2, 3], [2, 2]], 1],
      [[[2, 3], [2, 1]], -1],
      [[[2, 1, 2], [2, 3, 2]], -2],
      [[[2, 0], [2, 3]], 1],
    ],
    "0-d tensors cannot be concatenated (use stack); size-one inputs stand in",
  ),
  joinRow(
    "stack",
    (xs, axis) => cr.stack(xs, axis),
    nd.stack,
    [
      [[[], []], 0],
      [[[], [], []], -1],
      [[[3], [3]], 0],
      [[[3], [3]], 1],
      [[[3], [3]], -1],
      [[[2, 3], [2, 3], [2, 3]], 1],
      [[[0, 2], [0, 2]], 0],
      [[[1]], 0],
      [[[2, 2], [2, 2]], -3],
    ],
  ),
  {
    ...row({
      name: "split",
      fn: ([x], a: SplitAttrs) => cr.split(x, a.sizes, a.axis),
      reference: ([x], a) => splitRef(x, a),
      cases: (rng) =>
        (
          [
            [[4], { sizes: 2 }],
            [[1], { sizes: 1 }],
            [[4], { sizes: [1, 3] }],
            [[2, 6], { sizes: 3, axis: 1 }],
            [[5, 2], { sizes: [2, 0, 3], axis: 0 }],
            [[0, 3], { sizes: [0] }],
            [[3, 4], { sizes: [1, 1, 2], axis: -1 }],
            [[2, 3, 4], { sizes: 2, axis: -1 }],
          ] as [number[], SplitAttrs][]
        ).map(([shape, attrs]) => ({ inputs: [sample(rng, shape)], attrs })),
      smooth: true,
    }),
    noScalar: "a 0-d tensor has no axis to split; size-one inputs stand in",
  },
  movement<PadAttrs>(
    "pad",
    (x, { widths, value }: PadAttrs) => cr.pad(x, widths, value),
    (x, { widths, value }) => nd.pad(x, widths, value ?? 0),
    () => [
      [[], { widths: [] }],
      [[3], { widths: [[1, 2]] }],
      [[3], { widths: [[0, 0]] }],
      [[2, 3], { widths: [[1, 0], [2, 1]], value: 1.5 }],
      [[0, 2], { widths: [[1, 1]], value: -1 }],
      [[2, 3], { widths: [[1, 1]] }],
      [[2, 1, 2], { widths: [[0, 1], [1, 0], [2, 2]], value: 3 }],
      [[1], { widths: [[2, 0]], value: -2 }],
    ],
  ),
];
