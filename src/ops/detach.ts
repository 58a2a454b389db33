// detach and clone: the same values as a new leaf cut from the graph, or as a copy that stays in it.
import { outputTensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { viewOf } from "./apply.js";
import { mul } from "./binary.js";

/** The same values as a new leaf, cut from the graph (a copy, so each tensor owns its buffer). */
export function detach(x: Tensor): Tensor {
  x.assertLive("detach");
  const out = outputTensor(x.shape, x.dtype);
  x.storage.backend.copy(viewOf(x), viewOf(out), x.shape);
  return out;
}

/** A copy that stays in the graph when gradients are being recorded (x · 1). */
export function clone(x: Tensor): Tensor {
  return mul(x, 1);
}
