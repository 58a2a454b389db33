// Micro-batching: the gradient of a batch computed k micro-batches at a time, so only one micro-batch's
// activations are alive at once. Each micro-batch's loss is scaled by its share of the batch, so the
// gradients that backward adds into .grad sum to the full-batch gradient of a mean loss.
import { backward } from "../autograd/sweep.js";
import { fail } from "../errors.js";
import type { Module } from "../nn/module.js";
import { mul } from "../ops/binary.js";
import { slice } from "../ops/composite/shape.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";

/** A loss that is a mean over the rows of its batch (crossEntropy, mse), plus anything batch-independent. */
export type BatchLoss = (output: Tensor, target: Tensor) => Tensor;

/**
 * Adds d loss(model(x), y) / d params into every parameter's .grad, working through `k` micro-batches of
 * rows (the last ones may be one row smaller). Does not zero .grad first: call optimizer.zeroGrad() before.
 * Returns the full-batch loss (the weighted sum of the micro-batch losses).
 */
export function accumulateGradients(
  model: Module | ((x: Tensor) => Tensor),
  x: Tensor,
  y: Tensor,
  k: number,
  lossFn: BatchLoss,
): number {
  const n = x.shape[0];
  if (x.ndim === 0 || y.ndim === 0 || y.shape[0] !== n) {
    fail("accumulateGradients", `x and y need the same number of rows, got ${x.shape[0]} and ${y.shape[0]}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    fail("accumulateGradients", `k must be an integer from 1 to the batch size ${n}, got ${k}`);
  }
  const forward = typeof model === "function" ? model : (t: Tensor) => model.forward(t);
  let total = 0;
  let start = 0;
  for (let i = 0; i < k; i++) {
    const size = Math.floor(n / k) + (i < n % k ? 1 : 0);
    const end = start + size;
    total += tidy(() => {
      // Rows of the batch are counted like the batch: a data-tagged batch gives data-tagged micro-batches.
      const rows = (t: Tensor) =>
        k === 1 ? t : slice(t, [[start, end]]).tagAs(t.memoryTag === "data" ? "data" : "temporary");
      const xs = rows(x);
      const ys = rows(y);
      const loss = lossFn(forward(xs), ys);
      if (loss.size !== 1) fail("accumulateGradients", "the loss must be a scalar (a mean over the batch)");
      const scaled = k === 1 ? loss : mul(loss, size / n);
      backward(scaled);
      return loss.item() * (size / n);
    });
    start = end;
  }
  return total;
}
