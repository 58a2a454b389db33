// Accuracy and mean loss of a classifier over a dataset, in batches, without recording a graph. Each batch's
// summed loss and hits stay on the backend; all of them are read back at once at the end.

import type { Dataset } from "../data/dataset.js";
import { DataLoader } from "../data/loader.js";
import { crossEntropy } from "../nn/losses.js";
import type { Module } from "../nn/module.js";
import { equal } from "../ops/binary.js";
import { argmax, sum } from "../ops/reduce.js";
import { noGrad } from "../tensor/grad-mode.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { readScalars, readScalarsSync } from "./read-scalars.js";

export interface Evaluation {
  accuracy: number;
  loss: number;
}

/** Per batch, the summed cross-entropy and the hits Σ [argmax(o) = y], as scalar tensors (nothing read). */
function batchTotals(model: Module, data: Dataset, batchSize: number): Tensor[] {
  const wasTraining = model.training;
  model.eval();
  const totals: Tensor[] = [];
  const loader = new DataLoader(data, { batchSize, shuffle: false });
  try {
    for (const { x, y } of loader) {
      const [loss, hits] = tidy(() =>
        noGrad(() => {
          const logits = model.forward(x);
          return [crossEntropy(logits, y, { reduction: "sum" }), sum(equal(argmax(logits, { axis: 1 }), y))];
        }),
      );
      totals.push(loss, hits);
    }
  } catch (error) {
    for (const t of totals) t.dispose();
    throw error;
  } finally {
    model.train(wasTraining);
  }
  return totals;
}

/** Sums the batches' losses in order in float64 (as a loop over item() would) and their hits. */
function summarize(count: number, values: readonly number[]): Evaluation {
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < values.length; i += 2) {
    lossSum += values[i];
    correct += values[i + 1];
  }
  return { accuracy: count ? correct / count : 0, loss: count ? lossSum / count : 0 };
}

/** Accuracy and mean loss over `data`, read back once (synchronously: not on a browser's GPU). */
export function evaluate(model: Module, data: Dataset, batchSize = 1000): Evaluation {
  return summarize(data.count, readScalarsSync(batchTotals(model, data, batchSize)));
}

/** The same, read back with `await data()`: works on every backend, and a GPU is waited for once. */
export async function evaluateAsync(model: Module, data: Dataset, batchSize = 1000): Promise<Evaluation> {
  return summarize(data.count, await readScalars(batchTotals(model, data, batchSize)));
}
