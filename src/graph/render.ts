// toDot and toMermaid: a traced graph (or a tensor, traced here) as text, with squares for variables and
// circles for operators as in D2L Fig. 5.3.1; optional backward graph, module clusters and collapsing.
import { fail, oneOf } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { backwardGraph, combinedGraph, isSavedEdge } from "./backward-graph.js";
import { collapseModules } from "./collapse-modules.js";
import { dotString, mermaidString } from "./escape.js";
import { type Graph, type GraphVariable, type TraceOptions, trace } from "./trace.js";

export interface DrawOptions extends TraceOptions {
  /** true: the backward graph only; "both": forward and backward side by side. */
  backward?: boolean | "both";
  /** Draw each module's nodes inside a box titled "0: Linear". */
  clusters?: boolean;
  /** Refuse graphs with more nodes than this (default 500). */
  maxNodes?: number;
  /** "modules": each module becomes one operator node. */
  collapse?: "modules" | "none";
  /**
   * "LR": input on the left, objective on the right (the default, except for a book-level backward graph);
   * "BT": bottom to top; "TB": top to bottom (the default for a book-level backward graph: ∂J/∂J at the top).
   */
  rankdir?: "LR" | "BT" | "TB";
}

/** A graph ready to draw: which nodes belong to the forward side (for "both"). */
export interface Prepared {
  graph: Graph;
  forwardIds: Set<string> | null;
  rankdir: "LR" | "BT" | "TB";
}

export function prepare(source: Graph | Tensor, options: DrawOptions = {}): Prepared {
  oneOf("graph", "collapse", options.collapse ?? "none", ["modules", "none"]);
  oneOf("graph", "rankdir", options.rankdir ?? "LR", ["LR", "BT", "TB"]);
  const backward = options.backward ?? false;
  if (typeof backward !== "boolean" && backward !== "both") {
    fail("graph", `backward must be true, false or "both"; got ${JSON.stringify(backward)}`);
  }
  let g = source instanceof Tensor ? trace(source, { names: options.names, detail: options.detail }) : source;
  if (options.collapse === "modules") g = collapseModules(g);
  const mode = options.backward ?? false;
  const graph = mode === "both" ? combinedGraph(g) : mode ? backwardGraph(g) : g;
  const maxNodes = options.maxNodes ?? 500;
  const count = graph.variables.length + graph.operators.length;
  if (count > maxNodes) {
    fail(
      "graph",
      `the graph has ${count} nodes (${graph.variables.length} variables, ${graph.operators.length} operators), ` +
        `more than maxNodes = ${maxNodes}: pass { collapse: "modules" } to draw each module as one node, ` +
        `or raise maxNodes`,
    );
  }
  const forwardIds =
    mode === "both" ? new Set([...g.variables.map((v) => v.id), ...g.operators.map((o) => o.id)]) : null;
  const rankdir = options.rankdir ?? (g.detail === "book" && mode !== false ? "TB" : "LR");
  return { graph, forwardIds, rankdir };
}

const dims = (shape: readonly number[]) => (shape.length === 0 ? "scalar" : `[${shape.join("×")}]`);
/** Name and shape; a book-level gradient also shows its chain-rule formula and the saved values it reads. */
function variableLabel(v: GraphVariable, names: Map<string, string>): string {
  const lines = [`${v.name}  ${dims(v.shape)}`];
  if (v.formula && v.formula.text !== "1") lines.push(`= ${v.formula.text}`);
  if (v.reads && v.reads.length > 0)
    lines.push(`reads ${v.reads.map((id) => names.get(id) ?? id).join(", ")}`);
  return v.formula ? lines.join("\n") : `${v.name}\n${dims(v.shape)}`;
}

const VARIABLE_STYLE: Record<GraphVariable["kind"], string> = {
  input: 'style=filled, fillcolor="#e5e7eb"',
  parameter: 'style="filled,bold", fillcolor="#bfdbfe"',
  constant: 'style="filled,dashed", fillcolor="#f9fafb", fontcolor="#6b7280"',
  intermediate: 'style=filled, fillcolor="#ffffff"',
  objective: 'style="filled,bold", fillcolor="#fde68a", peripheries=2',
};

/** Module path of each node for clusters; a parameter read only inside one module joins it. */
function clusterOf(g: Graph): Map<string, string> {
  const out = new Map<string, string>();
  const opModule = new Map<string, string | null>();
  for (const op of g.operators) {
    opModule.set(op.id, op.module);
    if (op.module !== null) out.set(op.id, op.module);
  }
  for (const v of g.variables) if (v.module !== null) out.set(v.id, v.module);
  const readers = new Map<string, Set<string | null>>();
  for (const e of g.edges) {
    if (!opModule.has(e.to)) continue;
    readers.set(e.from, (readers.get(e.from) ?? new Set()).add(opModule.get(e.to) ?? null));
  }
  for (const v of g.variables) {
    const r = readers.get(v.id);
    if (v.kind !== "parameter" || v.module !== null || r === undefined || r.size !== 1) continue;
    const [m] = r;
    if (m !== null && m !== undefined) out.set(v.id, m);
  }
  return out;
}

function moduleTitles(g: Graph): Map<string, string> {
  const titles = new Map<string, string>();
  for (const op of g.operators) {
    if (op.module !== null && op.moduleType !== null && !titles.has(op.module)) {
      titles.set(op.module, `${op.module}: ${op.moduleType}`);
    }
  }
  return titles;
}

interface Section {
  key: string;
  title: string | null;
  ids: string[];
  children: Section[];
}

/** Nodes grouped into (forward/backward) × module sections; the top section has title null. */
function sections(p: Prepared, clusters: boolean): Section {
  const g = p.graph;
  const top: Section = { key: "top", title: null, ids: [], children: [] };
  const sides = new Map<string, Section>();
  const side = (id: string): Section => {
    if (p.forwardIds === null) return top;
    const fwd = p.forwardIds.has(id);
    const key = fwd ? "forward" : "backward";
    let s = sides.get(key);
    if (!s) {
      s = { key, title: key, ids: [], children: [] };
      sides.set(key, s);
      top.children.push(s);
    }
    return s;
  };
  const where = clusters ? clusterOf(g) : new Map<string, string>();
  const titles = moduleTitles(g);
  const ids = [...g.variables.map((v) => v.id), ...g.operators.map((o) => o.id)];
  for (const id of ids) {
    const parent = side(id);
    const m = where.get(id);
    if (m === undefined) {
      parent.ids.push(id);
      continue;
    }
    const key = `${parent.key}_${m}`;
    let child = parent.children.find((c) => c.key === key);
    if (!child) {
      child = { key, title: titles.get(m) ?? m, ids: [], children: [] };
      parent.children.push(child);
    }
    child.ids.push(id);
  }
  return top;
}

/** Graphviz DOT for a graph or tensor. */
export function toDot(source: Graph | Tensor, options: DrawOptions = {}): string {
  const p = prepare(source, options);
  const g = p.graph;
  const lines = [
    "digraph chainrule {",
    `  rankdir=${p.rankdir};`,
    '  graph [fontname="DejaVu Sans", fontsize=11, nodesep=0.25, ranksep=0.35];',
    '  node [fontname="DejaVu Sans", fontsize=10, margin="0.08,0.04"];',
    '  edge [color="#4b5563", arrowsize=0.7];',
  ];
  const nodeLine = new Map<string, string>();
  const names = new Map(g.variables.map((v) => [v.id, v.name]));
  for (const v of g.variables) {
    const saved = v.saved ? ', color="#b45309"' : "";
    nodeLine.set(
      v.id,
      `"${dotString(v.id)}" [shape=box, label="${dotString(variableLabel(v, names))}", ${VARIABLE_STYLE[v.kind]}${saved}];`,
    );
  }
  for (const op of g.operators) {
    const style =
      op.phase === "backward"
        ? 'style=filled, fillcolor="#fee2e2", color="#b91c1c"'
        : 'style=filled, fillcolor="#f3f4f6"';
    // A backward operator's tooltip is its derivative, read from the rule of the op it pulls back through.
    const tip =
      op.phase === "backward" && op.derivative ? `, tooltip="${dotString(op.derivative.text)}"` : "";
    nodeLine.set(
      op.id,
      `"${dotString(op.id)}" [shape=circle, width=0.5, fixedsize=false, label="${dotString(op.op)}", ${style}${tip}];`,
    );
  }
  const emit = (s: Section, indent: string) => {
    for (const id of s.ids) lines.push(indent + nodeLine.get(id));
    for (const c of s.children) {
      lines.push(`${indent}subgraph "cluster_${dotString(c.key)}" {`);
      lines.push(`${indent}  label="${dotString(c.title ?? c.key)}"; style=rounded; color="#9ca3af";`);
      emit(c, `${indent}  `);
      lines.push(`${indent}}`);
    }
  };
  emit(sections(p, options.clusters ?? false), "  ");
  for (const e of g.edges) {
    const style = isSavedEdge(e) ? ' [style=dashed, color="#b45309"]' : "";
    lines.push(`  "${dotString(e.from)}" -> "${dotString(e.to)}"${style};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, "_");

/** A Mermaid flowchart: [box] variables, ((circle)) operators, subgraphs for clusters. */
export function toMermaid(source: Graph | Tensor, options: DrawOptions = {}): string {
  const p = prepare(source, options);
  const g = p.graph;
  const lines = [`flowchart ${p.rankdir}`];
  const nodeLine = new Map<string, string>();
  const classes = new Map<string, string[]>();
  for (const v of g.variables) {
    const label = `${mermaidString(v.name)}<br/>${mermaidString(dims(v.shape))}`;
    nodeLine.set(v.id, `${mermaidId(v.id)}["${label}"]`);
    classes.set(v.kind, [...(classes.get(v.kind) ?? []), mermaidId(v.id)]);
  }
  for (const op of g.operators) {
    nodeLine.set(op.id, `${mermaidId(op.id)}(("${mermaidString(op.op)}"))`);
    if (op.phase === "backward")
      classes.set("backward", [...(classes.get("backward") ?? []), mermaidId(op.id)]);
  }
  const emit = (s: Section, indent: string) => {
    for (const id of s.ids) lines.push(indent + nodeLine.get(id));
    for (const c of s.children) {
      lines.push(`${indent}subgraph ${mermaidId(`c_${c.key}`)} ["${mermaidString(c.title ?? c.key)}"]`);
      emit(c, `${indent}  `);
      lines.push(`${indent}end`);
    }
  };
  emit(sections(p, options.clusters ?? false), "  ");
  for (const e of g.edges) {
    lines.push(`  ${mermaidId(e.from)} ${isSavedEdge(e) ? "-.->" : "-->"} ${mermaidId(e.to)}`);
  }
  const fills: Record<string, string> = {
    input: "fill:#e5e7eb",
    parameter: "fill:#bfdbfe,stroke-width:2px",
    constant: "fill:#f9fafb,stroke-dasharray:3",
    intermediate: "fill:#ffffff",
    objective: "fill:#fde68a,stroke-width:3px",
    backward: "fill:#fee2e2,stroke:#b91c1c",
  };
  for (const [name, ids] of classes) {
    lines.push(`  classDef ${name} ${fills[name]}`);
    lines.push(`  class ${ids.join(",")} ${name}`);
  }
  return `${lines.join("\n")}\n`;
}
