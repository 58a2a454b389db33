// The library surface after the renames: the chapter's helpers under cr.chapter, one training step (trainStep)
// and recomputation under its own name, with the old names kept as deprecated aliases of the same things.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

test("cr.chapter holds the chapter's helpers; the old root names are the same functions", () => {
  assert.equal(cr.chapter.mlp, cr.chapterMlp);
  assert.equal(cr.chapter.step, cr.chapterStep);
  assert.equal(cr.chapter.memory, cr.chapterMemory);
  assert.equal(cr.chapter.compareTrainingAndPrediction, cr.compareTrainingAndPrediction);
  assert.equal(cr.chapter.predictionStep, cr.predictionStep);
  assert.equal(cr.checkpoint, cr.recompute);
  assert.ok(new cr.Checkpoint(new cr.nn.ReLU()) instanceof cr.Recompute);
});

test("trainStep with { readBack: false } is the step trainingStep took: the same weights after it", () => {
  const x = cr.randn([6, 5], { seed: 1 });
  const y = cr.tensor([0, 1, 2, 0, 1, 2], { dtype: "int32" });
  const step = (run: (net: cr.nn.Module) => void) => {
    const net = cr.chapter.mlp({ inputs: 5, hidden: 4, outputs: 3, seed: 3 });
    run(net);
    return net.parameters().map((p) => Array.from(p.dataSync()));
  };
  const merged = step((net) => {
    const sgd = new cr.optim.SGD(net.parameters(), { lr: 0.3 });
    assert.equal(cr.trainStep(net, sgd, x, y, { lambda: 1e-4, readBack: false }), undefined);
  });
  assert.deepEqual(
    step((net) => cr.trainingStep(net, x, y)),
    merged,
  );
  const read = step((net) => {
    const result = cr.trainStep(net, new cr.optim.SGD(net.parameters(), { lr: 0.3 }), x, y, 1e-4);
    assert.ok(Number.isFinite(result.objective) && result.correct >= 0 && result.correct <= 6);
  });
  assert.deepEqual(read, merged, "reading J and the hits back changes nothing in the step");
});
