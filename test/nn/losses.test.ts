// Losses against hand float64 computations: cross-entropy (every reduction, huge logits, label checks),
// mean squared error, and the L2 penalty s = λ/2 Σ‖W‖²_F with its gradient λW.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { crossEntropy, l2Penalty, mse, type Reduction } from "../../src/nn/losses.js";
import { close, throwsMessage, values } from "../assertions.js";

/** −log softmax(o)[y] for one row, in float64: m + log Σ exp(oₖ − m) − o_y. */
function handCrossEntropy(row: number[], label: number): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, o) => s + Math.exp(o - m), 0));
  return lse - row[label];
}

const LOGITS = [
  [1, 2, 3, 0.5],
  [-1, 0.5, 4, -2],
  [0, 0, 0, 0],
  [10, -10, 2, 3.25],
  [-0.3, 0.7, 0.1, -0.9],
];
const LABELS = [2, 0, 1, 3, 1];
const PER_EXAMPLE = LOGITS.map((row, i) => handCrossEntropy(row, LABELS[i]));

describe("crossEntropy", () => {
  test("mean, sum and none equal the hand computation (float64 and float32)", () => {
    const labels = cr.tensor(LABELS, { dtype: "int32" });
    const sum = PER_EXAMPLE.reduce((s, l) => s + l, 0);
    for (const [dtype, tol] of [
      ["float64", 1e-14],
      ["float32", 1e-6],
    ] as const) {
      const logits = cr.tensor(LOGITS, { dtype });
      const none = crossEntropy(logits, labels, { reduction: "none" });
      assert.deepEqual(none.shape, [5]);
      assert.equal(none.dtype, dtype);
      close(values(none), PER_EXAMPLE, tol, `${dtype} none`);
      close([crossEntropy(logits, labels).item()], [sum / 5], tol, `${dtype} mean (default)`);
      close([crossEntropy(logits, labels, { reduction: "mean" }).item()], [sum / 5], tol, `${dtype} mean`);
      close([crossEntropy(logits, labels, { reduction: "sum" }).item()], [sum], tol, `${dtype} sum`);
      assert.deepEqual(crossEntropy(logits, labels).shape, []);
    }
    // Uniform logits over q classes cost log q.
    close(
      [crossEntropy(cr.zeros([3, 7]), cr.tensor([0, 3, 6], { dtype: "int32" })).item()],
      [Math.log(7)],
      1e-6,
    );
  });

  test("the gradient of the mean is (softmax − one-hot)/n", () => {
    const logits = cr.tensor(LOGITS, { dtype: "float64", requiresGrad: true });
    crossEntropy(logits, cr.tensor(LABELS, { dtype: "int32" })).backward();
    const expected = LOGITS.flatMap((row, i) => {
      const m = Math.max(...row);
      const z = row.reduce((s, o) => s + Math.exp(o - m), 0);
      return row.map((o, k) => (Math.exp(o - m) / z - (k === LABELS[i] ? 1 : 0)) / LOGITS.length);
    });
    close(values(logits.grad!), expected, 1e-14, "grad");
  });

  test("is finite and right for logits like 1e4, in float32", () => {
    const logits = cr.tensor(
      [
        [1e4, 0, -1e4],
        [-1e4, 1e4, 0],
        [1e4, 1e4, -1e4],
        [-1e4, -1e4, -1e4],
      ],
      { requiresGrad: true },
    );
    const labels = cr.tensor([0, 2, 1, 2], { dtype: "int32" });
    const losses = values(crossEntropy(logits, labels, { reduction: "none" }));
    close(losses, [0, 1e4, Math.log(2), Math.log(3)], 1e-6, "losses");
    const mean = crossEntropy(logits, labels);
    assert.ok(Number.isFinite(mean.item()));
    mean.backward();
    const g = values(logits.grad!);
    assert.ok(g.every(Number.isFinite), `gradient ${g}`);
    // Row 1: softmax is one-hot at class 1, label 2: (e₁ − e₂)/4.
    close(g.slice(3, 6), [0, 0.25, -0.25], 1e-7, "row 1 grad");
  });

  test("an out-of-range label is refused with a message naming the label and the class count", () => {
    const logits = cr.zeros([3, 4]);
    throwsMessage(
      () => crossEntropy(logits, cr.tensor([0, 4, 1], { dtype: "int32" })),
      /crossEntropy/,
      /label 4/,
      /4 classes/,
      /example 1/,
    );
    throwsMessage(
      () => crossEntropy(logits, cr.tensor([-1, 0, 1], { dtype: "int32" })),
      /label -1/,
      /4 classes/,
    );
  });

  test("labels must be int32 of shape [n]; logits must be [n, classes]; reductions are checked", () => {
    const logits = cr.zeros([2, 3]);
    throwsMessage(() => crossEntropy(logits, cr.tensor([0.5, 1])), /crossEntropy/, /int32/, /float32/);
    throwsMessage(() => crossEntropy(logits, cr.tensor([0, 1], { dtype: "float64" })), /int32/, /float64/);
    throwsMessage(() => crossEntropy(logits, cr.tensor([true, false])), /int32/, /bool/);
    throwsMessage(
      () => crossEntropy(logits, cr.tensor([0, 1, 2], { dtype: "int32" })),
      /labels must be \[2\]/,
      /\[3\]/,
    );
    throwsMessage(
      () => crossEntropy(logits, cr.tensor([[0, 1]], { dtype: "int32" })),
      /labels must be \[2\]/,
    );
    throwsMessage(
      () => crossEntropy(cr.zeros([6]), cr.tensor([0], { dtype: "int32" })),
      /logits must be \[n, classes\]/,
      /\[6\]/,
    );
    throwsMessage(
      () => crossEntropy(logits, cr.tensor([0, 1], { dtype: "int32" }), { reduction: "avg" as Reduction }),
      /^crossEntropy: reduction must be one of "mean", "sum", "none"; got "avg"$/,
    );
  });
});

describe("mse", () => {
  const p = [0.5, -1, 2, 3.5, 0];
  const t = [1, -1, 0, 3, -2.5];
  const sq = p.map((v, i) => (v - t[i]) ** 2);

  test("mean, sum and none equal the hand computation; the gradient is 2(p − t)/n", () => {
    const pred = cr.tensor(p, { dtype: "float64", requiresGrad: true });
    const target = cr.tensor(t, { dtype: "float64" });
    close(values(mse(pred, target, { reduction: "none" })), sq, 0, "none");
    close([mse(pred, target, { reduction: "sum" }).item()], [sq.reduce((s, v) => s + v, 0)], 1e-15, "sum");
    const mean = mse(pred, target);
    close([mean.item()], [sq.reduce((s, v) => s + v, 0) / 5], 1e-15, "mean");
    mean.backward();
    close(
      values(pred.grad!),
      p.map((v, i) => (2 * (v - t[i])) / 5),
      1e-15,
      "grad",
    );
  });

  test("different shapes are refused instead of broadcast ([n, 1] against [n] would give [n, n])", () => {
    throwsMessage(() => mse(cr.zeros([3, 1]), cr.ones([3])), /mse/, /\[3,1\]/, /\[3\]/);
  });
});

describe("l2Penalty", () => {
  test("equals λ/2 Σ‖W‖²_F over all tensors, and its gradient is λW", () => {
    const w1 = [
      [0.5, -1, 2],
      [3, 0, -0.25],
    ];
    const w2 = [1.5, -2, 0.75];
    const W1 = cr.tensor(w1, { dtype: "float64", requiresGrad: true });
    const W2 = cr.tensor(w2, { dtype: "float64", requiresGrad: true });
    const lambda = 0.3;
    const squares = [...w1.flat(), ...w2].reduce((s, v) => s + v * v, 0);
    const s = l2Penalty([W1, W2], lambda);
    assert.deepEqual(s.shape, []);
    close([s.item()], [(lambda / 2) * squares], 1e-15, "value");
    s.backward();
    close(
      values(W1.grad!),
      w1.flat().map((v) => lambda * v),
      1e-15,
      "dW1",
    );
    close(
      values(W2.grad!),
      w2.map((v) => lambda * v),
      1e-15,
      "dW2",
    );
  });

  test("λ = 0 and an empty list give 0; a negative or NaN λ is refused", () => {
    assert.equal(l2Penalty([cr.ones([2, 2])], 0).item(), 0);
    assert.equal(l2Penalty([], 0.5).item(), 0);
    throwsMessage(() => l2Penalty([cr.ones([2])], -1), /l2Penalty/, /-1/);
    throwsMessage(() => l2Penalty([cr.ones([2])], Number.NaN), /l2Penalty/);
  });
});
