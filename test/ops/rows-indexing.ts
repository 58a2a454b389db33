// Op table rows for indexing and joining: gather, index, scatterAdd, concat, stack, split and pad.
// All linear in their float inputs, so all smooth; index inputs are int32 and get no gradient.
import * as cr from "../../src/index.js";
import { bools, indices, type Rng, sample, smallInt } from "./gen.js";
import * as nd from "./nd.js";
import { type Case, type OpRow, type RowSpec, row } from "./row.js";
import { movement } from "./rows-shape.js";

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
  return nd.fromFn(shape, (idx) =>
    nd.get(
      x,
      idx.map((v, i) => (i === ax ? list[v] : v)),
    ),
  );
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
    cases: (rng) =>
      cases.map(([shapes, axis]) => ({ inputs: shapes.map((s) => sample(rng, s)), attrs: axis })),
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

export const indexingRows: OpRow[] = [
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
      [
        [
          [2, 3],
          [1, 3],
          [0, 3],
        ],
        0,
      ],
      [
        [
          [2, 3],
          [2, 2],
        ],
        1,
      ],
      [
        [
          [2, 3],
          [2, 1],
        ],
        -1,
      ],
      [
        [
          [2, 1, 2],
          [2, 3, 2],
        ],
        -2,
      ],
      [
        [
          [2, 0],
          [2, 3],
        ],
        1,
      ],
    ],
    "0-d tensors cannot be concatenated (use stack); size-one inputs stand in",
  ),
  joinRow("stack", (xs, axis) => cr.stack(xs, axis), nd.stack, [
    [[[], []], 0],
    [[[], [], []], -1],
    [[[3], [3]], 0],
    [[[3], [3]], 1],
    [[[3], [3]], -1],
    [
      [
        [2, 3],
        [2, 3],
        [2, 3],
      ],
      1,
    ],
    [
      [
        [0, 2],
        [0, 2],
      ],
      0,
    ],
    [[[1]], 0],
    [
      [
        [2, 2],
        [2, 2],
      ],
      -3,
    ],
  ]),
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
  row({
    name: "pad",
    fn: ([x], { widths, value }: PadAttrs) => cr.pad(x, widths, value),
    reference: ([x], { widths, value }) => nd.pad(x, widths, value ?? 0),
    cases: (rng) => {
      const c = (x: nd.Arr, attrs: PadAttrs, forwardOnly = false) => ({ inputs: [x], attrs, forwardOnly });
      return [
        c(sample(rng, []), { widths: [] }),
        c(sample(rng, [3]), { widths: [[1, 2]] }),
        c(sample(rng, [3]), { widths: [[0, 0]] }),
        c(sample(rng, [2, 3]), {
          widths: [
            [1, 0],
            [2, 1],
          ],
          value: 1.5,
        }),
        c(sample(rng, [0, 2]), { widths: [[1, 1]], value: -1 }),
        c(sample(rng, [2, 3]), { widths: [[1, 1]] }),
        c(sample(rng, [2, 1, 2]), {
          widths: [
            [0, 1],
            [1, 0],
            [2, 2],
          ],
          value: 3,
        }),
        c(sample(rng, [1]), { widths: [[2, 0]], value: -2 }),
        // -inf padding (as before a max pool) must leave the values inside untouched.
        c(
          sample(rng, [2, 2]),
          {
            widths: [
              [1, 1],
              [0, 1],
            ],
            value: -Infinity,
          },
          true,
        ),
        // The value takes x's dtype, as in PyTorch: truncated for int32, nonzero is true for bool.
        c(sample(rng, [3], smallInt, "int32"), { widths: [[1, 1]], value: 2.5 }, true),
        c(
          bools(rng, [2, 2]),
          {
            widths: [
              [0, 1],
              [1, 0],
            ],
            value: 1,
          },
          true,
        ),
      ];
    },
    smooth: true,
  }),
];
