// Tensor: shape, dtype and a strided view of one buffer from the ledger (views share their input's buffer),
// plus the autograd fields that backward reads. Ops are attached as methods by autograd/methods.ts.

import type { DataId } from "../backend/backend.js";
import { copyOf, type DType, type TypedArray } from "../dtype.js";
import { fail, oneOf } from "../errors.js";
import {
  addSavedRef,
  allocate,
  dropStorage,
  holdStorage,
  MEMORY_TAGS,
  type MemoryTag,
  release,
  retag,
  type Storage,
} from "../memory/ledger.js";
import { fmt, runsContiguously, type Shape, sizeOf, stridesOf } from "../shape.js";
import { formatTensor } from "./format.js";
import { forgetValueRange } from "./known-range.js";
import { noteCreated, noteDisposed } from "./leaks.js";
import type { Node } from "./node.js";
import { keep, type Scoped, type ScopeMark, track } from "./scope.js";

/** Lets go of buffers of tensors that were garbage-collected without dispose(): the safety net, not the plan. */
const finalizer = new FinalizationRegistry<Storage>((storage) => dropStorage(storage));

/** Where a tensor's elements sit in its buffer: element (i0, i1, ...) is at offset + Σ i_k · strides_k. */
export interface Layout {
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Why an intermediate result the library made and used up is gone (a sentence: no stack to capture). */
export const FREED_BY_LIBRARY = "it was an intermediate result that the library freed once it had been used";
const FREED_WITH_GRAPH =
  "it was kept only for backward, and was freed once backward() had used it (pass { retainGraph: true } to keep it)";

export type GradHook = (grad: Tensor) => Tensor | undefined;

let nextTensorId = 0;

export type NestedArray = number | boolean | readonly NestedArray[];

export class Tensor implements Scoped {
  readonly id = nextTensorId++;
  /**
   * The sizes of the axes. Read-only by type, not frozen: a frozen array is another kind of array to V8, and
   * every shape helper seeing both kinds ran the training step's JavaScript measurably slower.
   */
  readonly shape: readonly number[];
  /** The number of elements (the product of the shape). */
  readonly size: number;
  readonly dtype: DType;
  /** The buffer read; an in-place write may move the tensor to a buffer of its own (ownBuffer). */
  private buffer: Storage;
  /** Strides in the buffer; null for row-major, computed when first asked for. */
  private layoutStrides: readonly number[] | null;
  private layoutOffset: number;
  private dense: boolean;
  /** Whether gradients flow to (a leaf) or through (a recorded result) this tensor. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf after backward(), or of a non-leaf after retainGrad(). */
  grad: Tensor | null = null;
  /** The recorded op that produced this tensor; null for leaves and for results made without grad. */
  node: Node | null = null;
  /** A label for graph drawings and error messages. */
  label: string | undefined;
  /** Bumped by every in-place change; backward checks it against the version each node saved. */
  version = 0;
  hooks: GradHook[] = [];
  retainsGrad = false;
  /** Where (a stack) or how (a sentence) the buffer was freed; null while live. */
  private disposedAt: Error | string | null = null;
  /** How many graph nodes keep this tensor for backward (each holds a reference, as does the owner). */
  private savedBy = 0;
  /**
   * References held: the owner's (the scope that made it, the caller, or the leaf whose .grad it is), one per
   * node that saved it, and one per slot of a backward sweep that holds it as a gradient.
   */
  private holds = 1;
  /** The scope that was innermost when this tensor was made (null outside every scope). */
  readonly madeIn: ScopeMark | null;

  /** A tensor over `storage`, row-major unless `layout` says otherwise; it holds one reference to the buffer. */
  constructor(storage: Storage, shape: Shape, layout?: Layout) {
    holdStorage(storage);
    this.shape = [...shape];
    this.size = sizeOf(this.shape);
    this.dtype = storage.dtype;
    this.buffer = storage;
    this.layoutStrides = layout ? [...layout.strides] : null;
    this.layoutOffset = layout?.offset ?? 0;
    this.dense = !layout || (this.layoutOffset === 0 && runsContiguously(this.shape, layout.strides));
    finalizer.register(this, storage, this);
    this.madeIn = track(this);
    noteCreated(this);
  }

  /** The buffer this tensor reads (shared with the tensors it is a view of, or that are views of it). */
  get storage(): Storage {
    return this.buffer;
  }
  /** Element strides in the buffer: row-major unless this tensor is a view (transpose, expand, slice). */
  get strides(): readonly number[] {
    this.layoutStrides ??= stridesOf(this.shape);
    return this.layoutStrides;
  }
  /** Where the first element sits in the buffer (non-zero for a slice). */
  get offset(): number {
    return this.layoutOffset;
  }
  /** Row-major from offset 0: kernels that take a bare buffer can read it as it is. */
  get isDense(): boolean {
    return this.dense;
  }

  /** Copies this tensor's elements into `into`, a buffer of its size on its backend, row-major. */
  copyRowMajor(into: DataId): void {
    const { storage, strides, offset } = this;
    storage.backend.copy(
      { id: storage.id, strides, offset },
      { id: into, strides: stridesOf(this.shape), offset: 0 },
      this.shape,
    );
  }

  get ndim(): number {
    return this.shape.length;
  }
  get isLeaf(): boolean {
    return this.node === null;
  }
  get isDisposed(): boolean {
    return this.disposedAt !== null;
  }

  /** Where this tensor is described in messages: `tensor #12 "z" [2,3] float32`. */
  describe(): string {
    const name = this.label ? ` "${this.label}"` : "";
    return `tensor #${this.id}${name} ${fmt(this.shape)} ${this.dtype}`;
  }

  /** Throws if the buffer was freed, saying where. Every op calls this on its inputs. */
  assertLive(op: string): void {
    const at = this.disposedAt;
    if (at === null) return;
    if (typeof at === "string") fail(op, `${this.describe()} was disposed and can no longer be used: ${at}.`);
    const where = (at.stack ?? "").split("\n").slice(2, 6).join("\n");
    fail(op, `${this.describe()} was disposed and can no longer be used. It was disposed at:\n${where}`);
  }

  /** The values, copied once out of the backend's buffer into a new array. */
  dataSync(): TypedArray {
    this.assertLive("dataSync");
    if (this.isDense) return copyOf(this.storage.backend.readSync(this.storage.id), this.size);
    const scratch = this.denseScratch();
    try {
      return copyOf(this.storage.backend.readSync(scratch.id), this.size);
    } finally {
      release(scratch);
    }
  }

  /** The values, once the backend has them (a GPU backend reads asynchronously); one copy. */
  async data(): Promise<TypedArray> {
    this.assertLive("data");
    const read = async (id: DataId) => {
      const values = await this.storage.backend.read(id);
      return values.length === this.size ? values : (values.subarray(0, this.size) as TypedArray);
    };
    if (this.isDense) return read(this.storage.id);
    const scratch = this.denseScratch();
    try {
      return await read(scratch.id);
    } finally {
      release(scratch);
    }
  }

  /** A row-major scratch copy of a view's elements, counted by the ledger; the caller releases it. */
  private denseScratch(): Storage {
    const scratch = allocate(this.dtype, this.size, "temporary", false, this.storage.backend);
    this.copyRowMajor(scratch.id);
    return scratch;
  }

  /**
   * Before an in-place write: a tensor that shares its buffer with another live tensor, or is a strided view,
   * first moves to a row-major buffer of its own (copy on write), so the write changes this tensor only.
   */
  ownBuffer(): void {
    const old = this.storage;
    if (this.isDense && old.views === 1) return;
    const fresh = allocate(this.dtype, this.size, old.tag, false, old.backend);
    this.copyRowMajor(fresh.id);
    holdStorage(fresh);
    if (this.savedBy > 0) {
      addSavedRef(old, -this.savedBy);
      addSavedRef(fresh, this.savedBy);
    }
    this.buffer = fresh;
    this.layoutStrides = null;
    this.layoutOffset = 0;
    this.dense = true;
    // The safety net now lets go of the new buffer.
    finalizer.unregister(this);
    finalizer.register(this, fresh, this);
    dropStorage(old);
  }

  /** Values as nested arrays (booleans for bool tensors); a number for a 0-d tensor. */
  toArray(): NestedArray {
    const values = Array.from(this.dataSync(), (v) => (this.dtype === "bool" ? v !== 0 : v));
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.ndim) return values[offset];
      const stride = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: this.shape[axis] }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      fail("item", `${this.describe()} has ${this.size} elements; item() needs exactly one`);
    return this.dataSync()[0];
  }

  toString(): string {
    if (this.isDisposed) return `tensor(<disposed>, shape=${fmt(this.shape)}, dtype=${this.dtype})`;
    return formatTensor(this.dataSync(), this.shape, this.dtype, this.requiresGrad, this.node?.prim);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Names the tensor for graph drawings and messages; returns this for chaining. */
  named(label: string): this {
    this.label = label;
    return this;
  }

  /** Marks a leaf as a variable to differentiate with respect to. */
  requiresGrad_(on = true): this {
    if (on && this.dtype !== "float32" && this.dtype !== "float64") {
      fail("requiresGrad", `${this.describe()}: only float32 and float64 tensors can require gradients`);
    }
    if (!this.isLeaf)
      fail("requiresGrad", `${this.describe()} is the result of an op; only leaves can be switched`);
    this.requiresGrad = on;
    return this;
  }

  /** Keeps .grad on this non-leaf tensor after backward (leaves always keep theirs). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Calls hook with this tensor's gradient during backward; a returned tensor replaces the gradient. */
  registerHook(hook: GradHook): { remove(): void } {
    this.hooks.push(hook);
    return {
      remove: () => {
        this.hooks = this.hooks.filter((h) => h !== hook);
      },
    };
  }

  /**
   * Frees the buffer now (idempotent; using the tensor afterwards is an error that says where this happened). `at` says where or why for later error messages; library code that frees many
   * tensors at once passes one shared value, since capturing a stack per tensor costs microseconds each.
   */
  dispose(at?: Error | string): void {
    if (this.disposedAt !== null) return;
    this.disposedAt = at ?? new Error("disposed here");
    finalizer.unregister(this);
    noteDisposed(this);
    dropStorage(this.storage);
    if (this.grad && !this.grad.isDisposed) this.grad.dispose(this.disposedAt);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Keeps this tensor alive past the enclosing tidy() scopes. */
  keep(): this {
    return keep(this);
  }

  /**
   * The owner (a tidy() scope, or the sweep) lets go: freed now, unless a live graph saved this tensor for
   * backward; then the last node that saved it frees it. Each owner lets go once.
   */
  releaseFromScope(at: Error | string = FREED_BY_LIBRARY): void {
    this.letGo(at);
  }

  /** Takes one more counted reference (a backward sweep's gradient slot); letGo() gives it back. */
  hold(): this {
    this.holds++;
    return this;
  }

  /** Gives back one counted reference; the last one frees the tensor. */
  letGo(at: Error | string = FREED_BY_LIBRARY): void {
    if (--this.holds === 0) this.dispose(at);
  }

  /** References held by owners, scopes and sweep slots, not counting graph nodes that saved it. */
  get owners(): number {
    return this.holds - this.savedBy;
  }

  /** Whether a graph node keeps this tensor for backward (an in-place change would break that backward). */
  get isSaved(): boolean {
    return this.savedBy > 0;
  }

  graphInputs(): readonly Tensor[] {
    return this.node?.inputs ?? [];
  }

  /** Lets go of what the op that made this tensor saved: no backward can run through it afterwards. */
  releaseGraph(): void {
    this.node?.release();
  }

  /** A graph node that saved this tensor lets go of it (after backward without retainGraph). */
  unsave(): void {
    this.savedBy--;
    addSavedRef(this.storage, -1);
    this.letGo(FREED_WITH_GRAPH);
  }

  /** A graph node keeps this tensor for backward (the ledger counts its buffer as saved). */
  save(): void {
    this.savedBy++;
    this.holds++;
    addSavedRef(this.storage, 1);
  }

  /** Re-tags the buffer in the ledger (parameter, gradient, optimizer state, data, temporary). */
  tagAs(tag: MemoryTag): this {
    oneOf("tagAs", "tag", tag, MEMORY_TAGS);
    retag(this.storage, tag);
    return this;
  }

  get memoryTag(): MemoryTag {
    return this.storage.effectiveTag;
  }

  /** Marks an in-place change of the buffer's contents. */
  bumpVersion(): void {
    this.version++;
    forgetValueRange(this.storage);
  }
}
