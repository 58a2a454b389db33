// trace(J): the recorded computation as plain data in the book's terms: variables (inputs, parameters,
// intermediates, the objective) and operators, joined by edges from input to objective.

import { isMeta } from "../backend/meta/index.js";
import { bytesPerElement, type DType } from "../dtype.js";
import { oneOf } from "../errors.js";
import type { MemoryTag } from "../memory/ledger.js";
import { Module } from "../nn/module.js";
import type { Derivative } from "../tensor/derivative.js";
import type { Node } from "../tensor/node.js";
import { Tensor } from "../tensor/tensor.js";
import { bookLevel } from "./book.js";
import { derivativeOf, genericFormula } from "./formula.js";

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
  /** Its buffer's ledger tag: a "temporary" that an operator saves is what the ledger counts as "saved". */
  tag?: MemoryTag;
  /** A gradient variable of the book-level backward graph: its chain-rule formula (∂J/∂o hᵀ + λW(2)). */
  formula?: { text: string; latex: string };
  /** A gradient variable of the book-level backward graph: the saved forward variables its terms read. */
  reads?: string[];
}

/** An operator's derivative as data (tensor/derivative.ts), with its operands' variable ids, in order. */
export interface ChainRule {
  derivative: Derivative;
  attrs: unknown;
  /** Variable ids of the operands ({x0}, {x1}…); one tensor used twice appears twice. */
  inputs: string[];
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
  /** Its derivative as templates with its operands, for formulas with names; null where it has none. */
  chain?: ChainRule | null;
  /** What it computes in words: the primitive ("matmul"), or a group's title ("softmax cross-entropy"). */
  title?: string;
  /** At the book's level: the primitive operators ("op12") it stands for, in the order they ran. */
  members?: string[];
  /** At the book's level, for a group: what kind of composite (tensor/group.ts). */
  groupKind?: string;
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
  /** "book": composites as one operator each (D2L Fig. 5.3.1); "ops" (or absent): every primitive. */
  detail?: Detail;
}

/** How much a trace shows: the book's operators (groups) or the primitives. */
export type Detail = "book" | "ops";
export const DETAILS: readonly Detail[] = ["book", "ops"];

export interface TraceOptions {
  /** Names parameters by their module path ("0.weight"), or by the keys of a record. */
  names?: Module | Record<string, Tensor>;
  /**
   * "book" (default): each composite recorded as a group (the loss l, the penalty s, Linear, φ) is one operator,
   * and variables get the chapter's names (x, W(1), z, h, W(2), o, y, L, s, J); "ops": every primitive.
   */
  detail?: Detail;
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
  if (t.size === 1 && !t.isDisposed && !isMeta(t.storage.backend)) {
    const v = t.dataSync()[0];
    return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  }
  return `const #${t.id}`;
}

/** Every tensor and node that `root` depends on, found without recursion; at the book's level by default. */
export function trace(root: Tensor, options: TraceOptions = {}): Graph {
  const detail = oneOf("trace", "detail", options.detail ?? "book", DETAILS);
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

  const variableOf = (t: Tensor): GraphVariable => {
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
      tag: t.storage.tag,
    };
  };
  const variables = tensors.map(variableOf);
  const nodeOf = new Map<string, Node>();
  const operators: GraphOperator[] = [];
  const edges: GraphEdge[] = [];
  for (const t of tensors) {
    const node = t.node;
    if (!node) continue;
    const id = `op${node.id}`;
    const { module, type } = modulePath(node);
    const saved = node.saved ?? [];
    nodeOf.set(id, node);
    const d = derivativeOf(node);
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
      chain:
        d === null ? null : { derivative: d, attrs: node.attrs, inputs: node.inputs.map((i) => `v${i.id}`) },
      title: node.prim,
    });
    for (const input of node.inputs) edges.push({ from: `v${input.id}`, to: id });
    edges.push({ from: id, to: `v${t.id}` });
  }
  const ops: Graph = { variables, operators, edges, root: `v${root.id}`, detail: "ops" };
  return detail === "ops" ? ops : bookLevel(ops, nodeOf, variableOf);
}
