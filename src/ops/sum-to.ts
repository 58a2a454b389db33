// Reducing a broadcast gradient back to an operand's shape: the one place broadcasting is undone.
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { reshape } from "./movement.js";
import { sum } from "./reduce.js";

/** Sums g over the axes that broadcasting added or stretched, so the result has `shape`. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (g.ndim === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(g, { axis: axes, keepdims: false }), shape);
}
