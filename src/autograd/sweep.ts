// The backward sweep: topological order by an iterative DFS, then VJPs in reverse, reducing broadcast
// gradients once, calling hooks, handing each leaf its gradient as soon as it is final, and freeing saved
// tensors unless retainGraph. Never recursive.
import { fail } from "../errors.js";
import { add } from "../ops/binary.js";
import { clone, detach } from "../ops/detach.js";
import { addInto, copyInto } from "../ops/in-place.js";
import { fmt, sameShape } from "../shape.js";
import { checkVjp, isAnomalyEnabled, pullingBack } from "../tensor/anomaly.js";
import { capturing } from "../tensor/capture-state.js";
import { onesLike } from "../tensor/create.js";
import { withGradMode } from "../tensor/grad-mode.js";
import { duringBackward, type Node } from "../tensor/node.js";
import { type Owner, tidyInternal, tidyOwning } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { FREED_BY_BACKWARD, Slots } from "./slots.js";

/** The tensors whose gradients a sweep returns (a set, or every leaf it reaches). */
type Wanted = Pick<ReadonlySet<Tensor>, "has">;
/** backward() wants every leaf it reaches (only tensors that require grad are reached). */
const LEAVES: Wanted = { has: (t) => t.isLeaf && t.requiresGrad };

export interface BackwardOptions {
  /** Keep saved intermediates so backward can run through this graph again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients are differentiable (implies retainGraph unless said). */
  createGraph?: boolean;
}

/**
 * The recorded tensors on a path from the roots to a wanted tensor, outputs before inputs.
 * Wanted tensors end the walk: their gradient is final there.
 */
function reverseTopological(roots: readonly Tensor[], wanted: Wanted): Tensor[] {
  const order: Tensor[] = [];
  const leads = new Map<Tensor, boolean>();
  const stack: { t: Tensor; next: number }[] = roots.map((t) => ({ t, next: 0 }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const { t } = top;
    if (top.next === 0 && leads.has(t)) {
      stack.pop();
      continue;
    }
    const inputs = t.node && !wanted.has(t) ? t.node.inputs : [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (child.requiresGrad && !leads.has(child)) stack.push({ t: child, next: 0 });
      continue;
    }
    stack.pop();
    if (leads.has(t)) continue;
    const reaches = wanted.has(t) || inputs.some((c) => leads.get(c) === true);
    leads.set(t, reaches);
    if (reaches && t.node && !wanted.has(t)) order.push(t);
  }
  return order.reverse();
}

function runHooks(t: Tensor, g: Tensor): Tensor {
  for (const hook of t.hooks) {
    const replaced = hook(g);
    if (replaced !== undefined) {
      if (!sameShape(replaced.shape, t.shape)) {
        fail(
          "backward",
          `a hook on ${t.describe()} returned a gradient of shape ${fmt(replaced.shape)}, not ${fmt(t.shape)}`,
        );
      }
      g = replaced;
    }
  }
  return g;
}

function checkSaved(node: Node): readonly Tensor[] {
  const saved = node.saved;
  if (saved === null) {
    fail(
      "backward",
      `the graph through "${node.prim}" (node #${node.id}) was already freed by an earlier backward(). ` +
        "Pass { retainGraph: true } to the first backward() to run backward through the same graph again, " +
        "or run the forward pass again.",
    );
  }
  saved.forEach((t, i) => {
    t.assertLive(`backward through "${node.prim}"`);
    if (t.version !== node.savedVersions[i]) {
      fail(
        "backward",
        `${t.describe()}, saved by "${node.prim}" (node #${node.id}), was changed in place after it was saved ` +
          `(version ${node.savedVersions[i]}, now ${t.version}). Change a copy instead, or update it after backward().`,
      );
    }
  });
  return saved;
}

/**
 * Gradients of `roots` (seeded with `seeds`) with respect to each tensor in `wanted` that they depend on.
 * Intermediate gradients are freed as soon as they have been passed on; tensors made before the sweep
 * (the seeds, or a caller's tensor that a hook returns) are never freed by it.
 */
export function sweep(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  wanted: ReadonlySet<Tensor>,
  options: BackwardOptions = {},
): Map<Tensor, Tensor> {
  // The sweep's own scope owns what it makes: the wanted gradients leave it as its result.
  return tidyOwning(FREED_BY_BACKWARD, (owner) => {
    const grads = new Map<Tensor, Tensor>();
    try {
      pullBack(roots, seeds, wanted, options, owner, (t, g) => grads.set(t, g.hold()));
    } finally {
      // The result's references go back: what the sweep made stays its scope's, which returns it.
      for (const g of grads.values()) g.letGo(FREED_BY_BACKWARD);
    }
    return grads;
  });
}

function pullBack(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  wanted: Wanted,
  options: BackwardOptions,
  owner: Owner,
  /** Given a wanted tensor's gradient as soon as no node can add to it, while its slot still holds it. */
  onFinal: (t: Tensor, g: Tensor, slots: Slots) => void,
): void {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const order = reverseTopological(roots, wanted);
  // Anomaly mode sums with add, so a sum that overflows names the node that delivered it.
  const grads = new Slots(owner, !createGraph && !isAnomalyEnabled());
  // The deliveries each wanted tensor still awaits: the seeds', and one per node that takes it as input.
  const pending = new Map<Tensor, number>();
  const expect = (inputs: readonly Tensor[], step: 1 | -1) => {
    for (const t of inputs) {
      if (!wanted.has(t)) continue;
      const left = (pending.get(t) ?? 0) + step;
      pending.set(t, left);
      const g = grads.get(t);
      if (left === 0 && g) {
        onFinal(t, g, grads);
        grads.empty(t);
      }
    }
  };
  for (const inputs of [roots, ...order.map((t) => t.node!.inputs)]) expect(inputs, 1);

  try {
    duringBackward(() =>
      withGradMode(createGraph, () => {
        grads.deliverAll(roots, seeds);
        expect(roots, -1);
        for (const t of order) {
          const g = grads.get(t);
          const node = t.node!;
          if (g !== undefined) {
            const saved = checkSaved(node);
            const pull = () =>
              tidyInternal(FREED_BY_BACKWARD, () => {
                const hooked = runHooks(t, g);
                if (t.retainsGrad) t.grad = detach(hooked).keep().tagAs("gradient");
                if (!node.rule.addsInto) return [...node.rule.vjp(hooked, saved, node.attrs, node)];
                const into = node.inputs.map((input) => grads.accumulator(input));
                const results = node.rule.vjp(hooked, saved, node.attrs, node, into);
                // A gradient the rule added into the slot's own tensor is delivered already.
                return results.map((r, i) => (r !== null && r === into[i] ? null : r));
              });
            if (isAnomalyEnabled()) {
              // Anomaly mode: an op inside the VJP, or the VJP's result, that is not finite names this node.
              const inputGrads = pullingBack(node, g, "vjp", pull);
              checkVjp(node, g, inputGrads);
              pullingBack(node, g, "deliver", () => grads.deliverAll(node.inputs, inputGrads));
            } else {
              grads.deliverAll(node.inputs, pull());
            }
            grads.empty(t);
            // Each node is pulled back once per sweep: what it saved can go now rather than at the end.
            if (!retainGraph) node.release();
          }
          expect(node.inputs, -1);
        }
      }),
    );
  } finally {
    // Slots left over (after an error, or of tensors no wanted one depends on) let go of their gradients.
    for (const t of grads.keys()) grads.empty(t);
  }
  if (!retainGraph) for (const t of order) t.node!.release();
}

/** Tensor.backward(): accumulates d(root)/d(leaf) into .grad of every leaf that requires grad. */
export function backward(root: Tensor, upstream?: Tensor, options: BackwardOptions = {}): void {
  root.assertLive("backward");
  if (!root.requiresGrad) {
    fail(
      "backward",
      `${root.describe()} does not require grad: no input of the ops that made it had requiresGrad. ` +
        "Create parameters with { requiresGrad: true } (or call .requiresGrad_()) before the forward pass.",
    );
  }
  if (upstream === undefined && root.size !== 1) {
    fail(
      "backward",
      `${root.describe()} is not a scalar; backward() without an upstream gradient needs exactly one element. ` +
        `Pass the upstream gradient, a tensor of shape ${fmt(root.shape)} (y.backward(upstream)), or reduce first (y.sum().backward()).`,
    );
  }
  if (upstream !== undefined && !sameShape(upstream.shape, root.shape)) {
    fail(
      "backward",
      `upstream gradient has shape ${fmt(upstream.shape)} but the output has ${fmt(root.shape)}; they must match`,
    );
  }
  // One owning scope for the seed, the sweep and the hand-over to .grad, leaf by leaf as each is final.
  tidyOwning(FREED_BY_BACKWARD, (owner) => {
    const seed = upstream ?? onesLike(root);
    const createGraph = options.createGraph ?? false;
    pullBack([root], [seed], LEAVES, options, owner, (leaf, g, slots) =>
      giveToLeaf(leaf, g, slots, createGraph),
    );
  });
}

/**
 * leaf.grad += g, the leaf's final gradient after its hooks. An unset .grad takes the tensor if only the sweep
 * holds it, else a view (a recorded clone under createGraph); an existing one is added into in place, as
 * PyTorch does (an in-place add into a view copies on write).
 */
function giveToLeaf(leaf: Tensor, g: Tensor, slots: Slots, createGraph: boolean): void {
  const hooked = tidyInternal(FREED_BY_BACKWARD, () => runHooks(leaf, g));
  const grad = leaf.grad !== null && !leaf.grad.isDisposed ? leaf.grad : null;
  // A captured step that adds onto an existing .grad replays only while .grad is still that tensor.
  if (grad !== null) capturing()?.guard("a gradient the step adds onto", () => leaf.grad);
  if (grad === null) {
    const free = slots.onlyHeld(hooked, hooked === g ? 1 : 0);
    leaf.grad = (free ? hooked : createGraph ? clone(hooked) : detach(hooked)).keep().tagAs("gradient");
  } else if (createGraph || grad.isSaved) {
    // A new sum, not an in-place add: recorded under createGraph; and a .grad that this graph saved (it was used in
    // the forward pass) must keep the values a node not yet pulled back will read. The leaf lets go of the old one.
    leaf.grad = add(grad, hooked).keep().tagAs("gradient");
    if (!createGraph) grad.releaseFromScope();
  } else if (grad.dtype === hooked.dtype && sameShape(grad.shape, hooked.shape)) {
    addInto(grad, hooked);
  } else {
    using total = add(grad, hooked);
    copyInto(grad, total);
  }
  if (hooked !== g) slots.settle(hooked);
}
