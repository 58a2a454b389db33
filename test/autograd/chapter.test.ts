// D2L §5.3's check: the gradients backward() finds for the one-hidden-layer MLP with weight decay
// equal the chapter's formulas, worked out here independently with plain float64 loops.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, f64, gradOf, normals } from "./helpers.js";

const d = 5;
const h = 4;
const q = 3;
const lambda = 0.3;

interface Params {
  W1: Float64Array; // h×d, row-major
  W2: Float64Array; // q×h
  b1: Float64Array | null; // h
}

interface Reference {
  J: number;
  dW1: Float64Array;
  dW2: Float64Array;
  db1: Float64Array;
}

/**
 * The chapter's forward and backward pass over n examples (xs[e] has d values), mean loss:
 * ∂J/∂o = softmax(o) − onehot(y) (÷ n), ∂J/∂W2 = Σ (∂J/∂o) hᵀ + λW2, ∂J/∂h = W2ᵀ ∂J/∂o,
 * ∂J/∂z = ∂J/∂h ⊙ φ'(z), ∂J/∂W1 = Σ (∂J/∂z) xᵀ + λW1, ∂J/∂b1 = Σ ∂J/∂z (+ λb1 if penalised).
 */
function reference(p: Params, xs: Float64Array[], ys: number[], penaliseBias = false): Reference {
  const n = xs.length;
  const dW1 = new Float64Array(h * d);
  const dW2 = new Float64Array(q * h);
  const db1 = new Float64Array(h);
  let L = 0;
  for (let e = 0; e < n; e++) {
    const x = xs[e];
    const z = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      z[i] = p.b1 ? p.b1[i] : 0;
      for (let j = 0; j < d; j++) z[i] += p.W1[i * d + j] * x[j];
    }
    const hid = z.map((v) => Math.max(v, 0));
    const o = new Float64Array(q);
    for (let k = 0; k < q; k++) for (let i = 0; i < h; i++) o[k] += p.W2[k * h + i] * hid[i];
    const m = Math.max(...o);
    const expo = o.map((v) => Math.exp(v - m));
    const total = expo.reduce((a, b) => a + b, 0);
    L += -(o[ys[e]] - m - Math.log(total)) / n;
    const dO = expo.map((v, k) => (v / total - (k === ys[e] ? 1 : 0)) / n);
    const dH = new Float64Array(h);
    for (let k = 0; k < q; k++) {
      for (let i = 0; i < h; i++) {
        dW2[k * h + i] += dO[k] * hid[i];
        dH[i] += p.W2[k * h + i] * dO[k];
      }
    }
    const dZ = dH.map((v, i) => (z[i] > 0 ? v : 0));
    for (let i = 0; i < h; i++) {
      db1[i] += dZ[i];
      for (let j = 0; j < d; j++) dW1[i * d + j] += dZ[i] * x[j];
    }
  }
  let norms = 0;
  for (const v of p.W1) norms += v * v;
  for (const v of p.W2) norms += v * v;
  if (penaliseBias && p.b1) for (const v of p.b1) norms += v * v;
  for (let i = 0; i < dW1.length; i++) dW1[i] += lambda * p.W1[i];
  for (let i = 0; i < dW2.length; i++) dW2[i] += lambda * p.W2[i];
  if (penaliseBias && p.b1) for (let i = 0; i < h; i++) db1[i] += lambda * p.b1[i];
  return { J: L + (lambda / 2) * norms, dW1, dW2, db1 };
}

function params(seed: number, bias: boolean): Params {
  return {
    W1: normals(h * d, seed),
    W2: normals(q * h, seed + 1),
    b1: bias ? normals(h, seed + 2) : null,
  };
}

function examples(n: number, seed: number): { xs: Float64Array[]; ys: number[] } {
  const g = new cr.Generator(seed);
  const xs = Array.from({ length: n }, () => Float64Array.from({ length: d }, () => g.normal()));
  const ys = Array.from({ length: n }, () => g.integer(0, q));
  return { xs, ys };
}

/** λ/2 (‖W1‖²_F + ‖W2‖²_F), the first norm by x·x, the second by pow, so both paths are exercised. */
function penalty(W1: cr.Tensor, W2: cr.Tensor, b1: cr.Tensor | null = null): cr.Tensor {
  const norms = W1.mul(W1).sum().add(W2.pow(2).sum());
  return norms.add(b1 ? b1.mul(b1).sum() : 0).mul(lambda / 2);
}

/** Leaves for the library, loaded from the same float64 values the reference uses. */
function leaves(p: Params) {
  return {
    W1: f64(p.W1, [h, d], true).named("W1"),
    W2: f64(p.W2, [q, h], true).named("W2"),
    b1: p.b1 ? f64(p.b1, [h], true).named("b1") : null,
  };
}

function checkGrads(lib: ReturnType<typeof leaves>, J: cr.Tensor, ref: Reference, tol = 1e-10): void {
  assert.equal(J.dtype, "float64");
  assert.deepEqual(J.shape, []);
  assertClose([J.item()], [ref.J], tol, "J");
  J.backward();
  assert.deepEqual(lib.W1.grad?.shape, [h, d]);
  assert.deepEqual(lib.W2.grad?.shape, [q, h]);
  assertClose(gradOf(lib.W1), ref.dW1, tol, "dJ/dW1");
  assertClose(gradOf(lib.W2), ref.dW2, tol, "dJ/dW2");
  if (lib.b1) {
    assert.deepEqual(lib.b1.grad?.shape, [h]);
    assertClose(gradOf(lib.b1), ref.db1, tol, "dJ/db1");
  }
}

describe("D2L §5.3: backward() equals the chapter's gradient formulas (float64, 1e-10)", () => {
  test("one example x (d), label y: o = W2 φ(W1 x), l = −log softmax(o)_y", () => {
    for (const seed of [1, 2, 3]) {
      const p = params(seed * 10, false);
      const { xs, ys } = examples(1, seed * 10 + 5);
      const lib = leaves(p);
      const x = f64(xs[0], [d]);
      const z = lib.W1.matmul(x);
      const hid = z.relu();
      const o = lib.W2.matmul(hid);
      const L = o.logSoftmax().index([ys[0]]).mean().neg();
      const J = L.add(penalty(lib.W1, lib.W2));
      checkGrads(lib, J, reference(p, xs, ys));
    }
  });

  test("∂J/∂o = softmax(o) − onehot(y) and ∂J/∂h, ∂J/∂z (retainGrad on the intermediates)", () => {
    const p = params(7, false);
    const { xs, ys } = examples(1, 8);
    const lib = leaves(p);
    const x = f64(xs[0], [d]);
    const z = lib.W1.matmul(x).retainGrad();
    const hid = z.relu().retainGrad();
    const o = lib.W2.matmul(hid).retainGrad();
    const J = o.logSoftmax().index([ys[0]]).mean().neg().add(penalty(lib.W1, lib.W2));
    J.backward();
    const ov = o.dataSync();
    const m = Math.max(...ov);
    const total = Array.from(ov).reduce((a, v) => a + Math.exp(v - m), 0);
    const dO = Array.from(ov, (v, k) => Math.exp(v - m) / total - (k === ys[0] ? 1 : 0));
    assertClose(gradOf(o), dO, 1e-12, "dJ/do");
    const dH = Array.from({ length: h }, (_, i) => dO.reduce((acc, g, k) => acc + p.W2[k * h + i] * g, 0));
    assertClose(gradOf(hid), dH, 1e-12, "dJ/dh");
    const zv = z.dataSync();
    assertClose(
      gradOf(z),
      dH.map((g, i) => (zv[i] > 0 ? g : 0)),
      1e-12,
      "dJ/dz",
    );
  });

  test("minibatch X as n×d (rows are examples), mean loss, hidden bias b1 (not penalised)", () => {
    const n = 6;
    const p = params(21, true);
    const { xs, ys } = examples(n, 22);
    const lib = leaves(p);
    const X = f64(
      xs.flatMap((x) => [...x]),
      [n, d],
    );
    const Z = X.matmul(lib.W1.T).add(lib.b1!);
    const O = Z.relu().matmul(lib.W2.T);
    const labels = cr.tensor(ys, { dtype: "int32" }).reshape([n, 1]);
    const L = O.logSoftmax({ axis: 1 }).gather(labels, 1).mean().neg();
    checkGrads(lib, L.add(penalty(lib.W1, lib.W2)), reference(p, xs, ys));
  });

  test("minibatch X as d×n (columns are examples), bias broadcast as [h,1]", () => {
    const n = 5;
    const p = params(31, true);
    const { xs, ys } = examples(n, 32);
    const lib = leaves(p);
    const cols = new Float64Array(d * n);
    for (let e = 0; e < n; e++) for (let j = 0; j < d; j++) cols[j * n + e] = xs[e][j];
    const X = f64(cols, [d, n]);
    const Z = lib.W1.matmul(X).add(lib.b1!.reshape([h, 1]));
    const O = lib.W2.matmul(Z.relu());
    const labels = cr.tensor([ys], { dtype: "int32" });
    const L = O.logSoftmax({ axis: 0 }).gather(labels, 0).mean().neg();
    checkGrads(lib, L.add(penalty(lib.W1, lib.W2)), reference(p, xs, ys));
  });

  test("with the bias penalised too, ∂J/∂b1 = Σ ∂J/∂z + λ b1", () => {
    const n = 4;
    const p = params(41, true);
    const { xs, ys } = examples(n, 42);
    const lib = leaves(p);
    const X = f64(
      xs.flatMap((x) => [...x]),
      [n, d],
    );
    const O = X.matmul(lib.W1.T).add(lib.b1!).relu().matmul(lib.W2.T);
    const labels = cr.tensor(ys, { dtype: "int32" }).reshape([n, 1]);
    const L = O.logSoftmax().gather(labels, 1).mean().neg();
    checkGrads(lib, L.add(penalty(lib.W1, lib.W2, lib.b1)), reference(p, xs, ys, true));
  });

  test("the comparison can fail: a reference from W1 off by 0.1% is caught", () => {
    const p = params(51, false);
    const { xs, ys } = examples(1, 52);
    const lib = leaves(p);
    const o = lib.W2.matmul(lib.W1.matmul(f64(xs[0], [d])).relu());
    const J = o.logSoftmax().index([ys[0]]).mean().neg().add(penalty(lib.W1, lib.W2));
    J.backward();
    const wrong = reference({ ...p, W1: p.W1.map((v) => v * 1.001) }, xs, ys);
    assert.throws(() => assertClose(gradOf(lib.W1), wrong.dW1, 1e-10, "dJ/dW1"));
  });
});

/** J(W1, W2, b1) on a fixed minibatch, written with the library's ops. */
function objective(xs: Float64Array[], ys: number[]) {
  const n = xs.length;
  const X = f64(
    xs.flatMap((x) => [...x]),
    [n, d],
  );
  const labels = cr.tensor(ys, { dtype: "int32" }).reshape([n, 1]);
  return (W1: cr.Tensor, W2: cr.Tensor, b1: cr.Tensor): cr.Tensor => {
    const O = X.matmul(W1.T).add(b1).relu().matmul(W2.T);
    const L = O.logSoftmax().gather(labels, 1).mean().neg();
    return L.add(penalty(W1, W2));
  };
}

/** Central differences of the reference gradient along (v1, v2): (∇J(θ + εv) − ∇J(θ − εv)) / 2ε. */
function fdHvp(p: Params, v1: Float64Array, v2: Float64Array, xs: Float64Array[], ys: number[]) {
  const eps = 1e-5;
  const at = (s: number) =>
    reference(
      { W1: p.W1.map((w, i) => w + s * v1[i]), W2: p.W2.map((w, i) => w + s * v2[i]), b1: p.b1 },
      xs,
      ys,
    );
  const plus = at(eps);
  const minus = at(-eps);
  return {
    W1: plus.dW1.map((g, i) => (g - minus.dW1[i]) / (2 * eps)),
    W2: plus.dW2.map((g, i) => (g - minus.dW2[i]) / (2 * eps)),
  };
}

/** Relative-ish agreement: every element within tol of the largest expected magnitude (at least 1). */
function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  assertClose(
    Array.from(actual, (v) => v / scale),
    Array.from(expected, (v) => v / scale),
    tol,
    what,
  );
}

describe("Hessian-vector products of the chapter's objective match central differences of its gradient", () => {
  const n = 5;
  const p = params(61, true);
  const { xs, ys } = examples(n, 62);
  const v1 = normals(h * d, 63);
  const v2 = normals(q * h, 64);
  const J = objective(xs, ys);

  test("cr.hvp with respect to W1 (W2 fixed) and to W2 (W1 fixed)", () => {
    const W1 = f64(p.W1, [h, d]);
    const W2 = f64(p.W2, [q, h]);
    const b1 = f64(p.b1!, [h]);
    const hv1 = cr.hvp((w) => J(w, W2, b1), W1, f64(v1, [h, d]));
    const hv2 = cr.hvp((w) => J(W1, w, b1), W2, f64(v2, [q, h]));
    assert.deepEqual(hv1.shape, [h, d]);
    assertNear(hv1.dataSync(), fdHvp(p, v1, new Float64Array(q * h), xs, ys).W1, 1e-6, "H11·v1");
    assertNear(hv2.dataSync(), fdHvp(p, new Float64Array(h * d), v2, xs, ys).W2, 1e-6, "H22·v2");
    // The W2 block is not just λv (the loss curvature is there): the check would notice its absence.
    assert.ok(
      hv2
        .sub(f64(v2, [q, h]).mul(lambda))
        .abs()
        .max()
        .item() > 1e-3,
      "H22·v2 is more than λv2",
    );
  });

  test("J.backward({ createGraph: true }), then backward of Σ W.grad ⊙ v over both weights", () => {
    const lib = leaves(p);
    J(lib.W1, lib.W2, lib.b1!).backward({ createGraph: true });
    const g1 = lib.W1.grad!;
    const g2 = lib.W2.grad!;
    assert.ok(g1.requiresGrad && g2.requiresGrad, "gradients made with createGraph are differentiable");
    const ref = reference(p, xs, ys);
    assertClose(g1.dataSync(), ref.dW1, 1e-10, "first-order dJ/dW1");
    lib.W1.grad = null;
    lib.W2.grad = null;
    lib.b1!.grad = null;
    const s = g1
      .mul(f64(v1, [h, d]))
      .sum()
      .add(g2.mul(f64(v2, [q, h])).sum());
    s.backward();
    const fd = fdHvp(p, v1, v2, xs, ys);
    assertNear(gradOf(lib.W1), fd.W1, 1e-6, "(H·v)_W1");
    assertNear(gradOf(lib.W2), fd.W2, 1e-6, "(H·v)_W2");
  });
});
