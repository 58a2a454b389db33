// secondOrderReport: what a backward pass with createGraph adds to a graph (its "backward"-phase
// operators, the variables they make, and the bytes those operators save for a further backward).
import { Tensor } from "../tensor/tensor.js";
import { type Graph, type TraceOptions, trace } from "./trace.js";

export interface SecondOrderReport {
  addedOperators: number;
  addedVariables: number;
  /** addedOperators + addedVariables. */
  addedNodes: number;
  /** Bytes saved for backward by the added operators (parameters and inputs excluded). */
  addedSavedBytes: number;
}

export function secondOrderReport(source: Graph | Tensor, options: TraceOptions = {}): SecondOrderReport {
  const g = source instanceof Tensor ? trace(source, { detail: "ops", ...options }) : source;
  const backwardOps = new Set(g.operators.filter((o) => o.phase === "backward").map((o) => o.id));
  const opIds = new Set(g.operators.map((o) => o.id));
  const made = new Map<string, string>();
  const readers = new Map<string, string[]>();
  for (const e of g.edges) {
    if (opIds.has(e.from)) made.set(e.to, e.from);
    else readers.set(e.from, [...(readers.get(e.from) ?? []), e.to]);
  }
  // Made by a backward operator, or a non-parameter leaf (the seed, constants) only backward reads.
  const added = g.variables.filter((v) => {
    const maker = made.get(v.id);
    if (maker !== undefined) return backwardOps.has(maker);
    const r = readers.get(v.id) ?? [];
    return v.kind !== "parameter" && r.length > 0 && r.every((op) => backwardOps.has(op));
  });
  const addedSavedBytes = g.operators
    .filter((o) => o.phase === "backward")
    .reduce((n, o) => n + o.savedBytes, 0);
  return {
    addedOperators: backwardOps.size,
    addedVariables: added.length,
    addedNodes: backwardOps.size + added.length,
    addedSavedBytes,
  };
}
