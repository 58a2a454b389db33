// Training configuration: the chapter's defaults, and the optimizer each name builds.
import { fail } from "../errors.js";
import { Adam, AdamW } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { SGD } from "../optim/sgd.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Activation } from "./mlp.js";

export type OptimizerName = "sgd" | "momentum" | "adam" | "adamw";
export const OPTIMIZERS: readonly OptimizerName[] = ["sgd", "momentum", "adam", "adamw"];

export interface TrainConfig {
  /** "mnist", "fashion-mnist" or "csv:PATH". */
  dataset: string;
  hidden: number;
  layers: number;
  bias: boolean;
  activation: Activation;
  optimizer: OptimizerName;
  lr: number;
  batch: number;
  epochs: number;
  /** λ of the chapter's penalty s = λ/2 Σ‖W‖²_F, added to the objective J = L + s. */
  weightDecay: number;
  seed: number;
}

/** The chapter's model on bundled MNIST: 784-256-10, ReLU, no bias, cross-entropy, λ = 1e-4, minibatch SGD. */
export const DEFAULT_CONFIG: TrainConfig = {
  dataset: "mnist",
  hidden: 256,
  layers: 1,
  bias: false,
  activation: "relu",
  optimizer: "sgd",
  lr: 0.3,
  batch: 64,
  epochs: 10,
  weightDecay: 1e-4,
  seed: 0,
};

export function makeOptimizer(name: OptimizerName, params: Tensor[], lr: number): Optimizer {
  switch (name) {
    case "sgd":
      return new SGD(params, { lr });
    case "momentum":
      return new SGD(params, { lr, momentum: 0.9 });
    case "adam":
      return new Adam(params, { lr });
    case "adamw":
      return new AdamW(params, { lr });
    default:
      return fail("train", `unknown optimizer "${name}"; use ${OPTIMIZERS.join(", ")}`);
  }
}
