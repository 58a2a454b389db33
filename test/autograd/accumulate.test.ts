// A matmul's gradient added onto the gradient its input already has, in place (the backends' accumulate
// mode): C += op(A)·op(B) on every backend, and the chapter's ∂J/∂W = (∂J/∂z)ᵀ x + λW made as one GEMM onto λW.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { MatmulSpec } from "../../src/backend/backend.js";
import * as cr from "../../src/index.js";
import { watchLedger } from "../../src/memory/ledger.js";

const START = cr.getBackend().name;
const gpu = await cr.initWebGPU();

/** C0 + op(A)·op(B) in float64, for A stored [m, k] (or [k, m] when transA) and B [k, n] (or [n, k]). */
function expected(
  a: number[],
  b: number[],
  c: number[],
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
) {
  return c.map((c0, at) => {
    const i = Math.floor(at / n);
    const j = at % n;
    let s = c0;
    for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
    return s;
  });
}

/** Deterministic values in [-1, 1), exact in float32 (made in JavaScript, so on no backend). */
function numbers(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.fround((state / 2147483648) * 2 - 1);
  });
}

describe("C += op(A)·op(B) (MatmulSpec.accumulate)", () => {
  after(() => cr.setBackend(START));
  const backends = ["js", "wasm", ...(gpu ? ["webgpu"] : [])];
  for (const name of backends) {
    test(`${name}: every transpose, at sizes that split over threads and tiles`, () => {
      cr.setBackend(name);
      const backend = cr.getBackend();
      for (const [m, k, n] of [
        [37, 29, 41],
        [256, 64, 300],
      ]) {
        for (const [ta, tb] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ]) {
          const a = numbers(m * k, 1);
          const b = numbers(k * n, 2);
          const c = numbers(m * n, 3);
          const A = cr.tensor(Float32Array.from(a), { shape: [m * k] });
          const B = cr.tensor(Float32Array.from(b), { shape: [k * n] });
          const C = cr.tensor(Float32Array.from(c), { shape: [m * n] });
          const spec: MatmulSpec = {
            batchShape: [],
            aBatchStrides: [],
            bBatchStrides: [],
            m,
            k,
            n,
            transA: ta,
            transB: tb,
            accumulate: true,
          };
          backend.matmul(A.storage.id, B.storage.id, C.storage.id, spec);
          const got = C.dataSync();
          const want = expected(a, b, c, m, k, n, ta, tb);
          want.forEach((w, i) => {
            assert.ok(
              Math.abs(got[i] - w) <= 1e-4 * Math.max(1, Math.abs(w)),
              `${name} ${m}×${k}×${n} ${ta}${tb} [${i}]: ${got[i]} vs ${w}`,
            );
          });
          for (const t of [A, B, C]) t.dispose();
        }
      }
      cr.setBackend(START);
    });
  }
});

describe("backward adds a matmul's gradient onto the penalty's in place", () => {
  /**
   * J = Σ (x Wᵀ)² / 2 + λ/2 ‖W‖², float64: ∂J/∂W = (x Wᵀ)ᵀ x + λ W. nn.linear's matmul reads W itself (not
   * a transposed view, whose own node would take the product first), as nn.Linear does.
   */
  function objective(W: cr.Tensor, x: cr.Tensor, lambda: number): cr.Tensor {
    const z = cr.nn.linear(x, W);
    return z
      .mul(z)
      .sum()
      .mul(0.5)
      .add(cr.nn.l2Penalty([W], lambda));
  }

  test("the gradient is the formula's, and the product is never a buffer of its own", () => {
    const x = cr.randn([5, 7], { seed: 4, dtype: "float64" });
    const W = cr.randn([6, 7], { seed: 5, dtype: "float64", requiresGrad: true });
    const lambda = 0.3;
    const J = objective(W, x, lambda);
    let wSized = 0;
    const stop = watchLedger((event, storage) => {
      if (event === "allocate" && storage.bytes === 6 * 7 * 8) wSized++;
    });
    try {
      J.backward();
    } finally {
      stop();
    }
    // One W-sized buffer: the penalty's λW, which the product (x Wᵀ)ᵀ x is then added onto.
    assert.equal(wSized, 1);
    const z = cr.matmul(x, W.detach().transpose());
    const want = cr.matmul(z.transpose(), x).add(W.detach().mul(lambda)).dataSync();
    const got = W.grad!.dataSync();
    want.forEach((w, i) => {
      assert.ok(Math.abs(got[i] - w) <= 1e-12 * Math.max(1, Math.abs(w)), `[${i}]`);
    });
    for (const t of [x, W, J, z]) t.dispose();
  });

  test("the same values as a sweep that sums out of place (anomaly mode)", () => {
    const x = cr.randn([9, 4], { seed: 6, dtype: "float64" });
    const W = cr.randn([3, 4], { seed: 7, dtype: "float64", requiresGrad: true });
    objective(W, x, 0.1).backward();
    const inPlace = Array.from(W.grad!.dataSync());
    W.grad!.dispose();
    W.grad = null;
    cr.detectAnomaly(() => objective(W, x, 0.1).backward());
    const outOfPlace = Array.from(W.grad!.dataSync());
    inPlace.forEach((v, i) => {
      assert.ok(Math.abs(v - outOfPlace[i]) <= 1e-13 * Math.max(1, Math.abs(v)), `[${i}]`);
    });
    for (const t of [x, W]) t.dispose();
  });
});
