// The chapter's model: an MLP d → h → … → q with activation φ, no hidden bias by default.
import { fail } from "../errors.js";
import { GELU, Linear, ReLU, Sequential, Sigmoid, Tanh } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import { Generator } from "../tensor/random.js";

export type Activation = "relu" | "sigmoid" | "tanh" | "gelu";
export const ACTIVATIONS: readonly Activation[] = ["relu", "sigmoid", "tanh", "gelu"];

export interface MlpOptions {
  inputs: number;
  hidden: number;
  outputs: number;
  /** Hidden layers (the chapter has one). */
  layers?: number;
  /** Biases in every layer (the chapter has none). */
  bias?: boolean;
  activation?: Activation;
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

/** z = W⁽¹⁾x, h = φ(z), …, o = W⁽ᴸ⁾h: Linear layers named "0.weight", "2.weight", … */
export function chapterMlp(options: MlpOptions): Sequential {
  const { inputs, hidden, outputs, layers = 1, bias = false, activation = "relu", seed = 0 } = options;
  if (!Number.isInteger(layers) || layers < 1) fail("mlp", `layers must be an integer >= 1, got ${layers}`);
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
