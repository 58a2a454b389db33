// Gradient hooks (observe, replace, remove; on leaves and non-leaves) and retainGrad on non-leaves.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertClose, f64, gradOf, live } from "./helpers.js";

describe("registerHook", () => {
  test("a hook on a non-leaf sees its gradient; returning nothing leaves it alone", () => {
    const x = f64([1, 2, 3], [3], true);
    const h = x.mul(2);
    const seen: number[][] = [];
    h.registerHook((g) => {
      seen.push(Array.from(g.dataSync()));
      return undefined;
    });
    h.mul(f64([4, 5, 6], [3]))
      .sum()
      .backward();
    assert.deepEqual(seen, [[4, 5, 6]]);
    assert.deepEqual(Array.from(gradOf(x)), [8, 10, 12]);
  });

  test("a hook on a non-leaf can replace the gradient that flows on to its inputs", () => {
    const x = f64([1, 2, 3], [3], true);
    const h = x.mul(2);
    h.registerHook((g) => g.mul(10));
    h.sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [20, 20, 20]);
  });

  test("a hook on a leaf sees the gradient and can replace what lands in .grad", () => {
    const x = f64([1, 2], [2], true);
    const seen: number[][] = [];
    x.registerHook((g) => {
      seen.push(Array.from(g.dataSync()));
      return g.neg();
    });
    x.mul(x).sum().backward();
    assert.deepEqual(seen, [[2, 4]]);
    assert.deepEqual(Array.from(gradOf(x)), [-2, -4]);
    x.mul(3).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [-5, -7], "the replaced gradient accumulates");
  });

  test("hooks run in order, each seeing the previous one's result", () => {
    const x = f64([1], [1], true);
    x.registerHook((g) => g.add(1));
    x.registerHook((g) => g.mul(3));
    x.mul(2).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [9]);
  });

  test("remove() stops a hook", () => {
    const x = f64([1, 2], [2], true);
    let calls = 0;
    const handle = x.registerHook((g) => {
      calls++;
      return g.mul(0);
    });
    x.sum().backward();
    assert.equal(calls, 1);
    assert.deepEqual(Array.from(gradOf(x)), [0, 0]);
    handle.remove();
    x.sum().backward();
    assert.equal(calls, 1);
    assert.deepEqual(Array.from(gradOf(x)), [1, 1]);
  });

  test("a hook may return a tensor made outside backward; the caller's tensor is not freed", () => {
    const x = f64([1, 2], [2], true);
    const replacement = f64([7, 8], [2]);
    x.registerHook(() => replacement);
    const h = x.mul(2);
    const other = f64([5, 5], [2]);
    h.registerHook(() => other);
    h.sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [7, 8]);
    assert.equal(replacement.isDisposed, false);
    assert.equal(other.isDisposed, false);
    x.mul(2).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [14, 16]);
    assert.deepEqual(Array.from(replacement.dataSync()), [7, 8], "the caller's tensor is unchanged");
    assert.deepEqual(Array.from(other.dataSync()), [5, 5]);
  });

  test("a hook of the wrong shape is an error naming the shapes", () => {
    const x = f64([1, 2], [2], true);
    x.registerHook(() => f64([1], [1]));
    assert.throws(() => x.sum().backward(), /returned a gradient of shape \[1\], not \[2\]/);
  });

  test("replacing gradients in hooks leaks nothing", () => {
    const x = f64([1, 2], [2], true);
    x.registerHook((g) => g.mul(2));
    const step = () => {
      const e = x.exp();
      const J = e.sum();
      J.backward();
      J.dispose();
      e.dispose();
    };
    const h0 = live();
    step(); // creates x.grad
    const after1 = live();
    for (let i = 0; i < 5; i++) step();
    assert.deepEqual(live(), after1, "later backward passes accumulate in place and free the rest");
    x.grad!.dispose();
    x.grad = null;
    assert.deepEqual(live(), h0);
  });
});

describe("retainGrad", () => {
  test("a non-leaf keeps its gradient only when asked", () => {
    const x = f64([1, 2], [2], true);
    const a = x.mul(3).retainGrad();
    const b = a.exp();
    b.sum().backward();
    assert.deepEqual(a.grad?.shape, [2]);
    // Close, not equal: the wasm backend's exp is within 1e-12 of Math.exp (docs/backends.md).
    assertClose(gradOf(a), [Math.exp(3), Math.exp(6)], 1e-12, "a.grad");
    assert.equal(b.grad, null, "non-leaves without retainGrad keep no .grad");
    assertClose(gradOf(x), [3 * Math.exp(3), 3 * Math.exp(6)], 1e-12, "x.grad");
  });

  test("the retained gradient of the root is the seed", () => {
    const x = f64([1, 2], [2], true);
    const y = x.mul(x).sum().retainGrad();
    y.backward();
    assert.equal(y.grad?.item(), 1);
  });

  test("a retained gradient is the hooked one, summed over all uses", () => {
    const x = f64([1, 2], [2], true);
    const a = x.mul(1).retainGrad();
    a.registerHook((g) => g.mul(2));
    a.mul(a).sum().backward(); // d/da = 2a, doubled by the hook
    assert.deepEqual(Array.from(gradOf(a)), [4, 8]);
    assert.deepEqual(Array.from(gradOf(x)), [4, 8]);
  });
});
