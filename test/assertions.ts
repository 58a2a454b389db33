// Assertions shared by the nn, optim and io tests: values as arrays, ChainruleError messages, closeness.
import assert from "node:assert/strict";
import * as cr from "../src/index.js";

export const values = (t: cr.Tensor): number[] => Array.from(t.dataSync());

/** Asserts that fn throws a ChainruleError whose message matches every pattern. */
export function throwsMessage(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof cr.ChainruleError, `expected a ChainruleError, got ${String(error)}`);
    for (const p of patterns) assert.match(error.message, p);
    return true;
  });
}

/** Elementwise |actual − expected| <= tol·(1 + |expected|). */
export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ""): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    assert.ok(diff <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}
