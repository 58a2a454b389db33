// Shared helpers for the autograd and memory tests: seeded float64 data, tensors from it, and
// element-wise comparison with a message that names the first mismatch.
import assert from "node:assert/strict";
import * as cr from "../../src/index.js";

/** `n` standard-normal float64 values from a seeded generator. */
export function normals(n: number, seed: number): Float64Array {
  const g = new cr.Generator(seed);
  return Float64Array.from({ length: n }, () => g.normal());
}

/** A float64 tensor of `shape` holding `values`. */
export function f64(values: ArrayLike<number>, shape: readonly number[], requiresGrad = false): cr.Tensor {
  return cr.tensor(Float64Array.from(values), { shape, dtype: "float64", requiresGrad });
}

/** Asserts |actual - expected| <= tol · max(1, |expected|) element-wise. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = "values",
): void {
  assert.equal(
    actual.length,
    expected.length,
    `${what}: ${actual.length} values, expected ${expected.length}`,
  );
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    assert.ok(ok, `${what}[${i}]: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}

/** The values of a tensor's .grad, failing clearly when it is missing. */
export function gradOf(t: cr.Tensor): Float64Array {
  assert.ok(t.grad, `${t.describe()} has no .grad`);
  return Float64Array.from(t.grad.dataSync());
}

/** Live tensors and bytes, the two numbers a leak changes. */
export function live(): { tensors: number; bytes: number } {
  const m = cr.memory();
  return { tensors: m.tensors, bytes: m.bytes };
}
