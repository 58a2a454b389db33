// The chapter's training loop: forward, J = L + s, backward, SGD step, per minibatch; evaluation and an
// atomic checkpoint after every epoch, from which --resume continues to the same weights. The steps' losses
// stay on the backend and are read back asynchronously every `readEvery` batches, so a GPU is never waited for
// per step.
import { existsSync } from "node:fs";
import { type CapturedStep, capture } from "../capture/capture.js";
import type { Dataset } from "../data/dataset.js";
import { DataLoader } from "../data/loader.js";
import { AnomalyError, asInput, fail, failInput } from "../errors.js";
import { loadTensors, saveTensors } from "../io/model-file.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Tensor } from "../tensor/tensor.js";
import { makeOptimizer, type TrainConfig } from "./config.js";
import { evaluateAsync } from "./evaluate.js";
import { chapterMlp } from "./mlp.js";
import { readScalars } from "./read-scalars.js";
import { type StepTensors, trainStep } from "./step.js";

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

/** Progress after a read of the steps' losses: the running mean over the epoch's batches up to `batch`. */
export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  examplesPerSecond: number;
}

/** One step's figures, read back for onStep. */
export interface StepResult {
  epoch: number;
  batch: number;
  /** The step's objective J. */
  loss: number;
  /** Rows of the minibatch classified correctly, and the rows. */
  correct: number;
  examples: number;
}

/** Batches between two reads of the loss when FitOptions.readEvery is not given. */
export const DEFAULT_READ_EVERY = 20;

export interface FitOptions {
  /** Where to write the checkpoint after each epoch (model + optimizer state + progress). */
  checkpoint?: string;
  /** A checkpoint to continue from. */
  resume?: string;
  /**
   * Batches between reads of the loss (default 20). Each step's J and hits stay on the backend as tensors;
   * every `readEvery` batches and at the end of each epoch they are read back at once (`await t.data()`),
   * so on a GPU the steps in between are queued without waiting. A non-finite J is reported then, naming its
   * batch.
   */
  readEvery?: number;
  /** Called after each read: every `readEvery` batches and after the epoch's last (every batch with onStep). */
  onBatch?: (p: BatchProgress) => void;
  /**
   * Asks for a read after every step, and receives that step's J and hits. Costs one wait for a GPU per step;
   * leave it out to keep the GPU busy.
   */
  onStep?: (s: StepResult) => void;
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

/** A step whose J and hits are still on the backend. */
interface UnreadStep {
  batch: number;
  examples: number;
  tensors: StepTensors;
}

/** Running sums of an epoch, fed by reads of its steps in order. */
class EpochTotals {
  lossSum = 0;
  correct = 0;
  seen = 0;
  private unread: UnreadStep[] = [];

  constructor(
    private readonly epoch: number,
    private readonly onStep?: (s: StepResult) => void,
  ) {}

  add(step: UnreadStep): void {
    this.unread.push(step);
  }

  get pending(): number {
    return this.unread.length;
  }

  /** Reads every unread step with one backend read, adding J·rows and the hits in step order. */
  async read(): Promise<void> {
    const steps = this.unread;
    this.unread = [];
    const values = await readScalars(steps.flatMap((s) => [s.tensors.objective, s.tensors.correct]));
    steps.forEach((s, i) => {
      const J = values[2 * i];
      if (!Number.isFinite(J))
        fail(
          "train",
          `the objective became ${J} in epoch ${this.epoch}, batch ${s.batch}; try a smaller --lr`,
        );
      this.lossSum += J * s.examples;
      this.correct += values[2 * i + 1];
      this.seen += s.examples;
      this.onStep?.({
        epoch: this.epoch,
        batch: s.batch,
        loss: J,
        correct: values[2 * i + 1],
        examples: s.examples,
      });
    });
  }

  /** Frees steps never read (training stopped by an error). */
  discard(): void {
    for (const s of this.unread) {
      s.tensors.objective.dispose();
      s.tensors.correct.dispose();
    }
    this.unread = [];
  }
}

/**
 * Trains the chapter's MLP on `data` with `config`, reporting progress through the callbacks. The losses are
 * read back every `options.readEvery` batches (see FitOptions), not per step.
 */
export async function fit(
  config: TrainConfig,
  data: { train: Dataset; test: Dataset },
  options: FitOptions = {},
): Promise<FitResult> {
  const readEvery = options.onStep ? 1 : (options.readEvery ?? DEFAULT_READ_EVERY);
  if (!Number.isInteger(readEvery) || readEvery < 1)
    fail("fit", `readEvery must be an integer >= 1, got ${options.readEvery}`);
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
  const stepOptions = { lambda: config.weightDecay, readBack: "tensors" } as const;
  // Recorded on the first batch, replayed after (a new recording for the last, smaller batch of an epoch).
  const step = capture((x: Tensor, y: Tensor) => {
    const { objective, correct } = trainStep(model, optimizer, x, y, stepOptions);
    return [objective, correct];
  });
  try {
    return await epochs(config, data, options, { model, optimizer, loader, metrics, step, readEvery });
  } finally {
    step.dispose();
  }
}

interface Training {
  model: Module;
  optimizer: Optimizer;
  loader: DataLoader;
  metrics: EpochMetrics[];
  step: CapturedStep<[Tensor, Tensor], Tensor[]>;
  readEvery: number;
}

async function epochs(
  config: TrainConfig,
  data: { train: Dataset; test: Dataset },
  options: FitOptions,
  { model, optimizer, loader, metrics, step, readEvery }: Training,
): Promise<FitResult> {
  for (let epoch = metrics.length + 1; epoch <= config.epochs; epoch++) {
    const start = performance.now();
    const totals = new EpochTotals(epoch, options.onStep);
    let batch = 0;
    try {
      for (const { x, y } of loader) {
        batch++;
        const tensors = located(epoch, batch, () => {
          const [objective, correct] = step(x, y);
          return { objective, correct };
        });
        totals.add({ batch, examples: x.shape[0], tensors });
        if (totals.pending < readEvery && batch < loader.length) continue;
        await totals.read();
        options.onBatch?.({
          epoch,
          batch,
          batches: loader.length,
          loss: totals.lossSum / totals.seen,
          examplesPerSecond: totals.seen / ((performance.now() - start) / 1000),
        });
      }
      await totals.read();
    } finally {
      totals.discard();
    }
    const seconds = (performance.now() - start) / 1000;
    const testEval = await evaluateAsync(model, data.test);
    const m: EpochMetrics = {
      epoch,
      loss: totals.lossSum / Math.max(totals.seen, 1),
      trainAccuracy: totals.correct / Math.max(totals.seen, 1),
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
