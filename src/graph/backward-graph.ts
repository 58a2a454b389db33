// The backward graph in the book's notation (∂J/∂o, ∂J/∂W1 ...), derived from a forward trace: one VJP
// operator per forward operator, walked in reverse from the objective, with "+" where gradients add up.
import { bookBackwardGraph } from "./book-backward.js";
import { gradId, type SavedEdge } from "./gradient-ids.js";
import type { Graph, GraphEdge, GraphOperator, GraphVariable } from "./trace.js";

export { gradId, isSavedEdge, type SavedEdge } from "./gradient-ids.js";

const needsGrad = (v: GraphVariable) => v.kind === "parameter" || v.kind === "intermediate";

/**
 * The backward graph of a forward trace. Variables: ∂J/∂J (the seed, kind "input"), ∂J/∂v for each
 * parameter (kind "parameter") and intermediate (kind "intermediate"), plus the forward variables that
 * VJPs read (the saved ones, with their forward ids and kinds); a variable used k > 1 times gets k
 * partial gradients "∂J/∂W1 (i)" summed by a "+" operator. Operators (phase "backward"): "op'" for
 * each forward operator, newest first, and "+" where a variable feeds several operators. `root` is the seed.
 * A book-level trace gets the book's backward graph instead (book-backward.ts).
 */
export function backwardGraph(g: Graph): Graph {
  if (g.detail === "book") return bookBackwardGraph(g);
  const vars = new Map(g.variables.map((v) => [v.id, v]));
  const objective = vars.get(g.root);
  const jName = objective?.name ?? "J";
  const producer = new Map<string, GraphOperator>();
  const inputsOf = new Map<string, string[]>();
  for (const op of g.operators) inputsOf.set(op.id, []);
  for (const e of g.edges) {
    if (inputsOf.has(e.from)) {
      const op = g.operators.find((o) => o.id === e.from);
      if (op) producer.set(e.to, op);
    } else inputsOf.get(e.to)?.push(e.from);
  }
  const outputOf = new Map<string, string>();
  for (const [v, op] of producer) outputOf.set(op.id, v);

  // Each use of a variable that needs a gradient contributes one term to ∂J/∂v.
  const uses = new Map<string, number>();
  for (const op of g.operators) {
    for (const input of inputsOf.get(op.id) ?? []) {
      const v = vars.get(input);
      if (v && needsGrad(v)) uses.set(input, (uses.get(input) ?? 0) + 1);
    }
  }

  const variables: GraphVariable[] = [];
  const operators: GraphOperator[] = [];
  const edges: GraphEdge[] = [];
  const added = new Set<string>();
  const gradVar = (v: GraphVariable, id: string, suffix = ""): string => {
    const partial = suffix !== "";
    if (!added.has(id)) {
      added.add(id);
      variables.push({
        ...v,
        id,
        name: `∂${jName}/∂${v.name}${suffix}`,
        kind: v.id === g.root ? "input" : v.kind === "parameter" && !partial ? "parameter" : "intermediate",
        saved: false,
      });
    }
    return id;
  };
  const forwardVar = (id: string): string => {
    const v = vars.get(id);
    if (v && !added.has(id)) {
      added.add(id);
      variables.push(v);
    }
    return id;
  };
  const termCount = new Map<string, number>();

  if (objective) gradVar(objective, gradId(objective.id));
  const order = [...g.operators].sort((a, b) => b.nodeId - a.nodeId);
  for (const op of order) {
    const out = outputOf.get(op.id);
    const outVar = out === undefined ? undefined : vars.get(out);
    if (!outVar) continue;
    const targets = (inputsOf.get(op.id) ?? []).filter((id) => {
      const v = vars.get(id);
      return v !== undefined && needsGrad(v);
    });
    if (targets.length === 0) continue;
    const id = `b${op.id}`;
    operators.push({ ...op, id, op: `${op.op}'`, phase: "backward", saves: [...op.saves] });
    edges.push({ from: gradVar(outVar, gradId(outVar.id)), to: id });
    for (const s of new Set(op.saves)) {
      if (vars.has(s)) edges.push({ from: forwardVar(s), to: id, saved: true } as SavedEdge);
    }
    for (const target of targets) {
      const v = vars.get(target)!;
      const total = uses.get(target) ?? 1;
      if (total === 1) {
        edges.push({ from: id, to: gradVar(v, gradId(target)) });
        continue;
      }
      const k = (termCount.get(target) ?? 0) + 1;
      termCount.set(target, k);
      edges.push({ from: id, to: gradVar(v, `${gradId(target)}_${k}`, ` (${k})`) });
      if (k === total) {
        const sumId = `s${target}`;
        operators.push({
          id: sumId,
          nodeId: op.nodeId,
          op: "+",
          phase: "backward",
          module: v.module,
          moduleType: null,
          savedBytes: 0,
          saves: [],
        });
        for (let i = 1; i <= total; i++) edges.push({ from: `${gradId(target)}_${i}`, to: sumId });
        edges.push({ from: sumId, to: gradVar(v, gradId(target)) });
      }
    }
  }
  return { variables, operators, edges, root: objective ? gradId(objective.id) : g.root };
}

/** Forward and backward in one graph; the saved forward variables are shared, so their edges cross over. */
export function combinedGraph(g: Graph): Graph {
  const b = backwardGraph(g);
  const ids = new Set(g.variables.map((v) => v.id));
  return {
    variables: [...g.variables, ...b.variables.filter((v) => !ids.has(v.id))],
    operators: [...g.operators, ...b.operators],
    edges: [...g.edges, ...b.edges],
    root: g.root,
  };
}
