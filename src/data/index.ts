// The data namespace: datasets (bundled MNIST, Fashion-MNIST, CSV), splits and the DataLoader.

export { type CsvOptions, loadCsv, parseCsv } from "./csv.js";
export { type Dataset, permutation, splitDataset, subset } from "./dataset.js";
export { FASHION_CLASSES, FASHION_MNIST_INSTALL, loadFashionMnist, loadFashionMnistAll } from "./fashion.js";
export { type Batch, DataLoader, type LoaderOptions } from "./loader.js";
export { bundledMnistPath, loadMnist, loadMnistAll, MNIST_SPLIT_SEED } from "./mnist.js";
