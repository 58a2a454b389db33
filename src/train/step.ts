// One training step of the chapter: o = net(x), J = L(o, y) + λ/2 Σ‖W‖², backward, update, inside one
// tidy. fit() runs it per minibatch and reads J and the hits back; memory measurements read nothing back.
import { backward } from "../autograd/sweep.js";
import { crossEntropy, l2Penalty } from "../nn/losses.js";
import type { Module } from "../nn/module.js";
import { add } from "../ops/binary.js";
import { argmax } from "../ops/reduce.js";
import type { Optimizer } from "../optim/optimizer.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";

export interface TrainStepOptions {
  /** λ of s = λ/2 Σ‖W‖²_F (default 1e-4; 0 gives J = L). */
  lambda?: number;
  /** false: read nothing back (no J, no accuracy), so the step allocates only what training needs. */
  readBack: false;
}

/** One minibatch step: o = net(x), J = L(o, y) + λ/2 Σ‖W‖², backward, update. Returns J and the hits. */
export function trainStep(
  model: Module,
  optimizer: Optimizer,
  x: Tensor,
  y: Tensor,
  lambda: number,
): { objective: number; correct: number };
/** The same step with nothing read back (`{ readBack: false }`): what the memory measurements run. */
export function trainStep(
  model: Module,
  optimizer: Optimizer,
  x: Tensor,
  y: Tensor,
  options: TrainStepOptions,
): void;
export function trainStep(
  model: Module,
  optimizer: Optimizer,
  x: Tensor,
  y: Tensor,
  lambdaOrOptions: number | TrainStepOptions,
): { objective: number; correct: number } | undefined {
  const readBack = typeof lambdaOrOptions === "number";
  const lambda = typeof lambdaOrOptions === "number" ? lambdaOrOptions : (lambdaOrOptions.lambda ?? 1e-4);
  return tidy(() => {
    const o = model.forward(x);
    const L = crossEntropy(o, y);
    const J = lambda > 0 ? add(L, l2Penalty(model.parameters(), lambda)) : L;
    optimizer.zeroGrad();
    backward(J);
    optimizer.step();
    if (!readBack) return undefined;
    const predicted = argmax(o, { axis: 1 }).dataSync();
    const labels = y.dataSync();
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
    return { objective: J.item(), correct };
  });
}
