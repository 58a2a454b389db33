// No leaks over a long run: 10,000 steps of the `chainrule train` loop (trainStep: forward, J = L + s,
// backward, optimizer step) with a real model and optimizer leave the live tensors and bytes unchanged.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("10,000 training steps: live tensors and bytes at step 10,000 equal those at step 100", () => {
  const model = cr.chapterMlp({ inputs: 6, hidden: 8, outputs: 3, layers: 1, seed: 0 });
  const optimizer = new cr.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const batches = Array.from({ length: 4 }, (_, i) => ({
    x: cr.randn([4, 6], { seed: 10 + i }).tagAs("data"),
    y: cr.randint(0, 3, [4], { seed: 20 + i, dtype: "int32" }).tagAs("data"),
  }));
  let at100: cr.MemoryInfo | null = null;
  let objective = Number.NaN;
  for (let step = 1; step <= 10_000; step++) {
    const { x, y } = batches[step % batches.length];
    objective = cr.trainStep(model, optimizer, x, y, 1e-4).objective;
    if (step === 100) at100 = cr.memory();
  }
  const at10k = cr.memory();
  assert.ok(Number.isFinite(objective));
  assert.ok(at100);
  assert.equal(at10k.tensors, at100.tensors, "live tensors");
  assert.equal(at10k.bytes, at100.bytes, "live bytes");
  for (const tag of ["parameter", "gradient", "optimizer", "saved", "temporary"] as const) {
    assert.equal(at10k.byCategory[tag].bytes, at100.byCategory[tag].bytes, `${tag} bytes`);
  }
  assert.equal(at10k.byCategory.saved.bytes, 0, "nothing stays saved for backward between steps");
  for (const { x, y } of batches) {
    x.dispose();
    y.dispose();
  }
});
