// Activation composites and the stable log-sum-exp family. Gradients come from the primitives they use.

import { fail, oneOf } from "../../errors.js";
import { normalizeAxes, normalizeAxis } from "../../shape.js";
import { noGrad } from "../../tensor/grad-mode.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add, greater, less, mul, notEqual, sub, where } from "../binary.js";
import { asFloat, type TensorLike, toTensor } from "../convert.js";
import { max, sum } from "../reduce.js";
import { logSoftmaxLastAxis, recordsNothing, softmaxLastAxis } from "../softmax-rows.js";
import { erf, exp, isfinite, log, tanh } from "../unary.js";

/** x where x > 0, slope·x elsewhere; the gradient at 0 is the slope, as in PyTorch. */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  if (typeof slope !== "number") fail("leakyRelu", `slope must be a number, got ${typeof slope}`);
  return where(greater(x, 0), x, mul(x, slope));
}

export type GeluApproximation = "none" | "tanh";
export const GELU_APPROXIMATIONS: readonly GeluApproximation[] = ["none", "tanh"];

/** x·Φ(x) with the exact normal CDF (PyTorch's default), or the tanh approximation. */
export function gelu(x: Tensor, options: { approximate?: GeluApproximation } = {}): Tensor {
  const approximate = oneOf("gelu", "approximate", options.approximate ?? "none", GELU_APPROXIMATIONS);
  const xf = asFloat(x);
  if (approximate === "tanh") {
    const inner = mul(add(xf, mul(mul(mul(xf, xf), xf), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(xf, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(xf, 0.5), add(erf(mul(xf, Math.SQRT1_2)), 1));
}

/** Limits x to [min, max]; the gradient passes where min <= x <= max (PyTorch's convention), so not at NaN. */
export function clamp(x: Tensor, min?: TensorLike | null, max_?: TensorLike | null): Tensor {
  if (min == null && max_ == null) fail("clamp", "needs a min, a max, or both");
  // Bounds become tensors here, so a bad one is reported as clamp's, not as the comparison's inside it.
  const lo = min == null ? null : toTensor("clamp", min, x.dtype);
  const hi = max_ == null ? null : toTensor("clamp", max_, x.dtype);
  let out = x;
  if (lo !== null) out = where(less(out, lo), lo, out);
  if (hi !== null) out = where(greater(out, hi), hi, out);
  // NaN stays NaN but passes no gradient, as in PyTorch (whose mask lo <= x <= hi is false there).
  return recordsNothing(x) ? out : where(notEqual(x, x), Number.NaN, out);
}

export interface SoftmaxOptions {
  /** The axis to normalise over; the last by default. */
  axis?: number;
}

/** The (constant) maximum over `axis` with keepdims, 0 where it is not finite: what exp's argument is shifted by. */
function maxShift(xf: Tensor, axis: number | readonly number[] | undefined): Tensor | number {
  // No elements, so no maximum (an empty axis has none): nothing to shift, and Σ exp over no terms is 0.
  if (xf.size === 0) return 0;
  const m = noGrad(() => max(xf, { axis, keepdims: true })); // not recorded: nothing saved for backward
  return where(isfinite(m), m, 0);
}

/** log Σ exp(x) over `axis`, shifted by the (constant) maximum so it never overflows. */
export function logsumexp(
  x: Tensor,
  options: { axis?: number | readonly number[]; keepdims?: boolean } = {},
): Tensor {
  normalizeAxes("logsumexp", options.axis, x.shape); // before max and sum, which would name themselves
  const xf = asFloat(x);
  const shift = maxShift(xf, options.axis);
  const lse = add(log(sum(exp(sub(xf, shift)), { axis: options.axis, keepdims: true })), shift);
  return options.keepdims ? lse : sum(lse, { axis: options.axis, keepdims: false });
}

/**
 * (x - m) - log Σ exp(x - m) for the maximum m: finite for logits like [1e4, -1e4], and accurate
 * for large logits, where x - logsumexp(x) would cancel away the small result's digits.
 */
export function logSoftmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  const axis = normalizeAxis("logSoftmax", options.axis ?? -1, x.shape, Math.max(x.ndim, 1));
  // A 0-d tensor (axis 0 or -1) is normalised over its single element, as in PyTorch.
  const axes = x.ndim === 0 ? [] : axis;
  const xf = asFloat(x);
  // The last axis: the row kernel, recorded as one primitive. Other axes, and 0-d tensors, are composed.
  if (x.ndim > 0 && axis === x.ndim - 1) return logSoftmaxLastAxis(xf);
  const shifted = sub(xf, maxShift(xf, axes));
  return sub(shifted, log(sum(exp(shifted), { axis: axes, keepdims: true })));
}

/** exp(logSoftmax(x)): the row kernel's softmax where nothing is recorded and the axis is the last. */
export function softmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  const axis = normalizeAxis("softmax", options.axis ?? -1, x.shape, Math.max(x.ndim, 1));
  if (x.ndim > 0 && axis === x.ndim - 1 && recordsNothing(x)) return softmaxLastAxis(asFloat(x));
  return exp(logSoftmax(x, options));
}
