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
  test("forward: 18 variables, 12 operators, 32 edges", () => {
    const g = trace(chapterModel().J, { detail: "ops" });
    // Operators: z = matmul(W1, x), h = relu(z), o = matmul(W2, h); L = mse = sub, mul(d, d), sum,
    // div by the count 2; s = l2Penalty = sumSquares(W1), sumSquares(W2), add, mul by λ/2; J = add.
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
        "sumSquares",
        "sumSquares",
        "add",
        "mul",
        "add",
      ],
    );
    // Variables: 12 operator outputs + leaves W1, W2, x, y + constants 2 (the mean's count) and 0.05 (λ/2).
    const kinds = g.variables.map((v) => v.kind);
    assert.equal(kinds.filter((k) => k === "parameter").length, 2);
    assert.equal(kinds.filter((k) => k === "input").length, 2);
    assert.equal(kinds.filter((k) => k === "constant").length, 2);
    assert.equal(kinds.filter((k) => k === "objective").length, 1);
    // Edges: one per operator input slot (20; mul(d, d) counts d twice) + one output edge each (12).
    assert.deepEqual(count(g), [18, 12, 32]);
    for (const name of ["W1", "W2", "x", "y", "z", "h", "o", "L", "s", "J"]) {
      assert.ok(
        g.variables.some((v) => v.name === name),
        name,
      );
    }
  });

  test("exercise 2, hidden bias b1: one more parameter, one more add (and its output), 3 more edges", () => {
    const g = trace(chapterModel({ bias: true }).J, { detail: "ops" });
    assert.deepEqual(count(g), [20, 13, 35]);
    assert.equal(g.variables.find((v) => v.name === "b1")?.kind, "parameter");
  });

  test("backward: 29 variables, 15 operators, 49 edges", () => {
    const b = backwardGraph(trace(chapterModel().J, { detail: "ops" }));
    // Operators: one VJP per forward operator (12) + a "+" for each variable used more than once:
    // W1 (matmul, sumSquares), W2 (same) and the residual o − y (mul(d, d)).
    assert.equal(b.operators.filter((o) => o.op === "+").length, 3);
    assert.equal(b.operators.filter((o) => o.op.endsWith("'")).length, 12);
    // Gradient variables: ∂J/∂ of the objective and all 11 intermediates and 2 parameters (14), plus
    // partials: 2 each for W1, W2 and the residual (6) = 20; saved forward variables read by the
    // VJPs: W1, W2, x, h, the residual, the sum, the count 2, add#, λ/2 = 9. 20 + 9 = 29.
    assert.equal(b.variables.filter((v) => v.name.startsWith("∂J/∂")).length, 20);
    assert.equal(b.variables.filter((v) => !v.name.startsWith("∂J/∂")).length, 9);
    for (const name of ["∂J/∂J", "∂J/∂o", "∂J/∂h", "∂J/∂z", "∂J/∂W1", "∂J/∂W2", "∂J/∂L", "∂J/∂s"]) {
      assert.ok(
        b.variables.some((v) => v.name === name),
        name,
      );
    }
    // Edges: 12 ∂J/∂(output) → VJP; 12 saved → VJP (matmul 2 + 2, relu 1, mul(d, d) 1, div 2,
    // sumSquares(W1) 1, sumSquares(W2) 1, mul by λ/2 2); 16 VJP → gradient or partial (one per input slot
    // that needs a gradient: 20 slots less x, y and the two constants); the sums 2 + 2 + 2 in, 3 out.
    // 12 + 12 + 16 + 9 = 49.
    assert.deepEqual(count(b), [29, 15, 49]);
    assert.equal(b.root, b.variables.find((v) => v.name === "∂J/∂J")?.id);
  });

  test("exercise 2 backward: the bias adds ∂J/∂b1, the add's VJP and its edges", () => {
    const b = backwardGraph(trace(chapterModel({ bias: true }).J, { detail: "ops" }));
    assert.deepEqual(count(b), [31, 16, 52]);
  });

  test("second order: the graph of W1.grad after J.backward({createGraph: true})", () => {
    const { J, W1 } = chapterModel();
    J.backward({ createGraph: true });
    const g = trace(W1.grad!, { detail: "ops" });
    const backwardOps = g.operators.filter((o) => o.phase === "backward");
    assert.ok(backwardOps.length > 0);
    assert.deepEqual(count(g).slice(0, 2), [20, 12]);
    assert.equal(backwardOps.length, 8);
    const report = secondOrderReport(g);
    assert.deepEqual(report, { addedOperators: 8, addedVariables: 12, addedNodes: 20, addedSavedBytes: 72 });
  });
});
