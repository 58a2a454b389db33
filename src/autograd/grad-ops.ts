// The few ops the backward sweep itself needs. The ops layer installs them at start-up,
// so autograd stays below ops in the import order.
import type { DType } from "../dtype.js";
import { fail } from "../errors.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";

export interface GradOps {
  onesLike(t: Tensor): Tensor;
  zerosLike(t: Tensor): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  mul(a: Tensor, b: Tensor): Tensor;
  sumAll(t: Tensor): Tensor;
  flatten(t: Tensor): Tensor;
  concat(ts: readonly Tensor[]): Tensor;
  fromValues(values: Float64Array, shape: Shape, dtype: DType): Tensor;
  /** Sums a broadcast gradient back to an operand's shape. */
  sumTo(g: Tensor, shape: Shape): Tensor;
  cast(g: Tensor, dtype: DType): Tensor;
  /** A copy that stays in the graph when gradients are being recorded. */
  clone(t: Tensor): Tensor;
  /** A copy outside any graph. */
  detach(t: Tensor): Tensor;
  /** Overwrites dst's values with src's (same shape and dtype), in place. */
  assign(dst: Tensor, src: Tensor): void;
  /** dst += src (same shape and dtype), in place, with no temporary. */
  addInto(dst: Tensor, src: Tensor): void;
}

let installed: GradOps | null = null;

export function installGradOps(ops: GradOps): void {
  installed = ops;
}

export function gradOps(): GradOps {
  return installed ?? fail("backward", "the ops layer is not loaded; import from the package root");
}
