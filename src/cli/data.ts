// Resolving --dataset to training and test data.

import { loadCsv } from "../data/csv.js";
import type { Dataset } from "../data/dataset.js";
import { splitDataset } from "../data/dataset.js";
import { loadFashionMnist } from "../data/fashion.js";
import { loadMnist } from "../data/mnist.js";

export function loadData(name: string, seed = 0): { train: Dataset; test: Dataset } {
  if (name === "mnist") return loadMnist();
  if (name === "fashion-mnist") return loadFashionMnist();
  const all = loadCsv(name.slice("csv:".length));
  return splitDataset(all, Math.round(all.count * 0.8), seed);
}
