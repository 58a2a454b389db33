// The chapter's model: an MLP d → h → … → q with activation φ, no hidden bias by default; with no options it
// is the chapter's 784-256-10 ReLU network for MNIST.
import { fail } from "../errors.js";
import { GELU, Linear, ReLU, Sequential, Sigmoid, Tanh } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import { Generator } from "../tensor/random.js";

export type Activation = "relu" | "sigmoid" | "tanh" | "gelu";
export const ACTIVATIONS: readonly Activation[] = ["relu", "sigmoid", "tanh", "gelu"];

/** The chapter's sizes: 28×28-pixel images in, 256 hidden units, 10 classes out. */
const CHAPTER_SIZES = { inputs: 784, hidden: 256, outputs: 10 } as const;

/** Every option has the chapter's value as its default. */
export interface MlpOptions {
  /** Features per example, d (default 784: a 28×28 image). */
  inputs?: number;
  /** Units per hidden layer, h (default 256). */
  hidden?: number;
  /** Classes, q (default 10). */
  outputs?: number;
  /** Hidden layers (default 1, as in the chapter). */
  layers?: number;
  /** Biases in every layer (default false: the chapter has none). */
  bias?: boolean;
  /** φ (default "relu"). */
  activation?: Activation;
  /** Seed of the weight initialisation (default 0); the same seed gives the same weights. */
  seed?: number;
}

function activationModule(name: Activation): Module {
  switch (name) {
    case "relu":
      return new ReLU();
    case "sigmoid":
      return new Sigmoid();
    case "tanh":
      return new Tanh();
    case "gelu":
      return new GELU();
    default:
      return fail("mlp", `unknown activation "${name}"; use ${ACTIVATIONS.join(", ")}`);
  }
}

/**
 * z = W⁽¹⁾x, h = φ(z), …, o = W⁽ᴸ⁾h: Linear layers named "0.weight", "2.weight", … Weights are drawn with He
 * initialisation before ReLU and GELU, Xavier before sigmoid and tanh, and Xavier for the output layer.
 * `chapterMlp()` is the chapter's network: 784 → 256 → 10, one hidden layer, ReLU, no biases, seed 0.
 */
export function chapterMlp(options: MlpOptions = {}): Sequential {
  const {
    inputs = CHAPTER_SIZES.inputs,
    hidden = CHAPTER_SIZES.hidden,
    outputs = CHAPTER_SIZES.outputs,
    layers = 1,
    bias = false,
    activation = "relu",
    seed = 0,
  } = options;
  for (const [name, v] of Object.entries({ inputs, hidden, outputs, layers })) {
    if (!Number.isInteger(v) || v < 1) fail("mlp", `${name} must be an integer >= 1, got ${v}`);
  }
  const generator = new Generator(seed);
  const init = activation === "relu" || activation === "gelu" ? "he" : "xavier";
  const modules: Module[] = [];
  let width = inputs;
  for (let l = 0; l < layers; l++) {
    modules.push(new Linear(width, hidden, { bias, init, generator }), activationModule(activation));
    width = hidden;
  }
  modules.push(new Linear(width, outputs, { bias, init: "xavier", generator }));
  return new Sequential(...modules);
}
