// Accuracy and mean loss of a classifier over a dataset, in batches, without recording a graph.

import type { Dataset } from "../data/dataset.js";
import { DataLoader } from "../data/loader.js";
import { crossEntropy } from "../nn/losses.js";
import type { Module } from "../nn/module.js";
import { argmax } from "../ops/reduce.js";
import { noGrad } from "../tensor/grad-mode.js";
import { tidy } from "../tensor/scope.js";

export interface Evaluation {
  accuracy: number;
  loss: number;
}

export function evaluate(model: Module, data: Dataset, batchSize = 1000): Evaluation {
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  let lossSum = 0;
  const loader = new DataLoader(data, { batchSize, shuffle: false });
  try {
    for (const { x, y } of loader) {
      tidy(() =>
        noGrad(() => {
          const logits = model.forward(x);
          lossSum += crossEntropy(logits, y, { reduction: "sum" }).item();
          const predicted = argmax(logits, { axis: 1 }).dataSync();
          const labels = y.dataSync();
          for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
        }),
      );
    }
  } finally {
    model.train(wasTraining);
  }
  return { accuracy: data.count ? correct / data.count : 0, loss: data.count ? lossSum / data.count : 0 };
}
