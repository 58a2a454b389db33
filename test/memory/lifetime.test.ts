// Tensor lifetime: tidy, keep, using, dispose, use-after-dispose messages, and a 10,000-step
// training loop that leaks nothing (graph hand-over and release: graph-release.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { f64, live, normals } from "../autograd/helpers.js";

const d = 4;
const h = 8;
const q = 3;
const n = 6;

/** A tiny D2L MLP with a hidden bias, its data, and one SGD step: forward, backward, update. */
function mlp(seed: number) {
  const params = [
    f64(
      normals(h * d, seed).map((v) => v * 0.5),
      [h, d],
      true,
    ).tagAs("parameter"),
    f64(new Float64Array(h), [h], true).tagAs("parameter"),
    f64(
      normals(q * h, seed + 1).map((v) => v * 0.5),
      [q, h],
      true,
    ).tagAs("parameter"),
  ];
  const g = new cr.Generator(seed + 2);
  const X = f64(normals(n * d, seed + 3), [n, d]).tagAs("data");
  const labels = cr.tensor(
    Array.from({ length: n }, () => [g.integer(0, q)]),
    { dtype: "int32", tag: "data" },
  );
  const lr = 0.1;
  const lambda = 1e-3;
  const loss = () => {
    const [W1, b1, W2] = params;
    const O = X.matmul(W1.T).add(b1).relu().matmul(W2.T);
    const L = O.logSoftmax().gather(labels, 1).mean().neg();
    return L.add(
      W1.mul(W1)
        .sum()
        .add(W2.mul(W2).sum())
        .mul(lambda / 2),
    );
  };
  /** One step: J.backward(), param ← param − lr·grad under noGrad; returns J's value. */
  const step = (grads: "dispose" | "zero") =>
    cr.tidy(() => {
      const J = loss();
      J.backward();
      cr.noGrad(() => {
        for (const p of params) {
          p.assign(p.sub(p.grad!.mul(lr)));
          if (grads === "dispose") {
            p.grad!.dispose();
            p.grad = null;
          } else p.grad!.assign(p.grad!.mul(0));
        }
      });
      return J.item();
    });
  const dispose = () => {
    for (const p of params) p.dispose();
    X.dispose();
    labels.dispose();
  };
  return { params, step, loss, dispose };
}

describe("a training loop leaks nothing", () => {
  test("10,000 steps inside tidy, grads disposed each step: live tensors and bytes end where they began", (t) => {
    const model = mlp(1);
    const start = live();
    const began = Date.now();
    const first = model.step("dispose");
    let last = first;
    for (let i = 1; i < 10_000; i++) {
      last = model.step("dispose");
      if (i % 2500 === 0) assert.deepEqual(live(), start, `after step ${i}`);
    }
    t.diagnostic(
      `10,000 steps in ${((Date.now() - began) / 1000).toFixed(2)} s; J ${first.toFixed(4)} → ${last.toFixed(4)}`,
    );
    assert.deepEqual(live(), start);
    assert.equal(cr.memory().byCategory.saved.tensors, 0);
    assert.ok(last < first * 0.5, `training should lower J (${first} → ${last})`);
    model.dispose();
  });

  test("grads kept and zeroed in place: after one warm-up step, memory stays exactly put", () => {
    const model = mlp(2);
    model.step("zero");
    const start = live();
    assert.equal(cr.memory().byCategory.gradient.tensors, 3, "one .grad per parameter");
    for (let i = 0; i < 1000; i++) model.step("zero");
    assert.deepEqual(live(), start);
    model.dispose();
  });

  test("the check can fail: a step that forgets to dispose the grads is seen", () => {
    const model = mlp(3);
    model.step("dispose");
    const start = live();
    cr.tidy(() => model.loss().backward()); // .grad is kept past the tidy
    assert.notDeepEqual(live(), start);
    model.dispose();
  });
});

describe("tidy", () => {
  test("frees what was made inside except what is returned, also through arrays, objects and maps", () => {
    const before = live();
    const x = cr.ones([4]);
    let inner: cr.Tensor[] = [];
    const out = cr.tidy(() => {
      const a = x.mul(2);
      const b = a.add(1);
      const c = b.exp();
      inner = [a, b, c];
      return { pair: [b, { deep: c }], map: new Map([["k", a.sqrt()]]) };
    });
    assert.equal(inner[0].isDisposed, true, "a was not returned");
    assert.equal(inner[1].isDisposed, false);
    assert.equal(inner[2].isDisposed, false);
    assert.equal(out.map.get("k")!.isDisposed, false);
    assert.equal(x.isDisposed, false, "tensors made outside are not the scope's");
    assert.deepEqual(Array.from((out.pair[0] as cr.Tensor).dataSync()), [3, 3, 3, 3]);
    for (const t of [x, inner[1], inner[2], out.map.get("k")!]) t.dispose();
    assert.deepEqual(live(), before);
  });

  test("nested tidy: the inner result lives in the outer scope and is freed with it", () => {
    const before = live();
    let innerResult: cr.Tensor | null = null;
    let innerTemp: cr.Tensor | null = null;
    const kept = cr.tidy(() => {
      innerResult = cr.tidy(() => {
        innerTemp = cr.ones([2]).mul(3);
        return innerTemp.add(1);
      });
      assert.equal(innerTemp!.isDisposed, true);
      assert.equal(innerResult.isDisposed, false);
      return innerResult.mul(2);
    });
    assert.equal(innerResult!.isDisposed, true, "not returned by the outer tidy");
    assert.deepEqual(Array.from(kept.dataSync()), [8, 8]);
    kept.dispose();
    assert.deepEqual(live(), before);
  });

  test("on a throw, everything made inside is freed and the error passes through", () => {
    const before = live();
    let made: cr.Tensor | null = null;
    assert.throws(
      () =>
        cr.tidy(() => {
          made = cr.ones([3]).mul(2);
          cr.ones([2]).matmul(cr.ones([3]));
        }),
      /matmul: \[2\] @ \[3\]: inner sizes 2 and 3 differ/,
    );
    assert.equal(made!.isDisposed, true);
    assert.deepEqual(live(), before);
    const next = cr.tidy(() => cr.ones([1]));
    assert.equal(next.isDisposed, false, "scopes are intact after a throw");
    next.dispose();
  });

  test("keep() survives every enclosing tidy", () => {
    const before = live();
    let viaMethod: cr.Tensor | null = null;
    let viaFunction: cr.Tensor | null = null;
    cr.tidy(() => {
      cr.tidy(() => {
        viaMethod = cr.ones([2]).keep();
        viaFunction = cr.keep(cr.zeros([2]));
      });
    });
    assert.equal(viaMethod!.isDisposed, false);
    assert.equal(viaFunction!.isDisposed, false);
    viaMethod!.dispose();
    viaFunction!.dispose();
    assert.deepEqual(live(), before);
  });
});

describe("dispose and using", () => {
  test("`using` frees a tensor at the end of its block", () => {
    const before = live();
    let escaped: cr.Tensor | null = null;
    {
      using t = cr.ones([16]);
      escaped = t;
      assert.equal(live().tensors, before.tensors + 1);
    }
    assert.equal(escaped.isDisposed, true);
    assert.deepEqual(live(), before);
  });

  test("dispose is idempotent and frees the buffer once", () => {
    const before = live();
    const t = cr.ones([8], { dtype: "float64" });
    assert.equal(live().bytes, before.bytes + 64);
    t.dispose();
    t.dispose();
    t[Symbol.dispose]();
    assert.deepEqual(live(), before);
  });

  test("using a disposed tensor throws, naming the op and where it was disposed", () => {
    const t = cr.ones([2, 2]);
    const here = new Error().stack!.split("\n")[1].match(/lifetime\.test\.ts:(\d+)/)![1];
    t.dispose(); // the line after `here`
    const line = String(Number(here) + 1);
    for (const use of [() => t.add(1), () => t.dataSync(), () => t.matmul(t), () => t.sum().backward()]) {
      assert.throws(use, (e: unknown) => {
        assert.ok(e instanceof cr.ChainruleError, `not a ChainruleError: ${e}`);
        assert.match(e.message, /was disposed and can no longer be used/);
        assert.match(e.message, /tensor #\d+ \[2,2\] float32/);
        assert.ok(e.message.includes(`lifetime.test.ts:${line}`), `should name line ${line}: ${e.message}`);
        return true;
      });
    }
  });

  test("a tensor freed by tidy says so when used", () => {
    const t = cr.tidy(() => {
      cr.ones([1]).named("temp");
      return null;
    });
    assert.equal(t, null);
    let leaked: cr.Tensor | null = null;
    cr.tidy(() => {
      leaked = cr.ones([3]).named("scratch");
    });
    assert.throws(() => leaked!.exp(), /exp: tensor #\d+ "scratch" \[3\] float32 was disposed[\s\S]*tidy/);
  });
});
