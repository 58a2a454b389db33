// The backward sweep's gradient slots: each holds a counted reference to its gradient tensor, so a gradient
// the sweep made is freed when the last slot lets go, and a second gradient is added into one in place.
import { add, cast } from "../ops/binary.js";
import { addInto } from "../ops/in-place.js";
import { sumTo } from "../ops/sum-to.js";
import { sameShape } from "../shape.js";
import { type Owner, tidyInternal } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";

/** What a tensor freed inside the sweep says when it is used afterwards. */
export const FREED_BY_BACKWARD = "freed by backward (a temporary of a VJP)";

/**
 * The sweep's gradient slots: each holds a counted reference to its tensor. A tensor the sweep made is freed
 * when nothing but the sweep's scope holds it any more; a caller's tensor (a seed, or one a hook returned) stays.
 * `inPlace`: a sum may go into a slot's tensor in place (not under createGraph, nor in anomaly mode).
 */
export class Slots extends Map<Tensor, Tensor> {
  constructor(
    private readonly owner: Owner,
    private readonly inPlace: boolean,
  ) {
    super();
  }
  /** Frees g if the sweep made it and no slot or delivery holds it any more. */
  settle(g: Tensor): void {
    if (g.owners === 1) this.owner.release(g);
  }
  /** Lets go of one reference to g (a slot's, or a delivery's). */
  drop(g: Tensor): void {
    g.letGo(FREED_BY_BACKWARD);
    this.settle(g);
  }
  /** Whether g is the sweep's own and held by nothing but its scope and `slots` slots (graphs aside). */
  onlyHeld(g: Tensor, slots: number): boolean {
    return this.owner.holds(g) && g.owners === 1 + slots;
  }
  /**
   * t's gradient so far, where a VJP may add into it in place: sums in place are allowed, and only this slot
   * holds it (not a graph, not another slot, not the caller). Else null.
   */
  accumulator(t: Tensor): Tensor | null {
    const g = this.get(t);
    return g !== undefined && this.canSumInto(g) ? g : null;
  }
  /** Whether a sum may go into g in place: allowed here, g saved by no graph, held by this slot alone. */
  private canSumInto(g: Tensor): boolean {
    return this.inPlace && !g.isSaved && this.onlyHeld(g, 1);
  }
  /** Empties t's slot, letting go of its gradient. */
  empty(t: Tensor): void {
    const g = this.get(t);
    if (g === undefined) return;
    this.delete(t);
    this.drop(g);
  }
  /** Delivers several gradients, holding all of them until all are placed (one tensor may go to several slots). */
  deliverAll(targets: readonly Tensor[], gs: readonly (Tensor | null)[]): void {
    for (const g of gs) g?.hold();
    try {
      targets.forEach((t, i) => {
        const g = gs[i];
        if (g && t.requiresGrad) this.deliver(t, g);
      });
    } finally {
      for (const g of gs) if (g) this.drop(g);
    }
  }
  /** Adds g into t's slot, first cast and summed to t's dtype and shape: in place if only this slot holds it. */
  private deliver(t: Tensor, g: Tensor): void {
    const fitted =
      g.dtype === t.dtype && sameShape(g.shape, t.shape)
        ? g
        : tidyInternal(FREED_BY_BACKWARD, () => {
            const typed = g.dtype === t.dtype ? g : cast(g, t.dtype);
            return sameShape(typed.shape, t.shape) ? typed : sumTo(typed, t.shape);
          });
    const before = this.get(t);
    if (before === undefined) this.set(t, fitted.hold());
    else if (this.canSumInto(before)) addInto(before, fitted);
    else {
      this.set(t, add(before, fitted).hold());
      this.drop(before);
    }
    if (fitted !== g) this.settle(fitted);
  }
}
