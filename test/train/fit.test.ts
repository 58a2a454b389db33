// fit reads the loss lazily: the same per-epoch figures as a loop that reads every step, at most one backend
// read per progress tick and one per epoch's evaluation (not one per step), and a read per step on request.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { countReads, readEveryStepLoop, SMALL, SMALL_CONFIG } from "./fit-reads.js";

const STEPS = SMALL_CONFIG.epochs * Math.ceil(SMALL.train.count / SMALL_CONFIG.batch);

test("fit gives the per-epoch losses and accuracies of a loop that reads every step", async () => {
  const expected = readEveryStepLoop(SMALL_CONFIG, SMALL);
  const { metrics, model } = await cr.fit(SMALL_CONFIG, SMALL, { readEvery: 5 });
  model.dispose();
  assert.deepEqual(
    metrics.map(({ loss, trainAccuracy, testAccuracy, testLoss }) => ({
      loss,
      trainAccuracy,
      testAccuracy,
      testLoss,
    })),
    expected,
  );
});

test("fit reads the backend once per progress tick and once per evaluation, not once per step", async () => {
  let ticks = 0;
  const { result, reads } = await countReads(() =>
    cr.fit(SMALL_CONFIG, SMALL, { readEvery: 5, onBatch: () => ticks++ }),
  );
  result.model.dispose();
  // 19 batches an epoch, read after batches 5, 10, 15 and 19.
  assert.equal(ticks, SMALL_CONFIG.epochs * 4);
  const bound = ticks + SMALL_CONFIG.epochs + 2;
  assert.ok(bound < STEPS, "the bound is below the steps, so a read per step would break it");
  assert.ok(reads <= bound, `${reads} reads for ${STEPS} steps and ${ticks} ticks`);
});

test("onStep asks for a read per step and receives each step's J and hits", async () => {
  const steps: cr.StepResult[] = [];
  const { result, reads } = await countReads(() =>
    cr.fit({ ...SMALL_CONFIG, epochs: 1 }, SMALL, { onStep: (s) => steps.push(s) }),
  );
  result.model.dispose();
  assert.equal(steps.length, STEPS / 2);
  assert.ok(reads >= steps.length);
  assert.deepEqual(
    steps.map((s) => s.batch),
    steps.map((_, i) => i + 1),
  );
  const mean = steps.reduce((a, s) => a + s.loss * s.examples, 0) / SMALL.train.count;
  assert.equal(mean, result.metrics[0].loss);
  assert.equal(
    steps.reduce((a, s) => a + s.correct, 0),
    Math.round(result.metrics[0].trainAccuracy * SMALL.train.count),
  );
});

test("fit refuses a readEvery that is not a positive integer, naming it", async () => {
  await assert.rejects(
    cr.fit(SMALL_CONFIG, SMALL, { readEvery: 0 }),
    /fit: readEvery must be an integer >= 1, got 0/,
  );
});
