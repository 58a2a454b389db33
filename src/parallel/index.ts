// Training over devices (Node only): devices are worker threads with their own backend, heap and ledger;
// pipeline, data-parallel and micro-batch trainers; measuring them (see docs/parallel.md).
export {
  type CompareOptions,
  compareStrategies,
  STRATEGIES,
  type Strategy,
  type StrategyResult,
} from "./compare.js";
export { DataParallelTrainer } from "./data-parallel.js";
export {
  type BusyInterval,
  closeDevices,
  Device,
  type DeviceOptions,
  RemoteModule,
  RemoteTensor,
  startDevices,
} from "./device.js";
export {
  bubbleFormula,
  type DeviceFigures,
  idleShare,
  measureTrainer,
  type TrainerFigures,
} from "./measure.js";
export { MicroBatchTrainer } from "./micro-batch.js";
export { type PipelineOptions, PipelineTrainer } from "./pipeline.js";
export type { DeviceMemory } from "./protocol.js";
export { type Stage, splitStages } from "./split.js";
export type { ParallelTrainer, TrainOptions } from "./trainer.js";
