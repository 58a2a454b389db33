// Importing an inner module, not the package root, and differentiating works: the sweep imports the ops it
// needs (no service installed at start-up), and nothing depends on a module imported for its side effects.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const src = new URL("../../src/", import.meta.url).href;

/** Runs an ES module in a fresh Node process (with tsx, so it can import src/*.ts) and returns its stdout. */
function fresh(code: string): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("ops/unary.ts imported directly, then backward(): d/dx Σ exp(x) = exp(x)", () => {
  const out = fresh(`
    import { exp } from "${src}ops/unary.ts";
    import { sum } from "${src}ops/reduce.ts";
    import { tensor } from "${src}tensor/create.ts";
    import { backward } from "${src}autograd/sweep.ts";
    const x = tensor([0, 1, 2], { dtype: "float64", requiresGrad: true });
    backward(sum(exp(x)));
    console.log(JSON.stringify(Array.from(x.grad.dataSync())));
  `);
  const grad: number[] = JSON.parse(out);
  for (const [i, want] of [1, Math.E, Math.exp(2)].entries()) {
    assert.ok(Math.abs(grad[i] - want) < 1e-12, `${grad}`);
  }
});

test("a training step from train/ and nn/ imported directly: backward fills every parameter's .grad", () => {
  const out = fresh(`
    import { Linear } from "${src}nn/layers.ts";
    import { mse } from "${src}nn/losses.ts";
    import { accumulateGradients } from "${src}train/accumulate.ts";
    import { randn } from "${src}tensor/create.ts";
    const layer = new Linear(3, 2);
    accumulateGradients(layer, randn([4, 3], { seed: 2 }), randn([4, 2], { seed: 3 }), 2, mse);
    console.log(layer.parameters().map((p) => p.grad !== null).join(","));
  `);
  assert.equal(out, "true,true");
});

test("the Tensor class from autograd/methods.ts has every op as a method, backward included", () => {
  const out = fresh(`
    import { Tensor } from "${src}autograd/methods.ts";
    import { tensor } from "${src}tensor/create.ts";
    const x = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    x.mul(x).sum().backward();
    console.log(x instanceof Tensor, JSON.stringify(Array.from(x.grad.dataSync())));
  `);
  assert.equal(out, "true [2,4]");
});
