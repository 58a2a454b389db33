// Chainrule's public API for Node: everything in core.ts, plus data sets, model files and the training loop,
// which read and write files. Users and tests import from here.
export * from "./core.js";
export * as data from "./data/index.js";
export { load, loadTensors, type SaveOptions, save, saveTensors } from "./io/model-file.js";
export { type EpochMetrics, type FitOptions, fit } from "./train/fit.js";
