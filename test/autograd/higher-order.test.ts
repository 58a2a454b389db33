// Differentiable gradients: backward({ createGraph }) and nested grad() give second and third
// derivatives; customGrad ops use their own gradient, and it is itself differentiable.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, f64, gradOf } from "./helpers.js";

const xs = [-1.3, -0.4, 0.2, 0.9, 2.1];

describe("createGraph: gradients that can be differentiated again", () => {
  test("x³: the gradient is 3x², the gradient of its sum is 6x", () => {
    const x = f64(xs, [5], true);
    x.pow(3).sum().backward({ createGraph: true });
    const g = x.grad!;
    assert.ok(g.requiresGrad, "a createGraph gradient is part of a graph");
    assertClose(
      g.dataSync(),
      xs.map((v) => 3 * v * v),
      1e-14,
      "3x²",
    );
    x.grad = null;
    g.sum().backward();
    assertClose(
      gradOf(x),
      xs.map((v) => 6 * v),
      1e-14,
      "6x",
    );
  });

  test("x·x·x written with mul: third derivative 6 by three nested backward passes", () => {
    const x = f64([0.7], [], true);
    x.mul(x).mul(x).backward({ createGraph: true });
    const g1 = x.grad!;
    x.grad = null;
    g1.backward({ createGraph: true });
    const g2 = x.grad!;
    assertClose(g2.dataSync(), [6 * 0.7], 1e-15, "6x");
    x.grad = null;
    g2.backward();
    assertClose(gradOf(x), [6], 1e-15, "6");
  });

  test("without createGraph the gradient is a constant", () => {
    const x = f64([2], [], true);
    x.pow(3).backward();
    assert.equal(x.grad!.requiresGrad, false);
    assert.equal(x.grad!.node, null);
  });
});

describe("nested functional grad", () => {
  const d = (f: (x: cr.Tensor) => cr.Tensor) => cr.grad(f);
  const cases: [string, (x: cr.Tensor) => cr.Tensor, ((v: number) => number)[]][] = [
    ["sin", (x) => x.sin(), [Math.cos, (v) => -Math.sin(v), (v) => -Math.cos(v)]],
    ["exp", (x) => x.exp(), [Math.exp, Math.exp, Math.exp]],
    [
      "tanh",
      (x) => x.tanh(),
      [
        (v) => 1 - Math.tanh(v) ** 2,
        (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2),
        (v) => (1 - Math.tanh(v) ** 2) * (6 * Math.tanh(v) ** 2 - 2),
      ],
    ],
    ["x³", (x) => x.pow(3), [(v) => 3 * v * v, (v) => 6 * v, () => 6]],
    [
      "sigmoid",
      (x) => x.sigmoid(),
      [
        (v) => s(v) * (1 - s(v)),
        (v) => s(v) * (1 - s(v)) * (1 - 2 * s(v)),
        (v) => s(v) * (1 - s(v)) * (1 - 6 * s(v) + 6 * s(v) ** 2),
      ],
    ],
    [
      "log(1 + x²)",
      (x) => x.mul(x).log1p(),
      [
        (v) => (2 * v) / (1 + v * v),
        (v) => (2 - 2 * v * v) / (1 + v * v) ** 2,
        (v) => (4 * v * (v * v - 3)) / (1 + v * v) ** 3,
      ],
    ],
  ];
  function s(v: number): number {
    return 1 / (1 + Math.exp(-v));
  }
  for (const [name, f, derivatives] of cases) {
    test(`grad, grad(grad) and grad(grad(grad)) of ${name}`, () => {
      const fns = [d(f), d(d(f)), d(d(d(f)))];
      for (const v of xs) {
        const x = f64([v], []);
        fns.forEach((fn, k) => {
          const got = fn(x);
          assert.equal(got.requiresGrad, false, "a top-level grad() returns plain values");
          assertClose([got.item()], [derivatives[k](v)], 1e-12, `${name} derivative ${k + 1} at ${v}`);
        });
      }
    });
  }

  test("grad of a vector function's sum works elementwise; the leaf's .grad is untouched", () => {
    const x = f64(xs, [5], true);
    const second = cr.grad((v) =>
      cr
        .grad((w) => w.sin().sum())(v)
        .sum(),
    )(x);
    assertClose(
      second.dataSync(),
      xs.map((v) => -Math.sin(v)),
      1e-14,
      "−sin x",
    );
    assert.equal(x.grad, null, "functional grad does not write .grad");
  });

  test("gradgradcheck agrees on a few compositions", () => {
    const x = f64([0.3, -0.8, 1.1], [3]);
    const W = f64([0.5, -0.2, 0.1, 0.9, -1.1, 0.4], [2, 3]);
    assert.equal(
      cr.gradgradcheck((a, b) => b.matmul(a.tanh()).softplus().sum(), [x, W]),
      true,
    );
    assert.equal(
      cr.gradgradcheck((a) => a.logSoftmax().mul(a).sum(), [x]),
      true,
    );
    assert.equal(
      cr.gradgradcheck((a) => a.div(a.mul(a).add(1).sqrt()), [x]),
      true,
    );
  });
});

describe("customGrad: a user op with its own gradient", () => {
  test("a straight-through sign: the value is sign(x), the gradient passes through unchanged", () => {
    const ste = cr.customGrad((x) => ({ value: x.sign(), grad: (g) => [g] }), "ste");
    const x = f64([-2, 0.5, 3], [3], true);
    const y = ste(x);
    assert.deepEqual(Array.from(y.dataSync()), [-1, 1, 1]);
    assert.equal(y.node?.prim, "ste");
    y.mul(f64([1, 2, 3], [3]))
      .sum()
      .backward();
    assert.deepEqual(Array.from(gradOf(x)), [1, 2, 3], "autodiff of sign would give zeros");
  });

  test("its gradient is used instead of autodiff's, for several inputs and a null entry", () => {
    // value a·b, but the gradient claims 10·g for a and none for b.
    const op = cr.customGrad((a, b) => ({ value: a.mul(b), grad: (g) => [g.mul(10), null] }));
    const a = f64([1, 2], [2], true);
    const b = f64([3, 4], [2], true);
    op(a, b).sum().backward();
    assert.deepEqual(Array.from(gradOf(a)), [10, 10]);
    assert.equal(b.grad, null);
  });

  test("second order: a custom square whose gradient uses ops has second derivative 2", () => {
    const square = cr.customGrad((x) => ({ value: x.mul(x), grad: (g) => [g.mul(x).mul(2)] }), "square");
    const x = f64([1.5], [], true);
    const once = cr.grad((v) => square(v))(x);
    const twice = cr.grad(cr.grad((v) => square(v)))(x);
    assert.equal(once.item(), 3);
    assert.equal(twice.item(), 2);
    square(x).backward({ createGraph: true });
    const g = x.grad!;
    x.grad = null;
    g.backward();
    assert.equal(gradOf(x)[0], 2);
  });

  test("a custom op made inside tidy can still be differentiated after the tidy ends", () => {
    const square = cr.customGrad((x) => ({ value: x.mul(x), grad: (g) => [g.mul(x).mul(2)] }), "square");
    const w = f64([1, -2], [2], true);
    const J = cr.tidy(() => square(w.mul(3)).sum()); // the input 3w is made, and dropped, inside
    J.backward();
    assert.deepEqual(Array.from(gradOf(w)), [18, -36]);
  });

  test("a gradient of the wrong shape is an error naming the op", () => {
    const bad = cr.customGrad((x) => ({ value: x.sum(), grad: (g) => [g] }), "badsum");
    const x = f64([1, 2], [2], true);
    assert.throws(() => bad(x).backward(), /badsum: gradient 0 has shape \[\] but input 0 has \[2\]/);
  });
});
