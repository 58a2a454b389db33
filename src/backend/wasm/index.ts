// The WebAssembly backend: tensors live in one (shared) WebAssembly.Memory, SIMD kernels do the work,
// worker threads split big jobs. Cases without a kernel run the reference kernels on views of the same memory.
import type { DType, TypedArray } from "../../dtype.js";
import { bytesPerElement, copyOf } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import type {
  Backend,
  BinaryOp,
  DataId,
  MatmulSpec,
  RecordedCall,
  ReduceOp,
  SoftmaxMode,
  UnaryOp,
  View,
} from "../backend.js";
import { JsBackend } from "../js/index.js";
import { buf, type WasmBuffer } from "./buffer.js";
import { Kernels } from "./kernels.js";
import type { KernelModule } from "./module.js";
import { axpyWasm } from "./ops-axpy.js";
import { binaryWasm, whereWasm } from "./ops-binary.js";
import { castWasm, copyWasm } from "./ops-copy.js";
import { gatherWasm, scatterAddWasm } from "./ops-gather.js";
import { matmulWasm } from "./ops-matmul.js";
import { reduceWasm } from "./ops-reduce.js";
import { crossEntropyRowsWasm, softmaxRowsWasm } from "./ops-softmax.js";
import { unaryWasm } from "./ops-unary.js";

/** The reference backend's buffer shape, used to run its kernels on views of wasm memory. */
interface JsView {
  values: TypedArray;
}

export class WasmBackend implements Backend {
  readonly name = "wasm";
  readonly kernels: Kernels;
  private readonly reference = new JsBackend();

  constructor(loaded: KernelModule, threads: number) {
    this.kernels = new Kernels(loaded, threads);
  }

  /** Threads big kernels are split over (1 = this thread only). */
  get threads(): number {
    return this.kernels.threads;
  }
  setThreads(n: number): void {
    this.kernels.setThreads(n);
  }

  alloc(dtype: DType, size: number, zeroed = true): DataId {
    const address = this.kernels.heap.alloc(Math.max(1, size * bytesPerElement(dtype)), zeroed);
    const buffer: WasmBuffer = { address, dtype, size, freed: false };
    return buffer;
  }
  free(id: DataId): void {
    const b = id as WasmBuffer;
    if (b.freed) return;
    b.freed = true;
    this.kernels.heap.free(b.address, Math.max(1, b.size * bytesPerElement(b.dtype)));
  }
  write(id: DataId, values: TypedArray): void {
    this.view(id).set(values);
  }
  /** A view of the buffer in wasm memory: valid until the next allocation (memory may grow). */
  readSync(id: DataId): TypedArray {
    return this.view(id);
  }
  writableView(id: DataId): TypedArray {
    return this.view(id);
  }
  read(id: DataId): Promise<TypedArray> {
    return Promise.resolve(copyOf(this.view(id)));
  }
  fill(id: DataId, value: number): void {
    this.kernels.host(() => this.view(id).fill(value), [buf(id)]);
  }
  cast(x: DataId, out: DataId, size: number): void {
    if (!castWasm(this.kernels, buf(x), buf(out), size)) this.reference.cast(this.js(x), this.js(out), size);
  }
  axpy(alpha: number, x: DataId, y: DataId, size: number): void {
    if (!axpyWasm(this.kernels, alpha, buf(x), buf(y), size)) {
      this.reference.axpy(alpha, this.js(x), this.js(y), size);
    }
  }
  unary(op: UnaryOp, x: DataId, out: DataId, size: number): void {
    if (!unaryWasm(this.kernels, op, buf(x), buf(out), size)) {
      this.reference.unary(op, this.js(x), this.js(out), size);
    }
  }
  binary(op: BinaryOp, a: View, b: View, out: DataId, shape: Shape): void {
    if (!binaryWasm(this.kernels, op, a, b, buf(out), shape)) {
      this.reference.binary(op, this.jsView(a), this.jsView(b), this.js(out), shape);
    }
  }
  where(cond: View, a: View, b: View, out: DataId, shape: Shape): void {
    if (!whereWasm(this.kernels, cond, a, b, buf(out), shape)) {
      this.reference.where(this.jsView(cond), this.jsView(a), this.jsView(b), this.js(out), shape);
    }
  }
  reduce(op: ReduceOp, x: DataId, shape: Shape, axes: readonly number[], out: DataId): void {
    if (!reduceWasm(this.kernels, op, buf(x), shape, axes, buf(out))) {
      this.reference.reduce(op, this.js(x), shape, axes, this.js(out));
    }
  }
  matmul(a: DataId, b: DataId, out: DataId, spec: MatmulSpec): void {
    if (!matmulWasm(this.kernels, buf(a), buf(b), buf(out), spec)) {
      this.reference.matmul(this.js(a), this.js(b), this.js(out), spec);
    }
  }
  copy(src: View, dst: View, shape: Shape): void {
    if (!copyWasm(this.kernels, src, dst, shape)) {
      this.reference.copy(this.jsView(src), this.jsView(dst), shape);
    }
  }
  gather(x: DataId, xShape: Shape, index: DataId, indexShape: Shape, axis: number, out: DataId): void {
    if (!gatherWasm(this.kernels, buf(x), xShape, buf(index), indexShape, axis, buf(out))) {
      this.reference.gather(this.js(x), xShape, this.js(index), indexShape, axis, this.js(out));
    }
  }
  scatterAdd(
    src: DataId,
    index: DataId,
    indexShape: Shape,
    axis: number,
    out: DataId,
    outShape: Shape,
  ): void {
    if (!scatterAddWasm(this.kernels, buf(src), buf(index), indexShape, axis, buf(out), outShape)) {
      this.reference.scatterAdd(this.js(src), this.js(index), indexShape, axis, this.js(out), outShape);
    }
  }
  softmaxRows(mode: SoftmaxMode, x: DataId, out: DataId, rows: number, cols: number): void {
    if (!softmaxRowsWasm(this.kernels, mode, buf(x), buf(out), rows, cols)) {
      this.reference.softmaxRows(mode, this.js(x), this.js(out), rows, cols);
    }
  }
  crossEntropyRows(x: DataId, labels: DataId, out: DataId, rows: number, cols: number): void {
    if (!crossEntropyRowsWasm(this.kernels, buf(x), buf(labels), buf(out), rows, cols)) {
      this.reference.crossEntropyRows(this.js(x), this.js(labels), this.js(out), rows, cols);
    }
  }

  /**
   * The kernels `call` ran, replayed as they were but on the replay's inputs; null where it also read or wrote
   * memory from JavaScript.
   */
  recordCall(call: () => void, inputs: readonly DataId[]): RecordedCall | null {
    const kernels = this.kernels;
    const trace = kernels.trace(call, inputs.map(buf));
    if (trace === null) return null;
    return {
      replay: (ids) => kernels.replay(trace, ids as readonly WasmBuffer[]),
      release: () => kernels.releaseTrace(),
    };
  }

  /** Live bytes in the heap's blocks, and the bytes of memory the heap has ever touched. */
  heapStats(): { allocatedBytes: number; reservedBytes: number; memoryBytes: number } {
    const heap = this.kernels.heap;
    return {
      allocatedBytes: heap.allocatedBytes,
      reservedBytes: heap.reservedBytes,
      memoryBytes: heap.buffer.byteLength,
    };
  }

  private view(id: DataId): TypedArray {
    return this.kernels.view(buf(id));
  }
  private js(id: DataId): DataId {
    const v: JsView = { values: this.view(id) };
    return v;
  }
  private jsView(v: View): View {
    return { ...v, id: this.js(v.id) };
  }
}
