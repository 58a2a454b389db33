// collapseModules: each module's operators and the intermediates used only inside it become one
// operator node named after the module ("0: Linear"), so big models still draw.
import type { Graph, GraphEdge, GraphOperator } from "./trace.js";

export function collapseModules(g: Graph): Graph {
  const groupOf = new Map<string, string>();
  const groups = new Map<string, GraphOperator[]>();
  for (const op of g.operators) {
    if (op.module === null) continue;
    const key = `m${op.phase === "backward" ? "b" : "f"}:${op.module}`;
    groupOf.set(op.id, key);
    groups.set(key, [...(groups.get(key) ?? []), op]);
  }
  const target = (id: string) => groupOf.get(id) ?? id;
  // A variable disappears when it is made inside a group and only read by that same group.
  const made = new Map<string, string>();
  const readers = new Map<string, Set<string>>();
  for (const e of g.edges) {
    if (groupOf.has(e.from)) made.set(e.to, target(e.from));
    else readers.set(e.from, (readers.get(e.from) ?? new Set()).add(target(e.to)));
  }
  const hidden = new Set<string>();
  for (const [v, group] of made) {
    const r = readers.get(v);
    if (v !== g.root && r !== undefined && r.size === 1 && r.has(group)) hidden.add(v);
  }
  const operators: GraphOperator[] = [];
  const emitted = new Set<string>();
  for (const op of g.operators) {
    const key = groupOf.get(op.id);
    if (key === undefined) {
      operators.push(op);
      continue;
    }
    if (emitted.has(key)) continue;
    emitted.add(key);
    const members = groups.get(key)!;
    const type = members.find((m) => m.moduleType !== null)?.moduleType ?? "Module";
    operators.push({
      id: key,
      nodeId: op.nodeId,
      op: `${op.module}: ${type}`,
      phase: op.phase,
      module: op.module,
      moduleType: type,
      savedBytes: members.reduce((n, m) => n + m.savedBytes, 0),
      saves: [...new Set(members.flatMap((m) => m.saves))].filter((s) => !hidden.has(s)),
    });
  }
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const e of g.edges) {
    if (hidden.has(e.from) || hidden.has(e.to)) continue;
    const edge = { ...e, from: target(e.from), to: target(e.to) };
    const key = `${edge.from}->${edge.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push(edge);
  }
  return { variables: g.variables.filter((v) => !hidden.has(v.id)), operators, edges, root: g.root };
}
