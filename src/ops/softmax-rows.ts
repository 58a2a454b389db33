// One-kernel log-softmax, softmax and softmax cross-entropy over the last axis, for when no graph is recorded
// (prediction, evaluation, noGrad): training records the chapter's primitives instead, so the graph, explain
// and the saved-bytes count show each step; the values agree to rounding (test/ops/softmax-rows.test.ts).

import type { SoftmaxMode } from "../backend/backend.js";
import { fail } from "../errors.js";
import { noteOp } from "../memory/ledger.js";
import { checkOp, isAnomalyEnabled } from "../tensor/anomaly.js";
import { outputTensor } from "../tensor/create.js";
import { isGradEnabled } from "../tensor/grad-mode.js";
import type { Tensor } from "../tensor/tensor.js";
import { withDense } from "./apply.js";

/** Whether an op on x would record nothing, so the fused kernels may stand in for the composite. */
export function recordsNothing(x: Tensor): boolean {
  return !(isGradEnabled() && x.requiresGrad);
}

/** log softmax or softmax of a float tensor over its last axis (ndim ≥ 1). */
export function softmaxLastAxis(mode: SoftmaxMode, x: Tensor): Tensor {
  const op = mode === "log" ? "logSoftmax" : "softmax";
  x.assertLive(op);
  noteOp(op);
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
  if (isAnomalyEnabled()) checkOp(op, [x], out);
  return out;
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
