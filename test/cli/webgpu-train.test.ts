// `chainrule train --backend webgpu --epochs 2` on the bundled MNIST digits reaches ≥ 90% test accuracy, and
// the same figures as the wasm backend (the same seeded run: float32 on both). Skips only without an adapter.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { cliSandbox } from "../cli-sandbox.js";

const available = await cr.initWebGPU();
const skip = available ? false : `no WebGPU adapter here: ${cr.webgpuStatus().reason}`;
const { work, run } = cliSandbox("webgpu-train");

interface Metrics {
  epochs: { testAccuracy: number; loss: number }[];
}

function trained(backend: string): Metrics {
  const r = run("train", "--backend", backend, "--epochs", "2", "--quiet", "--out", backend);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(readFileSync(join(work, backend, "metrics.json"), "utf8")) as Metrics;
}

test("train --backend webgpu --epochs 2 reaches 90% and matches the wasm backend", {
  skip,
  timeout: 300_000,
}, () => {
  const gpu = trained("webgpu");
  const cpu = trained("wasm");
  const last = gpu.epochs[gpu.epochs.length - 1];
  console.log(`# webgpu: test accuracy ${(last.testAccuracy * 100).toFixed(2)}% after 2 epochs`);
  assert.ok(last.testAccuracy >= 0.9, `test accuracy ${last.testAccuracy}`);
  gpu.epochs.forEach((e, i) => {
    assert.ok(Math.abs(e.testAccuracy - cpu.epochs[i].testAccuracy) <= 0.005, `epoch ${i + 1} accuracy`);
    assert.ok(Math.abs(e.loss - cpu.epochs[i].loss) <= 1e-3 * cpu.epochs[i].loss, `epoch ${i + 1} loss`);
  });
});
