// Pins every convention in docs/gradient-conventions.md: derivatives at kinks, jumps, ties and special points,
// at zero spread (std, var), and where inputs are NaN or infinite.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Tensor } from "../src/index.js";
import * as cr from "../src/index.js";

const f64 = (values: cr.NestedArray) => cr.tensor(values, { dtype: "float64", requiresGrad: true });

/** The gradient of sum(f(x)) at x, as an array. */
function gradOf(values: cr.NestedArray, f: (x: cr.Tensor) => cr.Tensor): cr.NestedArray {
  const x = f64(values);
  f(x).sum().backward();
  assert.ok(x.grad, "no gradient reached x");
  return x.grad.toArray();
}

/** Asserts the gradient of sum(f(x)) at `values` (f last, so each check stays on one line). */
function pin(values: cr.NestedArray, expected: cr.NestedArray, f: (x: cr.Tensor) => cr.Tensor): void {
  assert.deepEqual(gradOf(values, f), expected);
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

const direction = () => cr.tensor([1, -1, 0.5], { dtype: "float64" });

describe("std and var at zero spread", () => {
  test("std's gradient is 0 where std = 0 (PyTorch masks 1/(2·std) there), not NaN", () => {
    const x = f64([[1], [2]]);
    const s = x.expand([2, 3]).std({ axis: 1 });
    assert.deepEqual(s.toArray(), [0, 0]);
    s.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[0], [0]]);
    // Rows with and without spread side by side: only the flat row is masked. PyTorch's digits too.
    const rows = [
      [2, 2],
      [1, 3],
    ];
    pin(
      rows,
      [
        [0, 0],
        [-0.7071067811865475, 0.7071067811865475],
      ],
      (t) => t.std({ axis: 1 }),
    );
    pin([5, 5, 5], [0, 0, 0], (t) => t.std({ correction: 0 }));
  });

  test("the second order is 0 there too: the Hessian-vector product of std at a flat row", () => {
    const hv = cr.hvp((t: cr.Tensor) => t.std(), f64([2, 2, 2]), direction());
    assert.deepEqual(hv.toArray(), [0, 0, 0]);
  });

  test("var needs no mask: its gradient 2(x - mean)/(n - c) is 0 and its Hessian finite", () => {
    pin([2, 2, 2], [0, 0, 0], (t) => t.var());
    // H = 2/(n-1)·(I - 1/n), so H·v = v - mean(v) for n = 3.
    const hv = cr.hvp((t: cr.Tensor) => t.var(), f64([2, 2, 2]), direction());
    const expected = [1 - 1 / 6, -1 - 1 / 6, 0.5 - 1 / 6];
    for (const [i, h] of (hv.toArray() as number[]).entries()) {
      assert.ok(Math.abs(h - expected[i]) < 1e-15, `${h} vs ${expected[i]}`);
    }
  });

  test("n <= correction: var and std are NaN (0/0) with NaN gradients, as in PyTorch", () => {
    for (const f of [(t: cr.Tensor) => t.var({ axis: 0 }), (t: cr.Tensor) => t.std({ axis: 0 })]) {
      const x = f64([[3]]);
      const y = f(x);
      assert.ok(Number.isNaN(y.item()));
      y.sum().backward();
      assert.ok(Number.isNaN(x.grad!.item()));
    }
    pin([[3]], [[0]], (t) => t.std({ axis: 0, correction: 0 }));
  });
});

describe("NaN and infinity", () => {
  const NaN_ = Number.NaN;

  test("relu: a NaN passes the gradient (PyTorch's threshold_backward); +inf passes it, -inf does not", () => {
    pin([NaN_, Infinity, -Infinity], [1, 1, 0], (x) => x.relu());
  });

  test("clamp: NaN stays NaN and passes no gradient; ±inf are clamped like any value outside", () => {
    const x = f64([NaN_, Infinity, -Infinity, 0.5]);
    const y = x.clamp(0, 1);
    assert.deepEqual(y.toArray(), [NaN_, 1, 0, 0.5]);
    y.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [0, 0, 0, 1]);
    pin([NaN_, Infinity], [0, 1], (t) => t.clamp(0));
  });

  test("max and min reductions: NaN wins the value, and the NaN elements share the gradient", () => {
    pin([1, NaN_, 3], [0, 1, 0], (x) => x.max());
    pin([NaN_, 1, NaN_], [0.5, 0, 0.5], (x) => x.min());
    const rows = [
      [1, NaN_, 3],
      [1, 2, 2],
    ];
    pin(
      rows,
      [
        [0, 1, 0],
        [0, 0.5, 0.5],
      ],
      (x) => x.max({ axis: 1 }),
    );
    pin([1, Infinity, Infinity], [0, 0.5, 0.5], (x) => x.max());
  });

  test("abs and sign at NaN: NaN (PyTorch 1.13 gives sign(NaN) = 0 and so abs'(NaN) = 0)", () => {
    assert.ok(Number.isNaN(cr.sign(cr.tensor([NaN_])).item()));
    pin([NaN_, Infinity, -Infinity], [NaN_, 1, -1], (x) => x.abs());
  });

  test("saturating functions have gradient 0 at ±inf; exp, sqrt and log at the ends of their range", () => {
    for (const f of [cr.tanh, cr.sigmoid, cr.erf]) pin([Infinity, -Infinity], [0, 0], (x) => f(x));
    pin([Infinity, -Infinity], [1, 0], (x) => x.softplus());
    pin([Infinity, -Infinity], [Infinity, 0], (x) => x.exp());
    pin([Infinity], [0], (x) => x.sqrt());
    pin([Infinity, -1], [0, -1], (x) => x.log());
  });

  test("gelu at -inf is NaN (-inf · 0), in value and gradient, as in PyTorch", () => {
    for (const approximate of ["none", "tanh"] as const) {
      const x = f64([-Infinity, Infinity]);
      const y = x.gelu({ approximate });
      assert.deepEqual(y.toArray(), [NaN_, Infinity]);
      y.sum().backward();
      assert.ok((x.grad!.toArray() as number[]).every(Number.isNaN));
    }
  });

  test("softmax and logSoftmax: -inf is an impossible class (gradient 0); +inf makes its own entries NaN", () => {
    const w = cr.tensor([1, 2], { dtype: "float64" });
    pin([-Infinity, 0], [0, 0], (x) => x.softmax().mul(w));
    pin([-Infinity, 0], [1, -1], (x) => x.logSoftmax().mul(w));
    // Chainrule: finite entries next to a +inf get softmax 0 (log-softmax -inf); PyTorch makes the whole row NaN.
    const big = f64([Infinity, 0]);
    assert.deepEqual(big.softmax().toArray(), [NaN_, 0]);
    assert.deepEqual(big.logSoftmax().toArray(), [NaN_, -Infinity]);
    // A row of -inf has no maximum to normalise by: NaN, as in PyTorch.
    assert.deepEqual(f64([-Infinity, -Infinity]).softmax().toArray(), [NaN_, NaN_]);
  });

  test("leakyRelu at NaN and -inf takes the slope; maximum splits a tie at inf like any tie", () => {
    pin([NaN_, Infinity, -Infinity], [0.5, 1, 0.5], (x) => x.leakyRelu(0.5));
    const a = f64([Infinity, Infinity]);
    const b = f64([Infinity, 2]);
    cr.maximum(a, b).sum().backward();
    assert.deepEqual(a.grad!.toArray(), [0.5, 1]);
    assert.deepEqual(b.grad!.toArray(), [0.5, 0]);
  });

  test("crossEntropy: -inf on a wrong class gets no gradient; -inf on the label gives loss inf, finite gradient", () => {
    const label = cr.tensor([0], { dtype: "int32" });
    const cases: [number[][], number, number[][]][] = [
      [[[0, -Infinity]], 0, [[0, 0]]],
      [[[-Infinity, 0]], Infinity, [[-1, 1]]],
    ];
    for (const [logits, loss, grad] of cases) {
      const x = f64(logits);
      const y = cr.nn.crossEntropy(x, label);
      assert.equal(y.item(), loss);
      y.backward();
      assert.deepEqual(x.grad!.toArray(), grad);
    }
  });

  test("logsumexp: ±inf values as in PyTorch; the gradient exp(x - lse) is NaN at the infinite entries", () => {
    const cases: [number[], number, number[]][] = [
      [[Infinity, 0], Infinity, [NaN_, 0]],
      [[-Infinity, 0], 0, [0, 1]],
      [[-Infinity, -Infinity], -Infinity, [NaN_, NaN_]],
      [[Infinity, -Infinity], Infinity, [NaN_, 0]],
    ];
    for (const [values, value, grad] of cases) {
      const x = f64(values);
      const y = x.logsumexp();
      assert.equal(y.item(), value);
      y.backward();
      assert.deepEqual(x.grad!.toArray(), grad, `${values}`);
    }
  });
});

// Moved unchanged from test/ops/conventions.test.ts (one file for the conventions):
// Derivatives at the points the op table avoids (kinks, jumps, ties), pinned to PyTorch's conventions.
// Expected values were produced by PyTorch 1.13 (x.grad after backward of the summed output).

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
