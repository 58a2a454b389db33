// The nn namespace: modules, layers, initialisation and losses.
export { dropout, linear } from "./functional.js";
export { type InitOptions, type InitScheme, initWeight } from "./init.js";
export {
  Dropout,
  Flatten,
  GELU,
  Linear,
  type LinearOptions,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from "./layers.js";
export { crossEntropy, l2Penalty, mse, type Reduction } from "./losses.js";
export { type LoadResult, Module, type StateDict } from "./module.js";
