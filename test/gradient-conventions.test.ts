// Pins every convention in docs/gradient-conventions.md: derivatives at kinks, jumps, ties and special points.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../src/index.js";

const f64 = (values: cr.NestedArray) => cr.tensor(values, { dtype: "float64", requiresGrad: true });

/** The gradient of sum(f(x)) at x, as an array. */
function gradOf(values: cr.NestedArray, f: (x: cr.Tensor) => cr.Tensor): cr.NestedArray {
  const x = f64(values);
  f(x).sum().backward();
  assert.ok(x.grad, "no gradient reached x");
  return x.grad.toArray();
}

describe("kinks", () => {
  test("relu'(0) = 0", () => {
    assert.deepEqual(
      gradOf([-1, 0, 2], (x) => x.relu()),
      [0, 0, 1],
    );
  });

  test("abs'(0) = 0, through sign(0) = 0", () => {
    assert.deepEqual(
      gradOf([-2, 0, 3], (x) => x.abs()),
      [-1, 0, 1],
    );
    assert.deepEqual(cr.sign(cr.tensor([-2, 0, 3])).toArray(), [-1, 0, 1]);
  });

  test("leakyRelu'(0) = slope", () => {
    assert.deepEqual(
      gradOf([-1, 0, 1], (x) => x.leakyRelu(0.25)),
      [0.25, 0.25, 1],
    );
  });

  test("clamp passes the gradient on the closed interval [min, max]", () => {
    assert.deepEqual(
      gradOf([-1, 0, 0.5, 1, 2], (x) => x.clamp(0, 1)),
      [0, 1, 1, 1, 0],
    );
    assert.deepEqual(
      gradOf([-1, 0, 2], (x) => x.clamp(0)),
      [0, 1, 1],
    );
    assert.deepEqual(
      gradOf([-1, 1, 2], (x) => x.clamp(null, 1)),
      [1, 1, 0],
    );
  });

  test("clamp with tensor bounds: a bound gets the gradient where x is strictly outside on its side", () => {
    const x = f64([-1, 0, 0.5, 1, 2, 3]);
    const lo = f64(0);
    const hi = f64(1);
    x.clamp(lo, hi).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [0, 1, 1, 1, 0, 0]);
    assert.equal(lo.grad!.item(), 1);
    assert.equal(hi.grad!.item(), 2);
  });
});

describe("ties", () => {
  test("maximum and minimum split the gradient 0.5/0.5 where a = b", () => {
    for (const op of [cr.maximum, cr.minimum]) {
      const a = f64([1, 2, 3]);
      const b = f64([1, 5, 0]);
      op(a, b).sum().backward();
      const aWins = op === cr.maximum ? [0.5, 0, 1] : [0.5, 1, 0];
      assert.deepEqual(a.grad!.toArray(), aWins);
      assert.deepEqual(
        b.grad!.toArray(),
        aWins.map((v) => 1 - v),
      );
    }
  });

  test("maximum with a NaN operand: NaN wins the value, neither side gets a gradient", () => {
    const a = f64([Number.NaN]);
    const b = f64([1]);
    const y = cr.maximum(a, b);
    assert.ok(Number.isNaN(y.item()));
    y.sum().backward();
    assert.deepEqual([a.grad!.item(), b.grad!.item()], [0, 0]);
  });

  test("max and min reductions share the gradient evenly among ties", () => {
    assert.deepEqual(
      gradOf([1, 3, 3, 3], (x) => x.max()),
      [0, 1 / 3, 1 / 3, 1 / 3],
    );
    assert.deepEqual(
      gradOf([0, 0, 5], (x) => x.min()),
      [0.5, 0.5, 0],
    );
    assert.deepEqual(
      gradOf(
        [
          [1, 3, 3],
          [2, 2, 0],
        ],
        (x) => x.max({ axis: 1 }),
      ),
      [
        [0, 0.5, 0.5],
        [0.5, 0.5, 0],
      ],
    );
  });
});

describe("special points", () => {
  test("pow: the exponent's gradient is 0 where the base is 0", () => {
    const a = f64([0, 0, 2]);
    const b = f64([2, 0.5, 3]);
    a.pow(b).sum().backward();
    assert.deepEqual(b.grad!.toArray(), [0, 0, 8 * Math.log(2)]);
  });

  test("pow: the base's gradient is 0 where the exponent is 0 (no 0 · 0⁻¹ = NaN)", () => {
    assert.deepEqual(
      gradOf([0, 3], (x) => x.pow(0)),
      [0, 0],
    );
    assert.deepEqual(
      gradOf([0, 3], (x) => x.pow(2)),
      [0, 6],
    );
  });

  test("sqrt and log at 0 give an infinite gradient", () => {
    assert.deepEqual(
      gradOf([0], (x) => x.sqrt()),
      [Infinity],
    );
    assert.deepEqual(
      gradOf([0], (x) => x.log()),
      [Infinity],
    );
  });

  test("logsumexp's stabilising max is a constant: the gradient is softmax, also with tied maxima", () => {
    const values = [1, 3, 3];
    const softmax = cr.softmax(cr.tensor(values, { dtype: "float64" })).toArray() as number[];
    const grad = gradOf(values, (x) => x.logsumexp()) as number[];
    grad.forEach((g, i) => {
      assert.ok(Math.abs(g - softmax[i]) < 1e-15, `${g} vs ${softmax[i]}`);
    });
  });
});

describe("where and the ops with no gradient", () => {
  test("where routes the gradient to the chosen branch only; the condition gets none", () => {
    const c = cr.tensor([true, false, true]);
    const a = f64([1, 2, 3]);
    const b = f64([4, 5, 6]);
    cr.where(c, a, b).sum().backward();
    assert.deepEqual(a.grad!.toArray(), [1, 0, 1]);
    assert.deepEqual(b.grad!.toArray(), [0, 1, 0]);
  });

  test("where does not stop a NaN made by the discarded branch's own VJP", () => {
    assert.deepEqual(
      gradOf([-1, 4], (x) => cr.where(x.greater(0), x.sqrt(), 0)),
      [Number.NaN, 0.25],
    );
    const safe = (x: cr.Tensor) => cr.where(x.greater(0), cr.where(x.greater(0), x, 1).sqrt(), 0);
    assert.deepEqual(gradOf([-1, 4], safe), [0, 0.25]);
  });

  test("argmax, argmin, comparisons, isfinite and logicalNot are never recorded", () => {
    const x = f64([1, 3, 2]);
    for (const y of [
      x.argmax(),
      x.argmin(),
      x.greater(1),
      x.equal(x),
      x.isfinite(),
      cr.logicalNot(x.less(2)),
    ]) {
      assert.equal(y.requiresGrad, false);
      assert.equal(y.node, null);
    }
  });

  test("sign passes no gradient: .grad stays null if nothing else reaches the leaf; grad() gives zeros", () => {
    const x = f64([-1, 0, 2]);
    x.sign().sum().backward();
    assert.equal(x.grad, null);
    assert.deepEqual(
      cr
        .grad((t: cr.Tensor) => t.sign().sum())(f64([-1, 0, 2]))
        .toArray(),
      [0, 0, 0],
    );
  });

  test("int32 and bool tensors cannot require grad; a cast to int ends the graph", () => {
    assert.throws(() => cr.tensor([1], { dtype: "int32" }).requiresGrad_(), /only float32 and float64/);
    assert.throws(
      () => cr.tensor([true], { requiresGrad: true }),
      /requiresGrad needs a float dtype, got bool/,
    );
    const x = f64([1.5, 2.5]);
    const y = x.cast("int32").cast("float64");
    assert.equal(y.requiresGrad, false);
    const z = x.mul(cr.tensor([2, 3], { dtype: "int32" }));
    z.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [2, 3], "an int operand is a constant");
  });
});
