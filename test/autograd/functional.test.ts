// Functional autodiff: grad with argnums (one or a list), valueAndGrad, vjp and hvp, checked
// against derivatives written out by hand.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, f64, normals } from "./helpers.js";

const xv = [0.5, -1.5, 2];
const yv = [1.25, 0.75, -0.5];
/** f(x, y) = Σ (x·y + sin x) + Σ y³/3: ∂f/∂x = y + cos x, ∂f/∂y = x + y². */
const f = (x: cr.Tensor, y: cr.Tensor) => x.mul(y).add(x.sin()).sum().add(y.pow(3).div(3).sum());
const dfdx = xv.map((x, i) => yv[i] + Math.cos(x));
const dfdy = xv.map((x, i) => x + yv[i] * yv[i]);

describe("grad", () => {
  test("default argnums 0, a single index, and a list give the matching partial derivatives", () => {
    const x = f64(xv, [3]);
    const y = f64(yv, [3]);
    assertClose(cr.grad(f)(x, y).dataSync(), dfdx, 1e-15, "∂f/∂x");
    assertClose(cr.grad(f, { argnums: 1 })(x, y).dataSync(), dfdy, 1e-15, "∂f/∂y");
    const [gx, gy] = cr.grad(f, { argnums: [0, 1] })(x, y);
    assertClose(gx.dataSync(), dfdx, 1e-15, "∂f/∂x from the list");
    assertClose(gy.dataSync(), dfdy, 1e-15, "∂f/∂y from the list");
    const [gy2, gx2] = cr.grad(f, { argnums: [1, 0] })(x, y);
    assertClose(gy2.dataSync(), dfdy, 1e-15, "order follows argnums");
    assertClose(gx2.dataSync(), dfdx, 1e-15, "order follows argnums");
  });

  test("plain arguments give plain gradients, with no graph", () => {
    const [gx, gy] = cr.grad(f, { argnums: [0, 1] })(f64(xv, [3]), f64(yv, [3]));
    assert.equal(gx.requiresGrad, false);
    assert.equal(gy.node, null);
  });

  test("arguments that require grad keep .grad untouched; the gradient stays differentiable in them", () => {
    const x = f64(xv, [3], true);
    const y = f64(yv, [3], true);
    const gx = cr.grad(f)(x, y);
    assert.equal(x.grad, null);
    assert.equal(y.grad, null);
    assertClose(gx.dataSync(), dfdx, 1e-15, "∂f/∂x");
    assert.equal(gx.requiresGrad, true);
    gx.sum().backward(); // Σ (y + cos x): ∂/∂x = −sin x, ∂/∂y = 1
    assertClose(
      x.grad!.dataSync(),
      xv.map((v) => -Math.sin(v)),
      1e-15,
      "−sin x",
    );
    assert.deepEqual(Array.from(y.grad!.dataSync()), [1, 1, 1]);
  });

  test("an argument f does not use gets a zero gradient of its shape", () => {
    const [gx, gz] = cr.grad((x, _z) => x.sum(), { argnums: [0, 1] })(f64(xv, [3]), f64([1, 2], [2]));
    assert.deepEqual(Array.from(gx.dataSync()), [1, 1, 1]);
    assert.deepEqual(gz.shape, [2]);
    assert.deepEqual(Array.from(gz.dataSync()), [0, 0]);
  });

  test("misuse is reported: non-scalar output, argnums out of range, int argument", () => {
    assert.throws(() => cr.grad((x) => x.mul(2))(f64(xv, [3])), /grad: .*shape \[3\].*use vjp/);
    assert.throws(() => cr.grad(f, { argnums: 2 })(f64(xv, [3]), f64(yv, [3])), /argnums 2 is out of range/);
    const ints = cr.tensor([1, 2], { dtype: "int32" });
    assert.throws(() => cr.grad((x) => x.sum())(ints), /grad: argument 0 is int32/);
  });
});

describe("valueAndGrad", () => {
  test("returns f's value and its gradient from one pass", () => {
    const x = f64(xv, [3]);
    const y = f64(yv, [3]);
    const [value, g] = cr.valueAndGrad(f, { argnums: [0, 1] })(x, y);
    const expected = xv.reduce((acc, v, i) => acc + v * yv[i] + Math.sin(v) + yv[i] ** 3 / 3, 0);
    assertClose([value.item()], [expected], 1e-15, "value");
    assert.equal(value.node, null, "the value is returned without a graph");
    assert.ok(Array.isArray(g), "a list of argnums gives a list of gradients");
    assertClose((g as cr.Tensor[])[1].dataSync(), dfdy, 1e-15, "∂f/∂y");
    const [v1, g1] = cr.valueAndGrad((a) => a.mul(a).sum())(x);
    assertClose([v1.item()], [xv.reduce((a, v) => a + v * v, 0)], 1e-15, "Σx²");
    assertClose(
      (g1 as cr.Tensor).dataSync(),
      xv.map((v) => 2 * v),
      1e-15,
      "2x",
    );
  });
});

describe("vjp", () => {
  test("pullback(u) = uᵀ J for every primal, checked against the Jacobian written out", () => {
    const W = f64(normals(6, 11), [2, 3]);
    const x = f64(xv, [3]);
    const [y, pullback] = cr.vjp((w, v) => w.matmul(v).exp(), W, x);
    assert.deepEqual(y.shape, [2]);
    const Wv = W.dataSync();
    const yvals = [0, 1].map((i) => Math.exp(xv.reduce((acc, v, j) => acc + Wv[i * 3 + j] * v, 0)));
    assertClose(y.dataSync(), yvals, 1e-14, "value");
    for (const u of [
      [1, 0],
      [0, 1],
      [0.3, -2],
    ]) {
      const [gW, gx] = pullback(f64(u, [2]));
      const s = [0, 1].map((i) => u[i] * yvals[i]);
      assertClose(
        gW.dataSync(),
        [0, 1].flatMap((i) => xv.map((v) => s[i] * v)),
        1e-14,
        `∂/∂W along ${u}`,
      );
      assertClose(
        gx.dataSync(),
        [0, 1, 2].map((j) => s[0] * Wv[j] + s[1] * Wv[3 + j]),
        1e-14,
        `∂/∂x along ${u}`,
      );
    }
    assert.throws(
      () => pullback(f64([1, 2, 3], [3])),
      /vjp: cotangent has shape \[3\] but the output has \[2\]/,
    );
  });
});

describe("hvp", () => {
  test("H·v of Σ x⁴ is 12x²⊙v; of a quadratic xᵀAx it is (A + Aᵀ)v", () => {
    const x = f64(xv, [3]);
    const v = f64([1, -2, 0.5], [3]);
    const hv = cr.hvp((a) => a.pow(4).sum(), x, v);
    assertClose(
      hv.dataSync(),
      xv.map((x0, i) => 12 * x0 * x0 * [1, -2, 0.5][i]),
      1e-13,
      "12x²v",
    );
    const A = f64(normals(9, 12), [3, 3]);
    const quad = (a: cr.Tensor) => a.dot(A.matmul(a));
    const Av = A.dataSync();
    const expected = [0, 1, 2].map((i) =>
      [0, 1, 2].reduce((acc, j) => acc + (Av[i * 3 + j] + Av[j * 3 + i]) * [1, -2, 0.5][j], 0),
    );
    assertClose(cr.hvp(quad, x, v).dataSync(), expected, 1e-14, "(A + Aᵀ)v");
    assert.throws(() => cr.hvp(quad, x, f64([1], [1])), /hvp: x has shape \[3\] but v has \[1\]/);
  });
});
