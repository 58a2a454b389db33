// memoryReport (peaks per tag, a bounded timeline with op names), training against prediction, and the
// bytes saved for backward by the chapter's MLP, equal to the formula derived in docs/memory.md.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

const d = 784;
const h = 256;
const q = 10;

/** docs/memory.md: bytes saved for backward by the chapter's step with L hidden layers (float32). */
const savedBytes = (n: number, layers = 1) => 4 * n * (layers * h + q) + 16;

function batch(n: number, seed: number) {
  const g = new cr.Generator(seed);
  const x = cr.randn([n, d], { generator: g });
  const y = cr.tensor(
    Array.from({ length: n }, () => g.integer(0, q)),
    { dtype: "int32" },
  );
  return { x, y };
}

describe("memoryReport", () => {
  test("reports absolute and relative peaks per tag, and the result", () => {
    const keep = cr.zeros([100], { tag: "parameter" });
    const report = cr.memoryReport(() =>
      cr.tidy(() => {
        const a = cr.zeros([1000]); // 4000 bytes
        const b = cr.zeros([500]); // 2000 bytes
        a.dispose();
        b.dispose();
        const c = cr.zeros([10]);
        c.dispose();
        return 7;
      }),
    );
    assert.equal(report.result, 7);
    assert.equal(report.peakIncrease.byTag.temporary, 6000);
    assert.equal(report.peakIncrease.total, 6000);
    assert.equal(report.peakIncrease.byTag.parameter, 0);
    assert.ok(report.peak.byTag.parameter >= 400);
    assert.equal(report.peak.total - report.start.total, 6000);
    assert.equal(report.end.total, report.start.total);
    // Six events: three allocations, three releases, each sampled with the live bytes after it.
    assert.equal(report.events, 6);
    assert.deepEqual(
      report.timeline.map((s) => [s.event, s.byTag.temporary - report.start.byTag.temporary]),
      [
        ["allocate", 4000],
        ["allocate", 6000],
        ["release", 2000],
        ["release", 0],
        ["allocate", 40],
        ["release", 0],
      ],
    );
    keep.dispose();
  });

  test("the timeline names the ops, stays within maxSamples and keeps the last event", () => {
    const { x, y } = batch(8, 1);
    // Untagged, x would be a temporary that matmul keeps, so it would count as saved.
    x.tagAs("data");
    y.tagAs("data");
    const model = cr.chapterMlp({ inputs: d, hidden: h, outputs: q });
    const report = cr.memoryReport(() => cr.trainingStep(model, x, y), { maxSamples: 50 });
    assert.ok(report.events > 60, `${report.events} events`);
    assert.ok(report.timeline.length <= 50, `${report.timeline.length} samples`);
    assert.ok(report.stride > 1);
    assert.equal(report.timeline.at(-1)?.step, report.events - 1);
    const steps = report.timeline.map((s) => s.step);
    assert.deepEqual(
      steps,
      [...steps].sort((a, b) => a - b),
    );
    const full = cr.memoryReport(() => cr.trainingStep(model, x, y), { maxSamples: 100000 });
    const ops = new Set(full.timeline.map((s) => s.op));
    for (const op of ["matmul", "relu", "exp", "gather", "sub"])
      assert.ok(ops.has(op), `${op} in ${[...ops]}`);
    // The saved bytes rise during the forward pass and are all released by the end of the step.
    assert.equal(Math.max(...full.timeline.map((s) => s.byTag.saved)), savedBytes(8));
    assert.equal(full.end.byTag.saved, 0);
    for (const t of [x, y, ...model.parameters()]) t.dispose();
  });
});

describe("training against prediction", () => {
  for (const bias of [false, true]) {
    for (const n of [1, 16, 64, 256]) {
      test(`n = ${n}${bias ? ", with bias" : ""}: saved bytes equal 4n(h + q) + 16 exactly`, () => {
        const { x, y } = batch(n, n);
        const model = cr.chapterMlp({ inputs: d, hidden: h, outputs: q, bias });
        const { training, prediction } = cr.compareTrainingAndPrediction(model, x, y, {
          lambda: 1e-4,
          lr: 0.3,
        });
        assert.equal(training.peakIncrease.byTag.saved, savedBytes(n));
        assert.equal(prediction.peakIncrease.byTag.saved, 0);
        assert.equal(prediction.peakIncrease.byTag.gradient, 0);
        // Gradients: one per parameter, the size of the parameters.
        const paramBytes = model.parameters().reduce((s, p) => s + p.size * 4, 0);
        assert.equal(training.peakIncrease.byTag.gradient, paramBytes);
        assert.equal(training.peak.byTag.data - training.peakIncrease.byTag.data, 4 * n * d + 4 * n);
        assert.ok(training.peak.total > prediction.peak.total);
        // x and y keep their own tags afterwards.
        assert.equal(x.memoryTag, "temporary");
        for (const t of [x, y, ...model.parameters()]) t.dispose();
      });
    }
  }

  test("deeper models save one hidden activation per layer", () => {
    for (const layers of [2, 4]) {
      const m = cr.chapterMemory({ batch: 32, layers });
      assert.equal(m.training.byTag.saved, savedBytes(32, layers));
      assert.equal(m.prediction.byTag.saved, 0);
    }
  });
});
