// Recomputation (PyTorch's activation checkpointing): run a segment without recording, keep only its inputs,
// and record one node whose VJP runs the segment again with recording on and backpropagates through it.
import { fail } from "../errors.js";
import { detach } from "../ops/detach.js";
import { zerosLike } from "../tensor/create.js";
import { isGradEnabled, noGrad, withGradMode } from "../tensor/grad-mode.js";
import { record, recording, type VjpRule } from "../tensor/node.js";
import { type Scoped, tidy, tidyWatching } from "../tensor/scope.js";
import { Tensor } from "../tensor/tensor.js";
import { sweep } from "./sweep.js";

/**
 * `recompute(fn, ...inputs)` is `fn(...inputs)`, but the forward pass keeps only `inputs` for backward:
 * the segment's intermediates are recomputed during backward, trading time for memory.
 *
 * Every tensor that requires grad and that fn uses must be among `inputs` (pass a module's parameters
 * too: `recompute((h) => layer.forward(h), h, ...layer.parameters())`; fn receives all inputs and may
 * ignore the extra ones). fn must compute the same thing when run again (no fresh random numbers).
 */
export function recompute(fn: (...inputs: Tensor[]) => Tensor, ...inputs: Tensor[]): Tensor {
  if (typeof fn !== "function") fail("recompute", "the first argument must be a function");
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) fail("recompute", `input ${i} is not a Tensor`);
    t.assertLive("recompute");
  });
  // The segment's intermediates are freed as soon as it ends: only its value leaves the scope.
  const result = noGrad(() => tidy(() => fn(...inputs)));
  if (!(result instanceof Tensor)) fail("recompute", "the function must return a Tensor");
  // An input (or a tensor already in a graph) returned as is gets a copy: its own node must not change.
  const value = inputs.includes(result) || result.requiresGrad ? detach(result) : result;
  if (!recording(inputs)) return value;
  const rule: VjpRule = {
    vjp: (g, saved) => recomputeAndPull(fn, saved, g),
  };
  return record(value, "recompute", inputs, {}, inputs, rule);
}

/**
 * Runs fn again with recording on and pulls g back to the inputs. Under createGraph (grad mode on while
 * backward runs) the pull-back is itself recorded, so second derivatives go through the recomputed segment.
 */
function recomputeAndPull(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  g: Tensor,
): (Tensor | null)[] {
  const createGraph = isGradEnabled();
  const wanted = new Set(inputs.filter((t) => t.requiresGrad));
  // Intermediates the recomputed graph saved stay (the graph owns them); the rest are freed at once.
  const out = withGradMode(true, () =>
    tidyWatching((madeInside) => {
      const result = fn(...inputs);
      if (!(result instanceof Tensor)) fail("recompute", "the function must return a Tensor");
      checkClosure(result, wanted, madeInside);
      return result;
    }),
  );
  if (!out.requiresGrad) return inputs.map(() => null);
  const grads = sweep([out], [g], wanted, { createGraph, retainGraph: createGraph });
  return inputs.map((t) => (t.requiresGrad ? (grads.get(t) ?? zerosLike(t)) : null));
}

/** Fails if the recomputed segment reached a tensor that requires grad made before it but not passed in. */
function checkClosure(out: Tensor, wanted: ReadonlySet<Tensor>, madeInside: (t: Scoped) => boolean): void {
  const seen = new Set<Tensor>();
  const stack = [out];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || wanted.has(t) || !t.requiresGrad) continue;
    seen.add(t);
    if (!madeInside(t)) {
      fail(
        "recompute",
        `the function uses ${t.describe()}, which requires grad, without receiving it as an input; its ` +
          "gradient would be lost. Pass it to recompute (for a module: recompute(fn, x, ...module.parameters())).",
      );
    }
    for (const input of t.node?.inputs ?? []) stack.push(input);
  }
}
