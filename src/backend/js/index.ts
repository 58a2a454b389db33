// The reference backend: plain TypeScript over typed arrays. Readable first; the oracle for every other backend.
import { type DType, newArray, type TypedArray } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import type {
  Backend,
  BinaryOp,
  DataId,
  MatmulSpec,
  ReduceOp,
  SoftmaxMode,
  UnaryOp,
  View,
} from "../backend.js";
import { UNARY_KERNELS } from "../unary-kernels.js";
import { binaryInto, copyInto, whereInto } from "./elementwise.js";
import { matmulInto } from "./matmul.js";
import { reduceInto } from "./reduce.js";
import { crossEntropyRowsInto, softmaxRowsInto } from "./softmax.js";
import { offsetsOf } from "./strided.js";

interface JsBuffer {
  values: TypedArray;
}

function arr(id: DataId): TypedArray {
  return (id as JsBuffer).values;
}

/** Writes f(x[i]) into out; bool outputs store 0/1. */
function storeUnary(f: (x: number) => number, x: TypedArray, out: TypedArray, size: number): void {
  for (let i = 0; i < size; i++) out[i] = f(x[i]);
}

export class JsBackend implements Backend {
  readonly name = "js";

  alloc(dtype: DType, size: number): DataId {
    const buffer: JsBuffer = { values: newArray(dtype, size) };
    return buffer;
  }
  free(id: DataId): void {
    (id as JsBuffer).values = newArray("bool", 0);
  }
  write(id: DataId, values: TypedArray): void {
    arr(id).set(values);
  }
  readSync(id: DataId): TypedArray {
    return arr(id);
  }
  writableView(id: DataId): TypedArray {
    return arr(id);
  }
  read(id: DataId): Promise<TypedArray> {
    return Promise.resolve(arr(id).slice());
  }
  fill(id: DataId, value: number): void {
    arr(id).fill(value);
  }
  cast(x: DataId, out: DataId, size: number): void {
    const src = arr(x);
    const dst = arr(out);
    if (dst instanceof Uint8Array) storeUnary((v) => (v !== 0 ? 1 : 0), src, dst, size);
    else if (dst instanceof Int32Array) storeUnary(Math.trunc, src, dst, size);
    else dst.set(src.subarray(0, size));
  }
  axpy(alpha: number, x: DataId, y: DataId, size: number): void {
    const xs = arr(x);
    const ys = arr(y);
    for (let i = 0; i < size; i++) ys[i] += alpha * xs[i];
  }
  unary(op: UnaryOp, x: DataId, out: DataId, size: number): void {
    storeUnary(UNARY_KERNELS[op].reference, arr(x), arr(out), size);
  }
  binary(op: BinaryOp, a: View, b: View, out: DataId, shape: Shape): void {
    binaryInto(op, arr(a.id), a, arr(b.id), b, arr(out), shape);
  }
  where(cond: View, a: View, b: View, out: DataId, shape: Shape): void {
    whereInto(arr(cond.id), cond, arr(a.id), a, arr(b.id), b, arr(out), shape);
  }
  reduce(op: ReduceOp, x: DataId, shape: Shape, axes: readonly number[], out: DataId): void {
    reduceInto(op, arr(x), shape, axes, arr(out));
  }
  matmul(a: DataId, b: DataId, out: DataId, spec: MatmulSpec): void {
    matmulInto(arr(a), arr(b), arr(out), spec);
  }
  copy(src: View, dst: View, shape: Shape): void {
    copyInto(arr(src.id), src, arr(dst.id), dst, shape);
  }
  gather(x: DataId, xShape: Shape, index: DataId, indexShape: Shape, axis: number, out: DataId): void {
    const xs = arr(x);
    const idx = arr(index);
    const o = arr(out);
    const { base, stride } = alongAxis(xShape, indexShape, axis);
    for (let i = 0; i < o.length; i++) o[i] = xs[base[i] + idx[i] * stride];
  }
  scatterAdd(
    src: DataId,
    index: DataId,
    indexShape: Shape,
    axis: number,
    out: DataId,
    outShape: Shape,
  ): void {
    const s = arr(src);
    const idx = arr(index);
    const o = arr(out);
    const { base, stride } = alongAxis(outShape, indexShape, axis);
    for (let i = 0; i < s.length; i++) o[base[i] + idx[i] * stride] += s[i];
  }
  softmaxRows(mode: SoftmaxMode, x: DataId, out: DataId, rows: number, cols: number): void {
    softmaxRowsInto(mode, arr(x), arr(out), rows, cols);
  }
  crossEntropyRows(x: DataId, labels: DataId, out: DataId, rows: number, cols: number): void {
    crossEntropyRowsInto(arr(x), arr(labels), arr(out), rows, cols);
  }
}

/** For each element of an index tensor: its target's offset with the axis coordinate zeroed, and the axis stride. */
function alongAxis(target: Shape, indexShape: Shape, axis: number): { base: Int32Array; stride: number } {
  const own: number[] = new Array<number>(target.length);
  let s = 1;
  for (let i = target.length - 1; i >= 0; i--) {
    own[i] = s;
    s *= target[i];
  }
  const strides = own.map((v, i) => (i === axis ? 0 : v));
  return { base: offsetsOf(indexShape, strides, 0), stride: own[axis] ?? 0 };
}
