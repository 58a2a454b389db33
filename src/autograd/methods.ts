// Chainable methods: every op is also a Tensor method (x.matmul(w).relu().sum()), attached to the prototype here.
// Exports Tensor with its methods: importing the class from here is what attaches them.
import type { DType } from "../dtype.js";
import * as binary from "../ops/binary.js";
import * as act from "../ops/composite/activations.js";
import * as shape from "../ops/composite/shape.js";
import * as stats from "../ops/composite/stats.js";
import type { TensorLike } from "../ops/convert.js";
import { clone, detach } from "../ops/detach.js";
import { assign } from "../ops/in-place.js";
import * as indexing from "../ops/indexing.js";
import * as mm from "../ops/matmul.js";
import * as movement from "../ops/movement.js";
import * as reduce from "../ops/reduce.js";
import * as unary from "../ops/unary.js";
import { Tensor } from "../tensor/tensor.js";
import { type BackwardOptions, backward } from "./sweep.js";

type AxisOptions = reduce.AxisOptions;

declare module "../tensor/tensor.js" {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    softplus(): Tensor;
    erf(): Tensor;
    isfinite(): Tensor;
    leakyRelu(slope?: number): Tensor;
    gelu(options?: { approximate?: "none" | "tanh" }): Tensor;
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    cast(dtype: DType): Tensor;
    sum(options?: AxisOptions): Tensor;
    mean(options?: AxisOptions): Tensor;
    max(options?: AxisOptions): Tensor;
    min(options?: AxisOptions): Tensor;
    var(options?: stats.VarOptions): Tensor;
    std(options?: stats.VarOptions): Tensor;
    argmax(options?: reduce.ArgOptions): Tensor;
    argmin(options?: reduce.ArgOptions): Tensor;
    logsumexp(options?: AxisOptions): Tensor;
    softmax(options?: act.SoftmaxOptions): Tensor;
    logSoftmax(options?: act.SoftmaxOptions): Tensor;
    matmul(b: Tensor, options?: mm.MatmulOptions): Tensor;
    dot(b: Tensor): Tensor;
    outer(b: Tensor): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(start?: number, end?: number): Tensor;
    transpose(axis0?: number, axis1?: number): Tensor;
    permute(perm: readonly number[]): Tensor;
    expand(shape: readonly number[]): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    slice(specs: readonly shape.SliceSpec[]): Tensor;
    pad(widths: readonly (readonly [number, number])[], value?: number): Tensor;
    split(sizes: number | readonly number[], axis?: number): Tensor[];
    gather(index: Tensor, axis: number): Tensor;
    index(indices: Tensor | readonly number[], axis?: number): Tensor;
    /** The transpose of all axes (the matrix transpose for 2-D). */
    readonly T: Tensor;
    /** The same values, cut from the graph. */
    detach(): Tensor;
    /** A copy that stays in the graph. */
    clone(): Tensor;
    /**
     * Backpropagates from this tensor: fills .grad on every leaf that requires grad.
     * A non-scalar output needs its upstream gradient: y.backward(upstream).
     */
    backward(upstreamOrOptions?: Tensor | BackwardOptions, options?: BackwardOptions): void;
    /** Overwrites the values in place (not recorded), e.g. for an optimizer step. */
    assign(values: Tensor): this;
  }
}

type Methods = Partial<Record<keyof Tensor, unknown>>;
const methods: Methods = {};
const withB = (f: (a: Tensor, b: TensorLike) => Tensor) =>
  function (this: Tensor, b: TensorLike) {
    return f(this, b);
  };
for (const name of [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "equal",
  "notEqual",
  "less",
  "lessEqual",
  "greater",
  "greaterEqual",
] as const) {
  methods[name] = withB(binary[name]);
}
for (const name of [
  "neg",
  "exp",
  "log",
  "log1p",
  "sqrt",
  "abs",
  "sign",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "relu",
  "softplus",
  "erf",
  "isfinite",
] as const) {
  const f = unary[name];
  methods[name] = function (this: Tensor) {
    return f(this);
  };
}

Object.assign(methods, {
  leakyRelu(this: Tensor, slope?: number) {
    return act.leakyRelu(this, slope);
  },
  gelu(this: Tensor, options?: { approximate?: "none" | "tanh" }) {
    return act.gelu(this, options);
  },
  clamp(this: Tensor, min?: TensorLike | null, max?: TensorLike | null) {
    return act.clamp(this, min, max);
  },
  cast(this: Tensor, dtype: DType) {
    return binary.cast(this, dtype);
  },
  sum(this: Tensor, o?: AxisOptions) {
    return reduce.sum(this, o);
  },
  mean(this: Tensor, o?: AxisOptions) {
    return stats.mean(this, o);
  },
  max(this: Tensor, o?: AxisOptions) {
    return reduce.max(this, o);
  },
  min(this: Tensor, o?: AxisOptions) {
    return reduce.min(this, o);
  },
  var(this: Tensor, o?: stats.VarOptions) {
    return stats.variance(this, o);
  },
  std(this: Tensor, o?: stats.VarOptions) {
    return stats.std(this, o);
  },
  argmax(this: Tensor, o?: reduce.ArgOptions) {
    return reduce.argmax(this, o);
  },
  argmin(this: Tensor, o?: reduce.ArgOptions) {
    return reduce.argmin(this, o);
  },
  logsumexp(this: Tensor, o?: AxisOptions) {
    return act.logsumexp(this, o);
  },
  softmax(this: Tensor, o?: act.SoftmaxOptions) {
    return act.softmax(this, o);
  },
  logSoftmax(this: Tensor, o?: act.SoftmaxOptions) {
    return act.logSoftmax(this, o);
  },
  matmul(this: Tensor, b: Tensor, options?: mm.MatmulOptions) {
    return mm.matmul(this, b, options);
  },
  dot(this: Tensor, b: Tensor) {
    return mm.dot(this, b);
  },
  outer(this: Tensor, b: Tensor) {
    return mm.outer(this, b);
  },
  reshape(this: Tensor, s: readonly number[]) {
    return movement.reshape(this, s);
  },
  flatten(this: Tensor, start?: number, end?: number) {
    return shape.flatten(this, start, end);
  },
  transpose(this: Tensor, a0?: number, a1?: number) {
    return shape.transpose(this, a0, a1);
  },
  permute(this: Tensor, perm: readonly number[]) {
    return movement.permute(this, perm);
  },
  expand(this: Tensor, s: readonly number[]) {
    return movement.expand(this, s);
  },
  squeeze(this: Tensor, axis?: number | readonly number[]) {
    return shape.squeeze(this, axis);
  },
  unsqueeze(this: Tensor, axis: number) {
    return shape.unsqueeze(this, axis);
  },
  slice(this: Tensor, specs: readonly shape.SliceSpec[]) {
    return shape.slice(this, specs);
  },
  pad(this: Tensor, widths: readonly (readonly [number, number])[], value?: number) {
    return shape.pad(this, widths, value);
  },
  split(this: Tensor, sizes: number | readonly number[], axis?: number) {
    return shape.split(this, sizes, axis);
  },
  gather(this: Tensor, index: Tensor, axis: number) {
    return indexing.gather(this, index, axis);
  },
  index(this: Tensor, indices: Tensor | readonly number[], axis?: number) {
    return indexing.index(this, indices, axis);
  },
  detach(this: Tensor) {
    return detach(this);
  },
  clone(this: Tensor) {
    return clone(this);
  },
  backward(this: Tensor, upstreamOrOptions?: Tensor | BackwardOptions, options?: BackwardOptions) {
    if (upstreamOrOptions instanceof Tensor) return backward(this, upstreamOrOptions, options);
    return backward(this, undefined, upstreamOrOptions ?? options);
  },
  assign(this: Tensor, values: Tensor) {
    return assign(this, values);
  },
});

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return movement.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  },
  configurable: true,
});

export { Tensor };
