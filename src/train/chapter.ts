// The chapter's helpers under one name, `cr.chapter`: its MLP, its training and prediction steps built on
// its model, and their memory (measured, or from dry runs). The package root re-exports this as a namespace.

export {
  type ChapterStepOptions,
  chapterMemory as memory,
  chapterStep as step,
  compareTrainingAndPrediction,
  predictionStep,
  type StepOptions,
  type TrainingVsPrediction,
} from "./footprint.js";
export { type Activation, chapterMlp as mlp, type MlpOptions } from "./mlp.js";
