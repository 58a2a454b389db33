// The graph at the book's level (D2L Fig. 5.3.1): composites recorded as groups, the chapter's ten variables
// and six operators, the book-level backward graph with each gradient's formula and the saved values it
// reads, its drawing's width, explain in the chapter's order, and saved bytes per operator.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import {
  backwardGraph,
  explain,
  explainSteps,
  savedMemory,
  toDot,
  toHtml,
  toPng,
  trace,
} from "../../src/graph/index.js";
import * as cr from "../../src/index.js";
import { memory } from "../../src/memory/ledger.js";
import { crossEntropy, l2Penalty } from "../../src/nn/losses.js";
import { chapterSavedByOperator } from "../../src/train/footprint.js";
import { chapterMlp } from "../../src/train/mlp.js";
import { cliSandbox } from "../cli-sandbox.js";
import { chapterModel } from "./chapter-model.js";

const FIGURE_VARIABLES = ["W(1)", "W(2)", "x", "y", "z", "h", "o", "L", "s", "J"];

/** The chapter's network as the CLI builds it: Linear, ReLU, Linear, cross-entropy, J = L + s. */
function mlpObjective(options: { hidden?: number; batch?: number; bias?: boolean } = {}) {
  const { hidden = 4, batch = 5, bias = false } = options;
  const model = chapterMlp({ inputs: 6, hidden, outputs: 3, seed: 1, bias });
  const x = cr.randn([batch, 6]).named("x");
  const y = cr
    .tensor(
      Array.from({ length: batch }, (_, i) => i % 3),
      { dtype: "int32" },
    )
    .named("y");
  const L = crossEntropy(model.forward(x), y).named("L");
  const J = cr.add(L, l2Penalty(model.parameters(), 0.1).named("s")).named("J");
  return { model, J };
}

describe("trace at the book's level", () => {
  test("D2L's model: Fig. 5.3.1's ten variables and six operators; its primitives each in one operator", () => {
    const { J } = chapterModel();
    const g = trace(J);
    assert.equal(g.detail, "book");
    assert.deepEqual(
      g.variables.map((v) => v.name),
      FIGURE_VARIABLES,
    );
    assert.deepEqual(
      g.variables.map((v) => v.kind),
      ["parameter", "parameter", "input", "input", ...Array(5).fill("intermediate"), "objective"],
    );
    assert.deepEqual(
      g.operators.map((o) => o.op),
      ["×", "φ", "×", "l", "‖·‖²", "+"],
    );
    // One input edge per operand (× and l read two, the penalty reads W(1) and W(2)) and one output edge each.
    assert.equal(g.edges.length, 17);
    const ops = trace(J, { detail: "ops" });
    const members = g.operators.flatMap((o) => o.members ?? []).sort();
    assert.deepEqual(members, ops.operators.map((o) => o.id).sort());
  });

  test("the MLP of nn.Linear, nn.ReLU and crossEntropy: the same figure, operators titled by their group", () => {
    const { model, J } = mlpObjective();
    const g = trace(J, { names: model });
    assert.deepEqual(
      g.variables.map((v) => v.name),
      FIGURE_VARIABLES.slice(0, 2).concat(["x", "y", "z", "h", "o", "L", "s", "J"]),
    );
    assert.deepEqual(
      g.operators.map((o) => `${o.op} ${o.title}`),
      ["× Linear", "φ relu", "× Linear", "l softmax cross-entropy", "‖·‖² s = λ/2 Σ‖W‖²_F", "+ add"],
    );
    // l is six primitives (log-softmax, reshape, gather, neg, the mean's sum and divide) and the penalty four
    // (sumSquares twice, add, the λ/2 multiply); their insides are hidden.
    assert.deepEqual(
      g.operators.map((o) => o.members?.length),
      [1, 1, 1, 6, 4, 1],
    );
    assert.ok(trace(J, { names: model, detail: "ops" }).operators.length >= 14);
  });

  test("exercise 2, a hidden bias: Linear with a bias is one operator '×, +' reading b(1)", () => {
    const { model, J } = mlpObjective({ bias: true });
    const g = trace(J, { names: model });
    assert.equal(g.operators[0].op, "×, +");
    assert.ok(g.variables.some((v) => v.name === "b(1)" && v.kind === "parameter"));
    assert.equal(g.operators.length, 6);
    assert.equal(g.variables.length, 12);
  });

  test("a bad detail is refused with the choices", () => {
    assert.throws(
      () => trace(chapterModel().J, { detail: "book-level" as "book" }),
      /trace: detail must be one of "book", "ops"; got "book-level"/,
    );
  });
});

describe("the backward graph at the book's level", () => {
  test("∂J/∂o, ∂J/∂h, ∂J/∂z, ∂J/∂W(1), ∂J/∂W(2) with their chain-rule formulas and the saved values read", () => {
    const b = backwardGraph(trace(chapterModel().J));
    const grads = b.variables.filter((v) => v.formula !== undefined);
    const byName = new Map(grads.map((v) => [v.name, v]));
    const names = (ids: string[] | undefined) =>
      (ids ?? []).map((id) => b.variables.find((v) => v.id === id)?.name);
    assert.deepEqual(
      grads.map((v) => v.name),
      ["∂J/∂J", "∂J/∂L", "∂J/∂s", "∂J/∂o", "∂J/∂W(1)", "∂J/∂W(2)", "∂J/∂h", "∂J/∂z"],
    );
    // The chapter's (5.3.8)-(5.3.14), in the column-vector form this model is written in (z = W(1) x).
    assert.equal(byName.get("∂J/∂L")?.formula?.text, "1");
    assert.equal(byName.get("∂J/∂o")?.formula?.text, "2 (o − y) / 2");
    assert.equal(byName.get("∂J/∂W(2)")?.formula?.text, "∂J/∂o · hᵀ + λ W(2)");
    assert.equal(byName.get("∂J/∂h")?.formula?.text, "W(2)ᵀ · ∂J/∂o");
    assert.equal(byName.get("∂J/∂z")?.formula?.text, "∂J/∂h ⊙ [z > 0]");
    assert.equal(byName.get("∂J/∂W(1)")?.formula?.text, "∂J/∂z · xᵀ + λ W(1)");
    assert.match(
      byName.get("∂J/∂W(2)")?.formula?.latex ?? "",
      /\\mathbf\{h\}\^\\top \+ \\lambda \\mathbf\{W\}\^\{\(2\)\}/,
    );
    assert.deepEqual(names(byName.get("∂J/∂W(2)")?.reads), ["h", "W(2)"]);
    assert.deepEqual(names(byName.get("∂J/∂h")?.reads), ["W(2)"]);
    // relu differentiates from its output: ∂J/∂z reads h, the value it saved.
    assert.deepEqual(names(byName.get("∂J/∂z")?.reads), ["h"]);
    assert.deepEqual(names(byName.get("∂J/∂W(1)")?.reads), ["x", "W(1)"]);
    assert.deepEqual(
      b.operators.map((o) => o.op),
      ["+'", "l'", "‖·‖²'", "×'", "φ'", "×'"],
    );
  });

  test("the book-level backward drawing of the CLI's 784-256-10 model is at most 1,400 px wide", async () => {
    const model = chapterMlp();
    const x = cr.rand([8, 784]).named("x");
    const y = cr.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: "int32" }).named("y");
    const J = cr.add(
      crossEntropy(model.forward(x), y).named("L"),
      l2Penalty(model.parameters(), 1e-4).named("s"),
    );
    const png = PNG.sync.read(Buffer.from(await toPng(J.named("J"), { names: model, backward: true })));
    assert.ok(png.width <= 1400, `backward drawing ${png.width} px wide`);
    const ops = PNG.sync.read(Buffer.from(await toPng(J, { names: model, backward: true, detail: "ops" })));
    assert.ok(ops.width > 2 * png.width, `primitives: ${ops.width} px against ${png.width} px`);
  });
});

describe("the other drawings at the book's level", () => {
  test("the HTML page has data for every node of forward and backward, the formula on each gradient", async () => {
    const { model, J } = mlpObjective();
    const html = await toHtml(J, { names: model, backward: "both" });
    const titles = [...html.matchAll(/<g id="node\d+" class="node">\s*<title>([^<]+)<\/title>/g)].map(
      (m) => m[1],
    );
    const json = /<script type="application\/json" id="chainrule-data">(.*?)<\/script>/s.exec(html)![1];
    const nodes: Record<string, { derivative?: string }> = JSON.parse(json).nodes;
    assert.equal(titles.length, 10 + 6 + 8 + 6);
    assert.deepEqual(
      titles.filter((id) => nodes[id] === undefined),
      [],
    );
    const gradient = Object.values(nodes).find((n) => n.derivative?.startsWith("∂J/∂o = "));
    assert.equal(gradient?.derivative, "∂J/∂o = (softmax(o) − onehot(y)) / n");
  });

  test("clusters and Mermaid work on the book's graph; a backward drawing runs top to bottom", () => {
    const { model, J } = mlpObjective();
    const dot = toDot(J, { names: model, clusters: true });
    assert.match(dot, /subgraph "cluster_top_0" \{\n\s+label="0: Linear"/);
    assert.match(toDot(J, { names: model, backward: true }), /rankdir=TB;/);
    assert.match(toDot(J, { names: model, backward: true, rankdir: "LR" }), /rankdir=LR;/);
    assert.match(toDot(J, { names: model }), /rankdir=LR;/);
  });
});

describe("the group formulas are the gradients", () => {
  const close = (a: cr.Tensor, b: cr.Tensor) => {
    const [p, q] = [a.dataSync(), b.dataSync()];
    assert.equal(p.length, q.length);
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i] - q[i]) < 1e-12, `${p[i]} vs ${q[i]}`);
  };
  const f64 = { dtype: "float64" as const, generator: new cr.Generator(3) };

  test("l: softmax cross-entropy's (softmax(o) − onehot(y)) / n; squared error's 2 (o − y) / N", () => {
    const o = cr.randn([4, 3], f64).requiresGrad_();
    const y = cr.tensor([2, 0, 1, 2], { dtype: "int32" });
    const dO = cr.grad((t: cr.Tensor) => crossEntropy(t, y))(o);
    const onehot = cr.tensor([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], { shape: [4, 3], dtype: "float64" });
    close(dO, cr.softmax(o.detach(), { axis: 1 }).sub(onehot).div(4));
    const target = cr.randn([4, 3], f64);
    const dM = cr.grad((t: cr.Tensor) => cr.nn.mse(t, target))(o);
    close(
      dM,
      o
        .detach()
        .sub(target)
        .mul(2 / 12),
    );
  });

  test("‖·‖²: the penalty's λW for each W; Linear with a bias: g W, gᵀ x and g summed over rows", () => {
    const W1 = cr.randn([3, 2], f64).requiresGrad_();
    const W2 = cr.randn([2, 3], f64).requiresGrad_();
    const [d1, d2] = cr.grad((a: cr.Tensor, b: cr.Tensor) => l2Penalty([a, b], 0.3), { argnums: [0, 1] })(
      W1,
      W2,
    );
    close(d1, W1.detach().mul(0.3));
    close(d2, W2.detach().mul(0.3));
    const x = cr.randn([4, 2], f64).requiresGrad_();
    const b = cr.randn([3], f64).requiresGrad_();
    const G = cr.randn([4, 3], f64);
    const f = (xx: cr.Tensor, w: cr.Tensor, bb: cr.Tensor) => cr.nn.linear(xx, w, bb).mul(G).sum();
    const [dx, dW, db] = cr.grad(f, { argnums: [0, 1, 2] })(x, W1, b);
    close(dx, G.matmul(W1.detach()));
    close(dW, G.transpose().matmul(x.detach()));
    close(db, G.sum({ axis: 0 }));
  });
});

describe("explain and memory at the book's level", () => {
  test("explain: one step per operator in the chapter's order, its equations (5.3.8)-(5.3.14) in turn", () => {
    const { model, J } = mlpObjective();
    const e = explainSteps(J, { names: model });
    assert.deepEqual(
      e.steps.map((s) => e.names.get(s.output)),
      ["J", "L", "s", "o", "h", "z"],
    );
    const text = explain(J, { names: model });
    const equations = [...text.matchAll(/\(5\.3\.(\d+)\)/g)].map((m) => Number(m[1]));
    assert.deepEqual(equations, [8, 8, 9, 10, 10, 12, 11, 13, 14]);
    assert.match(
      text,
      /∂J\/∂W\(2\) \[3,4\] = ∂J\/∂o \[n,3\]ᵀ · h \[n,4\] {2}\(\+ λ W\(2\) from s\) {2}\(5\.3\.11\)/,
    );
    assert.match(text, /step 2: l \(softmax cross-entropy\): L \[\] ← o \[n,3\], y \[n\]/);
    assert.equal(explainSteps(J, { names: model, detail: "ops" }).steps.length, 14);
  });

  test("saved bytes per book-level operator sum to what the ledger counts as saved", () => {
    const before = memory().byCategory.saved.bytes;
    const { model, J } = mlpObjective({ hidden: 7, batch: 6 });
    const saved = memory().byCategory.saved.bytes - before;
    const book = savedMemory(J, { names: model });
    assert.equal(book.total, saved);
    assert.equal(
      book.operators.reduce((n, o) => n + o.bytes, 0),
      saved,
    );
    assert.equal(savedMemory(J, { names: model, detail: "ops" }).total, saved);
    // x is a temporary here, so the first × counts it; φ keeps h [6, 7] in float32.
    assert.deepEqual(
      book.operators.map((o) => [o.op, o.bytes]),
      [
        ["×", 6 * 6 * 4],
        ["φ", 6 * 7 * 4],
        ["×", 0],
        ["l", saved - 6 * 6 * 4 - 6 * 7 * 4 - 8],
        ["‖·‖²", 8],
        ["+", 0],
      ],
    );
  });

  test("the chapter's step (dry run): S(n) = 4n(h + q) + 16, φ's 4nh, l's 4nq + 8, the penalty's 8", () => {
    for (const batch of [1, 16, 64]) {
      const r = chapterSavedByOperator({ batch });
      assert.equal(r.total, 4 * batch * (256 + 10) + 16);
      assert.deepEqual(
        r.operators.map((o) => o.bytes),
        [0, 4 * batch * 256, 0, 4 * batch * 10 + 8, 8, 0],
      );
    }
  });
});

describe("chainrule graph and explain at the book's level", () => {
  const { work, run } = cliSandbox("book");
  test("graph draws 10 variables and 6 operators; --detail ops draws every primitive", () => {
    const r = run("graph", "--hidden", "16");
    assert.equal(r.code, 0, r.err);
    assert.equal((r.out.match(/shape=box/g) ?? []).length, 10);
    assert.equal((r.out.match(/shape=circle/g) ?? []).length, 6);
    assert.match(r.out, /W\(1\)\\n\[16×784\]/);
    const ops = run("graph", "--hidden", "16", "--detail", "ops");
    assert.equal(ops.code, 0, ops.err);
    assert.ok((ops.out.match(/shape=circle/g) ?? []).length >= 14);
    assert.match(ops.out, /label="gather"/);
    assert.match(ops.out, /W1\\n\[16×784\]/);
    const bad = run("graph", "--detail", "primitives");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--detail must be one of book, ops, got "primitives"/);
  });

  test("graph --backward --format png is at most 1,400 px wide; explain gives six steps", () => {
    const r = run("graph", "--backward", "--format", "png", "--out", "both.png");
    assert.equal(r.code, 0, r.err);
    const png = PNG.sync.read(readFileSync(join(work, "both.png")));
    assert.ok(png.width <= 1400, `${png.width} px`);
    const e = run("explain");
    assert.equal(e.code, 0, e.err);
    assert.equal((e.out.match(/^step \d+:/gm) ?? []).length, 6);
    const ops = run("explain", "--detail", "ops");
    assert.ok((ops.out.match(/^step \d+:/gm) ?? []).length >= 14);
  });
});
