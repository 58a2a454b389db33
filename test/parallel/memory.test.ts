// The ledgers of devices under each strategy: an 8-layer MLP in a 2-stage pipeline needs at most 60% of one
// device's peak per device; the bytes moved per step are exactly the activations and gradients crossing the cut
// (pipeline) or the gradients crossing shared memory (data parallel).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadMnist } from "../../src/data/mnist.js";
import { compareStrategies } from "../../src/parallel/compare.js";

const B = 128;
const H = 256;
const k = 2;
const m = 4;

describe("memory and bytes moved per device", async () => {
  const results = await compareStrategies(
    {
      strategies: ["single", "pipeline", "data", "microbatch"],
      devices: k,
      microBatches: m,
      layers: 8,
      hidden: H,
      batch: B,
      steps: 2,
      threads: 1,
      lr: 0.1,
      lambda: 1e-4,
    },
    loadMnist().train,
  );
  const of = (s: string) => results.find((r) => r.strategy === s)!;
  const single = of("single").figures.devices[0].peakBytes;
  const parameters = 784 * H + 7 * H * H + H * 10;

  test("pipeline over 2 devices: each device's peak is at most 60% of the single device's", () => {
    const pipeline = of("pipeline").figures.devices;
    assert.equal(pipeline.length, 2);
    for (const d of pipeline)
      assert.ok(d.peakBytes <= 0.6 * single, `device ${d.device}: ${d.peakBytes} of ${single}`);
    // The weights are split between the stages, not copied.
    const weights = pipeline.reduce((t, d) => t + d.peakByTag.parameter, 0);
    assert.equal(weights, of("single").figures.devices[0].peakByTag.parameter);
    assert.equal(weights, parameters * 4);
  });

  test("bytes moved per step: activations forward and gradients back across the cut; all-reduced gradients", () => {
    // Every row crosses the cut once forward and once backward, H float32s each way.
    assert.equal(of("pipeline").figures.bytesBetweenDevices, 2 * B * H * 4);
    // Each replica reads the k − 1 other replicas' gradients.
    assert.equal(of("data").figures.bytesBetweenDevices, k * (k - 1) * parameters * 4);
    assert.equal(of("single").figures.bytesBetweenDevices, 0);
    // The batch (784 float32 features and an int32 label per row) comes from the host once per step.
    for (const r of results) assert.equal(r.figures.bytesFromHost, B * (784 * 4 + 4), r.strategy);
  });

  test("data parallel holds half the activations per device; micro-batches hold a quarter of the saved ones", () => {
    const saved = of("single").figures.devices[0].peakByTag.saved;
    for (const d of of("data").figures.devices) assert.ok(d.peakByTag.saved <= 0.55 * saved);
    assert.ok(of("microbatch").figures.devices[0].peakByTag.saved <= 0.3 * saved);
  });

  test("the bubble: measured idle share and GPipe's (k − 1)/(m + k − 1)", () => {
    const pipeline = of("pipeline");
    assert.equal(pipeline.bubbleFormula, 1 / 5);
    assert.ok(pipeline.figures.idleFraction > 0 && pipeline.figures.idleFraction < 1);
    assert.ok(pipeline.figures.examplesPerSecond > 0);
    for (const d of pipeline.figures.schedule)
      assert.ok(d.some((b) => b.label === "F0") && d.some((b) => b.label === "B0"));
  });
});
