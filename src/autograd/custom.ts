// User-defined ops with their own gradient: the forward runs without recording, the given
// backward (written with ops, so it can itself be differentiated) is recorded as one node.
import { fail } from "../errors.js";
import { detach } from "../ops/detach.js";
import { fmt, sameShape } from "../shape.js";
import { noGrad } from "../tensor/grad-mode.js";
import { record, recording, type VjpRule } from "../tensor/node.js";
import { Tensor } from "../tensor/tensor.js";

export interface CustomResult {
  value: Tensor;
  /**
   * Gradients for each input given the output's gradient; null (or a missing entry) for none.
   * It may use the inputs and `value` (kept for backward); other tensors it captures must outlive backward.
   */
  grad: (g: Tensor) => Tensor | readonly (Tensor | null)[];
}

/**
 * Makes an op from `fn`, which computes the value and says how to pull a gradient back:
 * `const square = customGrad((x) => ({ value: x.mul(x), grad: (g) => [g.mul(x).mul(2)] }))`.
 */
export function customGrad(
  fn: (...inputs: Tensor[]) => CustomResult,
  name = "custom",
): (...inputs: Tensor[]) => Tensor {
  return (...inputs) => {
    const result = noGrad(() => fn(...inputs));
    if (!(result?.value instanceof Tensor) || typeof result.grad !== "function") {
      fail(name, "the function must return { value: Tensor, grad: (g) => gradients }");
    }
    const { grad } = result;
    // An input (or any tensor already in a graph) returned as is gets a copy: its own node must not change.
    const reused = inputs.includes(result.value) || result.value.requiresGrad;
    const value = reused ? detach(result.value) : result.value;
    if (recording(inputs)) {
      const rule: VjpRule = {
        vjp: (g) => {
          const out = grad(g);
          const list = out instanceof Tensor ? [out] : out;
          return inputs.map((input, i) => {
            const gi = list[i] ?? null;
            if (gi && !sameShape(gi.shape, input.shape)) {
              fail(name, `gradient ${i} has shape ${fmt(gi.shape)} but input ${i} has ${fmt(input.shape)}`);
            }
            return gi;
          });
        },
      };
      // grad may read the inputs and the value: saved, so a tidy that ends before backward keeps them.
      record(value, name, inputs, {}, [...inputs, value], rule);
    }
    return value;
  };
}
