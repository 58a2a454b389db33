// toHtml(J): one self-contained page: the graph's SVG inlined, each variable's name, shape, dtype, a few values
// and its gradient as inline JSON, and a small script that shows them in a tooltip when a node is hovered.
import { sweep } from "../autograd/sweep.js";
import { onesLike } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";
import { backwardGraph, gradId } from "./backward-graph.js";
import { withChapterNames } from "./explain-names.js";
import type { DrawOptions } from "./render.js";
import { toSvg } from "./svg.js";
import { trace } from "./trace.js";

export interface HtmlOptions extends DrawOptions {
  /** Page title (escaped). */
  title?: string;
  /** Gradients to show, by tensor; else each tensor's .grad, and for parameters a computed one (see computeGrads). */
  grads?: Map<Tensor, Tensor>;
  /** Compute the parameters' gradients with a backward sweep that keeps the graph (retainGraph). Default true. */
  computeGrads?: boolean;
  /** Values shown per tensor (default 6). */
  values?: number;
  /** Name variables as the chapter does (default true). */
  chapterNames?: boolean;
}

interface NodeInfo {
  name: string;
  kind: string;
  shape: number[];
  dtype: string;
  values: number[];
  size: number;
  grad: number[] | null;
  gradShape: number[] | null;
  /** An operator's derivative, from its rule ("a ← g ⊙ b; b ← g ⊙ a"). */
  derivative?: string;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** JSON safe inside a <script> element: no "<" (so no "</script>"), and no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const first = (t: Tensor, k: number) =>
  t.isDisposed ? [] : Array.from(t.dataSync().slice(0, k), (v) => Number(Number(v).toPrecision(5)));

const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById("chainrule-data").textContent);
  const tip = document.getElementById("tooltip");
  const dims = (s) => (s.length === 0 ? "scalar" : "[" + s.join("×") + "]");
  const list = (v, size) => "[" + v.join(", ") + (size > v.length ? ", …" : "") + "]";
  for (const node of document.querySelectorAll("svg g.node")) {
    const title = node.querySelector("title");
    const info = title ? data.nodes[title.textContent.trim()] : undefined;
    if (!info) continue;
    node.classList.add("has-info");
    node.addEventListener("mousemove", (event) => {
      const lines = [
        info.name + " (" + info.kind + ")",
        "shape " + dims(info.shape) + ", " + info.dtype,
        "values " + list(info.values, info.size),
        info.grad ? "gradient " + dims(info.gradShape) + " " + list(info.grad, info.size) : "gradient: none kept",
      ];
      if (info.derivative) lines.push("derivative " + info.derivative);
      tip.textContent = "";
      for (const line of lines) {
        const div = document.createElement("div");
        div.textContent = line;
        tip.appendChild(div);
      }
      tip.style.left = event.pageX + 14 + "px";
      tip.style.top = event.pageY + 14 + "px";
      tip.hidden = false;
    });
    node.addEventListener("mouseleave", () => { tip.hidden = true; });
  }
})();
`;

/** A self-contained HTML page for J's graph with hover tooltips of shapes, values and gradients. */
export async function toHtml(J: Tensor, options: HtmlOptions = {}): Promise<string> {
  let graph = trace(J, { names: options.names, detail: options.detail });
  if (options.chapterNames !== false) graph = withChapterNames(graph);
  const tensors = new Map<string, Tensor>();
  const stack = [J];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (tensors.has(`v${t.id}`)) continue;
    tensors.set(`v${t.id}`, t);
    // A group's inputs too: the book-level graph shows the labels y that only its primitives' copies reach.
    for (const input of t.node?.inputs ?? []) stack.push(input);
    for (const group of t.node?.groups ?? []) stack.push(...group.inputs);
  }
  const grads = new Map(options.grads ?? []);
  const computed: Tensor[] = [];
  const leaves = new Set([...tensors.values()].filter((t) => t.requiresGrad && t.node === null));
  if (
    options.computeGrads !== false &&
    J.requiresGrad &&
    J.size === 1 &&
    [...tensors.values()].every((t) => t.node?.saved !== null)
  ) {
    const seed = onesLike(J);
    for (const [t, g] of sweep([J], [seed], leaves, { retainGraph: true })) {
      if (!grads.has(t)) {
        grads.set(t, g);
        computed.push(g);
      }
    }
    seed.dispose();
  }
  const k = options.values ?? 6;
  const nodes: Record<string, NodeInfo> = {};
  for (const v of graph.variables) {
    const t = tensors.get(v.id)!;
    const g = grads.get(t) ?? (t.grad instanceof Tensor ? t.grad : null);
    nodes[v.id] = {
      name: v.name,
      kind: v.kind,
      shape: v.shape,
      dtype: v.dtype,
      values: first(t, k),
      size: v.shape.reduce((a, b) => a * b, 1),
      grad: g ? first(g, k) : null,
      gradShape: g ? [...g.shape] : null,
    };
  }
  // The backward graph's gradient nodes (gradId: "d" + variable id) show the gradient as their value.
  for (const v of graph.variables) {
    const info = nodes[v.id];
    if (info.grad === null) continue;
    nodes[gradId(v.id)] = {
      ...info,
      name: `∂J/∂${v.name}`,
      kind: "gradient",
      shape: info.gradShape ?? info.shape,
      values: info.grad,
    };
  }
  for (const op of graph.operators) {
    nodes[op.id] = {
      name: op.op,
      kind: `operator${op.module !== null ? ` in ${op.module}` : ""}`,
      shape: [],
      dtype: "",
      values: [],
      size: 0,
      grad: null,
      gradShape: null,
      ...(op.derivative ? { derivative: op.derivative.text } : {}),
    };
  }
  // The backward graph's operators (b + forward id) and, at the book's level, each gradient's chain-rule formula.
  for (const op of graph.operators)
    nodes[`b${op.id}`] = { ...nodes[op.id], name: `${op.op}'`, kind: "backward operator" };
  if (options.backward && graph.detail === "book") {
    for (const v of backwardGraph(graph).variables) {
      if (!v.formula) continue;
      const size = v.shape.reduce((a, b) => a * b, 1);
      const info = nodes[v.id] ?? {
        name: v.name,
        kind: "gradient",
        shape: v.shape,
        dtype: v.dtype,
        values: [],
        size,
        grad: null,
        gradShape: null,
      };
      nodes[v.id] = { ...info, derivative: `${v.name} = ${v.formula.text}` };
    }
  }
  for (const g of computed) g.dispose();
  const svg = await toSvg(graph, options);
  const body = svg.slice(svg.indexOf("<svg"));
  const title = escapeHtml(
    options.title ??
      `Computational graph of ${graph.variables.find((v) => v.id === graph.root)?.name ?? "J"}`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { font-family: "DejaVu Sans", sans-serif; margin: 16px; color: #111827; }
#graph svg { max-width: 100%; height: auto; }
g.has-info { cursor: pointer; }
g.has-info:hover polygon, g.has-info:hover ellipse { stroke: #2563eb; stroke-width: 2; }
#tooltip { position: absolute; background: #111827; color: #f9fafb; padding: 6px 8px; border-radius: 4px;
  font: 12px/1.4 "DejaVu Sans Mono", monospace; pointer-events: none; max-width: 480px; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>${title}</h1>
<p>Squares are variables, circles operators. Hover a node for its shape, values and gradient.</p>
<div id="graph">${body}</div>
<div id="tooltip" hidden></div>
<script type="application/json" id="chainrule-data">${scriptJson({ root: graph.root, nodes })}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
