// explain(J): the backward pass written out step by step, in the order the sweep runs it (objective first,
// parameters last): each operator's chain-rule products with the shapes of their operands, the saved
// intermediates each step reads, and the step after which each of them is no longer needed.
import { oneOf } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Graph, type GraphOperator, type GraphVariable, type TraceOptions, trace } from "./trace.js";

export interface ExplainOptions extends TraceOptions {
  /** "text" (default): one line per product; "markdown": the same steps as LaTeX equations. */
  format?: "text" | "markdown";
  /** Name variables as the chapter does (x, z, h, o, W1, L, s, J) where they are not labelled. Default true. */
  chapterNames?: boolean;
  /** Batch size written as n in shapes (axis 0 of inputs and intermediates); default: axis 0 of the input. */
  batch?: number;
}

/** One gradient a step passes to an input. */
export interface ExplainTerm {
  /** Variable id that receives the gradient. */
  target: string;
  /** The product, e.g. "∂J/∂o [n,10]ᵀ · h [n,256]". */
  text: string;
  latex: string;
  /** Which operand of the objective's last operator this step lies under ("L", "s"), or null. */
  from: string | null;
}

export interface ExplainStep {
  /** 1-based, in backward order. */
  index: number;
  operator: GraphOperator;
  output: string;
  terms: ExplainTerm[];
  /** Variable ids of the saved tensors this step reads. */
  reads: string[];
  /** Saved intermediates this step reads last. */
  frees: string[];
}

export interface Explanation {
  graph: Graph;
  /** The display name of each variable id. */
  names: Map<string, string>;
  steps: ExplainStep[];
  batch: number | null;
}

const AUTO = /#\d+$/;
const BROADCASTING = new Set(["add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"]);

/** Names the chapter gives its variables, for the unlabelled ones of a Sequential MLP's graph. */
export function chapterNames(g: Graph): Map<string, string> {
  const names = new Map(g.variables.map((v) => [v.id, v.name]));
  const byId = new Map(g.variables.map((v) => [v.id, v]));
  const auto = (id: string) => {
    const v = byId.get(id);
    return v !== undefined && (AUTO.test(v.name) || v.kind === "input");
  };
  const producer = new Map<string, string>();
  const inputsOf = new Map<string, string[]>();
  for (const e of g.edges) {
    if (e.from.startsWith("op")) producer.set(e.to, e.from);
    else inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
  }
  const outputOf = new Map<string, string>([...producer].map(([v, op]) => [op, v]));
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
  if (rootOperator?.op === "add" && operands.length === 2 && operands[0] !== operands[1]) {
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

function ancestors(id: string, producer: Map<string, string>, inputsOf: Map<string, string[]>): string[] {
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
export function explainSteps(J: Tensor, options: ExplainOptions = {}): Explanation {
  const graph = trace(J, options);
  const names =
    options.chapterNames === false
      ? new Map(graph.variables.map((v) => [v.id, v.name]))
      : chapterNames(graph);
  const tensors = new Map<string, Tensor>();
  const stack = [J];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const id = `v${t.id}`;
    if (tensors.has(id)) continue;
    tensors.set(id, t);
    for (const input of t.node?.inputs ?? []) stack.push(input);
  }
  const vars = new Map(graph.variables.map((v) => [v.id, v]));
  const firstInput = graph.variables.find((v) => v.kind === "input" && v.shape.length >= 2);
  const batch = options.batch ?? firstInput?.shape[0] ?? null;
  const producer = new Map<string, string>();
  const inputsOf = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.from.startsWith("op")) producer.set(e.to, e.from);
    else inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
  }
  const outputOf = new Map([...producer].map(([v, op]) => [op, v]));
  // The operands of the objective's operator that are named (L, s): each step says which it lies under.
  const branches: { name: string; members: Set<string> }[] = [];
  const rootOp = producer.get(graph.root);
  for (const operand of new Set(rootOp ? (inputsOf.get(rootOp) ?? []) : [])) {
    const name = names.get(operand)!;
    if (!AUTO.test(name)) branches.push({ name, members: new Set(ancestors(operand, producer, inputsOf)) });
  }
  const fmtShape = (v: GraphVariable) =>
    `[${v.shape.map((d, i) => (i === 0 && batch !== null && d === batch && v.kind !== "parameter" && v.kind !== "constant" ? "n" : String(d))).join(",")}]`;
  const ctx: Ctx = {
    name: (id) => names.get(id) ?? id,
    v: (id) => `${names.get(id) ?? id} ${fmtShape(vars.get(id)!)}`,
    grad: (id) => `∂J/∂${names.get(id) ?? id} ${fmtShape(vars.get(id)!)}`,
    tex: (id) => latexName(names.get(id) ?? id),
    gradTex: (id) => `\\frac{\\partial J}{\\partial ${latexName(names.get(id) ?? id)}}`,
    value: (id) => {
      const t = tensors.get(id);
      return t && t.size === 1 && !t.isDisposed && vars.get(id)?.kind === "constant"
        ? Number(t.dataSync()[0].toPrecision(4)).toString()
        : null;
    },
    shape: (id) => fmtShape(vars.get(id)!),
  };

  const ordered = [...graph.operators].sort((a, b) => b.nodeId - a.nodeId);
  const steps: ExplainStep[] = [];
  for (const op of ordered) {
    const out = outputOf.get(op.id)!;
    const inputs = inputsOf.get(op.id) ?? [];
    // inputsOf lists an input once per edge; a tensor used twice (W ⊙ W) has two edges.
    const node = tensors.get(out)!.node!;
    const ins = node.inputs.map((t) => `v${t.id}`);
    const from = branches.find((b) => b.members.has(out))?.name ?? null;
    const terms = rule(op.op, out, ins.length > 0 ? ins : inputs, node.attrs, ctx)
      .filter(([target]) => {
        const kind = vars.get(target)?.kind;
        return kind === "parameter" || kind === "intermediate" || kind === "objective";
      })
      .map(([target, text, latex]) => {
        // Broadcast operands get the gradient summed back to their own shape (the sweep's sumTo).
        const outShape = vars.get(out)!.shape;
        const shape = vars.get(target)!.shape;
        if (BROADCASTING.has(op.op) && shape.join(",") !== outShape.join(",")) {
          text = `sumTo(${text}) to ${fmtShape(vars.get(target)!)}`;
          latex = `\\operatorname{sumTo}\\left(${latex}\\right)`;
        }
        return { target, text, latex, from };
      });
    steps.push({ index: steps.length + 1, operator: op, output: out, terms, reads: op.saves, frees: [] });
  }
  const lastRead = new Map<string, ExplainStep>();
  for (const step of steps) for (const id of step.reads) lastRead.set(id, step);
  for (const [id, step] of lastRead) {
    const kind = vars.get(id)?.kind;
    if ((kind === "intermediate" || kind === "objective") && !step.frees.includes(id)) step.frees.push(id);
  }
  return { graph, names, steps, batch };
}

interface Ctx {
  name(id: string): string;
  v(id: string): string;
  grad(id: string): string;
  tex(id: string): string;
  gradTex(id: string): string;
  value(id: string): string | null;
  shape(id: string): string;
}

type Term = [target: string, text: string, latex: string];

/** The chain-rule products of one primitive: [input, text, LaTeX] for each input a gradient flows to. */
function rule(op: string, out: string, ins: string[], attrs: unknown, c: Ctx): Term[] {
  const g = c.grad(out);
  const gt = c.gradTex(out);
  const [a, b] = ins;
  const operand = (id: string) => c.value(id) ?? c.v(id);
  const operandTex = (id: string) => c.value(id) ?? c.tex(id);
  switch (op) {
    case "matmul": {
      const { transA, transB } = (attrs ?? {}) as { transA?: boolean; transB?: boolean };
      const t = (s: string, on: boolean | undefined) => (on ? `${s}ᵀ` : s);
      const tt = (s: string, on: boolean | undefined) => (on ? `${s}^\\top` : s);
      const da = transA ? [t(c.v(b), transB), t(g, true)] : [g, t(c.v(b), !transB)];
      const db = transB ? [t(g, true), t(c.v(a), transA)] : [t(c.v(a), !transA), g];
      const daTex = transA
        ? [tt(c.tex(b), transB), tt(`\\left(${gt}\\right)`, true)]
        : [gt, tt(c.tex(b), !transB)];
      const dbTex = transB
        ? [tt(`\\left(${gt}\\right)`, true), tt(c.tex(a), transA)]
        : [tt(c.tex(a), !transA), gt];
      return [
        [a, da.join(" · "), daTex.join(" ")],
        [b, db.join(" · "), dbTex.join(" ")],
      ];
    }
    case "add":
      return [
        [a, g, gt],
        [b, g, gt],
      ];
    case "sub":
      return [
        [a, g, gt],
        [b, `−${g}`, `-${gt}`],
      ];
    case "mul":
      if (a === b) return [[a, `2 · ${c.v(a)} ⊙ ${g}`, `2\\, ${c.tex(a)} \\odot ${gt}`]];
      return [
        [a, `${g} ⊙ ${operand(b)}`, `${gt} \\odot ${operandTex(b)}`],
        [b, `${g} ⊙ ${operand(a)}`, `${gt} \\odot ${operandTex(a)}`],
      ];
    case "div":
      return [
        [a, `${g} ⊘ ${operand(b)}`, `${gt} \\oslash ${operandTex(b)}`],
        [b, `−${g} ⊙ ${c.v(a)} ⊘ ${c.name(b)}²`, `-${gt} \\odot ${c.tex(a)} \\oslash ${c.tex(b)}^{2}`],
      ];
    case "neg":
      return [[a, `−${g}`, `-${gt}`]];
    case "relu":
      return [[a, `${g} ⊙ [${c.name(a)} > 0]`, `${gt} \\odot \\mathbb{1}[${c.tex(a)} > 0]`]];
    case "exp":
      return [[a, `${g} ⊙ ${c.v(out)}`, `${gt} \\odot ${c.tex(out)}`]];
    case "log":
      return [[a, `${g} ⊘ ${c.v(a)}`, `${gt} \\oslash ${c.tex(a)}`]];
    case "tanh":
      return [[a, `${g} ⊙ (1 − ${c.v(out)}²)`, `${gt} \\odot (1 - ${c.tex(out)}^{2})`]];
    case "sigmoid":
      return [
        [
          a,
          `${g} ⊙ ${c.v(out)} ⊙ (1 − ${c.name(out)})`,
          `${gt} \\odot ${c.tex(out)} \\odot (1 - ${c.tex(out)})`,
        ],
      ];
    case "sum":
      return [[a, `broadcast(${g}) to ${c.shape(a)}`, `\\operatorname{broadcast}\\left(${gt}\\right)`]];
    case "reshape":
      return [[a, `reshape(${g}) to ${c.shape(a)}`, `\\operatorname{reshape}\\left(${gt}\\right)`]];
    case "gather": {
      const axis = (attrs as { axis?: number } | null)?.axis ?? 0;
      return [
        [
          a,
          `scatterAdd(${g}, ${c.v(b)}) along axis ${axis} into ${c.shape(a)}`,
          `\\operatorname{scatterAdd}\\left(${gt}, ${c.tex(b)}\\right)`,
        ],
      ];
    }
    default: {
      const args = [g, ...ins.map((id) => c.v(id))].join("; ");
      const argsTex = [gt, ...ins.map((id) => c.tex(id))].join(", ");
      return ins.map(
        (id, i): Term => [
          id,
          `vjp_${op}${ins.length > 1 ? `[${i}]` : ""}(${args})`,
          `\\operatorname{vjp}_{\\text{${texText(op)}}}\\left(${argsTex}\\right)`,
        ],
      );
    }
  }
}

function texText(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, (ch) =>
    ch === "\\" ? "\\textbackslash{}" : ch === "~" ? "\\textasciitilde{}" : ch === "^" ? "\\^{}" : `\\${ch}`,
  );
}

/** The chapter's symbols in LaTeX: bold vectors and matrices, W1 as W⁽¹⁾; anything else as text. */
export function latexName(name: string): string {
  const m = /^([WbzhxoW])(\d*)$/.exec(name);
  if (m) return `\\mathbf{${m[1]}}${m[2] ? `^{(${m[2]})}` : ""}`;
  if (name === "J" || name === "L" || name === "s") return name;
  return `\\text{${texText(name)}}`;
}

/** The backward pass of J step by step, as text or Markdown with LaTeX. */
export function explain(J: Tensor, options: ExplainOptions = {}): string {
  const format = oneOf("explain", "format", options.format ?? "text", ["text", "markdown"]);
  const e = explainSteps(J, options);
  return format === "markdown" ? markdown(e) : text(e);
}

interface Contribution {
  step: ExplainStep;
  term: ExplainTerm;
}

/** Per variable, the steps that pass it a gradient, in backward order. */
function contributions(e: Explanation): Map<string, Contribution[]> {
  const byTarget = new Map<string, Contribution[]>();
  for (const step of e.steps) {
    for (const term of step.terms)
      byTarget.set(term.target, [...(byTarget.get(term.target) ?? []), { step, term }]);
  }
  return byTarget;
}

/** λ when the penalty branch s is c · (…) with a constant c (s = λ/2 Σ‖W‖²): λ = 2c. */
function penaltyLambda(e: Explanation): number | null {
  const s = [...e.names].find(([, n]) => n === "s")?.[0];
  if (!s) return null;
  const step = e.steps.find((st) => st.output === s);
  if (step?.operator.op !== "mul") return null;
  const constant = e.graph.edges
    .filter((edge) => edge.to === step.operator.id)
    .map((edge) => e.graph.variables.find((v) => v.id === edge.from)!)
    .find((v) => v.kind === "constant" && /^-?[\d.e-]+$/.test(v.name));
  return constant ? 2 * Number(constant.name) : null;
}

/** A short summary of a contribution from another branch: "λ W2 from s" for the chapter's penalty. */
function aside(e: Explanation, c: Contribution, lambda: number | null): string {
  const name = e.names.get(c.term.target)!;
  if (
    c.term.from === "s" &&
    c.step.operator.op === "mul" &&
    lambda !== null &&
    c.term.text.startsWith("2 · ")
  ) {
    return `λ ${name} from s`;
  }
  return `${c.term.text}${c.term.from ? ` from ${c.term.from}` : ""} (step ${c.step.index})`;
}

function text(e: Explanation): string {
  const name = (id: string) => e.names.get(id) ?? id;
  const variable = (id: string) => e.graph.variables.find((v) => v.id === id)!;
  const shape = (id: string) =>
    `[${variable(id)
      .shape.map((d, i) =>
        i === 0 && e.batch !== null && d === e.batch && !["parameter", "constant"].includes(variable(id).kind)
          ? "n"
          : String(d),
      )
      .join(",")}]`;
  const byTarget = contributions(e);
  const lambda = penaltyLambda(e);
  const lines = [
    `Backward pass of ${name(e.graph.root)} ${shape(e.graph.root)}, step by step from the objective back to the parameters` +
      (e.batch !== null ? ` (n = ${e.batch}, the minibatch)` : ""),
    "∂J/∂J = 1. Each step pulls the gradient of an operator's output back to its inputs (vector-Jacobian products);",
    "a gradient that reaches a variable along several paths is summed. Saved tensors are what the forward pass kept",
    "for these steps; after its last read a saved intermediate is no longer needed, and backward() without",
    "retainGraph releases it (retainGraph keeps it for another pass).",
    "",
  ];
  if (lambda !== null) lines.splice(5, 0, `λ = ${Number(lambda.toPrecision(4))} (s = λ/2 Σ‖W‖²_F).`);
  for (const step of e.steps) {
    const op = step.operator;
    const where = op.module !== null ? `, in ${op.module}${op.moduleType ? ` (${op.moduleType})` : ""}` : "";
    const ins = e.graph.edges
      .filter((edge) => edge.to === op.id)
      .map((edge) => `${name(edge.from)} ${shape(edge.from)}`);
    lines.push(
      `step ${step.index}: ${op.op}${where}: ${name(step.output)} ${shape(step.output)} ← ${ins.join(", ")}`,
    );
    for (const term of step.terms) {
      const all = byTarget.get(term.target)!;
      const k = all.findIndex((c) => c.term === term);
      let line = `  ∂J/∂${name(term.target)} ${shape(term.target)} = ${term.text}`;
      if (all.length > 1) {
        if (k === all.length - 1) {
          const others = all.slice(0, -1).map((c) => aside(e, c, lambda));
          line += `  (+ ${others.join(" + ")})`;
        } else {
          line = `  ∂J/∂${name(term.target)} ${shape(term.target)} += ${term.text}  (term ${k + 1} of ${all.length})`;
        }
      }
      lines.push(line);
    }
    if (step.reads.length > 0)
      lines.push(`  reads saved: ${step.reads.map((id) => `${name(id)} ${shape(id)}`).join(", ")}`);
    if (step.frees.length > 0) {
      const bytes = (id: string) => variable(id).bytes;
      lines.push(
        `  last read of saved ${step.frees.map((id) => `${name(id)} ${shape(id)} (${bytes(id)} B)`).join(", ")}: freed after this step by backward() without retainGraph`,
      );
    }
  }
  lines.push("", "Gradient shapes equal parameter shapes (an n×m matrix has an n×m gradient):");
  for (const v of e.graph.variables) {
    if (v.kind !== "parameter" || !byTarget.has(v.id)) continue;
    const s = `[${v.shape.join(",")}]`;
    lines.push(`  ∂J/∂${name(v.id)} ${s} has the shape of ${name(v.id)} ${s}`);
  }
  return `${lines.join("\n")}\n`;
}

function markdown(e: Explanation): string {
  const byTarget = contributions(e);
  const lambda = penaltyLambda(e);
  const name = (id: string) => e.names.get(id) ?? id;
  const tex = (id: string) => latexName(name(id));
  const gradTex = (id: string) => `\\frac{\\partial J}{\\partial ${tex(id)}}`;
  const variable = (id: string) => e.graph.variables.find((v) => v.id === id)!;
  const chapter = (id: string) => /^(W\d*|b\d*|[xzhoLsJ]\d*)$/.test(name(id));
  const lines = [
    `# Backward pass of $${tex(e.graph.root)}$`,
    "",
    "Steps in the order backward runs them, from the objective back to the parameters. Products of the chapter's named",
    "variables are written as in the chapter (column vectors, one example); the text form gives the minibatch shapes.",
    "",
  ];
  for (const step of e.steps) {
    const op = step.operator;
    const where =
      op.module !== null ? ` in \`${op.module}\`${op.moduleType ? ` (${op.moduleType})` : ""}` : "";
    lines.push(`## Step ${step.index}: \`${op.op}\`${where} → $${tex(step.output)}$`, "");
    for (const term of step.terms) {
      const all = byTarget.get(term.target)!;
      const k = all.findIndex((c) => c.term === term);
      let rhs = term.latex;
      // The chapter's forms for its own variables: o = W⁽²⁾h, h = φ(z), z = W⁽¹⁾x.
      const out = step.output;
      if (op.op === "matmul" && chapter(out) && chapter(term.target)) {
        const others = e.graph.edges.filter((edge) => edge.to === op.id).map((edge) => edge.from);
        const other = others.find((id) => id !== term.target) ?? term.target;
        rhs =
          variable(term.target).kind === "parameter"
            ? `${gradTex(out)} ${tex(other)}^\\top`
            : `{${tex(other)}}^\\top ${gradTex(out)}`;
      } else if (op.op === "relu" && chapter(out) && chapter(term.target)) {
        rhs = `${gradTex(out)} \\odot \\phi'\\left(${tex(term.target)}\\right)`;
      } else if (op.op === "add" && out === e.graph.root && chapter(term.target)) {
        rhs = "1";
      }
      if (all.length > 1 && k === all.length - 1) {
        const extra = all
          .slice(0, -1)
          .map((c) =>
            c.term.from === "s" &&
            lambda !== null &&
            c.step.operator.op === "mul" &&
            c.term.text.startsWith("2 · ")
              ? `\\lambda ${tex(term.target)}`
              : c.term.latex,
          );
        rhs += ` + ${extra.join(" + ")}`;
      }
      const rel = all.length > 1 && k < all.length - 1 ? "\\mathrel{+}=" : "=";
      lines.push(`$$${gradTex(term.target)} ${rel} ${rhs}$$`, "");
    }
    if (step.reads.length > 0)
      lines.push(`Reads saved: ${step.reads.map((id) => `$${tex(id)}$`).join(", ")}.`, "");
    if (step.frees.length > 0) {
      lines.push(
        `Last read of ${step.frees.map((id) => `$${tex(id)}$`).join(", ")}: freed after this step by \`backward()\` without \`retainGraph\`.`,
        "",
      );
    }
  }
  lines.push("## Shapes", "", "| parameter | shape | gradient shape |", "|---|---|---|");
  for (const v of e.graph.variables) {
    if (v.kind !== "parameter" || !byTarget.has(v.id)) continue;
    const s = v.shape.join("×");
    lines.push(`| $${tex(v.id)}$ | ${s} | ${s} |`);
  }
  return `${lines.join("\n")}\n`;
}
