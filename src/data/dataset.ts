// In-memory labelled data: features as bytes or floats (with a scale), integer labels, and seeded splits.
import { fail } from "../errors.js";
import { Generator } from "../tensor/random.js";

export interface Dataset {
  name: string;
  /** Number of examples. */
  count: number;
  /** Features per example. */
  features: number;
  classes: number;
  /** count × features values; multiplied by `scale` when batched (1/255 for image bytes). */
  x: Uint8Array | Float32Array;
  scale: number;
  /** count labels in [0, classes). */
  y: Int32Array;
  /** Image size, for datasets of images. */
  image?: { rows: number; cols: number };
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, seed: number): Int32Array {
  const g = new Generator(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** The examples at `indices`, in that order. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const x =
    ds.x instanceof Uint8Array
      ? new Uint8Array(indices.length * ds.features)
      : new Float32Array(indices.length * ds.features);
  const y = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    x.set(ds.x.subarray(i * ds.features, (i + 1) * ds.features), k * ds.features);
    y[k] = ds.y[i];
  }
  return { ...ds, name, count: indices.length, x, y };
}

/** A fixed, seeded split into `trainCount` training examples and the rest for testing. */
export function splitDataset(
  ds: Dataset,
  trainCount: number,
  seed: number,
): { train: Dataset; test: Dataset } {
  if (!Number.isInteger(trainCount) || trainCount < 0 || trainCount > ds.count) {
    fail("splitDataset", `trainCount ${trainCount} must be in [0, ${ds.count}]`);
  }
  const order = permutation(ds.count, seed);
  return {
    train: subset(ds, order.subarray(0, trainCount), `${ds.name}-train`),
    test: subset(ds, order.subarray(trainCount), `${ds.name}-test`),
  };
}
