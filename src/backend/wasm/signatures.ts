// The exported kernels of wasm/assembly/*.ts as TypeScript sees them: one parameter tuple per export, so
// Kernels.call and Kernels.parallel are checked by tsc; test/backend/wasm-signatures.test.ts checks the counts.

/** One strided slab view: its address, outer (row) stride and inner stride, in elements. */
type Slab3 = [address: number, outerStride: number, innerStride: number];
type Slab = [rows: number, n: number, ...a: Slab3, ...b: Slab3, ...out: Slab3];
type SlabWhere = [rows: number, n: number, ...cond: Slab3, ...a: Slab3, ...b: Slab3, ...out: Slab3];
type Gemm = [
  transA: number,
  transB: number,
  m: number,
  n: number,
  k: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  accumulate: number,
  scratch: number,
];
type GemmBand = [
  transA: number,
  m: number,
  n: number,
  k: number,
  a: number,
  lda: number,
  packed: number,
  c: number,
  ldc: number,
  accumulate: number,
  scratch: number,
];
type PackB = [
  transB: number,
  k: number,
  n: number,
  b: number,
  ldb: number,
  packed: number,
  j0: number,
  j1: number,
];
type Unary = [op: number, n: number, x: number, out: number];
type Axpy = [n: number, alpha: number, x: number, y: number];
type Reduce = [op: number, outer: number, r: number, inner: number, ld: number, x: number, out: number];
type ReducePart = [op: number, n: number, x: number, partial: number];
type Gather = [
  outer: number,
  count: number,
  inner: number,
  axisSize: number,
  x: number,
  index: number,
  out: number,
];
type SoftmaxRows = [mode: number, rows: number, cols: number, x: number, out: number];
type XentRows = [rows: number, cols: number, x: number, labels: number, out: number];

/** Every exported kernel and its parameters (addresses are byte offsets into the wasm memory). */
export interface KernelSignatures {
  axpy_f32: Axpy;
  axpy_f64: Axpy;
  saxpy: Axpy;
  ew_unary_f32: Unary;
  ew_unary_f64: Unary;
  ew_binary_f32: [op: number, ...Slab];
  ew_binary_f64: [op: number, ...Slab];
  ew_compare_f32: [op: number, ...Slab];
  ew_compare_f64: [op: number, ...Slab];
  ew_where_f32: SlabWhere;
  ew_where_f64: SlabWhere;
  ew_cast: [code: number, n: number, x: number, out: number];
  ew_copy: [width: number, rows: number, n: number, ...src: Slab3, ...dst: Slab3];
  ew_memcpy: [dst: number, src: number, bytes: number];
  ew_reduce_f32: Reduce;
  ew_reduce_f64: Reduce;
  ew_reduce_part_f32: ReducePart;
  ew_reduce_part_f64: ReducePart;
  gather_f32: Gather;
  gather_f64: Gather;
  scatter_add_f32: Gather;
  scatter_add_f64: Gather;
  sgemm: Gemm;
  dgemm: Gemm;
  sgemmScratchBytes: [m: number, n: number, k: number];
  dgemmScratchBytes: [m: number, n: number, k: number];
  sgemmBand: GemmBand;
  dgemmBand: GemmBand;
  sgemmPackB: PackB;
  dgemmPackB: PackB;
  sgemmPackedBytes: [n: number, k: number];
  dgemmPackedBytes: [n: number, k: number];
  sgemmBandScratchBytes: [];
  dgemmBandScratchBytes: [];
  softmax_rows_f32: SoftmaxRows;
  softmax_rows_f64: SoftmaxRows;
  xent_rows_f32: XentRows;
  xent_rows_f64: XentRows;
}

export type KernelName = keyof KernelSignatures;

/** The slab kernels runSlab splits over threads: `name(...head, rows, n, ...views)`. */
export type SlabKernel =
  | "ew_binary_f32"
  | "ew_binary_f64"
  | "ew_compare_f32"
  | "ew_compare_f64"
  | "ew_where_f32"
  | "ew_where_f64"
  | "ew_copy";

/** Each kernel's parameter count, held to the tuples by tsc and to the compiled exports by a test. */
export const KERNEL_ARITY: { readonly [K in KernelName]: KernelSignatures[K]["length"] } = {
  axpy_f32: 4,
  axpy_f64: 4,
  saxpy: 4,
  ew_unary_f32: 4,
  ew_unary_f64: 4,
  ew_binary_f32: 12,
  ew_binary_f64: 12,
  ew_compare_f32: 12,
  ew_compare_f64: 12,
  ew_where_f32: 14,
  ew_where_f64: 14,
  ew_cast: 4,
  ew_copy: 9,
  ew_memcpy: 3,
  ew_reduce_f32: 7,
  ew_reduce_f64: 7,
  ew_reduce_part_f32: 4,
  ew_reduce_part_f64: 4,
  gather_f32: 7,
  gather_f64: 7,
  scatter_add_f32: 7,
  scatter_add_f64: 7,
  sgemm: 13,
  dgemm: 13,
  sgemmScratchBytes: 3,
  dgemmScratchBytes: 3,
  sgemmBand: 11,
  dgemmBand: 11,
  sgemmPackB: 8,
  dgemmPackB: 8,
  sgemmPackedBytes: 2,
  dgemmPackedBytes: 2,
  sgemmBandScratchBytes: 0,
  dgemmBandScratchBytes: 0,
  softmax_rows_f32: 5,
  softmax_rows_f64: 5,
  xent_rows_f32: 5,
  xent_rows_f64: 5,
};

/**
 * Each kernel's address parameters (the `usize` ones of wasm/assembly, but ew_memcpy's byte count): a captured
 * step's replay patches those that named an input with the new input's address. A test holds it to the sources.
 */
export const KERNEL_ADDRESSES: { readonly [K in KernelName]: readonly number[] } = {
  axpy_f32: [2, 3],
  axpy_f64: [2, 3],
  saxpy: [2, 3],
  ew_unary_f32: [2, 3],
  ew_unary_f64: [2, 3],
  ew_binary_f32: [3, 6, 9],
  ew_binary_f64: [3, 6, 9],
  ew_compare_f32: [3, 6, 9],
  ew_compare_f64: [3, 6, 9],
  ew_where_f32: [2, 5, 8, 11],
  ew_where_f64: [2, 5, 8, 11],
  ew_cast: [2, 3],
  ew_copy: [3, 6],
  ew_memcpy: [0, 1],
  ew_reduce_f32: [5, 6],
  ew_reduce_f64: [5, 6],
  ew_reduce_part_f32: [2, 3],
  ew_reduce_part_f64: [2, 3],
  gather_f32: [4, 5, 6],
  gather_f64: [4, 5, 6],
  scatter_add_f32: [4, 5, 6],
  scatter_add_f64: [4, 5, 6],
  sgemm: [5, 7, 9, 12],
  dgemm: [5, 7, 9, 12],
  sgemmScratchBytes: [],
  dgemmScratchBytes: [],
  sgemmBand: [4, 6, 7, 10],
  dgemmBand: [4, 6, 7, 10],
  sgemmPackB: [3, 5],
  dgemmPackB: [3, 5],
  sgemmPackedBytes: [],
  dgemmPackedBytes: [],
  sgemmBandScratchBytes: [],
  dgemmBandScratchBytes: [],
  softmax_rows_f32: [3, 4],
  softmax_rows_f64: [3, 4],
  xent_rows_f32: [2, 3, 4],
  xent_rows_f64: [2, 3, 4],
};
