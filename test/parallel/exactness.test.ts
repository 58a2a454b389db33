// Exactness: from the same weights and batches, pipeline (2 stages, 4 micro-batches), data parallel (2 replicas)
// and micro-batch accumulation (3 micro-batches) end with the weights of plain single-device training (the
// chapter's trainStep on the host), to 1e-6 absolute in float32 (measured: at most 6e-8, one rounding).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { DataParallelTrainer } from "../../src/parallel/data-parallel.js";
import { closeDevices, startDevices } from "../../src/parallel/device.js";
import { MicroBatchTrainer } from "../../src/parallel/micro-batch.js";
import { PipelineTrainer } from "../../src/parallel/pipeline.js";
import type { ParallelTrainer } from "../../src/parallel/trainer.js";
import { trainStep } from "../../src/train/step.js";

const TOLERANCE = 1e-6;
const options = { lr: 0.1, lambda: 1e-3 };
const make = () =>
  new cr.nn.Sequential(
    new cr.nn.Linear(20, 32, { seed: 1, init: "he" }),
    new cr.nn.ReLU(),
    new cr.nn.Linear(32, 32, { seed: 2, init: "he" }),
    new cr.nn.Tanh(),
    new cr.nn.Linear(32, 32, { seed: 3, init: "he" }),
    new cr.nn.ReLU(),
    new cr.nn.Linear(32, 5, { seed: 4 }),
  );
const g = new cr.Generator(7);
// 26 rows: micro-batches and replicas of unequal size (7, 7, 6, 6 and 13, 13; 9, 9, 8).
const batches = Array.from({ length: 5 }, () => ({
  x: cr.randn([26, 20], { generator: g }),
  y: cr.randint(0, 5, [26], { generator: g }),
}));

const plain = make();
const initial = Object.fromEntries(Object.entries(plain.stateDict()).map(([k, t]) => [k, t.dataSync()]));
const sgd = new cr.optim.SGD(plain.parameters(), { lr: options.lr });
for (const { x, y } of batches) trainStep(plain, sgd, x, y, options.lambda);
const reference = Object.fromEntries(Object.entries(plain.stateDict()).map(([k, t]) => [k, t.dataSync()]));

const devices = startDevices(2);
after(() => closeDevices(devices));

async function largestDifference(trainer: ParallelTrainer): Promise<number> {
  for (const { x, y } of batches) await trainer.step(x, y);
  const weights = await trainer.weights();
  assert.deepEqual(Object.keys(weights).sort(), Object.keys(reference).sort());
  let worst = 0;
  for (const [name, values] of Object.entries(reference)) {
    const got = weights[name].dataSync();
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(got[i] - values[i]));
  }
  return worst;
}

describe("training over devices ends with plain training's weights", () => {
  test("the training moved the weights far more than the tolerance (the comparison can fail)", () => {
    let moved = 0;
    for (const [name, values] of Object.entries(reference))
      for (let i = 0; i < values.length; i++) moved = Math.max(moved, Math.abs(values[i] - initial[name][i]));
    assert.ok(moved > 1000 * TOLERANCE, `weights moved by at most ${moved}`);
  });

  test("pipeline: 2 stages, 4 micro-batches", async () => {
    const trainer = await PipelineTrainer.create(make(), devices, { ...options, microBatches: 4, batch: 26 });
    assert.ok((await largestDifference(trainer)) <= TOLERANCE);
  });

  test("data parallel: 2 replicas, and the replicas stay bit-identical", async () => {
    const trainer = await DataParallelTrainer.create(make(), devices, options);
    assert.ok((await largestDifference(trainer)) <= TOLERANCE);
    // Each replica summed the shared slots in the same order: their weights agree bit for bit.
    const [first, second] = [await trainer.replicaWeights(0), await trainer.replicaWeights(1)];
    for (const name of Object.keys(first))
      assert.deepEqual(second[name].dataSync(), first[name].dataSync(), name);
  });

  test("micro-batch accumulation on one device: 3 micro-batches", async () => {
    const trainer = await MicroBatchTrainer.create(make(), devices[0], { ...options, microBatches: 3 });
    assert.ok((await largestDifference(trainer)) <= TOLERANCE);
  });

  test("plain training on a device is plain training on the host", async () => {
    const trainer = await MicroBatchTrainer.create(make(), devices[1], { ...options, microBatches: 1 });
    assert.ok((await largestDifference(trainer)) <= TOLERANCE);
  });
});
