// Every primitive's derivative lives in its rule, as data beside the VJP: a differentiable primitive without
// one, or a template that names an operand it does not have, fails here (explain and the drawings read them).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fill, type Namer } from "../../src/graph/formula.js";
import { PRIMITIVES } from "../../src/ops/primitives.js";
import type { Derivative } from "../../src/tensor/derivative.js";

/** The derivatives of a rule: matmul's for each pair of transposes, the others as they are. */
function derivatives(d: Derivative | ((attrs: never) => Derivative)): Derivative[] {
  if (typeof d !== "function") return [d];
  const of = d as (attrs: { transA: boolean; transB: boolean }) => Derivative;
  return [false, true].flatMap((transA) => [false, true].map((transB) => of({ transA, transB })));
}

const balanced = (s: string) => {
  let depth = 0;
  for (const ch of s.replace(/\\[{}]/g, "")) {
    depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0;
};

describe("derivatives as data", () => {
  for (const [name, rule] of Object.entries(PRIMITIVES)) {
    if (rule.vjp === undefined) continue;
    test(`${name}: its rule carries its derivative in text and LaTeX`, () => {
      assert.ok(rule.derivative !== undefined, `${name} has a VJP but no derivative`);
      for (const d of derivatives(rule.derivative)) {
        assert.equal(d.text.length, d.latex.length, "one text and one LaTeX entry per input");
        assert.ok(d.text.length >= 1);
        d.text.forEach((text, i) => {
          assert.equal(
            text === null,
            d.latex[i] === null,
            `input ${i}: text and LaTeX both say whether a gradient flows`,
          );
        });
        const arity = d.text.length;
        const seen: string[] = [];
        const namer: Namer = (ref) => {
          seen.push(ref);
          return "N";
        };
        const templates = [...d.text, ...d.latex, d.same?.text ?? null, d.same?.latex ?? null];
        for (const template of templates) {
          if (template === null) continue;
          assert.ok(template.includes("{g}"), `${JSON.stringify(template)} uses the output's gradient {g}`);
          const filled = fill(template, namer, { axis: 0, perm: [0] }, true);
          assert.doesNotMatch(
            filled,
            /\{(g|y|x\d+)(:\w+)?\}|\{@\w+\}|undefined/,
            `${template} fills completely`,
          );
        }
        for (const ref of seen) {
          if (ref.startsWith("x"))
            assert.ok(Number(ref.slice(1)) < arity, `${ref} names an input ${name} has`);
        }
        for (const latex of [...d.latex, d.same?.latex ?? null]) {
          if (latex !== null) assert.ok(balanced(latex), `balanced braces in ${latex}`);
        }
        for (const text of [...d.text, d.same?.text ?? null]) {
          if (text !== null) assert.doesNotMatch(text, /\\[a-z]/, `plain text, not LaTeX: ${text}`);
        }
      }
    });
  }
});
