// Statistics composites: mean, variance and standard deviation over axes. std's gradient is 0 where the
// spread is 0 (PyTorch's convention), not the NaN that sqrt's 1/(2·0) times var's zero gradient would give.
import { fail } from "../../errors.js";
import { normalizeAxes } from "../../shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { div, equal, mul, sub, where } from "../binary.js";
import { asFloat } from "../convert.js";
import { type AxisOptions, sum } from "../reduce.js";
import { sqrt } from "../unary.js";

/** The number of elements reduced over; the axes are checked here, in the name of the op the user called. */
function countOf(x: Tensor, axis: AxisOptions["axis"], op: string): number {
  return normalizeAxes(op, axis, x.shape).reduce((n, a) => n * x.shape[a], 1);
}

/** Σx / n over the axes; the mean of no elements is NaN. */
export function mean(x: Tensor, options: AxisOptions = {}): Tensor {
  const n = countOf(x, options.axis, "mean");
  return div(sum(asFloat(x), options), n);
}

export interface VarOptions extends AxisOptions {
  /** Subtracted from n in the divisor: 1 (default) gives the unbiased estimate, 0 the population variance. */
  correction?: number;
}

function varianceOf(op: string, x: Tensor, options: VarOptions): Tensor {
  const xf = asFloat(x);
  const n = countOf(x, options.axis, op);
  const correction = options.correction ?? 1;
  if (typeof correction !== "number" || !(correction >= 0)) {
    fail(op, `correction must be a number >= 0, got ${correction}`);
  }
  const centred = sub(xf, mean(xf, { axis: options.axis, keepdims: true }));
  const squares = sum(mul(centred, centred), { axis: options.axis, keepdims: options.keepdims });
  return div(squares, Math.max(n - correction, 0));
}

/** Σ(x - mean)² / (n - correction); NaN (0/0) when n <= correction, as in PyTorch. */
export function variance(x: Tensor, options: VarOptions = {}): Tensor {
  return varianceOf("var", x, options);
}

/**
 * √var. Where var = 0 the result is 0 and so is the gradient, to every order (PyTorch masks 1/(2·std) to 0
 * there): the sqrt branch then reads 1, so its own VJP stays finite, and where() passes it no gradient.
 */
export function std(x: Tensor, options: VarOptions = {}): Tensor {
  const v = varianceOf("std", x, options);
  const flat = equal(v, 0);
  return where(flat, 0, sqrt(where(flat, 1, v)));
}
