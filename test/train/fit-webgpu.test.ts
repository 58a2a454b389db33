// fit on the webgpu backend: the steps are queued, not waited for; the backend is read once per progress tick
// and once per epoch's evaluation, not once per step, and the figures are those of the wasm run to float32
// rounding. Skips only where no adapter exists.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { countReads, SMALL, SMALL_CONFIG } from "./fit-reads.js";

const available = await cr.initWebGPU();
const skip = available ? false : `no WebGPU adapter here: ${cr.webgpuStatus().reason}`;
const START = cr.getBackend().name;
const STEPS = SMALL_CONFIG.epochs * Math.ceil(SMALL.train.count / SMALL_CONFIG.batch);

describe("fit on the webgpu backend", { skip }, () => {
  before(() => cr.setBackend("webgpu"));
  after(() => cr.setBackend(START));

  test("reads the GPU once per progress tick and once per evaluation, not once per step", async () => {
    let ticks = 0;
    const { result, reads } = await countReads(() =>
      cr.fit(SMALL_CONFIG, SMALL, { readEvery: 5, onBatch: () => ticks++ }),
    );
    assert.equal(result.model.parameters()[0].storage.backend.name, "webgpu");
    result.model.dispose();
    const bound = ticks + SMALL_CONFIG.epochs + 2;
    assert.ok(bound < STEPS);
    assert.ok(reads <= bound, `${reads} reads for ${STEPS} steps and ${ticks} ticks`);

    cr.setBackend(START);
    const cpu = await cr.fit(SMALL_CONFIG, SMALL, { readEvery: 5 });
    cr.setBackend("webgpu");
    cpu.model.dispose();
    result.metrics.forEach((m, i) => {
      const c = cpu.metrics[i];
      assert.ok(Math.abs(m.loss - c.loss) <= 1e-4 * c.loss, `epoch ${i + 1} loss ${m.loss} vs ${c.loss}`);
      assert.ok(Math.abs(m.trainAccuracy - c.trainAccuracy) <= 0.01, `epoch ${i + 1} train accuracy`);
      assert.ok(Math.abs(m.testAccuracy - c.testAccuracy) <= 0.01, `epoch ${i + 1} test accuracy`);
    });
  });
});
