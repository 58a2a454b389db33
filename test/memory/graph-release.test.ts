// Graphs and scopes: saved tensors handed to the graph when a tidy ends before backward, dead graphs
// let go of when their scope ends, intermediate gradients freed during backward, and functional autodiff.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, f64, live, normals } from "../autograd/helpers.js";

describe("backward and scopes", () => {
  test("backward inside tidy of a graph built outside it: grads survive, everything else is freed", () => {
    const W = f64([1, 2, 3, 4], [2, 2], true);
    const x = f64([1, -1], [2]);
    const before = live();
    cr.tidy(() => {
      const J = W.matmul(x).tanh().sum(); // the graph belongs to the outer scope
      const beforeBackward = live();
      cr.tidy(() => J.backward());
      assert.equal(live().tensors, beforeBackward.tensors + 1, "only W.grad is new");
      assert.equal(J.isDisposed, false, "the inner tidy does not free the outer scope's tensors");
    });
    const y = [1 - 2, 3 - 4].map(Math.tanh);
    const expected = [0, 1].flatMap((i) => [1, -1].map((xj) => (1 - y[i] * y[i]) * xj));
    assert.deepEqual(Array.from(W.grad!.dataSync()), expected);
    assert.equal(live().tensors, before.tensors + 1, "the forward pass is gone with the outer scope");
    W.grad!.dispose();
    W.grad = null;
    assert.deepEqual(live(), before);
  });

  test("forward in tidy, backward after: saved tensors are handed to the graph, then freed", () => {
    const W = f64(normals(6, 7), [2, 3], true);
    const x = f64([0.5, -1, 2], [3]);
    const f = (w: cr.Tensor) => w.matmul(x).exp().mul(w.sum()).sum();
    const before = live();
    const savedBefore = cr.memory().byCategory.saved.tensors;
    const J = cr.tidy(() => f(W));
    assert.ok(cr.memory().byCategory.saved.tensors > savedBefore, "the graph holds its saved intermediates");
    J.backward();
    assert.equal(cr.memory().byCategory.saved.tensors, savedBefore, "backward freed what the graph held");
    // Against a forward pass that is not in tidy: the same gradient.
    const W2 = f64(normals(6, 7), [2, 3], true);
    const reference = cr.tidy(() => {
      f(W2).backward();
      return Array.from(W2.grad!.dataSync());
    });
    assert.deepEqual(Array.from(W.grad!.dataSync()), reference);
    W2.dispose();
    J.dispose();
    W.grad!.dispose();
    W.grad = null;
    assert.deepEqual(live(), before);
  });

  test("memory returns exactly to baseline: forward in tidy, backward after, J and grads disposed", () => {
    const W = f64(normals(6, 8), [2, 3], true);
    const b = f64([0.1, -0.2], [2], true);
    const x = f64([0.5, -1, 2], [3]);
    const before = live();
    const J = cr.tidy(() => W.matmul(x).add(b).sigmoid().log().mul(W.pow(2).sum()).sum());
    J.backward();
    J.dispose();
    W.grad!.dispose();
    W.grad = null;
    b.grad!.dispose();
    b.grad = null;
    assert.deepEqual(live(), before);
  });

  test("the same with retainGraph: a second backward works, then memory returns to baseline", () => {
    const W = f64(normals(6, 9), [2, 3], true);
    const x = f64([0.5, -1, 2], [3]);
    const before = live();
    const J = cr.tidy(() => W.matmul(x).tanh().sum());
    J.backward({ retainGraph: true });
    J.backward();
    J.dispose();
    W.grad!.dispose();
    W.grad = null;
    assert.deepEqual(live(), before);
  });

  test("nested tidy ending before backward: handed over from the inner scope too", () => {
    const W = f64(normals(4, 10), [4], true);
    const before = live();
    const J = cr.tidy(() => {
      const h = cr.tidy(() => W.exp().mul(W));
      return h.sin().sum();
    });
    J.backward();
    const w = W.dataSync();
    const expected = Array.from(w, (v) => Math.cos(Math.exp(v) * v) * Math.exp(v) * (1 + v));
    assertClose(W.grad!.dataSync(), expected, 1e-14, "dJ/dW");
    J.dispose();
    W.grad!.dispose();
    W.grad = null;
    assert.deepEqual(live(), before);
  });

  test("backward frees intermediate gradients as it goes: peak memory stays a few buffers", () => {
    const size = 10_000; // 80 kB per float64 buffer
    const x = f64(new Float64Array(size).fill(1), [size], true);
    const J = cr.tidy(() => {
      let y = x;
      for (let i = 0; i < 30; i++) y = y.mul(1.01);
      return y.sum();
    });
    const beforeBytes = cr.memory().bytes;
    cr.resetPeak();
    J.backward();
    const extra = cr.memory().peakBytes - beforeBytes;
    assert.ok(extra <= 4 * size * 8, `backward's peak was ${extra / (size * 8)} buffers over its start`);
    J.dispose();
    x.dispose();
  });

  test("createGraph: the retained graph is freed by a last backward; then nothing is left", () => {
    const x = f64([0.3, -0.7], [2], true);
    const before = live();
    const J = cr.tidy(() => x.pow(3).sum());
    J.backward({ createGraph: true }); // createGraph implies retainGraph
    const g = x.grad!;
    x.grad = null;
    const s = g.sum();
    s.backward();
    assert.deepEqual(Array.from(x.grad!.dataSync()), [6 * 0.3, 6 * -0.7]);
    for (const t of [s, g, x.grad!]) t.dispose();
    x.grad = null;
    // J's graph is still retained and holds pow's saved exponent: one buffer, counted as saved.
    assert.equal(live().tensors, before.tensors + 2);
    J.backward(); // a backward without retainGraph releases it
    for (const t of [J, x.grad!]) t.dispose();
    x.grad = null;
    assert.deepEqual(live(), before);
  });

  test("createGraph inside a tidy that returns nothing: the kept .grad keeps what second order needs", () => {
    const x = f64([0.3, -0.7], [2], true);
    const before = live();
    cr.tidy(() => {
      const h = x.sin(); // sin'' needs sin's node, reached only through the saved h of the gradient graph
      h.mul(h).sum().backward({ createGraph: true });
    });
    const g = x.grad!; // 2 sin x cos x = sin 2x
    x.grad = null;
    const s = g.sum();
    s.backward(); // d/dx sin 2x = 2 cos 2x
    const expected = [0.3, -0.7].map((v) => 2 * Math.cos(2 * v));
    assertClose(x.grad!.dataSync(), expected, 1e-14, "2 cos 2x");
    for (const t of [s, g, x.grad!]) t.dispose();
    x.grad = null;
    assert.deepEqual(live(), before);
  });

  test("createGraph with retainGraph: false frees the first graph at once", () => {
    const x = f64([0.3, -0.7], [2], true);
    const before = live();
    const J = cr.tidy(() => x.pow(3).sum());
    J.backward({ createGraph: true, retainGraph: false });
    const g = x.grad!;
    x.grad = null;
    const s = g.sum();
    s.backward();
    assert.deepEqual(Array.from(x.grad!.dataSync()), [6 * 0.3, 6 * -0.7]);
    for (const t of [s, g, J, x.grad!]) t.dispose();
    x.grad = null;
    assert.deepEqual(live(), before);
  });

  test("a graph made in tidy and never backwarded (a loss logged with grad on) is freed with the scope", () => {
    const W = f64(normals(6, 13), [2, 3], true);
    const x = f64([1, 2, 3], [3]);
    const before = live();
    for (let i = 0; i < 3; i++) {
      cr.tidy(() => {
        const J = W.matmul(x).exp().sum();
        J.backward();
        W.grad!.dispose();
        W.grad = null;
        const logged = W.matmul(x).exp().sum(); // a second graph, never backwarded
        return logged.item();
      });
      assert.deepEqual(live(), before, `after step ${i}`);
      assert.equal(W.storage.savedRefs, 0, "no dead graph still counts W as saved");
    }
  });

  test("a dead graph made in an inner tidy is freed when the outer one ends, down to what the inner one freed", () => {
    const x = f64([0.1, 0.2, 0.3], [3], true);
    const before = live();
    cr.tidy(() => {
      // The inner scope frees t and a but hands them to the graph; b reaches them through it.
      cr.tidy(() => {
        const t = x.exp();
        const a = t.mul(t);
        return a.sin();
      });
    });
    assert.deepEqual(live(), before, "the outer scope let go of the graphs of t and a too");
    assert.equal(x.storage.savedRefs, 0);
  });

  test("a graph returned from tidy stays alive while a dead one beside it is freed", () => {
    const W = f64(normals(6, 14), [2, 3], true);
    const x = f64([1, 2, 3], [3]);
    const before = live();
    const J = cr.tidy(() => {
      W.matmul(x).exp().sum(); // dead: nothing returned reaches it
      return W.matmul(x).exp().sum();
    });
    assert.equal(W.storage.savedRefs, 1, "only the returned graph's matmul still saves W");
    J.backward();
    assert.equal(W.storage.savedRefs, 0);
    J.dispose();
    W.grad!.dispose();
    W.grad = null;
    assert.deepEqual(live(), before);
  });

  test("noGrad inside tidy keeps nothing at all", () => {
    const W = f64(normals(6, 11), [2, 3], true);
    const x = f64([0.5, -1, 2], [3]);
    const before = live();
    const y = cr.noGrad(() => cr.tidy(() => W.matmul(x).relu().exp().sum()));
    assert.equal(y.node, null);
    assert.equal(live().tensors, before.tensors + 1);
    y.dispose();
    assert.deepEqual(live(), before);
  });
});

describe("functional autodiff frees its graph", () => {
  const W = f64(normals(6, 12), [2, 3], true); // a parameter the functions close over
  const x = f64([0.5, -1, 2], [3]);
  const f = (v: cr.Tensor) => W.matmul(v).tanh().sum().add(W.pow(2).sum());

  test("grad, valueAndGrad and vjp of a function closing over a parameter", () => {
    const before = live();
    const g = cr.grad(f)(x);
    const [value, g2] = cr.valueAndGrad(f)(x);
    const [y, pullback] = cr.vjp((v) => W.matmul(v).exp(), x);
    const u = f64([1, 2], [2]);
    const [gv] = pullback(u);
    for (const t of [g, value, g2 as cr.Tensor, y, gv, u]) t.dispose();
    assert.equal(cr.memory().byCategory.saved.tensors, 0, "W is no longer counted as saved");
    assert.deepEqual(live(), before);
  });

  test("hvp, gradcheck and gradgradcheck", () => {
    const before = live();
    const v = f64([1, 0, -1], [3]);
    cr.hvp(f, x, v).dispose();
    v.dispose();
    assert.equal(
      cr.gradcheck((a) => W.matmul(a).tanh(), [x]),
      true,
    );
    assert.equal(
      cr.gradgradcheck((a) => a.sin().mul(a), [x]),
      true,
    );
    assert.equal(cr.memory().byCategory.saved.tensors, 0);
    assert.deepEqual(live(), before);
  });
});
