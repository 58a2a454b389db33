// Statistics composites: mean, variance and standard deviation over axes.
import { fail } from "../../errors.js";
import { normalizeAxes } from "../../shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { div, mul, sub } from "../binary.js";
import { asFloat } from "../convert.js";
import { type AxisOptions, sum } from "../reduce.js";
import { sqrt } from "../unary.js";

function countOf(x: Tensor, axis: AxisOptions["axis"], op: string): number {
  return normalizeAxes(op, axis, x.ndim).reduce((n, a) => n * x.shape[a], 1);
}

/** Σx / n over the axes; the mean of no elements is NaN. */
export function mean(x: Tensor, options: AxisOptions = {}): Tensor {
  return div(sum(asFloat(x), options), countOf(x, options.axis, "mean"));
}

export interface VarOptions extends AxisOptions {
  /** Subtracted from n in the divisor: 1 (default) gives the unbiased estimate, 0 the population variance. */
  correction?: number;
}

/** Σ(x - mean)² / (n - correction). */
export function variance(x: Tensor, options: VarOptions = {}): Tensor {
  const xf = asFloat(x);
  const n = countOf(x, options.axis, "var");
  const correction = options.correction ?? 1;
  if (correction < 0) fail("var", `correction must be >= 0, got ${correction}`);
  const centred = sub(xf, mean(xf, { axis: options.axis, keepdims: true }));
  const squares = sum(mul(centred, centred), { axis: options.axis, keepdims: options.keepdims });
  return div(squares, Math.max(n - correction, 0));
}

export function std(x: Tensor, options: VarOptions = {}): Tensor {
  return sqrt(variance(x, options));
}
