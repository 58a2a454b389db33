// Stable numerics: log-softmax, sigmoid, softplus and log-sum-exp at extreme inputs give finite,
// correct values and gradients in float32 and float64.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "./helpers.js";

const DTYPES = ["float32", "float64"] as const;
const allFinite = (values: ArrayLike<number>) => Array.from(values).every(Number.isFinite);
/** What a float64 result looks like after rounding to the tensor's dtype. */
const as = (dtype: cr.DType, v: number) => (dtype === "float32" ? Math.fround(v) : v);

for (const dtype of DTYPES) {
  const tol = dtype === "float32" ? 1e-6 : 1e-14;

  describe(`${dtype}: extreme inputs stay finite and right`, () => {
    test("logSoftmax([1e4, −1e4]) = [0, −2e4]; softmax = [1, 0]; its gradient is finite", () => {
      const o = cr.tensor([1e4, -1e4], { dtype, requiresGrad: true });
      const logp = o.logSoftmax();
      assert.equal(logp.dtype, dtype);
      assert.deepEqual(Array.from(logp.dataSync()), [0, -2e4]);
      assert.deepEqual(Array.from(o.softmax().dataSync()), [1, 0]);
      // −log p₁ = 2e4 (cross-entropy with the unlikely label), gradient softmax − onehot = [1, −1].
      const loss = logp.index([1]).sum().neg();
      assert.equal(loss.item(), 2e4);
      loss.backward();
      assert.deepEqual(Array.from(o.grad!.dataSync()), [1, -1]);
    });

    test("logSoftmax along each axis of a 2-D batch with huge logits", () => {
      const o = cr.tensor(
        [
          [1e4, -1e4, 0],
          [-3e4, -3e4, -3e4],
        ],
        { dtype },
      );
      const rows = o.logSoftmax({ axis: 1 }).dataSync();
      assert.ok(allFinite(rows), `rows: ${rows}`);
      assertClose(rows, [0, -2e4, -1e4, -Math.log(3), -Math.log(3), -Math.log(3)], tol, "rows");
      const cols = o.logSoftmax({ axis: 0 }).dataSync();
      assertClose(cols, [0, 0, 0, -4e4, -2e4, -3e4], tol, "columns");
    });

    test("sigmoid(±100) = [1, e⁻¹⁰⁰], gradient σ(1 − σ) finite and non-negative", () => {
      const x = cr.tensor([100, -100, 0], { dtype, requiresGrad: true });
      const y = x.sigmoid();
      const v = y.dataSync();
      assert.ok(allFinite(v), `sigmoid: ${v}`);
      assert.equal(v[0], 1);
      assert.equal(v[2], 0.5);
      assert.ok(v[1] > 0, "σ(−100) must not underflow to a negative or NaN");
      assertClose([v[1] / as(dtype, Math.exp(-100))], [1], dtype === "float32" ? 0.05 : 1e-14, "σ(−100)");
      y.sum().backward();
      const g = x.grad!.dataSync();
      assert.ok(allFinite(g) && Array.from(g).every((e) => e >= 0), `σ': ${g}`);
      assert.equal(g[2], 0.25);
      assert.ok(g[0] <= 1e-30 && g[1] <= 1e-30, `σ'(±100): ${g}`);
    });

    test("softplus(±100) = [100, e⁻¹⁰⁰]; its gradient is σ(x)", () => {
      const x = cr.tensor([100, -100, 0], { dtype, requiresGrad: true });
      const y = x.softplus();
      const v = y.dataSync();
      assert.ok(allFinite(v), `softplus: ${v}`);
      assert.equal(v[0], 100);
      assert.ok(v[1] > 0 && v[1] < 1e-40, `softplus(−100) = ${v[1]}`);
      assertClose([v[2]], [Math.LN2], tol, "softplus(0)");
      y.sum().backward();
      const g = x.grad!.dataSync();
      assertClose([g[0], g[2]], [1, 0.5], tol, "σ(100), σ(0)");
      assert.ok(g[1] >= 0 && g[1] < 1e-40, `σ(−100) = ${g[1]}`);
    });

    test("logsumexp of huge values: no overflow, gradient is the softmax", () => {
      const big = dtype === "float32" ? 3e38 : 1e308;
      const x = cr.tensor([big, big], { dtype, requiresGrad: true });
      const lse = x.logsumexp();
      assert.equal(lse.item(), as(dtype, big + Math.LN2));
      lse.backward();
      assert.deepEqual(Array.from(x.grad!.dataSync()), [0.5, 0.5]);
      const mixed = cr.tensor([1e4, 1e4, -1e4], { dtype }).logsumexp().item();
      assertClose([mixed], [as(dtype, 1e4 + Math.LN2)], tol, "logsumexp([1e4, 1e4, −1e4])");
      const rows = cr
        .tensor(
          [
            [1000, 1000],
            [-1000, -1000],
          ],
          { dtype },
        )
        .logsumexp({ axis: 1, keepdims: true });
      assert.deepEqual(rows.shape, [2, 1]);
      assertClose(rows.dataSync(), [1000 + Math.LN2, -1000 + Math.LN2], tol, "row-wise logsumexp");
    });

    test("logsumexp of −∞ everywhere is −∞, and +∞ gives +∞ (no NaN from ∞ − ∞)", () => {
      assert.equal(cr.tensor([-Infinity, -Infinity], { dtype }).logsumexp().item(), -Infinity);
      assert.equal(cr.tensor([Infinity, 1], { dtype }).logsumexp().item(), Infinity);
    });
  });
}
