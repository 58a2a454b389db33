// The nn namespace: modules, layers, initialisation and losses.
export { Module, type LoadResult, type StateDict } from "./module.js";
export { Dropout, Flatten, GELU, Linear, ReLU, Sequential, Sigmoid, Tanh, type LinearOptions } from "./layers.js";
export { dropout, linear } from "./functional.js";
export { initWeight, type InitOptions, type InitScheme } from "./init.js";
export { crossEntropy, l2Penalty, mse, type Reduction } from "./losses.js";
