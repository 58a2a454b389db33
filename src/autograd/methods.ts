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
  /** Σ x² over the axes (all by default): ‖x‖²_F. */
  sumSquares(options?: AxisOptions): Tensor;
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
  /** A copy on another device, made by that device: `await t.to(device)` (see parallel/device.ts). */
  to<R>(device: TensorReceiver<R>): R;
}

/** Something a tensor can be moved to: a device of parallel/device.ts. */
export interface TensorReceiver<R> {
  receive(t: Tensor): R;
}

declare module "../tensor/tensor.js" {
  interface Tensor extends TensorMethods {}
}

/** An object with one entry per name, made by `make`. */
function each<K extends string, V>(names: readonly K[], make: (name: K) => V): Record<K, V> {
  return Object.fromEntries(names.map((name) => [name, make(name)])) as Record<K, V>;
}

/** The method that calls `op` with the tensor it is called on as the first argument: x.op(...args). */
function method<A extends unknown[], R>(op: (x: Tensor, ...args: A) => R): (this: Tensor, ...args: A) => R {
  return function (this: Tensor, ...args: A) {
    return op(this, ...args);
  };
}

const unaryNames: UnaryMethod[] = [...(Object.keys(unary.default) as unary.UnaryPrim[]), "isfinite"];
const binaryNames = Object.keys(binary.default).filter(
  (k) => k !== "where" && k !== "cast",
) as BinaryMethod[];

// A missing or an extra method is a tsc error here; `this` is the tensor the method is called on.
const methods: TensorMethods & ThisType<Tensor> = {
  ...each(unaryNames, (name) => method(unary[name])),
  ...each(binaryNames, (name) => method(binary[name])),
  leakyRelu: method(act.leakyRelu),
  gelu: method(act.gelu),
  clamp: method(act.clamp),
  cast: method(binary.cast),
  sum: method(reduce.sum),
  sumSquares: method(reduce.sumSquares),
  mean: method(stats.mean),
  max: method(reduce.max),
  min: method(reduce.min),
  var: method(stats.variance),
  std: method(stats.std),
  argmax: method(reduce.argmax),
  argmin: method(reduce.argmin),
  logsumexp: method(act.logsumexp),
  softmax: method(act.softmax),
  logSoftmax: method(act.logSoftmax),
  matmul: method(mm.matmul),
  dot: method(mm.dot),
  outer: method(mm.outer),
  reshape: method(movement.reshape),
  flatten: method(shape.flatten),
  transpose: method(shape.transpose),
  permute: method(movement.permute),
  expand: method(movement.expand),
  squeeze: method(shape.squeeze),
  unsqueeze: method(shape.unsqueeze),
  slice: method(shape.slice),
  pad: method(shape.pad),
  split: method(shape.split),
  gather: method(indexing.gather),
  index: method(indexing.index),
  get T() {
    return movement.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  },
  detach: method(detach),
  clone: method(clone),
  backward(upstreamOrOptions, options) {
    if (upstreamOrOptions instanceof Tensor) return backward(this, upstreamOrOptions, options);
    return backward(this, undefined, upstreamOrOptions ?? options);
  },
  assign: method(assign),
  to(device) {
    return device.receive(this);
  },
};

// Methods and the T getter go onto the prototype as the class would define them: not enumerable.
for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(methods))) {
  Object.defineProperty(Tensor.prototype, name, { ...descriptor, enumerable: false });
}

export { Tensor };
