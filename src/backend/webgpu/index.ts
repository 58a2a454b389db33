// The webgpu backend: float32, int32 and bool tensors in GPU buffers, every kernel family as generated WGSL
// (compiled once per variant and cached), work queued to a GpuHost that submits in batches; reads wait.
import type { DType, TypedArray } from "../../dtype.js";
import { fail } from "../../errors.js";
import type { Shape } from "../../shape.js";
import type {
  Backend,
  BinaryOp,
  DataId,
  IndexReport,
  MatmulSpec,
  ReduceOp,
  SoftmaxMode,
  UnaryOp,
  View,
} from "../backend.js";
import { DeviceIndexChecks } from "./index-checks.js";
import { type GpuHost, sizeClass } from "./protocol.js";
import { type GpuDType, grid, stridedParams, workgroups } from "./wgsl-common.js";
import {
  AXPY_KERNEL,
  binaryKernel,
  castKernel,
  copyKernel,
  FILL_KERNEL,
  unaryKernel,
  whereKernel,
} from "./wgsl-elementwise.js";
import { MAX_BATCHES, matmulKernel, matmulParams, TILE } from "./wgsl-matmul.js";
import {
  axisParams,
  CROSS_ENTROPY_KERNEL,
  GATHER_KERNEL,
  REDUCE_CHUNK,
  reducedCount,
  reduceKernel,
  reduceParams,
  scatterAddKernel,
  softmaxKernel,
} from "./wgsl-rows.js";

interface GpuBuffer {
  readonly gid: number;
  readonly dtype: GpuDType;
  readonly size: number;
  readonly bytes: number;
}

function buf(id: DataId): GpuBuffer {
  return id as GpuBuffer;
}

function product(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Int32 buffers up to this many elements keep a host copy of what was written: index checks read it instead. */
const HOST_COPY_LIMIT = 1 << 16;

/** float64 has no WGSL type: every way in says so, naming the op. */
function refuseFloat64(op: string, dtype: DType): GpuDType {
  if (dtype === "float64") {
    fail(
      op,
      "float64 is not supported on the webgpu backend (WGSL has no f64): use float32 there, or the wasm or js backend",
    );
  }
  return dtype;
}

export class WebGpuBackend implements Backend {
  readonly name = "webgpu";
  private nextBuffer = 1;
  private readonly kernels = new Map<string, number>();
  /** Bytes in live buffers (size classes, as allocated on the device). */
  liveBytes = 0;
  /** Index values computed on the GPU are checked there (reported at the next read) rather than read back. */
  deviceIndexChecks: boolean;
  private readonly hostCopies = new WeakMap<GpuBuffer, Int32Array>();
  private readonly indexChecks: DeviceIndexChecks;

  constructor(readonly host: GpuHost) {
    this.deviceIndexChecks = !host.readsSync;
    this.indexChecks = new DeviceIndexChecks(
      host,
      () => this.nextBuffer++,
      (key, code, ids, params, threads) => this.run(key, code, ids, params, threads),
    );
  }

  alloc(dtype: DType, size: number, zeroed = true): DataId {
    const gpuType = refuseFloat64("alloc", dtype);
    const bytes = sizeClass(size * 4);
    const made: GpuBuffer = { gid: this.nextBuffer++, dtype: gpuType, size, bytes };
    this.host.send({ kind: "create", id: made.gid, bytes });
    this.liveBytes += bytes;
    if (zeroed && size > 0) this.fill(made, 0);
    return made;
  }
  free(id: DataId): void {
    this.host.send({ kind: "destroy", id: buf(id).gid });
    this.liveBytes -= buf(id).bytes;
  }
  write(id: DataId, values: TypedArray): void {
    const b = buf(id);
    // Into the stored type, as a typed-array set() would convert (bool as 32-bit 0/1 words).
    const words =
      b.dtype === "float32"
        ? Float32Array.from(values.subarray(0, b.size))
        : b.dtype === "int32"
          ? Int32Array.from(values.subarray(0, b.size))
          : Uint32Array.from(values.subarray(0, b.size), (v) => (v !== 0 ? 1 : 0));
    this.host.send({ kind: "write", id: b.gid, data: words.buffer as ArrayBuffer });
    if (words instanceof Int32Array && b.size <= HOST_COPY_LIMIT) this.hostCopies.set(b, words.slice());
    else this.hostCopies.delete(b);
  }
  hostValues(id: DataId): TypedArray | undefined {
    return this.hostCopies.get(buf(id));
  }
  checkIndexRange(op: string, index: View, shape: Shape, bound: number, report: IndexReport): boolean {
    if (!this.deviceIndexChecks) return false;
    this.indexChecks.queue(op, index, shape, bound, report);
    return true;
  }
  readSync(id: DataId): TypedArray {
    const b = buf(id);
    const checks = this.indexChecks.before();
    const errors = checks && this.host.readSync(checks.gid, 16);
    const data = this.host.readSync(b.gid, b.size * 4);
    if (checks && errors) this.indexChecks.after(errors, checks.upTo);
    return this.typed(b, data);
  }
  async read(id: DataId): Promise<TypedArray> {
    const b = buf(id);
    const checks = this.indexChecks.before();
    const [errors, data] = await Promise.all([
      checks && this.host.read(checks.gid, 16),
      this.host.read(b.gid, b.size * 4),
    ]);
    if (checks && errors) this.indexChecks.after(errors, checks.upTo);
    return this.typed(b, data);
  }
  fill(id: DataId, value: number): void {
    const b = buf(id);
    const bits =
      b.dtype === "float32"
        ? new Uint32Array(Float32Array.of(value).buffer)[0]
        : b.dtype === "int32"
          ? value >>> 0
          : value !== 0
            ? 1
            : 0;
    this.run("fill", () => FILL_KERNEL, [b], Uint32Array.of(b.size, bits), b.size);
  }
  cast(x: DataId, out: DataId, size: number): void {
    const from = buf(x).dtype;
    const to = buf(out).dtype;
    this.run(`cast:${from}:${to}`, () => castKernel(from, to), [x, out], Uint32Array.of(size), size);
  }
  axpy(alpha: number, x: DataId, y: DataId, size: number): void {
    const bits = new Uint32Array(Float32Array.of(alpha).buffer)[0];
    this.run("axpy", () => AXPY_KERNEL, [x, y], Uint32Array.of(size, bits), size);
  }
  unary(op: UnaryOp, x: DataId, out: DataId, size: number): void {
    const from = buf(x).dtype;
    const to = buf(out).dtype;
    this.run(
      `unary:${op}:${from}:${to}`,
      () => unaryKernel(op, from, to),
      [x, out],
      Uint32Array.of(size),
      size,
    );
  }
  binary(op: BinaryOp, a: View, b: View, out: DataId, shape: Shape): void {
    const dtype = buf(a.id).dtype;
    const to = buf(out).dtype;
    const total = product(shape);
    const params = stridedParams(total, shape, [a, b]);
    const key = `binary:${op}:${dtype}:${to}:${shape.length}`;
    this.run(key, () => binaryKernel(op, dtype, to, shape.length), [a.id, b.id, out], params, total);
  }
  where(cond: View, a: View, b: View, out: DataId, shape: Shape): void {
    const c = buf(cond.id).dtype;
    const total = product(shape);
    const params = stridedParams(total, shape, [cond, a, b]);
    this.run(
      `where:${c}:${shape.length}`,
      () => whereKernel(c, shape.length),
      [cond.id, a.id, b.id, out],
      params,
      total,
    );
  }
  reduce(op: ReduceOp, x: DataId, shape: Shape, axes: readonly number[], out: DataId): void {
    const from = buf(x).dtype;
    const outputs = buf(out).size;
    const count = reducedCount(shape, axes);
    const arg = op === "argmax" || op === "argmin";
    // Long reductions go in two passes: partial results per chunk, then a reduction of those.
    const chunks = arg || count <= REDUCE_CHUNK ? 1 : Math.ceil(count / REDUCE_CHUNK);
    const partial =
      chunks === 1 ? buf(out) : buf(this.alloc(from === "bool" ? "int32" : from, outputs * chunks, false));
    const to = partial.dtype;
    const params = reduceParams(shape, axes, outputs, chunks);
    const key = `reduce:${op}:${from}:${to}`;
    this.dispatch(key, () => reduceKernel(op, from, to), [x, partial], params, workgroups(outputs * chunks));
    if (chunks === 1) return;
    this.reduce(op === "sumSquares" ? "sum" : op, partial, [outputs, chunks], [1], out);
    this.free(partial);
  }
  matmul(a: DataId, b: DataId, out: DataId, spec: MatmulSpec): void {
    const dtype = refuseFloat64("matmul", buf(out).dtype);
    const batches = product(spec.batchShape);
    if (spec.m === 0 || spec.n === 0) return;
    if (spec.accumulate) {
      // out += product: the product into a temporary, then one elementwise add.
      const shape = [batches, spec.m, spec.n];
      const sum = this.alloc(buf(out).dtype, batches * spec.m * spec.n, false);
      this.matmul(a, b, sum, { ...spec, accumulate: false });
      const whole = { strides: [spec.m * spec.n, spec.n, 1], offset: 0 };
      this.binary("add", { id: out, ...whole }, { id: sum, ...whole }, out, shape);
      this.free(sum);
      return;
    }
    for (let first = 0; first < batches; first += MAX_BATCHES) {
      const groups: [number, number, number] = [
        Math.ceil(spec.n / TILE),
        Math.ceil(spec.m / TILE),
        Math.min(MAX_BATCHES, batches - first),
      ];
      this.dispatch(
        `matmul:${dtype}`,
        () => matmulKernel(dtype),
        [a, b, out],
        matmulParams(spec, first),
        groups,
      );
    }
  }
  copy(src: View, dst: View, shape: Shape): void {
    const total = product(shape);
    const params = stridedParams(total, shape, [src, dst]);
    this.run(`copy:${shape.length}`, () => copyKernel(shape.length), [src.id, dst.id], params, total);
  }
  gather(x: DataId, xShape: Shape, index: DataId, indexShape: Shape, axis: number, out: DataId): void {
    const total = product(indexShape);
    const params = axisParams(total, xShape, indexShape, axis, true);
    this.run("gather", () => GATHER_KERNEL, [x, index, out], params, total);
  }
  scatterAdd(
    src: DataId,
    index: DataId,
    indexShape: Shape,
    axis: number,
    out: DataId,
    outShape: Shape,
  ): void {
    const along = indexShape[axis] ?? 1;
    const lines = along === 0 ? 0 : product(indexShape) / along;
    const dtype = buf(out).dtype;
    const params = axisParams(lines, outShape, indexShape, axis, false);
    this.run(`scatter:${dtype}`, () => scatterAddKernel(dtype), [src, index, out], params, lines);
  }
  softmaxRows(mode: SoftmaxMode, x: DataId, out: DataId, rows: number, cols: number): void {
    this.run(`softmax:${mode}`, () => softmaxKernel(mode), [x, out], Uint32Array.of(rows, cols), rows);
  }
  crossEntropyRows(x: DataId, labels: DataId, out: DataId, rows: number, cols: number): void {
    this.run("crossEntropy", () => CROSS_ENTROPY_KERNEL, [x, labels, out], Uint32Array.of(rows, cols), rows);
  }

  /** A 1-D kernel over `threads` threads; the last buffer is the one written. */
  private run(key: string, code: () => string, ids: DataId[], params: Uint32Array, threads: number): void {
    if (threads === 0) return;
    this.dispatch(key, code, ids, params, grid(threads));
  }

  /**
   * Queues one dispatch. A buffer may not be bound for reading and writing at once, so an input that is also
   * the output is read from a copy.
   */
  private dispatch(
    key: string,
    code: () => string,
    ids: DataId[],
    params: Uint32Array,
    groups: [number, number, number],
  ): void {
    const out = buf(ids[ids.length - 1]);
    this.hostCopies.delete(out);
    const copies: GpuBuffer[] = [];
    const gids = ids.map((id, i) => {
      const b = buf(id);
      if (i === ids.length - 1 || b.gid !== out.gid) return b.gid;
      const copy = buf(this.alloc(b.dtype, b.size, false));
      const words = Uint32Array.of(b.size, 1, b.size, 0, 1, 0, 1);
      this.dispatch("copy:1", () => copyKernel(1), [b, copy], words, grid(b.size));
      copies.push(copy);
      return copy.gid;
    });
    this.host.send({ kind: "run", kernel: this.kernel(key, code), buffers: gids, params, groups });
    for (const c of copies) this.free(c);
  }

  private kernel(key: string, code: () => string): number {
    let k = this.kernels.get(key);
    if (k === undefined) {
      k = this.kernels.size + 1;
      this.kernels.set(key, k);
      this.host.send({ kind: "kernel", kernel: k, code: code() });
    }
    return k;
  }

  private typed(b: GpuBuffer, data: ArrayBuffer): TypedArray {
    if (b.dtype === "float32") return new Float32Array(data);
    if (b.dtype === "int32") return new Int32Array(data);
    return Uint8Array.from(new Uint32Array(data));
  }
}
