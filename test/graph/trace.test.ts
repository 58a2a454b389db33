// Exact node and edge counts of D2L §5.3's forward graph, its exercise-2 variant with a hidden bias,
// its backward graph, and what a createGraph backward pass adds (second order).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { backwardGraph, secondOrderReport, trace } from "../../src/graph/index.js";
import { chapterModel } from "./chapter-model.js";

const count = (g: { variables: unknown[]; operators: unknown[]; edges: unknown[] }) => [
  g.variables.length,
  g.operators.length,
  g.edges.length,
];

describe("graph.trace on the chapter's model", () => {
  test("forward: 20 variables, 14 operators, 38 edges", () => {
    const g = trace(chapterModel().J, { detail: "ops" });
    // Operators: z = matmul(W1, x), h = relu(z), o = matmul(W2, h); L = mse = sub, mul(d, d), sum,
    // div by the count 2; s = l2Penalty = mul(W1, W1), sum, mul(W2, W2), sum, add, mul by λ/2; J = add.
    assert.deepEqual(
      g.operators.map((o) => o.op),
      [
        "matmul",
        "relu",
        "matmul",
        "sub",
        "mul",
        "sum",
        "div",
        "mul",
        "sum",
        "mul",
        "sum",
        "add",
        "mul",
        "add",
      ],
    );
    // Variables: 14 operator outputs + leaves W1, W2, x, y + constants 2 (the mean's count) and 0.05 (λ/2).
    const kinds = g.variables.map((v) => v.kind);
    assert.equal(kinds.filter((k) => k === "parameter").length, 2);
    assert.equal(kinds.filter((k) => k === "input").length, 2);
    assert.equal(kinds.filter((k) => k === "constant").length, 2);
    assert.equal(kinds.filter((k) => k === "objective").length, 1);
    // Edges: one per operator input slot (24; mul(W1, W1) counts W1 twice) + one output edge each (14).
    assert.deepEqual(count(g), [20, 14, 38]);
    for (const name of ["W1", "W2", "x", "y", "z", "h", "o", "L", "s", "J"]) {
      assert.ok(
        g.variables.some((v) => v.name === name),
        name,
      );
    }
  });

  test("exercise 2, hidden bias b1: one more parameter, one more add (and its output), 3 more edges", () => {
    const g = trace(chapterModel({ bias: true }).J, { detail: "ops" });
    assert.deepEqual(count(g), [22, 15, 41]);
    assert.equal(g.variables.find((v) => v.name === "b1")?.kind, "parameter");
  });

  test("backward: 33 variables, 17 operators, 57 edges", () => {
    const b = backwardGraph(trace(chapterModel().J, { detail: "ops" }));
    // Operators: one VJP per forward operator (14) + a "+" for each variable used more than once:
    // W1 (matmul, mul twice), W2 (same) and the residual o − y (mul(d, d)).
    assert.equal(b.operators.filter((o) => o.op === "+").length, 3);
    assert.equal(b.operators.filter((o) => o.op.endsWith("'")).length, 14);
    // Gradient variables: ∂J/∂ of the objective and all 13 intermediates and 2 parameters (16), plus
    // partials: 3 each for W1 and W2, 2 for the residual (8) = 24; saved forward variables read by the
    // VJPs: W1, W2, x, h, the residual, the sum, the count 2, add#, λ/2 = 9. 24 + 9 = 33.
    assert.equal(b.variables.filter((v) => v.name.startsWith("∂J/∂")).length, 24);
    assert.equal(b.variables.filter((v) => !v.name.startsWith("∂J/∂")).length, 9);
    for (const name of ["∂J/∂J", "∂J/∂o", "∂J/∂h", "∂J/∂z", "∂J/∂W1", "∂J/∂W2", "∂J/∂L", "∂J/∂s"]) {
      assert.ok(
        b.variables.some((v) => v.name === name),
        name,
      );
    }
    // Edges: 14 ∂J/∂(output) → VJP; 12 saved → VJP (matmul 2 + 2, relu 1, mul(d, d) 1, div 2,
    // mul(W1, W1) 1, mul(W2, W2) 1, mul by λ/2 2); 20 VJP → gradient or partial (one per input slot that
    // needs a gradient: 24 slots less x, y and the two constants); the sums 3 + 3 + 2 in, 3 out.
    // 14 + 12 + 20 + 11 = 57.
    assert.deepEqual(count(b), [33, 17, 57]);
    assert.equal(b.root, b.variables.find((v) => v.name === "∂J/∂J")?.id);
  });

  test("exercise 2 backward: the bias adds ∂J/∂b1, the add's VJP and its edges", () => {
    const b = backwardGraph(trace(chapterModel({ bias: true }).J, { detail: "ops" }));
    assert.deepEqual(count(b), [35, 18, 60]);
  });

  test("second order: the graph of W1.grad after J.backward({createGraph: true})", () => {
    const { J, W1 } = chapterModel();
    J.backward({ createGraph: true });
    const g = trace(W1.grad!, { detail: "ops" });
    const backwardOps = g.operators.filter((o) => o.phase === "backward");
    assert.ok(backwardOps.length > 0);
    assert.deepEqual(count(g).slice(0, 2), [22, 14]);
    assert.equal(backwardOps.length, 10);
    const report = secondOrderReport(g);
    assert.deepEqual(report, { addedOperators: 10, addedVariables: 14, addedNodes: 24, addedSavedBytes: 72 });
  });
});
