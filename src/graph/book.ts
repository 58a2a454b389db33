// The graph at the book's level (D2L Fig. 5.3.1): each composite recorded as a group (tensor/group.ts) becomes
// one operator ("l", "‖·‖²", "×", "φ"), the values made and read only inside it are hidden, primitives outside
// any group keep their own operator, and the variables get the chapter's names (x, W(1), z, h, W(2), o, L, s, J).
import type { GroupFrame } from "../tensor/group.js";
import type { Node } from "../tensor/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { chapterNames } from "./explain-names.js";
import { fillTerms, type Namer } from "./formula.js";
import type { ChainRule, Graph, GraphEdge, GraphOperator, GraphVariable } from "./trace.js";

/** The book's symbol for a primitive outside any group: "×" for a matrix product, "φ" for an activation. */
const BOOK_SYMBOL: Record<string, string> = {
  matmul: "×",
  add: "+",
  sub: "−",
  relu: "φ",
  sigmoid: "φ",
  tanh: "φ",
};

/** The book writes W⁽¹⁾ as W(1) in text: the chapter's W1, b1 become W(1), b(1). */
export const bookName = (name: string): string => name.replace(/^([Wb])(\d+)$/, "$1($2)");

/** The generic form of a derivative given as data ("a ← g ⊙ b"), as formula.ts writes a primitive's. */
function generic(chain: ChainRule): { text: string; latex: string } {
  const n = chain.inputs.length;
  const symbol = (ref: string) =>
    ref === "g" || ref === "y"
      ? ref
      : n === 1
        ? "x"
        : n === 2
          ? "ab"[Number(ref.slice(1))]
          : `x${Number(ref.slice(1)) + 1}`;
  const name: Namer = (ref, form) => (form === "shape" ? `shape(${symbol(ref)})` : symbol(ref));
  const ids = chain.inputs.map((_, i) => `x${i}`);
  const terms = fillTerms(chain.derivative, ids, name, chain.attrs);
  return {
    text: terms.map((t) => `${symbol(`x${t.input}`)} ← ${t.text}`).join("; "),
    latex: terms.map((t) => `\\bar{${symbol(`x${t.input}`)}} = ${t.latex}`).join(",\\quad "),
  };
}

/**
 * The book-level graph of a primitive trace. `nodeOf` gives each primitive operator's node (for its groups),
 * `variableOf` makes the variable of a group input the primitive walk did not reach (the labels y).
 */
export function bookLevel(
  ops: Graph,
  nodeOf: ReadonlyMap<string, Node>,
  variableOf: (t: Tensor) => GraphVariable,
): Graph {
  const vars = new Map(ops.variables.map((v) => [v.id, v]));
  const producer = new Map<string, string>();
  const readers = new Map<string, string[]>();
  for (const e of ops.edges) {
    if (vars.has(e.to)) producer.set(e.to, e.from);
    else readers.set(e.from, [...(readers.get(e.from) ?? []), e.to]);
  }
  // Each forward primitive belongs to its outermost group, if any.
  const frameOf = new Map<string, GroupFrame>();
  const members = new Map<number, GraphOperator[]>();
  for (const op of ops.operators) {
    const frame = op.phase === "forward" ? nodeOf.get(op.id)?.groups[0] : undefined;
    if (!frame) continue;
    frameOf.set(op.id, frame);
    members.set(frame.id, [...(members.get(frame.id) ?? []), op]);
  }
  const bookOp = (opId: string) => {
    const f = frameOf.get(opId);
    return f ? `g${f.id}` : opId;
  };
  const extra = new Map<string, GraphVariable>();
  const variableFor = (t: Tensor): string => {
    const id = `v${t.id}`;
    if (!vars.has(id) && !extra.has(id)) extra.set(id, variableOf(t));
    return id;
  };
  // A variable made inside a group is hidden unless it is the group's output, the root, or read outside it;
  // a leaf read only inside groups is hidden unless a group names it as an input or it is a parameter.
  const declared = new Set<string>();
  for (const frame of new Set(frameOf.values())) for (const t of frame.inputs) declared.add(`v${t.id}`);
  const visible = (id: string): boolean => {
    if (id === ops.root || declared.has(id)) return true;
    const made = producer.get(id);
    const outside = (readers.get(id) ?? []).some((r) => !frameOf.has(r) || bookOp(r) !== bookOp(made ?? r));
    if (made === undefined) return vars.get(id)?.kind === "parameter" || outside;
    const frame = frameOf.get(made);
    return frame === undefined || frame.output === null || `v${frame.output.id}` === id || outside;
  };

  const operators: GraphOperator[] = [];
  const edges: GraphEdge[] = [];
  const edgeSeen = new Set<string>();
  const addEdge = (from: string, to: string, unique = false) => {
    const key = `${from}->${to}`;
    if (unique && edgeSeen.has(key)) return;
    edgeSeen.add(key);
    edges.push({ from, to });
  };
  const emitted = new Set<number>();
  for (const op of ops.operators) {
    const frame = frameOf.get(op.id);
    const ins = ops.edges.filter((e) => e.to === op.id).map((e) => e.from);
    const outs = ops.edges.filter((e) => e.from === op.id).map((e) => e.to);
    if (frame === undefined) {
      const symbol = op.phase === "forward" ? (BOOK_SYMBOL[op.op] ?? op.op) : op.op;
      operators.push({ ...op, op: symbol, members: [op.id], saves: op.saves.filter(visible) });
      for (const v of ins) addEdge(v, op.id);
      for (const v of outs) addEdge(op.id, v);
      continue;
    }
    if (emitted.has(frame.id)) continue;
    emitted.add(frame.id);
    const group = members.get(frame.id)!;
    const id = `g${frame.id}`;
    const inputs = frame.inputs.map(variableFor);
    const memberIds = new Set(group.map((m) => m.id));
    // Values the members read from outside the group that it did not declare (a captured tensor) join its inputs.
    for (const m of group) {
      for (const e of ops.edges) {
        if (e.to !== m.id || inputs.includes(e.from) || !visible(e.from)) continue;
        const made = producer.get(e.from);
        if (made === undefined || !memberIds.has(made)) inputs.push(e.from);
      }
    }
    const single = group.length === 1 && group[0].chain?.inputs.join() === inputs.join() ? group[0] : null;
    const chain: ChainRule | null = frame.derivative
      ? { derivative: frame.derivative, attrs: frame.attrs ?? {}, inputs }
      : (single?.chain ?? null);
    const saves = [...new Set(group.flatMap((m) => m.saves))].filter(visible);
    operators.push({
      id,
      nodeId: group[group.length - 1].nodeId,
      op: frame.symbol,
      phase: "forward",
      module: op.module,
      moduleType: op.moduleType,
      savedBytes: group.reduce((n, m) => n + m.savedBytes, 0),
      saves,
      derivative: chain === null ? null : generic(chain),
      chain,
      title: frame.title,
      members: group.map((m) => m.id),
      groupKind: frame.kind,
    });
    for (const v of inputs) addEdge(v, id);
    for (const m of group) {
      for (const e of ops.edges) if (e.from === m.id && visible(e.to)) addEdge(id, e.to, true);
    }
  }
  const shown = new Set(edges.flatMap((e) => [e.from, e.to]));
  const variables = [...ops.variables, ...extra.values()]
    .filter((v) => shown.has(v.id) || v.id === ops.root)
    .sort((a, b) => a.tensorId - b.tensorId);
  const graph: Graph = { variables, operators, edges, root: ops.root, detail: "book" };
  const names = chapterNames(graph);
  return { ...graph, variables: variables.map((v) => ({ ...v, name: bookName(names.get(v.id) ?? v.name) })) };
}
