// Losses: softmax cross-entropy on integer labels (stable for huge logits), mean squared error, and the
// chapter's L2 penalty s = λ/2 Σ‖W‖²_F as an explicit term of the objective.
import { isMeta } from "../backend/meta/index.js";
import { fail, oneOf } from "../errors.js";
import { add, mul, sub } from "../ops/binary.js";
import { logSoftmax } from "../ops/composite/activations.js";
import { mean } from "../ops/composite/stats.js";
import { asFloat } from "../ops/convert.js";
import { gather } from "../ops/indexing.js";
import { reshape } from "../ops/movement.js";
import { sum, sumSquares } from "../ops/reduce.js";
import { crossEntropyPerRow, recordsNothing } from "../ops/softmax-rows.js";
import { neg } from "../ops/unary.js";
import { fmt, sameShape } from "../shape.js";
import { full } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";

export type Reduction = "mean" | "sum" | "none";
export const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

/** The reduction option, checked before any work, in the name of the loss the user called. */
const reductionOf = (op: string, options: { reduction?: Reduction }): Reduction =>
  oneOf(op, "reduction", options.reduction ?? "mean", REDUCTIONS);

function reduce(losses: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return mean(losses);
  return reduction === "sum" ? sum(losses) : losses;
}

/**
 * −log softmax(o)[y] per example, for logits [n, q] and integer labels [n] in [0, q).
 * Computed from logSoftmax, so logits like 1e4 stay finite.
 */
export function crossEntropy(
  logits: Tensor,
  labels: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  const reduction = reductionOf("crossEntropy", options);
  if (logits.ndim !== 2) fail("crossEntropy", `logits must be [n, classes], got ${fmt(logits.shape)}`);
  const [n, q] = logits.shape;
  if (labels.ndim !== 1 || labels.shape[0] !== n) {
    fail("crossEntropy", `labels must be [${n}] for logits ${fmt(logits.shape)}, got ${fmt(labels.shape)}`);
  }
  if (labels.dtype !== "int32")
    fail("crossEntropy", `labels must be int32 class indices, got ${labels.dtype}`);
  // A dry run (meta backend) has no label values to check.
  const values = isMeta(labels.storage.backend) ? [] : labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= q) {
      fail(
        "crossEntropy",
        `label ${values[i]} (example ${i}) is out of range for ${q} classes: labels must be in [0, ${q - 1}]`,
      );
    }
  }
  // Nothing recorded (evaluation, noGrad): one row kernel instead of log-softmax, gather and neg.
  if (recordsNothing(logits)) return reduce(crossEntropyPerRow(asFloat(logits), labels), reduction);
  const picked = gather(logSoftmax(logits, { axis: 1 }), reshape(labels, [n, 1]), 1);
  return reduce(neg(reshape(picked, [n])), reduction);
}

/** (prediction − target)², reduced. The shapes must be equal: [n, 1] against [n] would broadcast to [n, n]. */
export function mse(prediction: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const reduction = reductionOf("mse", options);
  if (!sameShape(prediction.shape, target.shape)) {
    fail(
      "mse",
      `prediction ${fmt(prediction.shape)} and target ${fmt(target.shape)} must have the same shape`,
    );
  }
  const diff = sub(prediction, target);
  return reduce(mul(diff, diff), reduction);
}

/** s = λ/2 · Σ‖W‖²_F over the given tensors: the chapter's regularisation term. */
export function l2Penalty(params: readonly Tensor[], lambda: number): Tensor {
  if (!(lambda >= 0)) fail("l2Penalty", `λ must be >= 0, got ${lambda}`);
  let total: Tensor | null = null;
  for (const p of params) {
    const squares = sumSquares(p); // ‖p‖²_F
    total = total === null ? squares : add(total, squares);
  }
  const dtype = params[0]?.dtype ?? "float32";
  return mul(total ?? full([], 0, { dtype }), lambda / 2);
}
