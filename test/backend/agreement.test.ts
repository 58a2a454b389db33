// Every backend against the reference (js): each op-table case, forward values and gradients, in float64
// and float32, within the tolerances documented in docs/backends.md.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { single, toTensor } from "../ops/harness.js";
import { table } from "../ops/table.js";
import { assertClose, onBackend } from "./agree.js";
import { expectRegisteredWasm } from "./expect-wasm.js";

/** |other − js| ≤ rtol·|js| + atol·max(1, max |js|), per dtype; NaN must match NaN. */
export const AGREEMENT = {
  float64: { rtol: 1e-12, atol: 1e-13 },
  float32: { rtol: 1e-5, atol: 1e-6 },
} as const;

/** Outputs (flattened, concatenated) and, when `grads`, d(Σ out·u)/d(float inputs) with a fixed u. */
function evaluate(
  run: (xs: cr.Tensor[]) => cr.Tensor | cr.Tensor[],
  inputs: Parameters<typeof toTensor>[0][],
  float: "float32" | "float64",
  grads: boolean,
): { dtype: string; out: number[]; grads: number[][] } {
  return cr.tidy(() => {
    const xs = inputs.map((a) => {
      const t = toTensor(a, float);
      return grads && a.kind === "float" ? t.requiresGrad_() : t;
    });
    const out = single(run(xs));
    const result = { dtype: out.dtype, out: Array.from(out.dataSync()), grads: [] as number[][] };
    if (grads && out.requiresGrad && out.size > 0) {
      const u = cr
        .tensor(
          Array.from({ length: out.size }, (_, i) => Math.sin(i + 1)),
          { dtype: out.dtype },
        )
        .reshape(out.shape);
      out.mul(u).sum().backward();
      for (const x of xs) if (x.requiresGrad) result.grads.push(x.grad ? Array.from(x.grad.dataSync()) : []);
    }
    return result;
  });
}

// In Node the wasm backend is there unless CHAINRULE_BACKEND picked another: a failed load fails here, not skips.
expectRegisteredWasm();
for (const name of cr.listBackends().filter((n) => n !== "js" && n !== "meta")) {
  describe(`the ${name} backend agrees with js on every op-table case`, () => {
    for (const row of table) {
      test(row.name, () => {
        for (const c of row.cases) {
          const grads = row.differentiable && !c.forwardOnly;
          for (const float of ["float64", "float32"] as const) {
            const want = onBackend("js", () => evaluate(c.run, c.inputs, float, grads));
            const got = onBackend(name, () => evaluate(c.run, c.inputs, float, grads));
            const tol = AGREEMENT[want.dtype === "float64" ? "float64" : "float32"];
            const what = `${row.name} ${c.label} ${float}`;
            assert.equal(got.dtype, want.dtype, `${what}: dtype`);
            assertClose(want.out, got.out, tol, `${what} output`);
            assert.equal(got.grads.length, want.grads.length, `${what}: gradients`);
            want.grads.forEach((g, i) => {
              assertClose(g, got.grads[i], tol, `${what} gradient ${i}`);
            });
          }
        }
      });
    }
  });
}
