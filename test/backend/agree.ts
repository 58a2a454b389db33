// What the backend agreement suites share: running on a named backend, and comparing against the js
// reference within |other − js| ≤ rtol·|js| + atol·max(1, max |js|), NaN matching NaN.
import assert from "node:assert/strict";
import * as cr from "../../src/index.js";

/** Runs fn with `name` as the current backend, then puts the previous one back. */
export function onBackend<T>(name: string, fn: () => T): T {
  const previous = cr.getBackend().name;
  cr.setBackend(name);
  try {
    return fn();
  } finally {
    cr.setBackend(previous);
  }
}

/** Asserts `other` (computed `where`, e.g. "on webgpu") equals `js` within the tolerance. */
export function assertClose(
  js: ArrayLike<number>,
  other: ArrayLike<number>,
  { rtol, atol }: { readonly rtol: number; readonly atol: number },
  what: string,
  where = "here",
): void {
  assert.equal(other.length, js.length, `${what}: length`);
  let scale = 1;
  for (let i = 0; i < js.length; i++) if (Number.isFinite(js[i])) scale = Math.max(scale, Math.abs(js[i]));
  for (let i = 0; i < js.length; i++) {
    const w = js[i];
    const g = other[i];
    const ok =
      (Number.isNaN(w) && Number.isNaN(g)) || g === w || Math.abs(g - w) <= rtol * Math.abs(w) + atol * scale;
    if (!ok) assert.fail(`${what} element ${i}: ${g} ${where}, ${w} on js (difference ${g - w})`);
  }
}
