// A recorded operation: the plain data that backward, the graph drawings and the memory ledger all read.
import { isAnomalyEnabled } from "./anomaly.js";
import { captureSite } from "./call-site.js";
import type { DerivativeOf } from "./derivative.js";
import { isGradEnabled } from "./grad-mode.js";
import { currentGroups, type GroupFrame } from "./group.js";
import type { Tensor } from "./tensor.js";

/** How to pull a gradient back through one node. Written with ops, so it can itself be recorded. */
export interface VjpRule<A = unknown> {
  /**
   * Gradients for each input (null where none flows), given the output's gradient `g`. `into[i]`, where the
   * sweep offers one, is input i's gradient so far, which the rule may add its own into in place and return.
   */
  vjp(
    g: Tensor,
    saved: readonly Tensor[],
    attrs: A,
    node: Node,
    into?: readonly (Tensor | null)[],
  ): readonly (Tensor | null)[];
  /** Whether vjp may use `into`: the sweep offers it to these rules only (matmul's). */
  addsInto?: true;
  /** The same derivative as data (text and LaTeX) for explain and the drawings; absent for customGrad. */
  derivative?: DerivativeOf<A>;
}

let nextNodeId = 0;

/** A module a node was recorded inside: its name in the parent ("0") and its class ("Linear"). */
export interface ModuleFrame {
  readonly name: string;
  readonly type: string;
}

let moduleStack: readonly ModuleFrame[] = [];
let backwardDepth = 0;

/** Runs fn with nodes recorded as inside `frame` (graph drawings group them by module). */
export function inModule<T>(frame: ModuleFrame, fn: () => T): T {
  const before = moduleStack;
  moduleStack = [...before, frame];
  try {
    return fn();
  } finally {
    moduleStack = before;
  }
}

/** Runs fn with nodes recorded as part of a backward pass (with createGraph). */
export function duringBackward<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
}

export class Node {
  readonly id = nextNodeId++;
  /** null once backward has freed what the node saved (unless retainGraph). */
  saved: readonly Tensor[] | null;
  /** Each saved tensor's version when it was saved, to catch in-place changes before backward. */
  readonly savedVersions: readonly number[];
  /** The modules this node was recorded inside, outermost first. */
  readonly modules: readonly ModuleFrame[] = moduleStack;
  /** The composites (tensor/group.ts) this node was recorded inside, outermost first. */
  readonly groups: readonly GroupFrame[] = currentGroups();
  /** "backward" for nodes recorded by a backward pass with createGraph (second-order graphs). */
  readonly phase: "forward" | "backward" = backwardDepth > 0 ? "backward" : "forward";
  /** Where the op was called, captured only in anomaly mode (detectAnomaly); null otherwise. */
  readonly site: Error | null = isAnomalyEnabled() ? captureSite() : null;
  constructor(
    readonly prim: string,
    readonly inputs: readonly Tensor[],
    readonly attrs: unknown,
    saved: readonly Tensor[],
    readonly rule: VjpRule,
  ) {
    this.saved = saved;
    this.savedVersions = saved.map((t) => t.version);
  }

  /** Lets go of what the node saved (tensors that only the graph still held are freed); idempotent. */
  release(): void {
    if (this.saved === null) return;
    for (const t of this.saved) t.unsave();
    this.saved = null;
  }
}

/** Whether an op on these inputs records a node: grad mode is on and some input requires grad. */
export function recording(inputs: readonly Tensor[]): boolean {
  return isGradEnabled() && inputs.some((t) => t.requiresGrad);
}

/**
 * Records `out` as made by `prim` from `inputs`: keeps `saved` for backward (the ledger counts them as
 * saved) and links the node. The one place a node is made: ops, custom gradients and recomputation call it.
 */
export function record(
  out: Tensor,
  prim: string,
  inputs: readonly Tensor[],
  attrs: unknown,
  saved: readonly Tensor[],
  rule: VjpRule,
): Tensor {
  for (const t of saved) t.save();
  out.node = new Node(prim, inputs, attrs, saved, rule);
  out.requiresGrad = true;
  return out;
}
