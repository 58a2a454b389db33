// explain(J): the chapter's backward pass step by step (reverse order, shapes, saved tensors), its Markdown
// form with the chapter's equations, and the graph / explain commands.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { explain } from "../../src/graph/explain.js";
import { explainSteps } from "../../src/graph/explain-steps.js";
import * as cr from "../../src/index.js";
import { crossEntropy, l2Penalty } from "../../src/nn/losses.js";
import { chapterMlp } from "../../src/train/mlp.js";

function chapterModel(lambda = 0.1) {
  const model = chapterMlp({ inputs: 6, hidden: 4, outputs: 3, seed: 1 });
  const x = cr.randn([5, 6]);
  const y = cr.tensor([0, 1, 2, 0, 1], { dtype: "int32" });
  const L = crossEntropy(model.forward(x), y);
  const J = cr.add(L, l2Penalty(model.parameters(), lambda));
  return { model, J };
}

describe("explain", () => {
  test("steps run from J back to the parameters with the chapter's products and shapes", () => {
    const { model, J } = chapterModel();
    const text = explain(J, { names: model, detail: "ops" });
    const lines = text.split("\n");
    const at = (s: string) => {
      const i = lines.findIndex((l) => l.includes(s));
      assert.ok(i >= 0, `missing "${s}" in\n${text}`);
      return i;
    };
    const order = [
      at("∂J/∂L [] = ∂J/∂J []"),
      at("∂J/∂o [n,3] ="),
      at("∂J/∂h [n,4] = ∂J/∂o [n,3] · W2 [3,4]"),
      at("∂J/∂W2 [3,4] = ∂J/∂o [n,3]ᵀ · h [n,4]  (+ λ W2 from s)"),
      at("∂J/∂z [n,4] = ∂J/∂h [n,4] ⊙ [z > 0]"),
      at("∂J/∂W1 [4,6] = ∂J/∂z [n,4]ᵀ · x [n,6]  (+ λ W1 from s)"),
    ];
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      "steps in backward order",
    );
    assert.match(text, /λ = 0\.1 /);
    assert.match(text, /reads saved: h \[n,4\], W2 \[3,4\]/);
    assert.match(text, /last read of saved h \[n,4\] \(80 B\): freed after this step/);
    assert.match(text, /∂J\/∂W1 \[4,6\] has the shape of W1 \[4,6\]/);
    assert.match(text, /∂J\/∂W2 \[3,4\] has the shape of W2 \[3,4\]/);
  });

  test("gradient shapes printed are the shapes backward gives the parameters", () => {
    const { model, J } = chapterModel();
    const e = explainSteps(J, { names: model, detail: "ops" });
    const finals = new Map<string, string>();
    for (const step of e.steps) for (const t of step.terms) finals.set(t.target, t.target);
    J.backward();
    for (const [name, p] of model.namedParameters()) {
      const v = e.graph.variables.find((x) => x.tensorId === p.id)!;
      assert.ok(finals.has(v.id), `${name} gets a gradient`);
      assert.deepEqual([...p.grad!.shape], v.shape);
    }
    // Steps are in the sweep's order: each node after every node that consumes its output.
    const position = new Map(e.steps.map((s) => [s.output, s.index]));
    for (const step of e.steps) {
      for (const t of step.terms) {
        const later = position.get(t.target);
        if (later !== undefined) assert.ok(later > step.index);
      }
    }
  });

  test("markdown has the chapter's equations in LaTeX", () => {
    const { model, J } = chapterModel();
    const md = explain(J, { names: model, format: "markdown", detail: "ops" });
    for (const eq of [
      "$$\\frac{\\partial J}{\\partial \\mathbf{W}^{(2)}} = \\frac{\\partial J}{\\partial \\mathbf{o}} \\mathbf{h}^\\top + \\lambda \\mathbf{W}^{(2)}$$",
      "$$\\frac{\\partial J}{\\partial \\mathbf{h}} = {\\mathbf{W}^{(2)}}^\\top \\frac{\\partial J}{\\partial \\mathbf{o}}$$",
      "$$\\frac{\\partial J}{\\partial \\mathbf{z}} = \\frac{\\partial J}{\\partial \\mathbf{h}} \\odot \\phi'\\left(\\mathbf{z}\\right)$$",
      "$$\\frac{\\partial J}{\\partial \\mathbf{W}^{(1)}} = \\frac{\\partial J}{\\partial \\mathbf{z}} \\mathbf{x}^\\top + \\lambda \\mathbf{W}^{(1)}$$",
      "$$\\frac{\\partial J}{\\partial L} = 1$$",
    ]) {
      assert.ok(md.includes(eq), `missing ${eq}`);
    }
    assert.match(md, /\\operatorname\{scatterAdd\}/, "generic LaTeX for other ops");
    assert.match(md, /\| \$\\mathbf\{W\}\^\{\(1\)\}\$ \| 4×6 \| 4×6 \|/);
  });

  test("an op with no derivative data (customGrad) gets a generic vjp form; names are escaped in LaTeX", () => {
    const w = cr.randn([3]).requiresGrad_().named("w_#1");
    const root = cr.customGrad((x) => ({ value: cr.sqrt(x), grad: (g) => [g] }), "root");
    const J = cr.sum(root(cr.mul(w, w)));
    const text = explain(J, { detail: "ops" });
    assert.match(text, /vjp_root\(∂J\/∂root#\d+ \[3\]; mul#\d+ \[3\]\)/);
    assert.match(explain(J, { format: "markdown", detail: "ops" }), /\\text\{w\\_\\#1\}/);
    // Every primitive has its derivative in its rule, sqrt included.
    const K = cr.sum(cr.sqrt(cr.mul(w, w)));
    assert.match(
      explain(K, { detail: "ops" }),
      /∂J\/∂mul#\d+ \[3\] = ∂J\/∂sqrt#\d+ \[3\] ⊘ \(2 sqrt#\d+ \[3\]\)/,
    );
  });
});

const root = new URL("../..", import.meta.url).pathname;
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "chainrule.js"), ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("chainrule graph and explain", () => {
  test("graph --format dot draws the chapter's model", () => {
    const r = run("graph", "--format", "dot", "--hidden", "16", "--detail", "ops");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^digraph chainrule \{/);
    assert.match(r.out, /W1\\n\[16×784\]/);
    assert.match(r.out, /W2\\n\[10×16\]/);
  });
  test("graph --format mermaid", () => {
    const r = run("graph", "--format", "mermaid", "--hidden", "16", "--backward");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^(flowchart|graph) /m);
  });
  test("graph --order 2 reports what the second-order graph adds", () => {
    const r = run("graph", "--order", "2", "--hidden", "16");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /second order: the createGraph backward adds \d+ nodes .* and \d+ saved bytes/);
    assert.match(r.out, /digraph/);
  });
  test("explain prints the steps with the chapter's shapes", () => {
    const r = run("explain", "--detail", "ops");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /∂J\/∂W2 \[10,256\] = ∂J\/∂o \[n,10\]ᵀ · h \[n,256\] {2}\(\+ λ W2 from s\)/);
    assert.match(r.out, /∂J\/∂W1 \[256,784\] has the shape of W1 \[256,784\]/);
    const md = run("explain", "--markdown", "--hidden", "8");
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /\\frac\{\\partial J\}\{\\partial \\mathbf\{W\}\^\{\(2\)\}\}/);
  });
  for (const args of [
    ["graph", "--frobnicate"],
    ["graph", "--format", "gif"],
    ["graph", "--order", "3"],
    ["explain", "--batch", "0"],
  ]) {
    test(`${args.join(" ")} exits 2`, () => {
      const r = run(...args);
      assert.equal(r.code, 2);
      assert.match(r.err, /chainrule (graph|explain): /);
    });
  }
});
