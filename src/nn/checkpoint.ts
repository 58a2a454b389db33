// A module wrapper that checkpoints its inner module: the forward pass keeps only the input, and backward
// runs the inner module again (autograd/checkpoint.ts).
import { checkpoint } from "../autograd/checkpoint.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** `new Checkpoint(block)` computes `block.forward(x)` but recomputes the block's intermediates in backward. */
export class Checkpoint extends Module {
  constructor(readonly inner: Module) {
    super();
  }
  forward(x: Tensor): Tensor {
    return checkpoint((h) => this.inner.forward(h), x, ...this.inner.parameters());
  }
}
