// The meta backend and dry runs: shapes and allocations without values, a ledger equal to the real run's,
// and the largest batch that fits a budget.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

/** The backend chosen at start-up, which a dry run must restore. */
const START = cr.getBackend().name;

const sameReport = (a: cr.TagBytes, b: cr.TagBytes) => assert.deepEqual(a, b);

describe("the meta backend", () => {
  test("is registered; its tensors have shape and dtype but no values", () => {
    assert.ok(cr.listBackends().includes("meta"));
    const report = cr.dryRun(() => {
      const x = cr.ones([3, 4]);
      const y = x.matmul(cr.ones([4, 5])).relu();
      assert.deepEqual(y.shape, [3, 5]);
      assert.equal(y.dtype, "float32");
      assert.ok(cr.isMeta(y.storage.backend));
      assert.throws(() => y.dataSync(), /^ChainruleError: meta backend: tensors carry shape and dtype only/);
      assert.throws(() => cr.sum(y).item(), /meta backend: tensors carry shape and dtype only/);
      return y;
    });
    assert.equal(cr.getBackend().name, START);
    // Allocations are counted as on any backend: 3×4 + 4×5 + 3×5 + 3×5 floats and the sum's one.
    assert.equal(report.peakIncrease.total, 4 * (12 + 20 + 15 + 15 + 1));
    assert.equal(report.end.total - report.start.total, 4 * (12 + 20 + 15 + 15 + 1));
    // What the dry run left live is released from the ledger when it returns.
    assert.equal(cr.memory().bytes, report.start.total);
  });

  test("async reads reject with the same message", async () => {
    const t = cr.dryRun(() => cr.zeros([2])).result;
    await assert.rejects(() => t.storage.backend.read(t.storage.id), /meta backend/);
  });

  test("shape errors are still caught, and the backend is restored after an error", () => {
    assert.throws(
      () => cr.dryRun(() => cr.ones([2, 3]).matmul(cr.ones([4, 5]))),
      /inner sizes 3 and 4 differ/,
    );
    assert.equal(cr.getBackend().name, START);
  });

  test("crossEntropy and gather skip their value checks", () => {
    cr.dryRun(() => {
      const o = cr.zeros([4, 10], { requiresGrad: true });
      const y = cr.zeros([4], { dtype: "int32" });
      const L = cr.nn.crossEntropy(o, y);
      L.backward();
      assert.deepEqual(o.grad?.shape, [4, 10]);
    });
  });
});

describe("dry runs predict the ledger", () => {
  for (const options of [{ batch: 1 }, { batch: 64 }, { batch: 32, layers: 3 }, { batch: 16, bias: true }]) {
    test(`a training step (${JSON.stringify(options)}): peak per tag equal to the real run's`, () => {
      const real = cr.memoryReport(() => cr.chapterStep(options, "training"));
      const dry = cr.dryRun(() => cr.chapterStep(options, "training"));
      sameReport(dry.peakIncrease, real.peakIncrease);
      assert.equal(dry.events, real.events);
      const realP = cr.memoryReport(() => cr.chapterStep(options, "prediction"));
      const dryP = cr.dryRun(() => cr.chapterStep(options, "prediction"));
      sameReport(dryP.peakIncrease, realP.peakIncrease);
    });
  }

  test("chapterMemory's saved bytes follow the formula; prediction saves nothing", () => {
    const m = cr.chapterMemory({ batch: 100 });
    assert.equal(m.training.byTag.saved, 4 * 100 * (256 + 10) + 16);
    assert.equal(m.prediction.byTag.saved, 0);
    assert.equal(m.training.byTag.parameter, 4 * (256 * 784 + 10 * 256));
    assert.equal(m.training.byTag.gradient, 4 * (256 * 784 + 10 * 256));
    assert.equal(m.training.byTag.data, 100 * (784 + 1) * 4);
  });
});

describe("largestBatch", () => {
  const step = (n: number) => cr.chapterStep({ batch: n }, "training");
  const peak = (n: number) => cr.dryRun(() => step(n)).peakIncrease.total;

  test("finds the largest batch whose dry run fits the budget", () => {
    const budget = 20 * 1024 * 1024;
    const r = cr.largestBatch(step, budget);
    assert.ok(r.batch > 1);
    assert.ok(peak(r.batch) <= budget);
    assert.ok(peak(r.batch + 1) > budget);
    assert.equal(r.peakBytes, peak(r.batch));
    assert.ok(r.runs < 40);
  });

  test("a budget exactly at a batch's peak admits that batch", () => {
    const budget = peak(100);
    assert.equal(cr.largestBatch(step, budget).batch, 100);
    assert.equal(cr.largestBatch(step, budget - 1).batch, 99);
  });

  test("0 when nothing fits; maxBatch caps the search", () => {
    assert.equal(cr.largestBatch(step, 1000).batch, 0);
    assert.equal(cr.largestBatch(step, 1e12, { maxBatch: 300 }).batch, 300);
    assert.throws(() => cr.largestBatch(step, -1), /largestBatch: the budget/);
  });
});
