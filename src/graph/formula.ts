// A node's derivative, read from its rule (tensor/derivative.ts) and filled in with names for its operands:
// the chain-rule terms explain prints, and the generic form (a ← g ⊙ b) the drawings show.
import type { Derivative } from "../tensor/derivative.js";
import type { Node } from "../tensor/node.js";

/** An operand reference in a template: "g" (the output's gradient), "y" (the output) or "x0", "x1"… */
export type Form = "" | "name" | "value" | "shape";

/** How one node's operands are written: `ref` is the operand, `form` the placeholder's suffix. */
export type Namer = (ref: string, form: Form, latex: boolean) => string;

const PLACEHOLDER = /\{(g|y|x\d+)(?::(name|value|shape))?\}|\{@(\w+)\}/g;

/** The node's derivative, or null where its rule has none (customGrad, checkpoint). */
export function derivativeOf(node: Node): Derivative | null {
  const d = node.rule.derivative;
  return d === undefined ? null : typeof d === "function" ? d(node.attrs) : d;
}

function attrText(attrs: unknown, key: string): string {
  const value =
    attrs !== null && typeof attrs === "object" ? (attrs as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value) ? `[${value.join(",")}]` : String(value);
}

/** A template with its placeholders replaced. */
export function fill(template: string, name: Namer, attrs: unknown, latex: boolean): string {
  return template.replace(PLACEHOLDER, (_, ref: string | undefined, form: Form | undefined, attr?: string) =>
    attr !== undefined ? attrText(attrs, attr) : name(ref!, form ?? "", latex),
  );
}

/** One term of a derivative: the input it flows to (its position) and its text and LaTeX. */
export interface FilledTerm {
  input: number;
  text: string;
  latex: string;
}

/**
 * The terms of `d` for a node whose inputs are `inputs` (ids; one tensor used twice appears twice): one per
 * input that receives a gradient, or d.same's single term when every input is one tensor.
 */
export function fillTerms(
  d: Derivative,
  inputs: readonly string[],
  name: Namer,
  attrs: unknown,
): FilledTerm[] {
  if (d.same && inputs.length > 1 && inputs.every((id) => id === inputs[0])) {
    return [
      { input: 0, text: fill(d.same.text, name, attrs, false), latex: fill(d.same.latex, name, attrs, true) },
    ];
  }
  return inputs.flatMap((_, i) => {
    const k = d.forEachInput ? 0 : i;
    const text = d.text[k];
    const latex = d.latex[k];
    if (text == null || latex == null) return [];
    // With forEachInput, x0 stands for the input the term is for.
    const own: Namer = (ref, form, tex) => name(d.forEachInput && ref === "x0" ? `x${i}` : ref, form, tex);
    return [{ input: i, text: fill(text, own, attrs, false), latex: fill(latex, own, attrs, true) }];
  });
}

/** Operand symbols of the generic form: x for one input, a and b for two, x1, x2… for more. */
function symbol(ref: string, inputs: number): string {
  if (ref === "g" || ref === "y") return ref;
  const i = Number(ref.slice(1));
  return inputs === 1 ? "x" : inputs === 2 ? "ab"[i] : `x${i + 1}`;
}

/** The node's derivative with generic symbols, "a ← g ⊙ b; b ← g ⊙ a" (and LaTeX), or null if it has none. */
export function genericFormula(node: Node): { text: string; latex: string } | null {
  const d = derivativeOf(node);
  if (d === null) return null;
  const n = node.inputs.length;
  const name: Namer = (ref, form) => (form === "shape" ? `shape(${symbol(ref, n)})` : symbol(ref, n));
  const ids = node.inputs.map((_, i) => `x${i}`);
  const terms = fillTerms(d, ids, name, node.attrs);
  return {
    text: terms.map((t) => `${symbol(`x${t.input}`, n)} ← ${t.text}`).join("; "),
    latex: terms.map((t) => `\\bar{${symbol(`x${t.input}`, n)}} = ${t.latex}`).join(",\\quad "),
  };
}
