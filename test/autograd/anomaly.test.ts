// Anomaly mode: the first NaN or ±inf in a forward op, a VJP or an in-place update raises an AnomalyError
// that names the op, its inputs and the user's call site; off by default, nested, restored after a throw.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

const THIS_FILE = /anomaly\.test\.ts:\d+:\d+/;

/** The AnomalyError fn throws (fails if it throws nothing or something else). */
function anomalyOf(fn: () => unknown): cr.AnomalyError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof cr.AnomalyError, `expected an AnomalyError, got ${error}`);
    assert.ok(error instanceof cr.ChainruleError);
    return error;
  }
  assert.fail("no AnomalyError was thrown");
}

describe("detectAnomaly", () => {
  test("log(0) in forward: -inf produced by log, with its shape and the call site", () => {
    const x = cr.tensor([1, 0, 2]);
    const error = anomalyOf(() => cr.detectAnomaly(() => cr.log(x)));
    assert.match(error.message, /forward op log produced -Infinity \(1 of 3 elements, first at \[1\]\)/);
    assert.match(error.message, /output \[3\] float32/);
    assert.match(error.message, /log input 0: \[3\] float32\n/);
    assert.match(error.message, THIS_FILE);
  });

  test("sqrt at 0 in backward: the backward of sqrt, the forward op sqrt and where sqrt was called", () => {
    const error = anomalyOf(() =>
      cr.detectAnomaly(() => {
        const x = cr.tensor([0, 4], { requiresGrad: true });
        const y = x.sqrt().sum(); // sqrt is called on this line
        y.backward();
      }),
    );
    assert.match(
      error.message,
      /backward of sqrt: its VJP's div produced Infinity \(1 of 2 elements, first at \[0\]\)/,
    );
    assert.match(error.message, /forward op: sqrt \(node #\d+\), inputs \[2\] float32/);
    assert.match(error.message, /incoming gradient \[2\] float32: finite/);
    const site = error.message.split("sqrt was called at:\n")[1];
    assert.match(site.split("\n")[0], THIS_FILE, error.message);
    assert.doesNotMatch(site.split("\n")[0], /\/src\//);
  });

  test("a division by zero inside a custom gradient names the custom op", () => {
    const doubled = cr.customGrad((x) => ({ value: x.mul(2), grad: (g) => [g.div(x.mul(0))] }), "doubled");
    const error = anomalyOf(() =>
      cr.detectAnomaly(() => {
        const x = cr.tensor([1, 2, 3], { requiresGrad: true });
        doubled(x).sum().backward();
      }),
    );
    assert.match(error.message, /backward of doubled: its VJP's div produced Infinity \(3 of 3 elements/);
    assert.match(error.message, /forward op: doubled/);
    assert.match(error.message.split("doubled was called at:\n")[1], THIS_FILE);
  });

  test("a custom gradient that returns a NaN it did not compute with an op is caught after the VJP", () => {
    const bad = cr.customGrad((x) => ({ value: x.mul(1), grad: () => [cr.tensor([Number.NaN, 1])] }), "bad");
    const error = anomalyOf(() =>
      cr.detectAnomaly(() =>
        bad(cr.tensor([1, 2], { requiresGrad: true }))
          .sum()
          .backward(),
      ),
    );
    assert.match(
      error.message,
      /backward of bad produced NaN \(1 of 2 elements, first at \[0\]\) in the gradient for its input 0/,
    );
  });

  test("a NaN already in the data is reported as a non-finite input, not as made by the op", () => {
    const data = cr.tensor([
      [1, Number.NaN],
      [3, 4],
    ]);
    const error = anomalyOf(() => cr.detectAnomaly(() => data.mul(2)));
    assert.match(error.message, /input 0 of forward op mul was already non-finite/);
    assert.match(
      error.message,
      /mul input 0: \[2,2\] float32, non-finite: NaN \(1 of 4 elements, first at \[0,1\]\)/,
    );
    // An op that drops the NaN (a mask) is fine: only non-finite outputs are errors.
    const kept = cr.detectAnomaly(() =>
      cr.where(
        cr.tensor([
          [true, false],
          [true, true],
        ]),
        data,
        0,
      ),
    );
    assert.deepEqual([...kept.dataSync()], [1, 0, 3, 4]);
  });

  test("the fused row kernels (no graph) are checked too", () => {
    const logits = cr.tensor([
      [0, Number.POSITIVE_INFINITY],
      [1, 2],
    ]);
    const error = anomalyOf(() =>
      cr.detectAnomaly(() =>
        cr.noGrad(() => cr.nn.crossEntropy(logits, cr.tensor([0, 1], { dtype: "int32" }))),
      ),
    );
    assert.match(error.message, /input 0 of forward op crossEntropy was already non-finite/);
  });

  test("an optimizer step that overflows is caught at the update", () => {
    const w = cr.tensor([1e30], { requiresGrad: true });
    const opt = new cr.optim.SGD([w], { lr: 1e31 });
    const error = anomalyOf(() =>
      cr.detectAnomaly(() => {
        w.mul(1e8).sum().backward();
        opt.step();
      }),
    );
    assert.match(error.message, /optimizer's update .* left -Infinity/);
  });

  test("off by default and off again after the scope, also after a throw; scopes nest", () => {
    assert.equal(cr.isAnomalyEnabled(), false);
    assert.equal(cr.log(cr.tensor([0])).dataSync()[0], Number.NEGATIVE_INFINITY);
    assert.equal(cr.tensor([0], { requiresGrad: true }).node?.site ?? null, null);
    anomalyOf(() => cr.detectAnomaly(() => cr.log(cr.tensor([0]))));
    assert.equal(cr.isAnomalyEnabled(), false);
    assert.throws(
      () =>
        cr.detectAnomaly(() => {
          throw new Error("user bug");
        }),
      /user bug/,
    );
    assert.equal(cr.isAnomalyEnabled(), false);
    cr.detectAnomaly(() => {
      cr.detectAnomaly(() => assert.equal(cr.isAnomalyEnabled(), true));
      assert.equal(cr.isAnomalyEnabled(), true, "still on after an inner scope");
      anomalyOf(() => cr.detectAnomaly(() => cr.log(cr.tensor([0]))));
      assert.equal(cr.isAnomalyEnabled(), true, "still on after an inner scope threw");
    });
    assert.equal(cr.isAnomalyEnabled(), false);
    const y = cr.tensor([2], { requiresGrad: true }).mul(3);
    assert.equal(y.node?.site, null, "no stack captured with the mode off");
  });

  test("an async function keeps the mode on until it settles", async () => {
    const seen = await cr.detectAnomaly(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return cr.isAnomalyEnabled();
    });
    assert.equal(seen, true);
    assert.equal(cr.isAnomalyEnabled(), false);
    await assert.rejects(
      cr.detectAnomaly(async () => {
        await Promise.resolve();
        return cr.log(cr.tensor([0]));
      }),
      cr.AnomalyError,
    );
    assert.equal(cr.isAnomalyEnabled(), false);
  });

  test("gradcheck and higher-order gradients work inside it", () => {
    cr.detectAnomaly(() => {
      const x = cr.tensor([0.3, 1.2, 2.5], { dtype: "float64", requiresGrad: true });
      assert.equal(
        cr.gradcheck((t) => t.sqrt().mul(t.exp()), [x]),
        true,
      );
      assert.equal(
        cr.gradgradcheck((t) => t.tanh().mul(t), [x]),
        true,
      );
      const d1 = (t: cr.Tensor) =>
        cr
          .grad((u: cr.Tensor) => u.pow(4).sum())(t)
          .sum();
      const d2 = (t: cr.Tensor) => cr.grad(d1)(t).sum();
      const third = cr.grad(d2)(cr.tensor([0.5, 2], { dtype: "float64" }));
      assert.deepEqual([...third.dataSync()], [24 * 0.5, 24 * 2]);
    });
  });

  test("a NaN in a second-order backward is traced to the op the first backward recorded", () => {
    // d/dx x^1.5 = 1.5·x^0.5 is finite at 0; its own derivative 0.75·x^-0.5 is not.
    const dfdx = (t: cr.Tensor) =>
      cr
        .grad((u: cr.Tensor) => u.pow(1.5).sum())(t)
        .sum();
    const error = anomalyOf(() => cr.detectAnomaly(() => cr.grad(dfdx)(cr.tensor([0, 1]))));
    assert.match(error.message, /backward of pow: its VJP's \w+ produced Infinity/);
    assert.match(error.message, /forward op: pow/);
  });
});
