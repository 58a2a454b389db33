// The long-run leak check shared by the backends' tests: a `chainrule train` loop (trainStep on the chapter's
// MLP, SGD with momentum) whose live tensors and bytes by tag must be the same late in the run as early on.
import assert from "node:assert/strict";
import * as cr from "../../src/index.js";

/** Runs `steps` training steps; asserts memory() after `steps` equals memory() after `early`. */
export function assertTrainLoopHoldsMemory(steps: number, early: number): void {
  const model = cr.chapter.mlp({ inputs: 6, hidden: 8, outputs: 3, seed: 0 });
  const optimizer = new cr.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const batches = Array.from({ length: 4 }, (_, i) => ({
    x: cr.randn([4, 6], { seed: 10 + i }).tagAs("data"),
    y: cr.randint(0, 3, [4], { seed: 20 + i, dtype: "int32" }).tagAs("data"),
  }));
  let atEarly: cr.MemoryInfo | null = null;
  let objective = Number.NaN;
  for (let step = 1; step <= steps; step++) {
    const { x, y } = batches[step % batches.length];
    objective = cr.trainStep(model, optimizer, x, y, 1e-4).objective;
    if (step === early) atEarly = cr.memory();
  }
  const atEnd = cr.memory();
  assert.ok(Number.isFinite(objective));
  assert.ok(atEarly);
  assert.equal(atEnd.tensors, atEarly.tensors, "live tensors");
  assert.equal(atEnd.bytes, atEarly.bytes, "live bytes");
  for (const tag of ["parameter", "gradient", "optimizer", "saved", "temporary"] as const) {
    assert.equal(atEnd.byCategory[tag].bytes, atEarly.byCategory[tag].bytes, `${tag} bytes`);
  }
  assert.equal(atEnd.byCategory.saved.bytes, 0, "nothing stays saved for backward between steps");
  assert.equal(model.parameters()[0].storage.backend.name, cr.getBackend().name);
  for (const { x, y } of batches) {
    x.dispose();
    y.dispose();
  }
  model.dispose();
}
