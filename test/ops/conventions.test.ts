// Derivatives at the points the op table avoids (kinks, jumps, ties), pinned to PyTorch's conventions.
// Expected values were produced by PyTorch 1.13 (x.grad after backward of the summed output).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Tensor } from "../../src/index.js";
import * as cr from "../../src/index.js";

/** Gradients of sum(f(...xs)) with respect to every argument, as plain arrays. */
function grads(f: (...xs: Tensor[]) => Tensor, ...xs: number[][]): number[][] {
  const leaves = xs.map((x) => cr.tensor(x, { dtype: "float64", requiresGrad: true }));
  cr.sum(f(...leaves)).backward();
  return leaves.map((t) => Array.from(t.grad?.dataSync() ?? new Float64Array(t.size)));
}

describe("gradients at kinks and jumps", () => {
  test("relu'(0) = 0", () => {
    assert.deepEqual(grads(cr.relu, [0, -1, 2]), [[0, 0, 1]]);
  });
  test("abs'(0) = 0", () => {
    assert.deepEqual(grads(cr.abs, [0, -1, 2]), [[0, -1, 1]]);
  });
  test("sign' = 0 everywhere, 0 included", () => {
    assert.deepEqual(grads(cr.sign, [0, -1, 2]), [[0, 0, 0]]);
  });
  test("leakyRelu'(0) = slope", () => {
    assert.deepEqual(
      grads((x) => cr.leakyRelu(x, 0.2), [0, -1, 2]),
      [[0.2, 0.2, 1]],
    );
    assert.deepEqual(
      grads((x) => cr.leakyRelu(x), [0]),
      [[0.01]],
    );
  });
  test("clamp passes the gradient on the closed interval min <= x <= max", () => {
    assert.deepEqual(
      grads((x) => cr.clamp(x, -1, 1), [-1, 1, 0, -2, 2]),
      [[1, 1, 1, 0, 0]],
    );
    assert.deepEqual(
      grads((x) => cr.clamp(x, 0), [0, -1]),
      [[1, 0]],
    );
    assert.deepEqual(
      grads((x) => cr.clamp(x, null, 0), [0, 1]),
      [[1, 0]],
    );
  });
  test("clamp with tensor bounds: a bound gets the gradient only where x is strictly beyond it", () => {
    const lo = [-1, -1, -1, -1, -1];
    const hi = [1, 1, 1, 1, 1];
    assert.deepEqual(grads(cr.clamp, [-1, 1, 0, -2, 2], lo, hi), [
      [1, 1, 1, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1],
    ]);
  });
  test("sqrt'(0) = inf, log'(0) = inf", () => {
    assert.deepEqual(grads(cr.sqrt, [0]), [[Infinity]]);
    assert.deepEqual(grads(cr.log, [0]), [[Infinity]]);
  });
  test("pow: no NaN from 0⁰, and the exponent gets 0 where the base is 0 (b >= 0)", () => {
    assert.deepEqual(grads(cr.pow, [0], [0]), [[0], [0]]);
    assert.deepEqual(grads(cr.pow, [0, 0], [2, 0.5]), [
      [0, Infinity],
      [0, 0],
    ]);
    const [da, db] = grads(cr.pow, [-2], [3]);
    assert.deepEqual(da, [12]);
    assert.ok(Number.isNaN(db[0]), "log of a negative base");
  });
});

describe("gradients at ties", () => {
  test("maximum and minimum split the gradient 0.5 / 0.5 on ties", () => {
    assert.deepEqual(grads(cr.maximum, [1, 2, 3], [1, 1, 4]), [
      [0.5, 1, 0],
      [0.5, 0, 1],
    ]);
    assert.deepEqual(grads(cr.minimum, [1, 2, 3], [1, 1, 4]), [
      [0.5, 0, 1],
      [0.5, 1, 0],
    ]);
  });
  test("a tie under broadcasting still splits per pair", () => {
    assert.deepEqual(grads(cr.maximum, [2, 2], [2]), [[0.5, 0.5], [1]]);
  });
  test("max and min reductions split the gradient evenly among tied extrema", () => {
    assert.deepEqual(
      grads((x) => cr.max(x), [1, 3, 3, 2]),
      [[0, 0.5, 0.5, 0]],
    );
    assert.deepEqual(
      grads((x) => cr.min(x), [1, 1, 3, 2]),
      [[0.5, 0.5, 0, 0]],
    );
    assert.deepEqual(
      grads((x) => cr.max(cr.reshape(x, [2, 4]), { axis: 1 }), [1, 3, 3, 2, 5, 5, 5, 5]),
      [[0, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25]],
    );
    assert.deepEqual(
      grads((x) => cr.min(cr.reshape(x, [2, 2]), { axis: 0, keepdims: true }), [1, 4, 1, 2]),
      [[0.5, 0, 0.5, 1]],
    );
  });
  test("argmax and argmin return the first index on ties; NaN counts as the largest", () => {
    assert.equal(cr.argmax(cr.tensor([1, 3, 3, 2])).item(), 1);
    assert.equal(cr.argmin(cr.tensor([2, 1, 1])).item(), 1);
    assert.deepEqual(
      cr
        .argmax(
          cr.tensor([
            [5, 5],
            [1, 7],
          ]),
          { axis: 1 },
        )
        .toArray(),
      [0, 1],
    );
    assert.equal(cr.argmax(cr.tensor([1, Number.NaN, 3])).item(), 1);
  });
  test("max propagates NaN", () => {
    assert.ok(Number.isNaN(cr.max(cr.tensor([1, Number.NaN, 3])).item()));
  });
});

describe("edge values of the reductions", () => {
  test("max and min of an empty axis are errors that name the op", () => {
    assert.throws(() => cr.max(cr.zeros([0])), { name: "ChainruleError", message: /^max: / });
    assert.throws(() => cr.min(cr.zeros([2, 0]), { axis: 1 }), { name: "ChainruleError", message: /^min: / });
    assert.throws(() => cr.argmax(cr.zeros([0])), { name: "ChainruleError", message: /^argmax: / });
  });
  test("sum over nothing is 0, mean over nothing NaN, logsumexp over nothing -inf (as PyTorch)", () => {
    assert.equal(cr.sum(cr.zeros([0])).item(), 0);
    assert.ok(Number.isNaN(cr.mean(cr.zeros([0])).item()));
    assert.equal(cr.logsumexp(cr.zeros([0])).item(), -Infinity);
    assert.deepEqual(cr.logsumexp(cr.zeros([2, 0]), { axis: 1 }).toArray(), [-Infinity, -Infinity]);
  });
  test("softmax of a 0-d tensor is 1, logSoftmax 0; over an empty axis the result is empty", () => {
    assert.equal(cr.softmax(cr.tensor(3)).item(), 1);
    assert.equal(cr.logSoftmax(cr.tensor(3), { axis: 0 }).item(), 0);
    assert.throws(() => cr.softmax(cr.tensor(3), { axis: 1 }), { name: "ChainruleError" });
    assert.deepEqual([...cr.softmax(cr.zeros([3, 0])).shape], [3, 0]);
  });
  test("logsumexp stays exact for infinite inputs", () => {
    assert.equal(cr.logsumexp(cr.tensor([-Infinity, -Infinity])).item(), -Infinity);
    assert.equal(cr.logsumexp(cr.tensor([Infinity, 1])).item(), Infinity);
    assert.deepEqual(cr.logSoftmax(cr.tensor([1e4, -1e4])).toArray(), [0, -2e4]);
  });
});
