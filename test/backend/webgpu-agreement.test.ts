// The webgpu backend against the reference (js) on every op-table case in float32: forward values, gradients,
// and second derivatives of the smooth rows, within WEBGPU_AGREEMENT (documented in docs/backends.md).
// Skips, saying why, only where no WebGPU adapter exists; prints the adapter it used.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { single, toTensor } from "../ops/harness.js";
import type { Arr } from "../ops/nd.js";
import type { OpCase } from "../ops/row.js";
import { table } from "../ops/table.js";
import { assertClose, onBackend } from "./agree.js";

/**
 * |webgpu − js| ≤ rtol·|js| + atol·max(1, max |js|): the float32 tolerance of the wasm backend
 * (test/backend/agreement.test.ts), though the GPU sums in float32 where the reference adds in float64.
 */
export const WEBGPU_AGREEMENT = { rtol: 1e-5, atol: 1e-6 } as const;

const available = await cr.initWebGPU();
const status = cr.webgpuStatus();
const skip = available ? false : `no WebGPU adapter here: ${status.reason}`;
if (available) console.log(`# webgpu adapter: ${status.adapter} (${status.featureLevel})`);
else console.log(`# webgpu tests skipped: ${status.reason}`);

const START = cr.getBackend().name;

/** Asserts webgpu's values equal js's within WEBGPU_AGREEMENT. */
function close(js: ArrayLike<number>, other: ArrayLike<number>, what: string): void {
  assertClose(js, other, WEBGPU_AGREEMENT, what, "on webgpu");
}

/** A fixed tensor of `like`'s shape and dtype: the cotangent weights. */
function weights(like: cr.Tensor, phase: number): cr.Tensor {
  const values = Array.from({ length: like.size }, (_, i) => Math.sin(i + phase));
  return cr.tensor(values, { dtype: like.dtype }).reshape(like.shape);
}

interface Result {
  dtype: string;
  out: number[];
  grads: number[][];
  second: number[][];
}

/** Outputs; when `order` ≥ 1 the gradients of Σ out·u; when 2, the gradients of Σ_j Σ grad_j·w_j too. */
function evaluate(c: OpCase, order: 0 | 1 | 2): Result {
  return cr.tidy(() => {
    const xs = c.inputs.map((a: Arr) => toTensor(a, "float32"));
    const floats = c.inputs.flatMap((a, i) => (a.kind === "float" ? [i] : []));
    const out = single(c.run(xs));
    const result: Result = { dtype: out.dtype, out: Array.from(out.dataSync()), grads: [], second: [] };
    if (order === 0 || floats.length === 0 || out.size === 0 || out.dtype !== "float32") return result;
    const u = weights(out, 1);
    const objective = (...ts: cr.Tensor[]) => single(c.run(ts)).mul(u).sum();
    const firsts = cr.grad(objective, { argnums: floats })(...xs);
    result.grads = firsts.map((g) => Array.from(g.dataSync()));
    if (order === 2) {
      const ws = floats.map((i, j) => weights(xs[i], j + 2));
      const mixed = (...ts: cr.Tensor[]) =>
        cr
          .grad(objective, { argnums: floats })(...ts)
          .reduce((acc, g, j) => acc.add(g.mul(ws[j]).sum()), cr.zeros([]));
      result.second = cr
        .grad(mixed, { argnums: floats })(...xs)
        .map((g) => Array.from(g.dataSync()));
    }
    return result;
  });
}

describe("the webgpu backend agrees with js on every op-table case (float32)", { skip }, () => {
  after(() => cr.setBackend(START));
  for (const row of table) {
    test(row.name, () => {
      for (const c of row.cases) {
        const order = !row.differentiable || c.forwardOnly ? 0 : row.smooth ? 2 : 1;
        const what = `${row.name} ${c.label}`;
        if (c.label.includes("float64")) {
          // A case that goes through float64 is refused, naming the op and where float64 runs.
          assert.throws(
            () => onBackend("webgpu", () => evaluate(c, order)),
            /^ChainruleError: \w+: float64 is not supported on the webgpu backend.*wasm or js/,
            what,
          );
          continue;
        }
        const want = onBackend("js", () => evaluate(c, order));
        const got = onBackend("webgpu", () => evaluate(c, order));
        assert.equal(got.dtype, want.dtype, `${what}: dtype`);
        close(want.out, got.out, `${what} output`);
        assert.equal(got.grads.length, want.grads.length, `${what}: gradients`);
        for (const [i, g] of want.grads.entries()) close(g, got.grads[i], `${what} gradient ${i}`);
        for (const [i, g] of want.second.entries()) close(g, got.second[i], `${what} second derivative ${i}`);
      }
    });
  }
});
