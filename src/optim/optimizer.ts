// Optimizer base: holds parameters, per-parameter state tensors (tagged "optimizer" in the ledger),
// zeroGrad and a step that runs without recording and frees its temporaries.

import { fail } from "../errors.js";
import { assign } from "../ops/in-place.js";
import { fmt, sameShape } from "../shape.js";
import { capturing } from "../tensor/capture-state.js";
import { full } from "../tensor/create.js";
import { noGrad } from "../tensor/grad-mode.js";
import { tidyInternal } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";

export interface OptimizerState {
  /** Hyperparameters and the step count. */
  hyper: Record<string, number>;
  /** State tensors by "<parameter index>.<name>". */
  buffers: Record<string, Tensor>;
}

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  /** Steps taken so far. */
  steps = 0;
  protected readonly state = new Map<Tensor, Map<string, Tensor>>();

  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (!(lr > 0)) fail(this.constructor.name, `lr must be > 0, got ${lr}`);
    this.params.forEach((p, i) => {
      if (!p.requiresGrad || !p.isLeaf)
        fail(this.constructor.name, `parameter ${i} ${p.describe()} is not a leaf that requires grad`);
      if (this.params.indexOf(p) !== i)
        fail(this.constructor.name, `parameter ${i} ${p.describe()} is listed twice`);
    });
    this.lr = lr;
  }

  /** The new value of p given its gradient, or null where it updated p in place; called inside noGrad and tidy. */
  protected abstract update(p: Tensor, grad: Tensor): Tensor | null;

  protected abstract hyper(): Record<string, number>;

  /** A state tensor for p, created as zeros on first use. */
  protected buffer(p: Tensor, name: string): Tensor {
    let slots = this.state.get(p);
    if (!slots) {
      slots = new Map();
      this.state.set(p, slots);
    }
    let t = slots.get(name);
    if (!t) {
      t = full(p.shape, 0, { dtype: p.dtype, tag: "optimizer" }).keep();
      slots.set(name, t);
    }
    return t;
  }

  /** Overwrites a state tensor in place with new values. */
  protected setBuffer(p: Tensor, name: string, value: Tensor): Tensor {
    return assign(this.buffer(p, name), value);
  }

  /**
   * What a captured step's recording of this optimizer depends on (capture/capture.ts): the learning rate, the
   * hyperparameters and which state tensors exist (SGD's momentum starts on the second step). An optimizer
   * whose update depends on the step count (Adam's bias correction) adds it, so each step records anew.
   */
  protected replayKey(): string {
    let slots = 0;
    for (const s of this.state.values()) slots += s.size;
    return `${this.lr}|${JSON.stringify(this.hyper())}|${slots}`;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    const sink = capturing();
    if (sink !== null) {
      sink.guard(`${this.constructor.name}'s learning rate, hyperparameters or state`, () =>
        this.replayKey(),
      );
      sink.onReplay(() => this.steps++);
    }
    this.steps++;
    noGrad(() =>
      tidyInternal("freed when the optimizer step ended (a temporary of the update)", () => {
        for (const p of this.params) {
          if (p.grad === null) continue;
          const next = this.update(p, p.grad);
          if (next !== null) assign(p, next);
        }
      }),
    );
  }

  /** Frees and clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose("zeroGrad() freed it");
      p.grad = null;
    }
  }

  stateDict(): OptimizerState {
    const buffers: Record<string, Tensor> = {};
    this.params.forEach((p, i) => {
      for (const [name, t] of this.state.get(p) ?? []) buffers[`${i}.${name}`] = t;
    });
    return { hyper: { ...this.hyper(), lr: this.lr, steps: this.steps }, buffers };
  }

  /** Copies state from `state` (checked in full first, so a bad state changes nothing). */
  loadStateDict(state: OptimizerState): void {
    const slots = Object.entries(state.buffers).map(([key, value]) => {
      const [, index, name] = /^(\d+)\.(.+)$/.exec(key) ?? [];
      const p = index === undefined ? undefined : this.params[Number(index)];
      if (!p)
        fail(
          "loadStateDict",
          `optimizer state "${key}" names no parameter (there are ${this.params.length})`,
        );
      if (!sameShape(value.shape, p.shape)) {
        fail(
          "loadStateDict",
          `optimizer state "${key}" has shape ${fmt(value.shape)}, parameter ${index} has ${fmt(p.shape)}`,
        );
      }
      return { p, name, value };
    });
    noGrad(() => {
      for (const { p, name, value } of slots) assign(this.buffer(p, name), value);
    });
    this.lr = state.hyper.lr ?? this.lr;
    this.steps = state.hyper.steps ?? this.steps;
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const slots of this.state.values()) for (const t of slots.values()) t.dispose();
    this.state.clear();
  }
}
