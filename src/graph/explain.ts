// explain(J): the backward pass written out step by step (explain-steps.ts), rendered as text, one line per
// product with the minibatch shapes, or as Markdown with the chapter's equations in LaTeX.
import { oneOf } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { latexName } from "./explain-names.js";
import {
  type ExplainOptions,
  type ExplainStep,
  type ExplainTerm,
  type Explanation,
  explainSteps,
} from "./explain-steps.js";

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
  const group = e.graph.operators.find((o) => o.groupKind === "penalty");
  const attrs = group?.chain?.attrs as { lambda?: unknown } | undefined;
  if (typeof attrs?.lambda === "number") return attrs.lambda;
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

/**
 * Whether a contribution is the penalty's λW: from the book-level penalty s, or at the primitives' level the
 * 2·W of ‖W‖²_F (sumSquares, or W ⊙ W) that s's λ/2 scales.
 */
function isPenaltyTerm(c: Contribution, lambda: number | null): boolean {
  if (c.term.from !== "s" || lambda === null) return false;
  const op = c.step.operator;
  return (
    op.groupKind === "penalty" ||
    op.op === "sumSquares" ||
    (op.op === "mul" && c.term.text.startsWith("2 · "))
  );
}

/** A short summary of a contribution from another branch: "λ W2 from s" for the chapter's penalty. */
function aside(e: Explanation, c: Contribution, lambda: number | null): string {
  const name = e.names.get(c.term.target)!;
  if (isPenaltyTerm(c, lambda)) return `λ ${name} from s`;
  return `${c.term.text}${c.term.from ? ` from ${c.term.from}` : ""} (step ${c.step.index})`;
}

/** The chapter's equation for a gradient of its model at the book's level ((5.3.8)-(5.3.14)), or "". */
function equation(e: Explanation, target: string, c: Contribution, last: boolean): string {
  // Only for the chapter's own model: one hidden layer, so z and h carry no layer number.
  const names = new Set(e.names.values());
  if (e.graph.detail !== "book" || !names.has("z") || !names.has("h")) return "";
  const name = e.names.get(target);
  if (c.step.operator.groupKind === "penalty") return "  (5.3.10)";
  const eq: Record<string, string> = {
    L: "5.3.8",
    s: "5.3.8",
    o: "5.3.9",
    "W(2)": "5.3.11",
    h: "5.3.12",
    z: "5.3.13",
    "W(1)": "5.3.14",
  };
  return name !== undefined && eq[name] && (last || !name.startsWith("W")) ? `  (${eq[name]})` : "";
}

/** What a book-level operator keeps saved inside it (values hidden in the drawing), in bytes. */
function hiddenSaved(e: Explanation, step: ExplainStep): number {
  const op = step.operator;
  if (e.graph.detail !== "book" || op.members === undefined || op.members.length < 2) return 0;
  const visible = step.reads
    .map((id) => e.graph.variables.find((v) => v.id === id))
    .filter((v) => v !== undefined && v.kind !== "parameter" && v.kind !== "input" && v.kind !== "constant");
  return op.savedBytes - visible.reduce((n, v) => n + v!.bytes, 0);
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
    const named = op.title === undefined || op.title === op.op || op.title === op.moduleType;
    const title = !named && e.graph.detail === "book" ? ` (${op.title})` : "";
    lines.push(
      `step ${step.index}: ${op.op}${title}${where}: ${name(step.output)} ${shape(step.output)} ← ${ins.join(", ")}`,
    );
    for (const term of step.terms) {
      const all = byTarget.get(term.target)!;
      const k = all.findIndex((c) => c.term === term);
      const eq = equation(e, term.target, all[k], k === all.length - 1);
      let line = `  ∂J/∂${name(term.target)} ${shape(term.target)} = ${term.text}`;
      if (all.length > 1) {
        if (k === all.length - 1) {
          const others = all.slice(0, -1).map((c) => aside(e, c, lambda));
          line += `  (+ ${others.join(" + ")})`;
        } else {
          line = `  ∂J/∂${name(term.target)} ${shape(term.target)} += ${term.text}  (term ${k + 1} of ${all.length})`;
        }
      }
      lines.push(line + eq);
    }
    if (step.reads.length > 0)
      lines.push(`  reads saved: ${step.reads.map((id) => `${name(id)} ${shape(id)}`).join(", ")}`);
    const inside = hiddenSaved(e, step);
    if (inside > 0) lines.push(`  reads ${inside} B saved inside ${op.op} (its primitives' own values)`);
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
  const chapter = (id: string) => /^(W\d*|b\d*|W\(\d+\)|b\(\d+\)|[xzhoLsJ]\d*)$/.test(name(id));
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
      if ((op.op === "matmul" || op.op === "×") && chapter(out) && chapter(term.target)) {
        const others = e.graph.edges.filter((edge) => edge.to === op.id).map((edge) => edge.from);
        const other = others.find((id) => id !== term.target) ?? term.target;
        rhs =
          variable(term.target).kind === "parameter"
            ? `${gradTex(out)} ${tex(other)}^\\top`
            : `{${tex(other)}}^\\top ${gradTex(out)}`;
      } else if ((op.op === "relu" || op.op === "φ") && chapter(out) && chapter(term.target)) {
        rhs = `${gradTex(out)} \\odot \\phi'\\left(${tex(term.target)}\\right)`;
      } else if ((op.op === "add" || op.op === "+") && out === e.graph.root && chapter(term.target)) {
        rhs = "1";
      }
      if (all.length > 1 && k === all.length - 1) {
        const extra = all
          .slice(0, -1)
          .map((c) => (isPenaltyTerm(c, lambda) ? `\\lambda ${tex(term.target)}` : c.term.latex));
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
