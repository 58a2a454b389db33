// Row kernels over the last axis: log-softmax as a primitive (one kernel forward, recorded as one node whose
// VJP is written with ops), and the one-kernel softmax and softmax cross-entropy for when no graph is recorded
// (prediction, evaluation, noGrad); the values agree with the composites to rounding (test/ops/softmax-rows.test.ts).

import type { SoftmaxMode } from "../backend/backend.js";
import { fail } from "../errors.js";
import { noteOp } from "../memory/ledger.js";
import { checkOp, isAnomalyEnabled } from "../tensor/anomaly.js";
import { outputTensor } from "../tensor/create.js";
import { d1 } from "../tensor/derivative.js";
import { isGradEnabled } from "../tensor/grad-mode.js";
import type { Tensor } from "../tensor/tensor.js";
import { apply, type RuleTable, withDense } from "./apply.js";
import { mul, sub } from "./binary.js";
import { sum } from "./reduce.js";
import { exp } from "./unary.js";

/** Whether an op on x would record nothing, so the fused kernels may stand in for the composite. */
export function recordsNothing(x: Tensor): boolean {
  return !(isGradEnabled() && x.requiresGrad);
}

/** The row kernel: log softmax or softmax of a float tensor over its last axis (ndim ≥ 1). */
function rowsKernel(mode: SoftmaxMode, x: Tensor): Tensor {
  const cols = x.shape[x.ndim - 1];
  const out = outputTensor(x.shape, x.dtype);
  withDense([x], ([rows]) =>
    x.storage.backend.softmaxRows(
      mode,
      rows.storage.id,
      out.storage.id,
      cols === 0 ? 0 : x.size / cols,
      cols,
    ),
  );
  return out;
}

/** softmax of a float tensor over its last axis (ndim ≥ 1), not recorded. */
export function softmaxLastAxis(x: Tensor): Tensor {
  x.assertLive("softmax");
  noteOp("softmax");
  const out = rowsKernel("softmax", x);
  if (isAnomalyEnabled()) checkOp("softmax", [x], out);
  return out;
}

type Empty = Record<string, never>;
export interface SoftmaxRowAttrs {
  logSoftmax: Empty;
}

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const softmaxRules: RuleTable<SoftmaxRowAttrs> = {
  // d logSoftmax(x) = g − softmax(x) · Σ g along the row, with softmax(x) = exp(y) from the saved output y
  logSoftmax: {
    forward: ([x]) => rowsKernel("log", x),
    save: (_, out) => [out],
    vjp: (g, [y]) => [sub(g, mul(exp(y), sum(g, { axis: -1, keepdims: true })))],
    derivative: d1(
      "{g} − exp({y}) ⊙ Σ_row {g}",
      "{g} - \\exp({y}) \\odot \\textstyle\\sum_{\\text{row}} {g}",
    ),
  },
};
export default softmaxRules;

/**
 * log softmax of a float tensor over its last axis (ndim ≥ 1): one kernel, and one graph node when recorded,
 * which saves only its output (the composite kept exp of the shifted input and the row sums).
 */
export function logSoftmaxLastAxis(x: Tensor): Tensor {
  return apply(softmaxRules, "logSoftmax", [x], {});
}

/** −log softmax(logits)[label] per row, for float logits [n, q] and int32 labels [n] in [0, q). */
export function crossEntropyPerRow(logits: Tensor, labels: Tensor): Tensor {
  logits.assertLive("crossEntropy");
  labels.assertLive("crossEntropy");
  if (logits.storage.backend !== labels.storage.backend) {
    const [a, b] = [logits.storage.backend.name, labels.storage.backend.name];
    fail("crossEntropy", `logits and labels live on different backends (${a} and ${b})`);
  }
  noteOp("crossEntropy");
  const [n, q] = logits.shape;
  const out = outputTensor([n], logits.dtype);
  withDense([logits, labels], ([rows, classes]) =>
    logits.storage.backend.crossEntropyRows(rows.storage.id, classes.storage.id, out.storage.id, n, q),
  );
  if (isAnomalyEnabled()) checkOp("crossEntropy", [logits, labels], out);
  return out;
}
