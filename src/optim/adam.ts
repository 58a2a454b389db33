// Adam (with optional L2 weight decay added to the gradient) and AdamW (decoupled decay applied to the weights).
import { fail } from "../errors.js";
import { add, div, mul, sub } from "../ops/binary.js";
import { sqrt } from "../ops/unary.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer } from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    for (const b of [this.beta1, this.beta2])
      if (!(b >= 0 && b < 1)) fail(this.constructor.name, `betas must be in [0, 1), got ${b}`);
  }

  protected hyper(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  /** The bias correction 1 − βᵗ changes every step: a captured Adam step is recorded anew each time. */
  protected override replayKey(): string {
    return `${super.replayKey()}|${this.steps}`;
  }

  // m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
  protected update(p: Tensor, grad: Tensor): Tensor {
    const t = this.steps;
    let weights = p;
    let g = grad;
    if (this.weightDecay && this.decoupled) weights = mul(p, 1 - this.lr * this.weightDecay);
    else if (this.weightDecay) g = add(grad, mul(p, this.weightDecay));
    const m = this.setBuffer(p, "m", add(mul(this.buffer(p, "m"), this.beta1), mul(g, 1 - this.beta1)));
    const v = this.setBuffer(
      p,
      "v",
      add(mul(this.buffer(p, "v"), this.beta2), mul(mul(g, g), 1 - this.beta2)),
    );
    const mHat = div(m, 1 - this.beta1 ** t);
    const vHat = div(v, 1 - this.beta2 ** t);
    return sub(weights, mul(div(mHat, add(sqrt(vHat), this.eps)), this.lr));
  }
}

/** Adam with decoupled weight decay: p ← p·(1 − lr·wd) before the Adam step (default wd 0.01). */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 0.01 });
  }
}
