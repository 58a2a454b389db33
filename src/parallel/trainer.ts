// What the three ways of training over devices share: a step on a host batch, the weights gathered back to the
// host, and batches cut into row ranges (the first n % k ranges one row longer, as accumulateGradients cuts them).
import type { Tensor } from "../tensor/tensor.js";
import type { Device } from "./device.js";
import type { Payload } from "./protocol.js";

export interface ParallelTrainer {
  /** The devices it trains on, in stage or replica order. */
  readonly devices: readonly Device[];
  /** One SGD step on the batch (x, y) held by the host; returns the batch's mean data loss L. */
  step(x: Tensor, y: Tensor): Promise<number>;
  /** The trained parameters, copied to the host, under the original model's names ("0.weight", ...). */
  weights(): Promise<Record<string, Tensor>>;
}

/** Training hyperparameters every strategy takes: the SGD rate and λ of s = λ/2 Σ‖W‖². */
export interface TrainOptions {
  lr: number;
  lambda: number;
}

/** The row ranges [start, end) of n rows cut into k parts. */
export function rowRanges(n: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const end = start + Math.floor(n / k) + (i < n % k ? 1 : 0);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** Each row range of a host tensor as a payload of its own (fresh buffers, ready to be transferred). */
export function rowsPayloads(t: Tensor, ranges: readonly [number, number][]): Payload[] {
  const width = t.size / t.shape[0];
  const values = t.dataSync();
  return ranges.map(([start, end]) => ({
    dtype: t.dtype,
    shape: [end - start, ...t.shape.slice(1)],
    data: values.slice(start * width, end * width).buffer as ArrayBuffer,
  }));
}
