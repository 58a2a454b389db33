// The optim namespace: optimizers and learning-rate schedules.
export { Optimizer, type OptimizerState } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { CosineLR, LRSchedule, StepLR } from "./schedule.js";
