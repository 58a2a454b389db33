// Names kept for one version after a rename, each pointing at its new home; deleted in the next release.
// The new names: cr.chapter.*, cr.trainStep (with { readBack: false }), cr.recompute and cr.Recompute.
import * as recomputation from "./autograd/recompute.js";
import { Recompute } from "./nn/recompute.js";
import * as footprint from "./train/footprint.js";
import * as mlp from "./train/mlp.js";

/** @deprecated Use `cr.chapter.mlp`, the same function. */
export const chapterMlp = mlp.chapterMlp;
/** @deprecated Use `cr.chapter.step`, the same function. */
export const chapterStep = footprint.chapterStep;
/** @deprecated Use `cr.chapter.memory`, the same function. */
export const chapterMemory = footprint.chapterMemory;
/** @deprecated Use `cr.chapter.compareTrainingAndPrediction`, the same function. */
export const compareTrainingAndPrediction = footprint.compareTrainingAndPrediction;
/** @deprecated Use `cr.chapter.predictionStep`, the same function. */
export const predictionStep = footprint.predictionStep;
/** @deprecated Use `cr.trainStep(model, new cr.optim.SGD(model.parameters(), { lr }), x, y, { lambda, readBack: false })`. */
export const trainingStep = footprint.sgdStep;
/** @deprecated Use `cr.recompute`, the same function ("checkpoint" now means a saved training state only). */
export const checkpoint = recomputation.recompute;
/** @deprecated Use `cr.Recompute`, the same module under its new name. */
export class Checkpoint extends Recompute {}

/** @deprecated Use `cr.chapter.MlpOptions`. */
export type MlpOptions = mlp.MlpOptions;
/** @deprecated Use `cr.chapter.Activation`. */
export type Activation = mlp.Activation;
/** @deprecated Use `cr.chapter.ChapterStepOptions`. */
export type ChapterStepOptions = footprint.ChapterStepOptions;
/** @deprecated Use `cr.chapter.StepOptions`. */
export type StepOptions = footprint.StepOptions;
/** @deprecated Use `cr.chapter.TrainingVsPrediction`. */
export type TrainingVsPrediction = footprint.TrainingVsPrediction;
