// Tensor.backward() semantics: accumulation, upstream gradients, graph release and retainGraph,
// in-place checks, noGrad and detach, shared and diamond graphs, broadcasting, dtypes, long chains.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, f64, gradOf, live, normals } from "./helpers.js";

const throwsWith = (fn: () => unknown, ...parts: (string | RegExp)[]) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cr.ChainruleError, `expected a ChainruleError, got ${e}`);
    for (const p of parts) {
      if (typeof p === "string") assert.ok(e.message.includes(p), `"${e.message}" should mention "${p}"`);
      else assert.match(e.message, p);
    }
    return true;
  });

describe("backward()", () => {
  test(".grad accumulates over two backward calls (two forward passes)", () => {
    const x = f64([1, -2, 3], [3], true);
    x.mul(x).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [2, -4, 6]);
    x.mul(x).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [4, -8, 12]);
  });

  test("backward() on a non-scalar without an upstream gradient says how to fix it", () => {
    const x = f64([1, 2, 3], [3], true);
    const y = x.mul(2);
    throwsWith(
      () => y.backward(),
      "backward",
      "not a scalar",
      "[3]",
      "y.backward(upstream)",
      ".sum().backward()",
    );
    assert.equal(x.grad, null, "a refused backward leaves .grad alone");
  });

  test("backward(upstream) for a non-scalar output is the VJP uᵀ·∂y/∂x", () => {
    const W = f64(normals(6, 1), [2, 3], true);
    const x = f64([0.5, -1, 2], [3], true);
    const y = W.matmul(x).tanh();
    const u = f64([0.7, -1.3], [2]);
    y.backward(u);
    // ∂/∂W = (u ⊙ (1 − y²)) xᵀ, ∂/∂x = Wᵀ (u ⊙ (1 − y²)), by hand.
    const yv = y.dataSync();
    const Wv = W.dataSync();
    const gz = [0, 1].map((i) => u.dataSync()[i] * (1 - yv[i] * yv[i]));
    const dW = [0, 1].flatMap((i) => [0.5, -1, 2].map((xj) => gz[i] * xj));
    const dx = [0, 1, 2].map((j) => gz[0] * Wv[j] + gz[1] * Wv[3 + j]);
    assertClose(gradOf(W), dW, 1e-14, "dW");
    assertClose(gradOf(x), dx, 1e-14, "dx");
    const [, pullback] = cr.vjp((w, v) => w.matmul(v).tanh(), W, x);
    const [vW, vx] = pullback(u);
    assertClose(vW.dataSync(), dW, 1e-14, "vjp W");
    assertClose(vx.dataSync(), dx, 1e-14, "vjp x");
    assert.equal(u.isDisposed, false, "the caller's upstream gradient is not freed");
    throwsWith(() => W.matmul(x).backward(f64([1, 2, 3], [3])), "upstream gradient has shape [3]", "[2]");
  });

  test("a second backward through a released graph names retainGraph", () => {
    const x = f64([1, 2], [2], true);
    const y = x.exp().sum();
    y.backward();
    throwsWith(() => y.backward(), "already freed", "retainGraph: true", '"sum"');
    const z = x.add(1).sum(); // a graph that saves nothing is released all the same
    z.backward();
    throwsWith(() => z.backward(), "retainGraph");
  });

  test("retainGraph lets backward run twice through the same graph", () => {
    const x = f64([1, 2], [2], true);
    const y = x.exp().sum();
    y.backward({ retainGraph: true });
    y.backward({ retainGraph: true });
    // 1e-12: the wasm backend's exp is its own, within the float64 tolerance of docs/backends.md.
    assertClose(gradOf(x), [2 * Math.E, 2 * Math.exp(2)], 1e-12, "2·exp(x)");
    y.backward();
    assertClose(gradOf(x), [3 * Math.E, 3 * Math.exp(2)], 1e-12, "3·exp(x)");
    throwsWith(() => y.backward(), "retainGraph");
  });

  test("changing a saved tensor in place before backward throws, naming the op", () => {
    const W = f64([1, 2, 3, 4], [2, 2], true);
    const x = f64([1, 1], [2]);
    const y = W.matmul(x).sum();
    cr.noGrad(() => W.assign(W.mul(0.5)));
    throwsWith(() => y.backward(), "changed in place", '"matmul"', "version 0, now 1");
    // The same change after backward is fine: that is what an optimizer step does.
    const y2 = W.matmul(x).sum();
    y2.backward();
    cr.noGrad(() => W.assign(W.sub(W.grad!.mul(0.1))));
    assertClose(W.dataSync(), [0.4, 0.9, 1.4, 1.9], 1e-15, "W after a step");
  });

  test("noGrad records no node and keeps nothing for backward", () => {
    const W = f64(normals(12, 2), [3, 4], true);
    const x = f64(normals(4, 3), [4]);
    const savedBefore = cr.memory().byCategory.saved;
    const y = cr.noGrad(() => W.matmul(x).relu().exp().sum());
    assert.equal(y.node, null);
    assert.equal(y.requiresGrad, false);
    assert.equal(cr.memory().byCategory.saved.tensors, savedBefore.tensors);
    assert.equal(cr.memory().byCategory.saved.bytes, savedBefore.bytes);
    assert.equal(cr.isGradEnabled(), true, "noGrad restores grad mode");
    throwsWith(() => y.backward(), "does not require grad", "requiresGrad");
    // With grad on, the same expression does save tensors: the check above can fail.
    const y2 = W.matmul(x).relu().exp().sum();
    assert.notEqual(y2.node, null);
    assert.ok(cr.memory().byCategory.saved.tensors > savedBefore.tensors, "with grad on, tensors are saved");
    y2.backward();
    assert.equal(
      cr.memory().byCategory.saved.tensors,
      savedBefore.tensors,
      "backward lets go of what it saved",
    );
  });

  test("noGrad restores grad mode even when its function throws", () => {
    assert.throws(() =>
      cr.noGrad(() => {
        throw new Error("boom");
      }),
    );
    assert.equal(cr.isGradEnabled(), true);
  });

  test("detach cuts the graph: x.detach() · x has gradient x, not 2x", () => {
    const x = f64([1, 2, 3], [3], true);
    const c = x.detach();
    assert.equal(c.requiresGrad, false);
    assert.equal(c.node, null);
    assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
    c.mul(x).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [1, 2, 3]);
    const h = x.exp();
    const cut = h.detach().mul(2).sum();
    assert.equal(cut.requiresGrad, false, "nothing upstream of a detached tensor requires grad");
  });

  test("a tensor used twice: d(x·x)/dx = 2x; d(x + x + x)/dx = 3", () => {
    const x = f64([1.5, -2], [2], true);
    x.mul(x).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [3, -4]);
    const y = f64([1.5, -2], [2], true);
    y.add(y).add(y).sum().backward();
    assert.deepEqual(Array.from(gradOf(y)), [3, 3]);
  });

  test("diamond: a = sin x feeds b = 2a and c = exp a; d(b + c)/dx = cos x (2 + exp sin x)", () => {
    const xs = [0.3, -1.2, 2.5];
    const x = f64(xs, [3], true);
    const a = x.sin();
    const y = a.mul(2).add(a.exp()).sum();
    y.backward();
    assertClose(
      gradOf(x),
      xs.map((v) => Math.cos(v) * (2 + Math.exp(Math.sin(v)))),
      1e-15,
      "diamond",
    );
  });

  test("a deeper DAG where one intermediate reaches the output along several paths of different lengths", () => {
    const x = f64([0.7], [1], true);
    const a = x.mul(3); // a = 3x
    const b = a.mul(a); // 9x²
    const c = b.mul(a).add(a); // 27x³ + 3x
    const y = c.add(b).add(x).sum(); // 27x³ + 9x² + 4x
    y.backward();
    assertClose(gradOf(x), [81 * 0.49 + 18 * 0.7 + 4], 1e-14, "dy/dx");
  });

  test("broadcast gradients are summed back to the operand's shape", () => {
    const A = f64(normals(12, 4), [4, 3], true);
    const b = f64([1, 2, 3], [3], true);
    const col = f64([1, 2, 3, 4], [4, 1], true);
    const s = f64([2], [], true);
    const u = f64(normals(12, 5), [4, 3]);
    A.add(b).mul(col).mul(s).backward(u);
    const uv = u.dataSync();
    const Av = A.dataSync();
    const bv = b.dataSync();
    assert.deepEqual(b.grad?.shape, [3]);
    assert.deepEqual(col.grad?.shape, [4, 1]);
    assert.deepEqual(s.grad?.shape, []);
    assert.deepEqual(A.grad?.shape, [4, 3]);
    const db = [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((acc, i) => acc + uv[i * 3 + j] * (i + 1) * 2, 0));
    assertClose(gradOf(b), db, 1e-14, "db");
    const dcol = [0, 1, 2, 3].map((i) =>
      [0, 1, 2].reduce((acc, j) => acc + uv[i * 3 + j] * (Av[i * 3 + j] + bv[j]) * 2, 0),
    );
    assertClose(gradOf(col), dcol, 1e-14, "dcol");
    const ds = [0, 1, 2, 3].reduce(
      (acc, i) =>
        acc + [0, 1, 2].reduce((a2, j) => a2 + uv[i * 3 + j] * (Av[i * 3 + j] + bv[j]) * (i + 1), 0),
      0,
    );
    assertClose(gradOf(s), [ds], 1e-14, "ds");
  });

  test("a float32 leaf used in a float64 computation gets a float32 gradient", () => {
    const x = cr.tensor([1, 2, 3], { dtype: "float32", requiresGrad: true });
    const w = f64([0.1, 0.2, 0.3], [3]);
    const y = x.mul(w).sum();
    assert.equal(y.dtype, "float64");
    y.backward();
    assert.equal(x.grad?.dtype, "float32");
    assertClose(gradOf(x), [0.1, 0.2, 0.3].map(Math.fround), 0, "dx");
    const z = cr.tensor([2], { dtype: "float32", requiresGrad: true });
    z.cast("float64").exp().sum().backward();
    assert.equal(z.grad?.dtype, "float32");
    assertClose(gradOf(z), [Math.fround(Math.exp(2))], 0, "dz");
  });

  test("backward on a leaf itself gives ones (or the upstream gradient)", () => {
    const x = f64([5], [], true);
    x.backward();
    assert.equal(x.grad?.item(), 1);
    const v = f64([1, 2], [2], true);
    const u = f64([3, 4], [2]);
    v.backward(u);
    assert.deepEqual(Array.from(gradOf(v)), [3, 4]);
    assert.notEqual(v.grad, u, ".grad is a copy, not the caller's tensor");
    u.dispose();
    assert.deepEqual(Array.from(gradOf(v)), [3, 4]);
  });

  test("backward through only part of the leaves: constants and int inputs get no .grad", () => {
    const x = f64([1, 2], [2], true);
    const c = f64([3, 4], [2]);
    const idx = cr.tensor([1, 0], { dtype: "int32" });
    x.mul(c).gather(idx, 0).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [3, 4]);
    assert.equal(c.grad, null);
    assert.equal(idx.grad, null);
  });
});

describe("the backward sweep is iterative", () => {
  test("a chain of 100,000 ops differentiates without a stack overflow, and frees its memory", (t) => {
    const n = 100_000;
    const before = live();
    const x = f64([1], [], true);
    const start = Date.now();
    const J = cr.tidy(() => {
      let y = x;
      for (let i = 0; i < n; i++) y = i % 2 === 0 ? y.mul(1.0000001) : y.add(1e-7);
      return y;
    });
    J.backward();
    const seconds = (Date.now() - start) / 1000;
    // y_{k+1} = 1.0000001·y_k (even k) or y_k + 1e-7 (odd k): dJ/dx = 1.0000001^(n/2).
    assertClose(gradOf(x), [1.0000001 ** (n / 2)], 1e-12, "dJ/dx");
    J.dispose();
    x.dispose();
    assert.deepEqual(live(), before, "every intermediate and saved tensor of the chain is freed");
    assert.ok(seconds < 20, `took ${seconds} s`);
    t.diagnostic(`100,000-op chain: forward + backward in ${seconds.toFixed(2)} s`);
  });
});
