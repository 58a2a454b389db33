// Running a primitive: check inputs, run its forward on the backend, and record a graph node when
// gradients are being recorded and some input requires them.

import type { View } from "../backend/backend.js";
import { isFloat } from "../dtype.js";
import { ChainruleError, fail } from "../errors.js";
import { noteOp } from "../memory/ledger.js";
import { broadcastStrides, type Shape, stridesOf } from "../shape.js";
import { checkOp, isAnomalyEnabled } from "../tensor/anomaly.js";
import type { DerivativeOf } from "../tensor/derivative.js";
import { type Node, record, recording, type VjpRule } from "../tensor/node.js";
import type { Tensor } from "../tensor/tensor.js";

interface Forward<A> {
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
}

/** A primitive with a gradient: its VJP and, beside it, the same derivative as data (text and LaTeX). */
interface Differentiable<A> extends Forward<A> {
  /** Which tensors backward will need; what is listed here is what training keeps in memory. */
  save?(inputs: readonly Tensor[], output: Tensor, attrs: A): Tensor[];
  vjp: VjpRule<A>["vjp"];
  derivative: DerivativeOf<A>;
}

/** A primitive with no gradient (comparisons, argmax): its results are int or bool and never recorded. */
interface NotDifferentiable<A> extends Forward<A> {
  save?: undefined;
  vjp?: undefined;
  derivative?: undefined;
}

export type PrimRule<A> = Differentiable<A> | NotDifferentiable<A>;

export type RuleTable<Attrs> = { [P in keyof Attrs]: PrimRule<Attrs[P]> };

export function apply<Attrs, P extends keyof Attrs & string>(
  table: RuleTable<Attrs>,
  prim: P,
  inputs: readonly Tensor[],
  attrs: Attrs[P],
): Tensor {
  const backend = inputs[0]?.storage.backend;
  for (const t of inputs) {
    t.assertLive(prim);
    if (t.storage.backend !== backend) {
      fail(prim, `inputs live on different backends (${backend?.name} and ${t.storage.backend.name})`);
    }
  }
  const rule = table[prim];
  noteOp(prim);
  const out = forwardNamed(prim, () => rule.forward(inputs, attrs));
  if (isAnomalyEnabled()) checkOp(prim, inputs, out);
  if (rule.vjp && isFloat(out.dtype) && recording(inputs)) {
    record(out, prim, inputs, attrs, rule.save ? rule.save(inputs, out, attrs) : [], rule as VjpRule);
  }
  return out;
}

/** Runs a forward; a backend's refusal to allocate (webgpu and float64) is renamed after the op that asked. */
function forwardNamed(prim: string, forward: () => Tensor): Tensor {
  try {
    return forward();
  } catch (error) {
    if (error instanceof ChainruleError && error.message.startsWith("alloc: ")) {
      throw new ChainruleError(`${prim}: ${error.message.slice("alloc: ".length)}`, { cause: error });
    }
    throw error;
  }
}

/** The contiguous view of a whole tensor. */
export function viewOf(t: Tensor): View {
  return { id: t.storage.id, strides: stridesOf(t.shape), offset: 0 };
}

/** A view of t broadcast to `shape` (stride 0 on broadcast axes). */
export function broadcastView(t: Tensor, shape: Shape): View {
  return { id: t.storage.id, strides: broadcastStrides(t.shape, shape), offset: 0 };
}

/** Whether input i of a node needs a gradient (so a VJP can skip work for constants). */
export function needsGrad(node: Node, i: number): boolean {
  return node.inputs[i]?.requiresGrad ?? false;
}
