// Named groups of recorded nodes: a composite (the loss l, a squared norm, the penalty s, a Linear layer, φ)
// marks the nodes it records, so a trace can draw it as one operator at the book's level (graph/book.ts).
import type { Derivative } from "./derivative.js";
import { isGradEnabled } from "./grad-mode.js";
import type { Tensor } from "./tensor.js";

/** What a group computes: a layer's affine map, an activation φ, a loss l, ‖W‖²_F, or the penalty s. */
export type GroupKind = "linear" | "activation" | "loss" | "squaredNorm" | "penalty";

export interface GroupSpec {
  readonly kind: GroupKind;
  /** Its circle in the book's figure: "×", "φ", "l", "‖·‖²". */
  readonly symbol: string;
  /** A longer name: "Linear", "relu", "softmax cross-entropy", "s = λ/2 Σ‖W‖²_F". */
  readonly title: string;
  /**
   * The group's derivative over its inputs (templates as in tensor/derivative.ts, `{x0}` = inputs[0]); absent
   * when the group is one primitive over the same inputs, whose rule's derivative is then used.
   */
  readonly derivative?: Derivative;
  /** Values its templates name with `{@key}` (λ, the element count). */
  readonly attrs?: Readonly<Record<string, number | string>>;
}

/** One call of a composite: its spec, its inputs and (once it returned) its output. */
export interface GroupFrame extends GroupSpec {
  readonly id: number;
  readonly inputs: readonly Tensor[];
  output: Tensor | null;
}

let nextGroupId = 0;
let groupStack: readonly GroupFrame[] = [];

/** The groups a node recorded now lies in, outermost first. */
export function currentGroups(): readonly GroupFrame[] {
  return groupStack;
}

/**
 * Runs fn, a composite over `inputs`, with the nodes it records marked as one group. When nothing records
 * (grad mode off, no input requires grad) it only runs fn.
 */
export function inGroup<T extends Tensor>(spec: GroupSpec, inputs: readonly Tensor[], fn: () => T): T {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return fn();
  const frame: GroupFrame = { ...spec, id: nextGroupId++, inputs, output: null };
  const before = groupStack;
  groupStack = [...before, frame];
  try {
    const out = fn();
    frame.output = out;
    return out;
  } finally {
    groupStack = before;
  }
}
