// Running a primitive: check inputs, run its forward on the backend, and record a graph node when
// gradients are being recorded and some input requires them.

import type { View } from "../backend/backend.js";
import { isFloat } from "../dtype.js";
import { ChainruleError, fail } from "../errors.js";
import { noteOp } from "../memory/ledger.js";
import { broadcastStrides, type Shape } from "../shape.js";
import { checkOp, isAnomalyEnabled } from "../tensor/anomaly.js";
import { outputTensor } from "../tensor/create.js";
import type { DerivativeOf } from "../tensor/derivative.js";
import { type Node, record, recording, type VjpRule } from "../tensor/node.js";
import { FREED_BY_LIBRARY, type Tensor } from "../tensor/tensor.js";

interface Forward<A> {
  /** Runs the kernel; its inputs are row-major from offset 0 unless the rule `readsViews`. */
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
  /** The kernel reads strided views (through viewOf / broadcastView), so views reach it uncopied. */
  readsViews?: true;
}

/** A primitive with a gradient: its VJP and, beside it, the same derivative as data (text and LaTeX). */
interface Differentiable<A> extends Forward<A> {
  /** Which tensors backward will need; what is listed here is what training keeps in memory. */
  save?(inputs: readonly Tensor[], output: Tensor, attrs: A): Tensor[];
  vjp: VjpRule<A>["vjp"];
  /** The sweep offers vjp its inputs' gradients so far (VjpRule's `into`). */
  addsInto?: true;
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
  let out: Tensor;
  try {
    // The kernel's door: a kernel over bare buffers gets row-major copies of strided views, freed after it.
    out =
      rule.readsViews || allDense(inputs)
        ? rule.forward(inputs, attrs)
        : withDense(inputs, (d) => rule.forward(d, attrs));
  } catch (error) {
    throw namedAfter(prim, error);
  }
  if (isAnomalyEnabled()) checkOp(prim, inputs, out);
  if (rule.vjp && isFloat(out.dtype) && recording(inputs)) {
    record(out, prim, inputs, attrs, rule.save ? rule.save(inputs, out, attrs) : [], rule as VjpRule);
  }
  return out;
}

/** A backend's refusal to allocate (webgpu and float64), renamed after the op that asked; other errors as they are. */
function namedAfter(prim: string, error: unknown): unknown {
  if (error instanceof ChainruleError && error.message.startsWith("alloc: ")) {
    return new ChainruleError(`${prim}: ${error.message.slice("alloc: ".length)}`, { cause: error });
  }
  return error;
}

/** Where t's elements are in its buffer (row-major from 0 unless t is a view). */
export function viewOf(t: Tensor): View {
  return { id: t.storage.id, strides: t.strides, offset: t.offset };
}

/** A view of t broadcast to `shape` (stride 0 on broadcast axes). */
export function broadcastView(t: Tensor, shape: Shape): View {
  return { id: t.storage.id, strides: broadcastStrides(t.shape, shape, t.strides), offset: t.offset };
}

function allDense(ts: readonly Tensor[]): boolean {
  for (const t of ts) if (!t.isDense) return false;
  return true;
}

/** Runs fn on row-major versions of ts (copies of strided views, freed after fn): bare-buffer kernels' door. */
export function withDense<T>(ts: readonly Tensor[], fn: (dense: readonly Tensor[]) => T): T {
  if (allDense(ts)) return fn(ts);
  const dense = ts.map(denseCopy);
  try {
    return fn(dense);
  } finally {
    dense.forEach((d, i) => {
      if (d !== ts[i]) d.dispose(FREED_BY_LIBRARY);
    });
  }
}

/** t itself when row-major from offset 0, else a row-major copy (not recorded): what bare-buffer kernels read. */
export function denseCopy(t: Tensor): Tensor {
  if (t.isDense) return t;
  const out = outputTensor(t.shape, t.dtype);
  t.copyRowMajor(out.storage.id);
  return out;
}

/** Whether input i of a node needs a gradient (so a VJP can skip work for constants). */
export function needsGrad(node: Node, i: number): boolean {
  return node.inputs[i]?.requiresGrad ?? false;
}
