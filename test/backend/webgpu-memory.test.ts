// Memory on the webgpu backend: the ledger counts GPU tensors' bytes by tag and gives them back on dispose,
// memory().devices keeps them apart from the host's, tidy frees what a step made, the leak report names a GPU
// tensor left alive, and a training loop run on the GPU leaves live tensors and bytes unchanged. Skips only where no adapter exists.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertTrainLoopHoldsMemory } from "../memory/train-loop.js";

const available = await cr.initWebGPU();
const skip = available ? false : `no WebGPU adapter here: ${cr.webgpuStatus().reason}`;
const START = cr.getBackend().name;

describe("memory on the webgpu backend", { skip }, () => {
  before(() => cr.setBackend("webgpu"));
  after(() => cr.setBackend(START));

  test("the ledger counts a GPU tensor's bytes under its tag, and dispose gives them back", () => {
    const before = cr.memory();
    const w = cr.zeros([64, 32]).tagAs("parameter");
    const x = cr.ones([16, 64], { dtype: "int32" }).tagAs("data");
    const during = cr.memory();
    assert.equal(during.tensors, before.tensors + 2);
    assert.equal(during.byCategory.parameter.bytes - before.byCategory.parameter.bytes, 64 * 32 * 4);
    assert.equal(during.byCategory.data.bytes - before.byCategory.data.bytes, 16 * 64 * 4);
    w.dispose();
    x.dispose();
    const afterDispose = cr.memory();
    assert.equal(afterDispose.tensors, before.tensors);
    assert.equal(afterDispose.bytes, before.bytes);
  });

  test("memory().devices counts a GPU tensor under webgpu with its tag; the host's figures do not move", () => {
    cr.setBackend(START);
    const onHost = cr.ones([9], { tag: "optimizer" });
    cr.setBackend("webgpu");
    const host = cr.memory().devices[START];
    const gpuBefore = cr.memory().devices.webgpu?.byCategory.optimizer.bytes ?? 0;
    const state = cr.zeros([48, 16]).tagAs("optimizer");
    const during = cr.memory().devices;
    assert.equal(during.webgpu.byCategory.optimizer.bytes - gpuBefore, 48 * 16 * 4);
    assert.equal(during.webgpu.byCategory.optimizer.tensors, 1);
    assert.deepEqual(
      {
        bytes: during[START].bytes,
        tensors: during[START].tensors,
        optimizer: during[START].byCategory.optimizer,
      },
      { bytes: host.bytes, tensors: host.tensors, optimizer: host.byCategory.optimizer },
    );
    state.dispose();
    const afterDispose = cr.memory().devices;
    assert.equal(afterDispose.webgpu.byCategory.optimizer.bytes, gpuBefore);
    assert.equal(afterDispose.webgpu.byCategory.optimizer.peakBytes, gpuBefore + 48 * 16 * 4);
    assert.equal(afterDispose[START].bytes, host.bytes);
    onHost.dispose();
  });

  test("tidy frees every GPU intermediate of a forward and backward pass", () => {
    const w = cr.randn([8, 5], { seed: 1 }).requiresGrad_();
    const before = cr.memory();
    const loss = cr.tidy(() => {
      const x = cr.randn([4, 5], { seed: 2 });
      const J = x.matmul(w, { transposeB: true }).relu().sumSquares();
      J.backward();
      return J.item();
    });
    assert.ok(Number.isFinite(loss));
    const gradBytes = 8 * 5 * 4;
    const now = cr.memory();
    assert.equal(now.tensors, before.tensors + 1, "only w.grad is new");
    assert.equal(now.bytes - before.bytes, gradBytes);
    assert.equal(now.byCategory.saved.bytes, 0);
    w.grad?.dispose();
    w.grad = null;
    w.dispose();
  });

  test("the leak report names a GPU tensor left alive, and not one disposed", () => {
    const wasTracking = cr.trackLeaks(true);
    try {
      const kept = cr.tidy(() => cr.randn([3, 7], { seed: 3 }).mul(2)); // tidy frees the randn, returns the product
      cr.randn([2, 2], { seed: 4 }).dispose();
      const report = cr.leakReport();
      const shapes = report.tensors.map((t) => t.shape.join("x"));
      assert.ok(shapes.includes("3x7"), `report lists ${shapes.join(", ")}`);
      assert.ok(!shapes.includes("2x2"));
      kept.dispose();
      assert.ok(!cr.leakReport().tensors.some((t) => t.shape.join("x") === "3x7"));
    } finally {
      cr.trackLeaks(wasTracking);
    }
  });

  test("1,000 training steps on the GPU: live tensors and bytes at step 1,000 equal those at step 20", () => {
    assertTrainLoopHoldsMemory(1000, 20);
  });
});
