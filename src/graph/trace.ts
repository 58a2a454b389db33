// trace(J): the recorded computation as plain data in the book's terms: variables (inputs, parameters,
// intermediates, the objective) and operators, joined by edges from input to objective.

import { bytesPerElement, type DType } from "../dtype.js";
import { Module } from "../nn/module.js";
import type { Node } from "../tensor/node.js";
import { Tensor } from "../tensor/tensor.js";
import { genericFormula } from "./formula.js";

export type VariableKind = "input" | "parameter" | "constant" | "intermediate" | "objective";

export interface GraphVariable {
  /** "v<tensor id>". */
  id: string;
  tensorId: number;
  name: string;
  kind: VariableKind;
  shape: number[];
  dtype: DType;
  bytes: number;
  /** Whether an operator keeps it for backward (the memory training needs beyond prediction). */
  saved: boolean;
  /** Dotted path of the module whose operator made it ("0"), or null. */
  module: string | null;
}

export interface GraphOperator {
  /** "op<node id>". */
  id: string;
  nodeId: number;
  op: string;
  /** "backward" for operators a createGraph backward pass recorded. */
  phase: "forward" | "backward";
  module: string | null;
  /** Class of that module ("Linear"), for cluster titles. */
  moduleType: string | null;
  /** Bytes of the tensors this operator saves for backward that are not parameters or inputs. */
  savedBytes: number;
  /** Variable ids this operator saves for backward, in the rule's order. */
  saves: string[];
  /** Its derivative from its rule, with generic operands ("a ← g ⊙ b; b ← g ⊙ a"); null for customGrad. */
  derivative?: { text: string; latex: string } | null;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface Graph {
  variables: GraphVariable[];
  operators: GraphOperator[];
  edges: GraphEdge[];
  /** The variable id of the traced tensor (the objective). */
  root: string;
}

export interface TraceOptions {
  /** Names parameters by their module path ("0.weight"), or by the keys of a record. */
  names?: Module | Record<string, Tensor>;
}

const tensorBytes = (t: Tensor) => t.size * bytesPerElement(t.dtype);

function modulePath(node: Node | null): { module: string | null; type: string | null } {
  if (!node || node.modules.length === 0) return { module: null, type: null };
  return {
    module: node.modules.map((m) => m.name).join("."),
    type: node.modules[node.modules.length - 1].type,
  };
}

function constantName(t: Tensor): string {
  if (t.size === 1 && !t.isDisposed) {
    const v = t.dataSync()[0];
    return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  }
  return `const #${t.id}`;
}

/** Every tensor and node that `root` depends on, found without recursion. */
export function trace(root: Tensor, options: TraceOptions = {}): Graph {
  const paramNames = new Map<Tensor, string>();
  const names = options.names;
  const entries = names instanceof Module ? names.namedParameters() : Object.entries(names ?? {});
  for (const [name, t] of entries) if (t instanceof Tensor) paramNames.set(t, name);

  const tensors: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    tensors.push(t);
    for (const input of t.node?.inputs ?? []) {
      if (!seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  tensors.sort((a, b) => a.id - b.id);
  const savedBy = new Set<Tensor>();
  for (const t of tensors) for (const s of t.node?.saved ?? []) savedBy.add(s);

  const variables = tensors.map((t): GraphVariable => {
    const kind: VariableKind =
      t === root
        ? "objective"
        : t.node
          ? "intermediate"
          : t.requiresGrad
            ? "parameter"
            : t.ndim === 0
              ? "constant"
              : "input";
    const name =
      t.label ??
      paramNames.get(t) ??
      (kind === "constant" ? constantName(t) : `${t.node?.prim ?? "t"}#${t.id}`);
    return {
      id: `v${t.id}`,
      tensorId: t.id,
      name,
      kind,
      shape: [...t.shape],
      dtype: t.dtype,
      bytes: tensorBytes(t),
      saved: savedBy.has(t),
      module: modulePath(t.node).module,
    };
  });
  const operators: GraphOperator[] = [];
  const edges: GraphEdge[] = [];
  for (const t of tensors) {
    const node = t.node;
    if (!node) continue;
    const id = `op${node.id}`;
    const { module, type } = modulePath(node);
    const saved = node.saved ?? [];
    operators.push({
      id,
      nodeId: node.id,
      op: node.prim,
      phase: node.phase,
      module,
      moduleType: type,
      savedBytes: saved.filter((s) => s.node !== null).reduce((n, s) => n + tensorBytes(s), 0),
      saves: saved.map((s) => `v${s.id}`),
      derivative: genericFormula(node),
    });
    for (const input of node.inputs) edges.push({ from: `v${input.id}`, to: id });
    edges.push({ from: id, to: `v${t.id}` });
  }
  return { variables, operators, edges, root: `v${root.id}` };
}
