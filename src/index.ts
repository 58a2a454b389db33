// Chainrule's public API for Node: everything in core.ts, plus data sets, model files and the training loop,
// which read and write files. Users and tests import from here. With CHAINRULE_BACKEND=webgpu the import
// waits for the GPU to start, so the first tensor is made there; where it cannot start, it says so once and
// the wasm backend runs.
import { getBackend, ready } from "./backend/registry.js";

export * from "./core.js";
export * as data from "./data/index.js";
export * as graph from "./graph/index.js";
export { type Architecture, architectureOf, type LayerSpec, mlpArchitecture } from "./io/architecture.js";
export { load, loadSequential, loadTensors, type SaveOptions, save, saveTensors } from "./io/model-file.js";
export * as parallel from "./parallel/index.js";
export {
  type BatchProgress,
  DEFAULT_READ_EVERY,
  type EpochMetrics,
  type FitOptions,
  type FitResult,
  fit,
  type StepResult,
} from "./train/fit.js";

try {
  await ready();
} catch (error) {
  console.warn(`chainrule: ${(error as Error).message}; the ${getBackend().name} backend runs instead`);
}
