// Tensor methods: every op is also a method (x.matmul(w).relu().sum().backward()), declared once in
// TensorMethods and attached from one object tsc holds to it. Importing Tensor from here attaches them.
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
type UnaryMethod = unary.UnaryPrim | "isfinite";
type BinaryMethod = binary.ArithPrim | binary.ComparePrim;

/** x.exp(), x.relu(), ...: one per unary primitive (from its rule table), and x.isfinite(). */
type UnaryMethods = { [P in UnaryMethod]: () => Tensor };
/** x.add(b), x.less(b), ...: one per binary arithmetic or comparison primitive. */
type BinaryMethods = { [P in BinaryMethod]: (b: TensorLike) => Tensor };

/** Every method an op adds to Tensor: the one declaration that the object below must match exactly. */
export interface TensorMethods extends UnaryMethods, BinaryMethods {
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
  assign(values: Tensor): Tensor;
}

declare module "../tensor/tensor.js" {
  interface Tensor extends TensorMethods {}
}

/** An object with one entry per name, made by `make`. */
function each<K extends string, V>(names: readonly K[], make: (name: K) => V): Record<K, V> {
  return Object.fromEntries(names.map((name) => [name, make(name)])) as Record<K, V>;
}

const unaryNames: UnaryMethod[] = [...(Object.keys(unary.default) as unary.UnaryPrim[]), "isfinite"];
const binaryNames = Object.keys(binary.default).filter(
  (k) => k !== "where" && k !== "cast",
) as BinaryMethod[];

// A missing or an extra method is a tsc error here; `this` is the tensor the method is called on.
const methods: TensorMethods & ThisType<Tensor> = {
  ...each(
    unaryNames,
    (name) =>
      function (this: Tensor) {
        return unary[name](this);
      },
  ),
  ...each(
    binaryNames,
    (name) =>
      function (this: Tensor, b: TensorLike) {
        return binary[name](this, b);
      },
  ),
  leakyRelu(slope) {
    return act.leakyRelu(this, slope);
  },
  gelu(options) {
    return act.gelu(this, options);
  },
  clamp(min, max) {
    return act.clamp(this, min, max);
  },
  cast(dtype) {
    return binary.cast(this, dtype);
  },
  sum(o) {
    return reduce.sum(this, o);
  },
  mean(o) {
    return stats.mean(this, o);
  },
  max(o) {
    return reduce.max(this, o);
  },
  min(o) {
    return reduce.min(this, o);
  },
  var(o) {
    return stats.variance(this, o);
  },
  std(o) {
    return stats.std(this, o);
  },
  argmax(o) {
    return reduce.argmax(this, o);
  },
  argmin(o) {
    return reduce.argmin(this, o);
  },
  logsumexp(o) {
    return act.logsumexp(this, o);
  },
  softmax(o) {
    return act.softmax(this, o);
  },
  logSoftmax(o) {
    return act.logSoftmax(this, o);
  },
  matmul(b, options) {
    return mm.matmul(this, b, options);
  },
  dot(b) {
    return mm.dot(this, b);
  },
  outer(b) {
    return mm.outer(this, b);
  },
  reshape(s) {
    return movement.reshape(this, s);
  },
  flatten(start, end) {
    return shape.flatten(this, start, end);
  },
  transpose(a0, a1) {
    return shape.transpose(this, a0, a1);
  },
  permute(perm) {
    return movement.permute(this, perm);
  },
  expand(s) {
    return movement.expand(this, s);
  },
  squeeze(axis) {
    return shape.squeeze(this, axis);
  },
  unsqueeze(axis) {
    return shape.unsqueeze(this, axis);
  },
  slice(specs) {
    return shape.slice(this, specs);
  },
  pad(widths, value) {
    return shape.pad(this, widths, value);
  },
  split(sizes, axis) {
    return shape.split(this, sizes, axis);
  },
  gather(index, axis) {
    return indexing.gather(this, index, axis);
  },
  index(indices, axis) {
    return indexing.index(this, indices, axis);
  },
  get T() {
    return movement.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  },
  detach() {
    return detach(this);
  },
  clone() {
    return clone(this);
  },
  backward(upstreamOrOptions, options) {
    if (upstreamOrOptions instanceof Tensor) return backward(this, upstreamOrOptions, options);
    return backward(this, undefined, upstreamOrOptions ?? options);
  },
  assign(values) {
    return assign(this, values);
  },
};

// Methods and the T getter go onto the prototype as the class would define them: not enumerable.
for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(methods))) {
  Object.defineProperty(Tensor.prototype, name, { ...descriptor, enumerable: false });
}

export { Tensor };
