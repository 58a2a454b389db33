// Naming for explain and the drawings: the chapter's names (x, z, h, o, W1, L, s, J) for the unlabelled
// variables of a Sequential MLP's graph, and each name as a LaTeX symbol. Also the graph's edge maps
// (graphLinks) and the ancestor walk, which explain-steps.ts shares.
import type { Graph, GraphOperator } from "./trace.js";

/** A generated name ("mul#12"): one the chapter's names may replace. */
export const AUTO = /#\d+$/;

/** Names the chapter gives its variables, for the unlabelled ones of a Sequential MLP's graph. */
export function chapterNames(g: Graph): Map<string, string> {
  const names = new Map(g.variables.map((v) => [v.id, v.name]));
  const byId = new Map(g.variables.map((v) => [v.id, v]));
  const auto = (id: string) => {
    const v = byId.get(id);
    return v !== undefined && (AUTO.test(v.name) || v.kind === "input");
  };
  const { producer, inputsOf, outputOf } = graphLinks(g);
  // Top-level modules in order of their first operator: Linear layers give z/o and W, others h.
  const modules: { path: string; type: string | null; ops: GraphOperator[] }[] = [];
  for (const op of [...g.operators].sort((a, b) => a.nodeId - b.nodeId)) {
    if (op.module === null || op.phase !== "forward") continue;
    const path = op.module.split(".")[0];
    let m = modules.find((x) => x.path === path);
    if (!m) {
      m = { path, type: op.module === path ? op.moduleType : null, ops: [] };
      modules.push(m);
    }
    if (op.module === path) m.type = op.moduleType;
    m.ops.push(op);
  }
  const linears = modules.filter((m) => m.type === "Linear");
  const single = linears.length <= 2;
  let layer = 0;
  for (const m of modules) {
    const last = m.ops[m.ops.length - 1];
    const out = outputOf.get(last.id);
    if (m.type === "Linear") {
      layer++;
      if (layer === 1) {
        const x = (inputsOf.get(m.ops[0].id) ?? [])[0];
        if (x && byId.get(x)?.kind === "input" && auto(x)) names.set(x, "x");
      }
      const isLast = layer === linears.length && layer > 1;
      if (out && auto(out)) names.set(out, isLast ? "o" : single ? "z" : `z${layer}`);
      for (const v of g.variables) {
        if (v.kind !== "parameter") continue;
        const match = /^(?:(.*)\.)?(weight|bias)$/.exec(v.name);
        if (match && (match[1] ?? "") === m.path)
          names.set(v.id, `${match[2] === "weight" ? "W" : "b"}${layer}`);
      }
    } else if (out && auto(out) && layer > 0 && layer < linears.length) {
      names.set(out, single ? "h" : `h${layer}`);
    }
  }
  if (AUTO.test(byId.get(g.root)?.name ?? "")) names.set(g.root, "J");
  // J = L + s: the operand that depends on the data is the loss, the one made of parameters the penalty.
  const rootOp = producer.get(g.root);
  const rootOperator = g.operators.find((o) => o.id === rootOp);
  const operands = rootOp ? (inputsOf.get(rootOp) ?? []) : [];
  const isAdd = rootOperator?.op === "add" || rootOperator?.op === "+";
  if (isAdd && operands.length === 2 && operands[0] !== operands[1]) {
    const dataDependent = operands.map((id) =>
      ancestors(id, producer, inputsOf).some((a) => byId.get(a)?.kind === "input"),
    );
    if (dataDependent[0] !== dataDependent[1]) {
      operands.forEach((id, i) => {
        if (AUTO.test(byId.get(id)?.name ?? "")) names.set(id, dataDependent[i] ? "L" : "s");
      });
    }
  }
  return names;
}

/** The graph's edges as maps: each variable's producing operator, each operator's inputs (in edge order) and output. */
export function graphLinks(g: Graph): {
  producer: Map<string, string>;
  inputsOf: Map<string, string[]>;
  outputOf: Map<string, string>;
} {
  const producer = new Map<string, string>();
  const inputsOf = new Map<string, string[]>();
  const opIds = new Set(g.operators.map((o) => o.id));
  for (const e of g.edges) {
    if (opIds.has(e.from)) producer.set(e.to, e.from);
    else inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
  }
  const outputOf = new Map<string, string>([...producer].map(([v, op]) => [op, v]));
  return { producer, inputsOf, outputOf };
}

export function ancestors(
  id: string,
  producer: Map<string, string>,
  inputsOf: Map<string, string[]>,
): string[] {
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const op = producer.get(v);
    for (const input of op ? (inputsOf.get(op) ?? []) : []) {
      if (!seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  return [...seen];
}

/** A graph whose variables carry the chapter's names (see chapterNames). */
export function withChapterNames(g: Graph): Graph {
  const names = chapterNames(g);
  return { ...g, variables: g.variables.map((v) => ({ ...v, name: names.get(v.id) ?? v.name })) };
}

/** The steps of the backward pass through J, as data. */

export function texText(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, (ch) =>
    ch === "\\" ? "\\textbackslash{}" : ch === "~" ? "\\textasciitilde{}" : ch === "^" ? "\\^{}" : `\\${ch}`,
  );
}

/** The chapter's symbols in LaTeX: bold vectors and matrices, W1 as W⁽¹⁾; anything else as text. */
export function latexName(name: string): string {
  const m = /^([Wbzhxoy])(?:(\d+)|\((\d+)\))?$/.exec(name);
  const layer = m?.[2] ?? m?.[3];
  if (m) return `\\mathbf{${m[1]}}${layer ? `^{(${layer})}` : ""}`;
  if (name === "J" || name === "L" || name === "s") return name;
  return `\\text{${texText(name)}}`;
}
