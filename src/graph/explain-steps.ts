// explainSteps(J): the backward pass as data, in the order the sweep runs it (objective first, parameters
// last): each operator's chain-rule products, filled in from its rule's derivative with the shapes of their
// operands, the saved intermediates each step reads, and the step after which each is no longer needed.
import type { Tensor } from "../tensor/tensor.js";
import { bookOrder, operandsOf } from "./book-backward.js";
import { AUTO, ancestors, chapterNames, graphLinks, latexName, texText } from "./explain-names.js";
import { type Form, fillTerms, type Namer } from "./formula.js";
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
  const { producer, inputsOf, outputOf } = graphLinks(graph);
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

  // Book level: the chapter's order (book-backward.ts); primitives: the sweep's, newest first.
  const ordered =
    graph.detail === "book" ? bookOrder(graph) : [...graph.operators].sort((a, b) => b.nodeId - a.nodeId);
  const steps: ExplainStep[] = [];
  for (const op of ordered) {
    const out = outputOf.get(op.id)!;
    // The operands in order; a tensor used twice (W ⊙ W) appears twice.
    const ins = operandsOf(graph, op);
    const from = branches.find((b) => b.members.has(out))?.name ?? null;
    const d = op.chain?.derivative ?? null;
    const terms = chainTerms(op, out, ins, ctx)
      .filter(([target]) => {
        const kind = vars.get(target)?.kind;
        return kind === "parameter" || kind === "intermediate" || kind === "objective";
      })
      .map(([target, text, latex]) => {
        // Broadcast operands get the gradient summed back to their own shape (the sweep's sumTo).
        const outShape = vars.get(out)!.shape;
        const shape = vars.get(target)!.shape;
        if (d?.broadcasts && shape.join(",") !== outShape.join(",")) {
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

/** How the step's operands are written: name [shape] in text, the symbol in LaTeX (see tensor/derivative.ts). */
function namer(out: string, ins: readonly string[], c: Ctx): Namer {
  return (ref: string, form: Form, latex: boolean) => {
    if (ref === "g") return latex ? c.gradTex(out) : c.grad(out);
    const id = ref === "y" ? out : ins[Number(ref.slice(1))];
    if (form === "shape") return c.shape(id);
    if (form === "value") return c.value(id) ?? (latex ? c.tex(id) : c.v(id));
    if (latex) return c.tex(id);
    return form === "name" ? c.name(id) : c.v(id);
  };
}

/**
 * The chain-rule products of one node: [input, text, LaTeX] for each input a gradient flows to, from its
 * rule's derivative; a node with none (customGrad, checkpoint) gets the generic vjp_op(g; inputs) form.
 */
function chainTerms(operator: GraphOperator, out: string, ins: string[], c: Ctx): Term[] {
  const chain = operator.chain;
  if (chain) {
    return fillTerms(chain.derivative, ins, namer(out, ins, c), chain.attrs).map(
      (t): Term => [ins[t.input], t.text, t.latex],
    );
  }
  const op = operator.title ?? operator.op;
  const args = [c.grad(out), ...ins.map((id) => c.v(id))].join("; ");
  const argsTex = [c.gradTex(out), ...ins.map((id) => c.tex(id))].join(", ");
  return ins.map(
    (id, i): Term => [
      id,
      `vjp_${op}${ins.length > 1 ? `[${i}]` : ""}(${args})`,
      `\\operatorname{vjp}_{\\text{${texText(op)}}}\\left(${argsTex}\\right)`,
    ],
  );
}
