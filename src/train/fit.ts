// The chapter's training loop: forward, J = L + s, backward, SGD step, per minibatch; evaluation and an
// atomic checkpoint after every epoch, from which --resume continues to the same weights.
import { existsSync } from "node:fs";
import type { Dataset } from "../data/dataset.js";
import { DataLoader } from "../data/loader.js";
import { AnomalyError, asInput, fail, failInput } from "../errors.js";
import { loadTensors, saveTensors } from "../io/model-file.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Tensor } from "../tensor/tensor.js";
import { makeOptimizer, type TrainConfig } from "./config.js";
import { evaluate } from "./evaluate.js";
import { chapterMlp } from "./mlp.js";
import { trainStep } from "./step.js";

export interface EpochMetrics {
  epoch: number;
  /** Mean objective J over the epoch's minibatches. */
  loss: number;
  /** Accuracy on the training minibatches as they were seen during the epoch. */
  trainAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  seconds: number;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  examplesPerSecond: number;
}

export interface FitOptions {
  /** Where to write the checkpoint after each epoch (model + optimizer state + progress). */
  checkpoint?: string;
  /** A checkpoint to continue from. */
  resume?: string;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (m: EpochMetrics) => void;
}

export interface FitResult {
  model: Module;
  optimizer: Optimizer;
  metrics: EpochMetrics[];
}

function saveCheckpoint(
  path: string,
  model: Module,
  optimizer: Optimizer,
  config: TrainConfig,
  metrics: EpochMetrics[],
) {
  const tensors: Record<string, Tensor> = {};
  for (const [name, p] of model.namedParameters()) tensors[`model.${name}`] = p;
  const state = optimizer.stateDict();
  for (const [name, t] of Object.entries(state.buffers)) tensors[`optimizer.${name}`] = t;
  saveTensors(tensors, path, {
    metadata: {
      config: JSON.stringify(config),
      optimizer: JSON.stringify(state.hyper),
      metrics: JSON.stringify(metrics),
    },
  });
}

/** A JSON entry of a checkpoint's header; a missing one is `fallback`, a malformed one an InputError. */
function headerJson<T>(path: string, metadata: Record<string, string>, key: string, fallback: T): T {
  const text = metadata[key];
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return failInput("resume", `${path}: the "${key}" entry of the header is not valid JSON`);
  }
}

/** Loads a checkpoint into the model and optimizer; a missing, corrupt or mismatched one is an InputError. */
function restore(path: string, model: Module, optimizer: Optimizer, config: TrainConfig): EpochMetrics[] {
  if (!existsSync(path)) failInput("resume", `no checkpoint at ${path}`);
  const { tensors, metadata } = loadTensors(path);
  try {
    const saved = headerJson<TrainConfig | null>(path, metadata, "config", null);
    if (!saved)
      failInput("resume", `${path} has no training configuration; was it written by chainrule train?`);
    for (const key of [
      "dataset",
      "hidden",
      "layers",
      "bias",
      "activation",
      "optimizer",
      "lr",
      "batch",
      "seed",
    ] as const) {
      if (saved[key] !== config[key]) {
        failInput(
          "resume",
          `${path} was trained with --${key} ${saved[key]}, not ${config[key]}; resume with the same settings`,
        );
      }
    }
    const pick = (prefix: string) =>
      Object.fromEntries(
        Object.entries(tensors)
          .filter(([k]) => k.startsWith(prefix))
          .map(([k, t]) => [k.slice(prefix.length), t]),
      );
    const hyper = headerJson<Record<string, number>>(path, metadata, "optimizer", {});
    asInput(() => {
      model.loadStateDict(pick("model."));
      optimizer.loadStateDict({ hyper, buffers: pick("optimizer.") });
    });
    return headerJson<EpochMetrics[]>(path, metadata, "metrics", []);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/** Runs one step; an anomaly it raises (under detectAnomaly) says in which epoch and batch. */
function located<T>(epoch: number, batch: number, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof AnomalyError)) throw error;
    throw new AnomalyError(`epoch ${epoch}, batch ${batch}: ${error.message}`, { cause: error });
  }
}

/** Trains the chapter's MLP on `data` with `config`, reporting progress through the callbacks. */
export function fit(
  config: TrainConfig,
  data: { train: Dataset; test: Dataset },
  options: FitOptions = {},
): FitResult {
  const model = chapterMlp({
    inputs: data.train.features,
    hidden: config.hidden,
    outputs: Math.max(data.train.classes, data.test.classes),
    layers: config.layers,
    bias: config.bias,
    activation: config.activation,
    seed: config.seed,
  });
  const optimizer = makeOptimizer(config.optimizer, model.parameters(), config.lr);
  const loader = new DataLoader(data.train, { batchSize: config.batch, shuffle: true, seed: config.seed });
  const metrics = options.resume ? restore(options.resume, model, optimizer, config) : [];
  loader.epoch = metrics.length;
  for (let epoch = metrics.length + 1; epoch <= config.epochs; epoch++) {
    const start = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let batch = 0;
    for (const { x, y } of loader) {
      const step = located(epoch, batch + 1, () => trainStep(model, optimizer, x, y, config.weightDecay));
      const J = step.objective;
      correct += step.correct;
      if (!Number.isFinite(J))
        fail("train", `the objective became ${J} in epoch ${epoch}, batch ${batch + 1}; try a smaller --lr`);
      lossSum += J * x.shape[0];
      seen += x.shape[0];
      batch++;
      const elapsed = (performance.now() - start) / 1000;
      options.onBatch?.({
        epoch,
        batch,
        batches: loader.length,
        loss: lossSum / seen,
        examplesPerSecond: seen / elapsed,
      });
    }
    const seconds = (performance.now() - start) / 1000;
    const testEval = evaluate(model, data.test);
    const m: EpochMetrics = {
      epoch,
      loss: lossSum / Math.max(seen, 1),
      trainAccuracy: correct / Math.max(seen, 1),
      testAccuracy: testEval.accuracy,
      testLoss: testEval.loss,
      seconds,
    };
    metrics.push(m);
    if (options.checkpoint) saveCheckpoint(options.checkpoint, model, optimizer, config, metrics);
    options.onEpoch?.(m);
  }
  return { model, optimizer, metrics };
}
