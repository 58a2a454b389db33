// Learning-rate schedules, stepped once per epoch: step decay and cosine annealing.
import { fail } from "../errors.js";
import type { Optimizer } from "./optimizer.js";

export abstract class LRSchedule {
  readonly baseLr: number;
  epoch = 0;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  protected abstract rate(epoch: number): number;
  /** Advances one epoch and sets the optimizer's learning rate. */
  step(): number {
    this.epoch++;
    this.optimizer.lr = this.rate(this.epoch);
    return this.optimizer.lr;
  }
}

/** lr = base · γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRSchedule {
  constructor(
    optimizer: Optimizer,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize <= 0)
      fail("StepLR", `stepSize must be a positive integer, got ${stepSize}`);
  }
  protected rate(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = min + (base − min)·(1 + cos(π·epoch/tMax))/2, held at min after tMax. */
export class CosineLR extends LRSchedule {
  constructor(
    optimizer: Optimizer,
    readonly tMax: number,
    readonly minLr = 0,
  ) {
    super(optimizer);
    if (!(tMax > 0)) fail("CosineLR", `tMax must be > 0, got ${tMax}`);
  }
  protected rate(epoch: number): number {
    const e = Math.min(epoch, this.tMax);
    return this.minLr + ((this.baseLr - this.minLr) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2;
  }
}
