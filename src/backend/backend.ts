// The backend contract: a small fixed set of kernel families over opaque buffers.
// Backends import nothing from tensor, autograd or ops; buffers may live in JS, WebAssembly or GPU memory.
import type { DType, TypedArray } from "../dtype.js";
import type { Shape } from "../shape.js";
import type { UNARY_KERNELS } from "./unary-kernels.js";

/** An opaque handle to a backend buffer. Only the backend that made it may look inside. */
export type DataId = object;

/** The unary kernel family: the names of UNARY_KERNELS (unary-kernels.ts), where each op is one entry. */
export type UnaryOp = keyof typeof UNARY_KERNELS;

export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "equal"
  | "notEqual"
  | "less"
  | "lessEqual"
  | "greater"
  | "greaterEqual";

/** sumSquares is Σ x² for float dtypes, each square rounded to the dtype (as a mul then a sum would give). */
export type ReduceOp = "sum" | "sumSquares" | "max" | "min" | "argmax" | "argmin";
/** What softmaxRows writes: log-softmax or softmax. */
export type SoftmaxMode = "log" | "softmax";

/** A strided window over a buffer: element (i0, i1, ...) is at offset + sum(i_k * strides_k). */
export interface View {
  readonly id: DataId;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** The message for an index value out of range, given the value and its row-major position in the index. */
export type IndexReport = (value: number, position: number) => string;

export interface MatmulSpec {
  /** Broadcast batch shape of the output; per-batch element offsets come from the strides below. */
  readonly batchShape: Shape;
  readonly aBatchStrides: readonly number[];
  readonly bBatchStrides: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** a is stored as [k, m] per batch (read transposed) rather than [m, k]. */
  readonly transA: boolean;
  /** b is stored as [n, k] per batch (read transposed) rather than [k, n]. */
  readonly transB: boolean;
  /** out += op(a)·op(b) instead of out = op(a)·op(b). */
  readonly accumulate?: boolean;
}

/**
 * One backend call of a captured step, as the backend can run it again on the same buffers (recordCall), but
 * the step's inputs: `inputs` are the replay's, in the order recordCall was given them.
 */
export interface RecordedCall {
  replay(inputs: readonly DataId[]): void;
  /** It will not run again. */
  release(): void;
}

export interface Backend {
  readonly name: string;
  /**
   * A buffer of `size` elements, zero-filled unless `zeroed` is false (then its contents are unspecified
   * and the caller writes every element before reading any).
   */
  alloc(dtype: DType, size: number, zeroed?: boolean): DataId;
  free(id: DataId): void;
  write(id: DataId, values: TypedArray): void;
  /** Synchronous read; a backend that cannot read synchronously throws a message saying to use read(). */
  readSync(id: DataId): TypedArray;
  /**
   * A live, writable view of the buffer where its memory is visible to JavaScript (valid until the next
   * allocation); absent where it is not (a GPU). Lets callers fill a buffer in place, with no staging copy.
   */
  writableView?(id: DataId): TypedArray;
  /** The buffer's values as a new array the caller owns (one copy). */
  read(id: DataId): Promise<TypedArray>;
  /**
   * The values of a buffer as last written from the host, where the backend keeps a copy (small int32 buffers
   * on a GPU, so index checks need no read); undefined once a kernel has written the buffer.
   */
  hostValues?(id: DataId): TypedArray | undefined;
  /**
   * Queues a device-side check that every value of the int32 view lies in [0, bound), for a backend that would
   * rather not be read synchronously (or cannot be); a failure throws `report(value, position)` as a
   * ChainruleError of `op` at the next read. Returns false where the caller should read and check the values.
   */
  checkIndexRange?(op: string, index: View, shape: Shape, bound: number, report: IndexReport): boolean;

  fill(id: DataId, value: number): void;
  /** Elementwise conversion between the buffers' dtypes (bool <- nonzero). */
  cast(x: DataId, out: DataId, size: number): void;
  /** y[i] += alpha · x[i] over `size` contiguous float elements of one dtype: the fused optimizer update. */
  axpy(alpha: number, x: DataId, y: DataId, size: number): void;
  /** out[i] = op(x[i]) over `size` contiguous elements. */
  unary(op: UnaryOp, x: DataId, out: DataId, size: number): void;
  /** out = op(a, b) over `shape`, reading a and b through broadcast views; out is contiguous. */
  binary(op: BinaryOp, a: View, b: View, out: DataId, shape: Shape): void;
  /** out = cond ? a : b over `shape`, all three read through broadcast views. */
  where(cond: View, a: View, b: View, out: DataId, shape: Shape): void;
  /** Reduces the contiguous `shape` over sorted `axes`; out holds the kept axes in order. */
  reduce(op: ReduceOp, x: DataId, shape: Shape, axes: readonly number[], out: DataId): void;
  matmul(a: DataId, b: DataId, out: DataId, spec: MatmulSpec): void;
  /** Copies `shape` elements from one strided view to another. */
  copy(src: View, dst: View, shape: Shape): void;
  /** out[..., j, ...] = x[..., index[..., j, ...], ...] along `axis`; out has index's shape. */
  gather(x: DataId, xShape: Shape, index: DataId, indexShape: Shape, axis: number, out: DataId): void;
  /** out[..., index[..., j, ...], ...] += src[..., j, ...] along `axis`; src has index's shape. */
  scatterAdd(src: DataId, index: DataId, indexShape: Shape, axis: number, out: DataId, outShape: Shape): void;
  /**
   * Over `rows` contiguous float rows of `cols`: out = log softmax of each row ("log") or softmax, shifted by
   * the row maximum (0 where that is not finite). Used where no graph is recorded (see ops/softmax-rows.ts).
   */
  softmaxRows(mode: SoftmaxMode, x: DataId, out: DataId, rows: number, cols: number): void;
  /** out[r] = −log softmax(x[r])[labels[r]] for int32 labels, which the caller has checked are in [0, cols). */
  crossEntropyRows(x: DataId, labels: DataId, out: DataId, rows: number, cols: number): void;
  /**
   * Optional, for captured steps (capture/recorder.ts): runs `call` (one call of this backend's methods) and
   * returns a cheaper way to run the same work again on the same buffers but `inputs`, which a replay gives
   * anew, or null where calling the method again is the way.
   */
  recordCall?(call: () => void, inputs: readonly DataId[]): RecordedCall | null;
}
