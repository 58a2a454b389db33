// The backward sweep: topological order by an iterative DFS, then VJPs in reverse, reducing broadcast
// gradients once, calling hooks, and freeing saved tensors unless retainGraph. Never recursive.
import { fail } from "../errors.js";
import { add, cast } from "../ops/binary.js";
import { clone, detach } from "../ops/detach.js";
import { addInto, copyInto } from "../ops/in-place.js";
import { sumTo } from "../ops/sum-to.js";
import { fmt, sameShape } from "../shape.js";
import { checkVjp, isAnomalyEnabled, pullingBack } from "../tensor/anomaly.js";
import { onesLike } from "../tensor/create.js";
import { withGradMode } from "../tensor/grad-mode.js";
import { duringBackward, type Node } from "../tensor/node.js";
import { type Owner, tidyInternal, tidyOwning } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";

/** What a tensor freed inside the sweep says when it is used afterwards. */
const FREED_BY_BACKWARD = "freed by backward (a temporary of a VJP)";

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
function reverseTopological(roots: readonly Tensor[], wanted: ReadonlySet<Tensor>): Tensor[] {
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

export function runHooks(t: Tensor, g: Tensor): Tensor {
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
  return tidyOwning(FREED_BY_BACKWARD, (owner) => pullBack(roots, seeds, wanted, options, owner));
}

function pullBack(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  wanted: ReadonlySet<Tensor>,
  options: BackwardOptions,
  owner: Owner,
): Map<Tensor, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const order = reverseTopological(roots, wanted);
  const grads = new Map<Tensor, Tensor>();
  // How many slots of `grads` hold each gradient tensor; one that no slot holds any more is released, if the
  // sweep made it (a seed, or a tensor a hook returned, belongs to the caller).
  const holders = new Map<Tensor, number>();
  const hold = (g: Tensor) => holders.set(g, (holders.get(g) ?? 0) + 1);
  const drop = (g: Tensor) => {
    const n = (holders.get(g) ?? 1) - 1;
    holders.set(g, n);
    if (n === 0) owner.release(g);
  };
  /** Adds g into t's slot, first cast and summed to t's dtype and shape. The caller holds g meanwhile. */
  const deliver = (t: Tensor, g: Tensor) => {
    const fitted =
      g.dtype === t.dtype && sameShape(g.shape, t.shape)
        ? g
        : tidyInternal(FREED_BY_BACKWARD, () => {
            const typed = g.dtype === t.dtype ? g : cast(g, t.dtype);
            return sameShape(typed.shape, t.shape) ? typed : sumTo(typed, t.shape);
          });
    const before = grads.get(t);
    const total = before === undefined ? fitted : add(before, fitted);
    hold(total);
    grads.set(t, total);
    if (before !== undefined) drop(before);
    if (fitted !== g && fitted !== total) {
      hold(fitted);
      drop(fitted);
    }
  };
  /** Delivers several gradients, holding all of them until all are placed (one tensor may go to several slots). */
  const deliverAll = (targets: readonly Tensor[], gs: readonly (Tensor | null)[]) => {
    for (const g of gs) if (g) hold(g);
    targets.forEach((t, i) => {
      const g = gs[i];
      if (g && t.requiresGrad) deliver(t, g);
    });
    for (const g of gs) if (g) drop(g);
  };

  duringBackward(() =>
    withGradMode(createGraph, () => {
      deliverAll(roots, seeds);
      for (const t of order) {
        const g = grads.get(t);
        if (g === undefined) continue;
        grads.delete(t);
        const node = t.node!;
        const saved = checkSaved(node);
        const pull = () =>
          tidyInternal(FREED_BY_BACKWARD, () => {
            const hooked = runHooks(t, g);
            if (t.retainsGrad) t.grad = detach(hooked).keep().tagAs("gradient");
            return [...node.rule.vjp(hooked, saved, node.attrs, node)];
          });
        if (isAnomalyEnabled()) {
          // Anomaly mode: an op inside the VJP, or the VJP's result, that is not finite names this node.
          const inputGrads = pullingBack(node, g, "vjp", pull);
          checkVjp(node, g, inputGrads);
          pullingBack(node, g, "deliver", () => deliverAll(node.inputs, inputGrads));
        } else {
          deliverAll(node.inputs, pull());
        }
        drop(g);
        // Each node is pulled back once per sweep: what it saved can go now rather than at the end.
        if (!retainGraph) node.release();
      }
    }),
  );
  if (!retainGraph) for (const t of order) t.node!.release();
  return grads;
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
  const leaves = collectLeaves(root);
  // One owning scope for the seed, the sweep and the hand-over to .grad.
  tidyOwning(FREED_BY_BACKWARD, (owner) => {
    const seed = upstream ?? onesLike(root);
    giveToLeaves(pullBack([root], [seed], leaves, options, owner), options.createGraph ?? false, owner);
  });
}

/** Hands each leaf its gradient (after the leaf's hooks): `.grad` takes it, or adds it in. */
function giveToLeaves(grads: Map<Tensor, Tensor>, createGraph: boolean, owner: Owner): void {
  // One gradient tensor can reach several leaves (add gives [g, g]): count its uses, free it after the last.
  const uses = new Map<Tensor, number>();
  for (const g of grads.values()) uses.set(g, (uses.get(g) ?? 0) + 1);
  const claimed = new Set<Tensor>();
  for (const [leaf, g] of grads) {
    const hooked = withGradMode(createGraph, () => tidyInternal(FREED_BY_BACKWARD, () => runHooks(leaf, g)));
    const left = uses.get(g)! - 1;
    uses.set(g, left);
    // .grad takes what it is given: a tensor this backward made that nothing else uses, else a view of it (a
    // recorded copy under createGraph, to stay in the graph); an in-place add into a view copies on write.
    const free =
      owner.made(hooked) && !claimed.has(hooked) && (hooked === g ? left === 0 : !uses.get(hooked));
    const own = free ? hooked : createGraph ? withGradMode(true, () => clone(hooked)) : detach(hooked);
    claimed.add(own);
    if (hooked !== g && left === 0) owner.release(g);
    accumulate(leaf, own, createGraph);
  }
}

/** Every leaf that requires grad and that the root depends on (iteratively). */
function collectLeaves(root: Tensor): Set<Tensor> {
  const leaves = new Set<Tensor>();
  const seen = new Set<Tensor>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.isLeaf) {
      if (t.requiresGrad) leaves.add(t);
      continue;
    }
    for (const input of t.node!.inputs) {
      if (input.requiresGrad && !seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  return leaves;
}

/** leaf.grad += g. Without createGraph the sum is written into the existing .grad buffer, as PyTorch does. */
function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  g.keep();
  if (leaf.grad === null || leaf.grad.isDisposed) {
    leaf.grad = g.tagAs("gradient");
    return;
  }
  if (createGraph) {
    leaf.grad = add(leaf.grad, g).keep().tagAs("gradient");
    g.releaseFromScope();
    return;
  }
  if (leaf.grad.dtype === g.dtype && sameShape(leaf.grad.shape, g.shape)) {
    addInto(leaf.grad, g);
  } else {
    const total = add(leaf.grad, g);
    copyInto(leaf.grad, total);
    total.dispose();
  }
  g.dispose();
}
