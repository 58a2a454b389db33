// Exercise 5 measured: the same network and batches trained one step at a time by each strategy (a plain
// single-device baseline, micro-batch accumulation on one device, pipeline and data parallelism over k devices),
// with each device's ledger read around every step.
import type { Dataset } from "../data/dataset.js";
import { fail } from "../errors.js";
import { tensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { chapterMlp } from "../train/mlp.js";
import { DataParallelTrainer } from "./data-parallel.js";
import { closeDevices, startDevices } from "./device.js";
import { bubbleFormula, measureTrainer, type TrainerFigures } from "./measure.js";
import { MicroBatchTrainer } from "./micro-batch.js";
import { PipelineTrainer } from "./pipeline.js";
import type { ParallelTrainer } from "./trainer.js";

export const STRATEGIES = ["single", "microbatch", "pipeline", "data"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface CompareOptions {
  strategies: readonly Strategy[];
  /** k: devices for pipeline and data parallelism. */
  devices: number;
  /** m: micro-batches for pipeline and micro-batch accumulation. */
  microBatches: number;
  /** Hidden layers of the MLP 784 → hidden ×layers → 10 (ReLU, no biases, seed 0). */
  layers: number;
  hidden: number;
  batch: number;
  /** Measured steps (one more runs first, unmeasured, to warm up). */
  steps: number;
  /** Threads of each device's wasm backend. */
  threads: number;
  lr: number;
  lambda: number;
}

export interface StrategyResult {
  strategy: Strategy;
  devices: number;
  microBatches: number;
  /** (k − 1) / (m + k − 1) for the pipeline; null for the others. */
  bubbleFormula: number | null;
  figures: TrainerFigures;
}

/** The first `count` batches of `batch` rows of a data set, as host tensors (x float32, y int32). */
export function firstBatches(data: Dataset, batch: number, count: number): { x: Tensor; y: Tensor }[] {
  if (batch * count > data.count)
    fail(
      "parallel",
      `${count} batches of ${batch} need ${batch * count} examples; ${data.name} has ${data.count}`,
    );
  return Array.from({ length: count }, (_, b) => {
    const x = new Float32Array(batch * data.features);
    for (let i = 0; i < x.length; i++) x[i] = data.x[b * batch * data.features + i] * data.scale;
    const y = data.y.slice(b * batch, (b + 1) * batch);
    return { x: tensor(x, { shape: [batch, data.features], tag: "data" }), y: tensor(y, { tag: "data" }) };
  });
}

/** Trains and measures each strategy in turn on the same starting weights and batches. */
export async function compareStrategies(options: CompareOptions, data: Dataset): Promise<StrategyResult[]> {
  const { devices: k, microBatches: m } = options;
  const batches = firstBatches(data, options.batch, options.steps + 1);
  const model = () =>
    chapterMlp({
      inputs: data.features,
      outputs: data.classes,
      hidden: options.hidden,
      layers: options.layers,
    });
  const devices = startDevices(k, { threads: options.threads });
  const train = { lr: options.lr, lambda: options.lambda };
  const trainers: Record<Strategy, () => Promise<ParallelTrainer>> = {
    single: () => MicroBatchTrainer.create(model(), devices[0], { ...train, microBatches: 1 }),
    microbatch: () => MicroBatchTrainer.create(model(), devices[0], { ...train, microBatches: m }),
    pipeline: () =>
      PipelineTrainer.create(model(), devices, { ...train, microBatches: m, batch: options.batch }),
    data: () => DataParallelTrainer.create(model(), devices, train),
  };
  const results: StrategyResult[] = [];
  try {
    for (const strategy of options.strategies) {
      const trainer = await trainers[strategy]();
      const figures = await measureTrainer(trainer, batches, 1);
      results.push({
        strategy,
        devices: trainer.devices.length,
        microBatches: strategy === "pipeline" || strategy === "microbatch" ? m : 1,
        bubbleFormula: strategy === "pipeline" ? bubbleFormula(k, m) : null,
        figures,
      });
    }
  } finally {
    await closeDevices(devices);
    for (const b of batches) {
      b.x.dispose();
      b.y.dispose();
    }
  }
  return results;
}
