// The sweep's counted references: each leaf gets its gradient (and runs its hooks) as soon as no node can add
// to it, a gradient only the sweep holds is summed into in place, and a caller's tensor is never changed or freed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { watchLedger } from "../../src/memory/ledger.js";
import { f64, gradOf, live, normals } from "./helpers.js";

describe("early gradients", () => {
  test("a leaf's hooks run as soon as its gradient is final, before deeper nodes are pulled back", () => {
    const x = f64([1, 2], [2], true);
    const b = f64([3, 4], [2], true);
    const order: string[] = [];
    const h = x.mul(2);
    h.registerHook(() => {
      order.push("h");
      return undefined;
    });
    b.registerHook(() => {
      order.push("b");
      return undefined;
    });
    h.mul(b).sum().backward();
    assert.deepEqual(order, ["b", "h"], "b's only consumer is pulled back first");
    assert.deepEqual(Array.from(gradOf(b)), [2, 4]);
    assert.deepEqual(Array.from(gradOf(x)), [6, 8]);
  });

  test("a backward into existing .grad holds one new gradient at a time, not one per parameter", () => {
    const n = 128;
    const layers = 4;
    const Ws = Array.from({ length: layers }, (_, i) =>
      f64(
        normals(n * n, 20 + i).map((v) => v * 0.05),
        [n, n],
        true,
      ),
    );
    const x = f64(normals(n, 30), [1, n]);
    /** Peak bytes above those live before one forward-backward, whose graph is freed inside a tidy. */
    const stepPeak = () => {
      const base = cr.memory().bytes;
      cr.resetPeak();
      cr.tidy(() => {
        let h = x;
        for (const W of Ws) h = h.matmul(W).tanh();
        h.sum().backward();
      });
      return cr.memory().peakBytes - base;
    };
    const first = stepPeak(); // creates every .grad: layers·n² values stay
    const second = stepPeak(); // adds into them
    const matrix = n * n * 8;
    assert.ok(first >= layers * matrix, `the first backward keeps ${layers} new gradients (${first} B)`);
    assert.ok(
      second < 2 * matrix,
      `the second holds at most one new gradient beside .grad (${second} B, a matrix is ${matrix} B)`,
    );
    for (const W of Ws) {
      W.grad!.dispose();
      W.dispose();
    }
  });

  test("a tensor used k times gets k gradient buffers summed in place, not 2k − 1", () => {
    const n = 1000;
    const w = f64(normals(n, 3), [n], true);
    const before = live();
    const J = cr.tidy(() => w.mul(2).sum().add(w.mul(3).sum()).add(w.mul(4).sum()));
    let buffers = 0;
    const stop = watchLedger((event, storage) => {
      if (event === "allocate" && storage.bytes === n * 8) buffers++;
    });
    J.backward();
    stop();
    assert.equal(buffers, 3, "one per use: the second and third are added into the first");
    assert.deepEqual(Array.from(gradOf(w)), new Array(n).fill(9));
    J.dispose();
    w.grad!.dispose();
    w.grad = null;
    assert.deepEqual(live(), before);
  });

  test("a caller's tensor that a hook puts in a slot is never summed into in place", () => {
    for (const hookFirst of [true, false]) {
      const x = f64([1, 2], [2], true);
      const other = f64([5, 5], [2]);
      const h = x.add(f64([0, 0], [2]));
      h.registerHook(() => other);
      const m = x.mul(3);
      (hookFirst ? h.add(m) : m.add(h)).sum().backward();
      assert.deepEqual(Array.from(other.dataSync()), [5, 5], "the caller's tensor is unchanged");
      assert.deepEqual(Array.from(gradOf(x)), [8, 8]);
    }
  });

  test("one gradient reaching two leaves: each .grad is its own, a later add into one leaves the other", () => {
    const x = f64([1, 2], [2], true);
    const y = f64([3, 4], [2], true);
    x.add(y).sum().backward();
    assert.deepEqual(Array.from(gradOf(y)), [1, 1]);
    x.mul(5).sum().backward();
    assert.deepEqual(Array.from(gradOf(x)), [6, 6]);
    assert.deepEqual(Array.from(gradOf(y)), [1, 1], "y.grad did not change with x.grad");
  });

  test("a backward that fails half-way (a hook throws) frees what it held, the caller's seed included", () => {
    const x = f64([1, 2], [2], true);
    const before = live();
    cr.tidy(() => {
      const h = x.exp().mul(x);
      h.registerHook(() => {
        throw new Error("hook failed");
      });
      const seed = f64([1, 1], [2]);
      assert.throws(() => h.mul(2).backward(seed), /hook failed/);
    });
    assert.deepEqual(live(), before, "nothing stays held by the sweep's slots");
    assert.equal(x.grad, null);
  });
});

describe("early gradients and a .grad the forward pass used", () => {
  test("x.grad saved by the graph is not written while a node that saved it waits: both operand orders", () => {
    for (const order of ["grad-first", "grad-last"] as const) {
      const x = f64([1, 2, 3], [3], true);
      const w = f64([4, 5, 6], [3], true);
      x.sum().backward();
      const before = Array.from(gradOf(x));
      const a = w.mul(x.grad!).sum(); // saves x.grad for w's gradient
      const b = x.mul(2).sum(); // x's gradient is final before a's node is pulled back
      const z = order === "grad-first" ? a.add(b) : b.add(a);
      z.backward();
      assert.deepEqual(before, [1, 1, 1]);
      assert.deepEqual(Array.from(gradOf(x)), [3, 3, 3], order);
      assert.deepEqual(Array.from(gradOf(w)), [1, 1, 1], order);
    }
  });

  test("the replaced .grad is freed once the graph that saved it is released: no tensor left behind", () => {
    // The same program with x in place of x.grad is the baseline: only w.grad is new afterwards.
    const growth = (useGrad: boolean) => {
      const x = f64([1, 2, 3], [3], true);
      const w = f64([4, 5, 6], [3], true);
      x.sum().backward();
      const start = live();
      cr.tidy(() => {
        const z = w
          .mul(useGrad ? x.grad! : x)
          .sum()
          .add(x.mul(2).sum());
        z.backward();
      });
      const end = live();
      return { tensors: end.tensors - start.tensors, bytes: end.bytes - start.bytes };
    };
    assert.deepEqual(growth(true), growth(false));
    assert.equal(growth(true).tensors, 1);
  });
});
