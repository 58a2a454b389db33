// Stochastic gradient descent with optional momentum (PyTorch's form), Nesterov, and weight decay added to the gradient.
import { fail } from "../errors.js";
import { add, mul, sub } from "../ops/binary.js";
import { addScaledInPlace } from "../ops/in-place.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** Adds weightDecay·p to the gradient (an L2 penalty folded into the update). */
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params, options.lr);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (this.momentum < 0 || this.weightDecay < 0) fail("SGD", "momentum and weightDecay must be >= 0");
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0))
      fail("SGD", "nesterov needs momentum > 0 and no dampening");
  }

  protected hyper(): Record<string, number> {
    return {
      momentum: this.momentum,
      dampening: this.dampening,
      nesterov: this.nesterov ? 1 : 0,
      weightDecay: this.weightDecay,
    };
  }

  // g ← ∇ + wd·p;  b ← μ·b + (1−τ)·g (b ← g on the first step);  p ← p − lr·(nesterov ? g + μ·b : b)
  protected update(p: Tensor, grad: Tensor): Tensor | null {
    if (!this.weightDecay && !this.momentum && grad.dtype === p.dtype) {
      // Plain SGD: p ← p − lr·g in one fused pass straight into p, no new tensor and no copy back.
      addScaledInPlace(p, grad, -this.lr);
      return null;
    }
    let g = this.weightDecay ? add(grad, mul(p, this.weightDecay)) : grad;
    if (this.momentum) {
      const first = !this.state.get(p)?.has("momentum");
      const b = this.buffer(p, "momentum");
      const next = first ? g : add(mul(b, this.momentum), mul(g, 1 - this.dampening));
      this.setBuffer(p, "momentum", next);
      g = this.nesterov ? add(g, mul(b, this.momentum)) : b;
    }
    return sub(p, mul(g, this.lr));
  }
}
