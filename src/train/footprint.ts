// Memory of a training step against prediction: the chapter's step (forward, J = L + s, backward, SGD update)
// and a forward under noGrad, measured on the ledger, for a given model and batch or dry-run for the chapter's MLP.

import { type SavedMemory, savedMemory } from "../graph/saved-memory.js";
import { dryRun } from "../memory/dry-run.js";
import {
  MEMORY_TAGS,
  type MemoryInfo,
  type MemoryReport,
  type MemoryTag,
  memory,
  memoryReport,
  type TagBytes,
} from "../memory/ledger.js";
import { crossEntropy, l2Penalty } from "../nn/losses.js";
import type { Module } from "../nn/module.js";
import { add } from "../ops/binary.js";
import { SGD } from "../optim/sgd.js";
import { zeros } from "../tensor/create.js";
import { noGrad } from "../tensor/grad-mode.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { chapterMlp } from "./mlp.js";
import { trainStep } from "./step.js";

export interface StepOptions {
  /** λ of s = λ/2 Σ‖W‖²_F (default 1e-4; 0 gives J = L). */
  lambda?: number;
  /** SGD learning rate (default 0.3). */
  lr?: number;
}

/** The chapter's step with plain SGD and nothing read back: trainStep as the measurements run it. */
export function sgdStep(model: Module, x: Tensor, y: Tensor, options: StepOptions = {}): void {
  const optimizer = new SGD(model.parameters(), { lr: options.lr ?? 0.3 });
  trainStep(model, optimizer, x, y, { lambda: options.lambda, readBack: false });
}

/** Prediction: the forward pass under noGrad, so no graph is recorded and nothing is saved. */
export function predictionStep(model: Module, x: Tensor): void {
  tidy(() => noGrad(() => model.forward(x)));
}

export interface TrainingVsPrediction {
  training: MemoryReport<void>;
  prediction: MemoryReport<void>;
}

/**
 * The ledger during prediction (forward under noGrad) and then during one training step, for this model and
 * batch. x and y are counted as "data" while it runs (their own tags are restored afterwards). The step leaves
 * the parameters updated and their gradients set, as a real step does.
 */
export function compareTrainingAndPrediction(
  model: Module,
  x: Tensor,
  y: Tensor,
  options: StepOptions = {},
): TrainingVsPrediction {
  const tags: [Tensor, MemoryTag][] = [
    [x, x.storage.tag],
    [y, y.storage.tag],
  ];
  x.tagAs("data");
  y.tagAs("data");
  try {
    const prediction = memoryReport(() => predictionStep(model, x));
    const training = memoryReport(() => sgdStep(model, x, y, options));
    return { training, prediction };
  } finally {
    for (const [t, tag] of tags) t.tagAs(tag);
  }
}

export interface ChapterStepOptions extends StepOptions {
  batch: number;
  /** Hidden layers (default 1). */
  layers?: number;
  hidden?: number;
  inputs?: number;
  outputs?: number;
  bias?: boolean;
}

/** The chapter's MLP and a batch of (zero) data, tagged "parameter" and "data". */
export function chapterSetup(options: ChapterStepOptions): { model: Module; x: Tensor; y: Tensor } {
  const { batch, layers = 1, hidden = 256, inputs = 784, outputs = 10, bias = false } = options;
  const model = chapterMlp({ inputs, hidden, outputs, layers, bias });
  const x = zeros([batch, inputs], { tag: "data" });
  const y = zeros([batch], { dtype: "int32", tag: "data" });
  return { model, x, y };
}

/** Builds the chapter's MLP and data, then runs the step: call it inside dryRun or memoryReport. */
export function chapterStep(options: ChapterStepOptions, mode: "training" | "prediction"): void {
  const { model, x, y } = chapterSetup(options);
  if (mode === "training") sgdStep(model, x, y, options);
  else predictionStep(model, x);
}

/**
 * Peak bytes per tag of the chapter's step from dry runs (no real memory used): parameters and data are
 * counted, the temporaries of initialising the weights are not (the model is built before the step is measured).
 */
export function chapterMemory(options: ChapterStepOptions): { training: TagBytes; prediction: TagBytes } {
  const measure = (mode: "training" | "prediction"): TagBytes =>
    dryRun(() => {
      const before = memory();
      const { model, x, y } = chapterSetup(options);
      const step = memoryReport(() =>
        mode === "training" ? sgdStep(model, x, y, options) : predictionStep(model, x),
      );
      return minus(step.peak, before);
    }).result;
  return { training: measure("training"), prediction: measure("prediction") };
}

/**
 * What the chapter's forward pass saves for backward, per book-level operator (×, φ, l, ‖·‖², +), from a dry run:
 * the trace of J = L + s on the meta backend, x and y tagged "data" as in the step.
 */
export function chapterSavedByOperator(options: ChapterStepOptions): SavedMemory {
  return dryRun(() =>
    tidy(() => {
      const { model, x, y } = chapterSetup(options);
      const lambda = options.lambda ?? 1e-4;
      const L = crossEntropy(model.forward(x), y);
      const J = lambda > 0 ? add(L, l2Penalty(model.parameters(), lambda)) : L;
      return savedMemory(J, { names: model });
    }),
  ).result;
}

function minus(peak: TagBytes, before: MemoryInfo): TagBytes {
  return {
    total: peak.total - before.bytes,
    byTag: Object.fromEntries(
      MEMORY_TAGS.map((t) => [t, peak.byTag[t] - before.byCategory[t].bytes]),
    ) as Record<MemoryTag, number>,
  };
}
