// The optim namespace: optimizers and learning-rate schedules.
export { Adam, type AdamOptions, AdamW } from "./adam.js";
export { Optimizer, type OptimizerState } from "./optimizer.js";
export { CosineLR, LRSchedule, StepLR } from "./schedule.js";
export { SGD, type SGDOptions } from "./sgd.js";
