// A module wrapper that recomputes its inner module: the forward pass keeps only the input, and backward
// runs the inner module again (autograd/recompute.ts).
import { recompute } from "../autograd/recompute.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** `new Recompute(block)` computes `block.forward(x)` but recomputes the block's intermediates in backward. */
export class Recompute extends Module {
  constructor(readonly inner: Module) {
    super();
  }
  forward(x: Tensor): Tensor {
    return recompute((h) => this.inner.forward(h), x, ...this.inner.parameters());
  }
}
