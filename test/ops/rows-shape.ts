// Op table rows for movement: reshape, flatten, transpose, permute, expand, broadcastTo, squeeze,
// unsqueeze and slice (NumPy basic slicing with steps, negative steps and integer indices). All linear.
import type { SliceSpec } from "../../src/index.js";
import * as cr from "../../src/index.js";
import { type Rng, randomShape, sample } from "./gen.js";
import * as nd from "./nd.js";
import { type OpRow, row } from "./row.js";

/** A linear op: smooth, with cases built from (shape, attrs) pairs over random values. */
export function movement<A>(
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
  const axes =
    axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : nd.normAxes(axis, x.shape.length);
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
    (x, { perm }) =>
      nd.permute(
        x,
        perm.map((p) => (p < 0 ? p + x.shape.length : p)),
      ),
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
];
