// detach and clone: the same values as a new leaf cut from the graph (sharing x's buffer), or as a copy that
// stays in it.
import { shareBuffer } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { mul } from "./binary.js";

/**
 * The same values as a new leaf, cut from the graph: a view of x's buffer, nothing copied. An in-place write
 * to either tensor first gives the written one a buffer of its own, so neither sees the other's writes.
 */
export function detach(x: Tensor): Tensor {
  x.assertLive("detach");
  return shareBuffer(x, x.shape, x);
}

/** A copy that stays in the graph when gradients are being recorded (x · 1). */
export function clone(x: Tensor): Tensor {
  return mul(x, 1);
}
