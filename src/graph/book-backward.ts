// The backward graph at the book's level (D2L §5.3.3): one gradient node ∂J/∂v per variable, holding the
// formula of its chain-rule step (∂J/∂W(2) = ∂J/∂oᵀ · h + λ W(2)) and the saved values it reads; one backward
// operator per book-level operator, walked in the chapter's order ((5.3.8)-(5.3.14)).
import type { Derivative } from "../tensor/derivative.js";
import { latexName } from "./explain-names.js";
import { fillTerms, type Namer } from "./formula.js";
import { gradId, type SavedEdge } from "./gradient-ids.js";
import type { Graph, GraphEdge, GraphOperator, GraphVariable } from "./trace.js";

/** Operand ids of an operator in order (its rule's operands, else its input edges). */
export function operandsOf(g: Graph, op: GraphOperator): string[] {
  return op.chain?.inputs ?? g.edges.filter((e) => e.to === op.id).map((e) => e.from);
}

/**
 * Operators in the order backward reaches them at the book's level: by their longest distance from the
 * objective, ties oldest first, so J = L + s gives +, then l (5.3.9) before ‖·‖² (5.3.10), then the layers
 * from the output back (5.3.11)-(5.3.14). Every operator comes after all that read its output.
 */
export function bookOrder(g: Graph): GraphOperator[] {
  const readers = new Map<string, string[]>();
  const outputsOf = new Map<string, string[]>();
  const opIds = new Set(g.operators.map((o) => o.id));
  for (const e of g.edges) {
    if (opIds.has(e.from)) outputsOf.set(e.from, [...(outputsOf.get(e.from) ?? []), e.to]);
    else readers.set(e.from, [...(readers.get(e.from) ?? []), e.to]);
  }
  const distance = new Map<string, number>();
  // Newest first is an order in which every reader of an operator's output comes before it.
  for (const op of [...g.operators].sort((a, b) => b.nodeId - a.nodeId)) {
    const after = (outputsOf.get(op.id) ?? []).flatMap((v) => readers.get(v) ?? []);
    distance.set(op.id, Math.max(0, ...after.map((r) => (distance.get(r) ?? -1) + 1)));
  }
  return [...g.operators].sort((a, b) => distance.get(a.id)! - distance.get(b.id)! || a.nodeId - b.nodeId);
}

const needsGrad = (v: GraphVariable | undefined) =>
  v !== undefined && (v.kind === "parameter" || v.kind === "intermediate" || v.kind === "objective");

/** One chain-rule term a backward operator passes to a variable, with names (no shapes). */
interface Term {
  text: string;
  latex: string;
  op: string;
  /** Of the forward operator: terms are summed oldest first, the book's ∂J/∂o hᵀ + λW(2). */
  nodeId: number;
  reads: string[];
}

/** The operands ("x0", "y") the text template of input `i`'s term names. */
function referenced(d: Derivative, i: number, inputs: number): string[] {
  const same = d.same !== undefined && inputs > 1;
  const template = same ? d.same!.text : (d.text[d.forEachInput ? 0 : i] ?? "");
  const refs = [...template.matchAll(/\{(y|x\d+)(?::\w+)?\}/g)].map((m) => m[1]);
  return d.forEachInput ? refs.map((r) => (r === "x0" ? `x${i}` : r)) : refs;
}

/** A product with a gradient of 1 (∂J/∂L when J = L + s) loses its factor: "1 · λ W(2)" is "λ W(2)". */
const dropUnit = (text: string, latex: string) => ({
  text: text.replace(/^1 · /, "").replace(/^−1 · /, "−"),
  latex: latex.replace(/^1\\, /, "").replace(/^-1\\, /, "-"),
});

/** The book-level backward graph of a book-level trace; `root` is the seed ∂J/∂J. */
export function bookBackwardGraph(g: Graph): Graph {
  const vars = new Map(g.variables.map((v) => [v.id, v]));
  const name = (id: string) => vars.get(id)?.name ?? id;
  const jName = name(g.root);
  const opIds = new Set(g.operators.map((o) => o.id));
  const outputOf = new Map<string, string>();
  for (const e of g.edges) if (opIds.has(e.from) && !outputOf.has(e.from)) outputOf.set(e.from, e.to);
  const unit = new Set<string>([g.root]);
  const gradName = (id: string) => `∂${jName}/∂${name(id)}`;
  const gradTex = (id: string) => `\\frac{\\partial ${latexName(jName)}}{\\partial ${latexName(name(id))}}`;

  const terms = new Map<string, Term[]>();
  const order: string[] = [];
  const operators: GraphOperator[] = [];
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const edge = (e: GraphEdge) => {
    const key = `${e.from}->${e.to}`;
    if (!seen.has(key)) {
      seen.add(key);
      edges.push(e);
    }
  };
  const reached = new Set<string>([g.root]);
  const savedUsed: string[] = [];
  for (const op of bookOrder(g)) {
    const out = outputOf.get(op.id);
    if (out === undefined || !reached.has(out)) continue;
    const operands = operandsOf(g, op);
    const targets = operands.filter((id) => needsGrad(vars.get(id)));
    if (targets.length === 0) continue;
    // The gradient of `out` is complete here (bookOrder), so whether it is 1 is known.
    if ((terms.get(out) ?? []).length === 1 && terms.get(out)![0].text === "1") unit.add(out);
    const id = `b${op.id}`;
    operators.push({ ...op, id, op: `${op.op}'`, phase: "backward", saves: [...op.saves] });
    edge({ from: gradId(out), to: id });
    for (const s of new Set(op.saves)) {
      if (vars.has(s)) {
        edge({ from: s, to: id, saved: true } as SavedEdge);
        if (!savedUsed.includes(s)) savedUsed.push(s);
      }
    }
    const namer: Namer = (ref, form, latex) => {
      if (ref === "g") return unit.has(out) ? "1" : latex ? gradTex(out) : gradName(out);
      const v = ref === "y" ? out : operands[Number(ref.slice(1))];
      if (form === "shape") return `[${vars.get(v)?.shape.join("×") ?? ""}]`;
      return latex ? latexName(name(v)) : name(v);
    };
    const filled = op.chain
      ? fillTerms(op.chain.derivative, operands, namer, op.chain.attrs).map((t) => ({
          target: operands[t.input],
          ...dropUnit(t.text, t.latex),
          refs: referenced(op.chain!.derivative, t.input, operands.length).map((r) =>
            r === "y" ? out : operands[Number(r.slice(1))],
          ),
        }))
      : targets.map((target, i) => ({
          target,
          text: `vjp_${op.title ?? op.op}${targets.length > 1 ? `[${i}]` : ""}(${gradName(out)})`,
          latex: `\\operatorname{vjp}\\left(${gradTex(out)}\\right)`,
          refs: [] as string[],
        }));
    for (const { refs, ...t } of filled) {
      if (!needsGrad(vars.get(t.target))) continue;
      if (!terms.has(t.target)) order.push(t.target);
      // The saved values its formula names (λ W(1) reads W(1)); else all the operator saves (relu reads h).
      const named = op.saves.filter((s) => refs.includes(s));
      const reads = named.length > 0 ? named : op.saves;
      const term = { ...t, op: id, nodeId: op.nodeId, reads };
      terms.set(
        t.target,
        [...(terms.get(t.target) ?? []), term].sort((a, b) => a.nodeId - b.nodeId),
      );
      reached.add(t.target);
      edge({ from: id, to: gradId(t.target) });
    }
  }
  const root = vars.get(g.root)!;
  const gradients: GraphVariable[] = [
    {
      ...root,
      id: gradId(root.id),
      name: gradName(root.id),
      kind: "input",
      saved: false,
      formula: { text: "1", latex: "1" },
      reads: [],
    },
    ...order.map((target): GraphVariable => {
      const v = vars.get(target)!;
      const ts = terms.get(target)!;
      return {
        ...v,
        id: gradId(target),
        name: gradName(target),
        kind: v.kind === "parameter" ? "parameter" : "intermediate",
        saved: false,
        formula: { text: ts.map((t) => t.text).join(" + "), latex: ts.map((t) => t.latex).join(" + ") },
        reads: [...new Set(ts.flatMap((t) => t.reads))].filter((s) => vars.has(s)),
      };
    }),
  ];
  const saved = savedUsed.map((s) => vars.get(s)!);
  return { variables: [...gradients, ...saved], operators, edges, root: gradId(root.id), detail: "book" };
}
