// One training step of the chapter: o = net(x), J = L(o, y) + λ/2 Σ‖W‖², backward, update, inside one
// tidy. fit() keeps J and the hits as tensors and reads them in batches; memory measurements read nothing.
import { backward } from "../autograd/sweep.js";
import { crossEntropy, l2Penalty } from "../nn/losses.js";
import type { Module } from "../nn/module.js";
import { add, equal } from "../ops/binary.js";
import { castTo } from "../ops/convert.js";
import { detach } from "../ops/detach.js";
import { argmax, sum } from "../ops/reduce.js";
import type { Optimizer } from "../optim/optimizer.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";

export interface TrainStepOptions {
  /** λ of s = λ/2 Σ‖W‖²_F (default 1e-4; 0 gives J = L). */
  lambda?: number;
  /**
   * false: read nothing back (no J, no accuracy), so the step allocates only what training needs.
   * "tensors": read nothing back but return J and the hits as scalar tensors the caller disposes (fit reads
   * many steps' worth at once, so a GPU is never waited for per step).
   */
  readBack: false | "tensors";
}

/** A step's objective J (float32 scalar) and number of correctly classified rows (int32 scalar), unread. */
export interface StepTensors {
  objective: Tensor;
  correct: Tensor;
}

/** One minibatch step: o = net(x), J = L(o, y) + λ/2 Σ‖W‖², backward, update. Returns J and the hits. */
export function trainStep(
  model: Module,
  optimizer: Optimizer,
  x: Tensor,
  y: Tensor,
  lambda: number,
): { objective: number; correct: number };
/** The same step returning J and the hits as tensors, unread (`{ readBack: "tensors" }`). */
export function trainStep(
  model: Module,
  optimizer: Optimizer,
  x: Tensor,
  y: Tensor,
  options: TrainStepOptions & { readBack: "tensors" },
): StepTensors;
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
): { objective: number; correct: number } | StepTensors | undefined {
  const readBack = typeof lambdaOrOptions === "number" ? true : lambdaOrOptions.readBack;
  const lambda = typeof lambdaOrOptions === "number" ? lambdaOrOptions : (lambdaOrOptions.lambda ?? 1e-4);
  return tidy(() => {
    const o = model.forward(x);
    const L = crossEntropy(o, y);
    const J = lambda > 0 ? add(L, l2Penalty(model.parameters(), lambda)) : L;
    optimizer.zeroGrad();
    backward(J);
    optimizer.step();
    if (readBack === false) return undefined;
    if (readBack === "tensors") {
      // Hits counted on the backend: Σ [argmax(o) = y], as int32.
      return { objective: detach(J), correct: castTo(sum(equal(argmax(o, { axis: 1 }), y)), "int32") };
    }
    const predicted = argmax(o, { axis: 1 }).dataSync();
    const labels = y.dataSync();
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
    return { objective: J.item(), correct };
  });
}
