// DataLoader: minibatches as tensors (x float32 [b, features], y int32 [b]), seeded shuffling per epoch,
// optional drop-last. Each batch is freed when the next is taken or the loop ends, so loops leak nothing.
import { fail } from "../errors.js";
import { filledTensor } from "../tensor/create.js";
import { noteValueRange } from "../tensor/known-range.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Dataset, permutation } from "./dataset.js";

export interface LoaderOptions {
  batchSize: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
}

export interface Batch {
  x: Tensor;
  y: Tensor;
}

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Epochs started so far; the shuffle of epoch e depends only on (seed, e), so training can resume. */
  epoch = 0;

  constructor(
    readonly dataset: Dataset,
    options: LoaderOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize <= 0) {
      fail("DataLoader", `batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.batchSize = options.batchSize;
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.count / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The example order of epoch `e`. */
  order(e: number): Int32Array {
    const n = this.dataset.count;
    return this.shuffle
      ? permutation(n, this.seed * 1000003 + e)
      : Int32Array.from({ length: n }, (_, i) => i);
  }

  /** The batch of the given example indices, as tensors tagged "data" in the ledger. */
  batch(indices: ArrayLike<number>): Batch {
    const { features, x, y, scale } = this.dataset;
    const b = indices.length;
    // Rows are gathered (and scaled) straight into the batch tensors' buffers: one pass, no staging array.
    const xs = filledTensor(
      [b, features],
      "float32",
      (out) => {
        for (let k = 0; k < b; k++) {
          const from = indices[k] * features;
          const base = k * features;
          if (scale === 1) out.set(x.subarray(from, from + features), base);
          else for (let f = 0; f < features; f++) out[base + f] = x[from + f] * scale;
        }
      },
      { tag: "data" },
    );
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const ys = filledTensor(
      [b],
      "int32",
      (out) => {
        for (let k = 0; k < b; k++) {
          const label = y[indices[k]];
          out[k] = label;
          if (label < min) min = label;
          if (label > max) max = label;
        }
      },
      { tag: "data" },
    );
    // The labels' range, known here, spares crossEntropy a read of them back from a GPU.
    noteValueRange(ys, min, max);
    return { x: xs.keep(), y: ys.keep() };
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.order(this.epoch++);
    let current: Batch | null = null;
    try {
      for (let start = 0; start < order.length; start += this.batchSize) {
        const end = Math.min(start + this.batchSize, order.length);
        if (this.dropLast && end - start < this.batchSize) break;
        current?.x.dispose();
        current?.y.dispose();
        current = this.batch(order.subarray(start, end));
        yield current;
      }
    } finally {
      current?.x.dispose();
      current?.y.dispose();
    }
  }
}
