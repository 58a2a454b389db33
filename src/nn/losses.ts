// Losses: softmax cross-entropy on integer labels (stable for huge logits), mean squared error, and the
// chapter's L2 penalty s = λ/2 Σ‖W‖²_F as an explicit term of the objective.
import { fail, oneOf } from "../errors.js";
import { add, mul, sub } from "../ops/binary.js";
import { logSoftmax } from "../ops/composite/activations.js";
import { mean } from "../ops/composite/stats.js";
import { asFloat } from "../ops/convert.js";
import { checkIndexValues } from "../ops/index-values.js";
import { gather } from "../ops/indexing.js";
import { reshape } from "../ops/movement.js";
import { sum, sumSquares } from "../ops/reduce.js";
import { crossEntropyPerRow, recordsNothing } from "../ops/softmax-rows.js";
import { neg } from "../ops/unary.js";
import { fmt, sameShape } from "../shape.js";
import { full } from "../tensor/create.js";
import type { Derivative } from "../tensor/derivative.js";
import { inGroup } from "../tensor/group.js";
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
  checkIndexValues(
    "crossEntropy",
    labels,
    q,
    (v, i) => `label ${v} (example ${i}) is out of range for ${q} classes: labels must be in [0, ${q - 1}]`,
  );
  // Nothing recorded (evaluation, noGrad): one row kernel instead of log-softmax, gather and neg.
  if (recordsNothing(logits)) return reduce(crossEntropyPerRow(asFloat(logits), labels), reduction);
  const spec = { kind: "loss", symbol: "l", title: "softmax cross-entropy" } as const;
  return inGroup({ ...spec, derivative: CROSS_ENTROPY[reduction] }, [logits, labels], () => {
    const picked = gather(logSoftmax(logits, { axis: 1 }), reshape(labels, [n, 1]), 1);
    return reduce(neg(reshape(picked, [n])), reduction);
  });
}

// l = −log softmax(o)[y]: dl/do = softmax(o) − onehot(y), per row; the mean divides by the n rows.
const SOFTMAX_MINUS_ONEHOT = "(softmax({x0:name}) − onehot({x1:name}))";
const SOFTMAX_MINUS_ONEHOT_TEX =
  "\\left(\\operatorname{softmax}({x0}) - \\operatorname{onehot}({x1})\\right)";
const CROSS_ENTROPY: Record<Reduction, Derivative> = {
  mean: {
    text: [`{g} · ${SOFTMAX_MINUS_ONEHOT} / n`, null],
    latex: [`\\frac{1}{n} {g}\\, ${SOFTMAX_MINUS_ONEHOT_TEX}`, null],
  },
  sum: { text: [`{g} · ${SOFTMAX_MINUS_ONEHOT}`, null], latex: [`{g}\\, ${SOFTMAX_MINUS_ONEHOT_TEX}`, null] },
  none: {
    text: [`{g} ⊙ₙ ${SOFTMAX_MINUS_ONEHOT}`, null],
    latex: [`\\operatorname{diag}({g})\\, ${SOFTMAX_MINUS_ONEHOT_TEX}`, null],
  },
};

// (p − t)²: d/dp = 2 (p − t), d/dt = −2 (p − t); the mean divides by the element count N.
const MSE: Record<Reduction, Derivative> = {
  mean: {
    text: ["{g} · 2 ({x0:name} − {x1:name}) / {@count}", "−{g} · 2 ({x0:name} − {x1:name}) / {@count}"],
    latex: ["\\frac{2}{{@count}} {g}\\, ({x0} - {x1})", "-\\frac{2}{{@count}} {g}\\, ({x0} - {x1})"],
  },
  sum: {
    text: ["{g} · 2 ({x0:name} − {x1:name})", "−{g} · 2 ({x0:name} − {x1:name})"],
    latex: ["2 {g}\\, ({x0} - {x1})", "-2 {g}\\, ({x0} - {x1})"],
  },
  none: {
    text: ["{g} ⊙ 2 ({x0:name} − {x1:name})", "−{g} ⊙ 2 ({x0:name} − {x1:name})"],
    latex: ["2 {g} \\odot ({x0} - {x1})", "-2 {g} \\odot ({x0} - {x1})"],
  },
};

/** (prediction − target)², reduced. The shapes must be equal: [n, 1] against [n] would broadcast to [n, n]. */
export function mse(prediction: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const reduction = reductionOf("mse", options);
  if (!sameShape(prediction.shape, target.shape)) {
    fail(
      "mse",
      `prediction ${fmt(prediction.shape)} and target ${fmt(target.shape)} must have the same shape`,
    );
  }
  const spec = { kind: "loss", symbol: "l", title: "squared error" } as const;
  const attrs = { count: prediction.size };
  return inGroup({ ...spec, derivative: MSE[reduction], attrs }, [prediction, target], () => {
    const diff = sub(prediction, target);
    return reduce(mul(diff, diff), reduction);
  });
}

/** s = λ/2 · Σ‖W‖²_F over the given tensors: the chapter's regularisation term. */
export function l2Penalty(params: readonly Tensor[], lambda: number): Tensor {
  if (!(lambda >= 0)) fail("l2Penalty", `λ must be >= 0, got ${lambda}`);
  return inGroup({ ...PENALTY, attrs: { lambda } }, params, () => {
    let total: Tensor | null = null;
    for (const p of params) {
      const squares = inGroup(SQUARED_NORM, [p], () => sumSquares(p));
      total = total === null ? squares : add(total, squares);
    }
    const dtype = params[0]?.dtype ?? "float32";
    return mul(total ?? full([], 0, { dtype }), lambda / 2);
  });
}

// ‖W‖²_F = Σ W²: d/dW = 2W.
const SQUARED_NORM = {
  kind: "squaredNorm",
  symbol: "‖·‖²",
  title: "squared Frobenius norm",
  derivative: { text: ["{g} · 2 {x0}"], latex: ["2 {g}\\, {x0}"] },
} as const;

// s = λ/2 Σ‖W‖²_F: ds/dW = λW for each W (the chapter's (5.3.10)).
const PENALTY = {
  kind: "penalty",
  symbol: "‖·‖²",
  title: "s = λ/2 Σ‖W‖²_F",
  derivative: { text: ["{g} · λ {x0}"], latex: ["{g}\\, \\lambda {x0}"], forEachInput: true },
} as const;
