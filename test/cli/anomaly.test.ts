// chainrule train --detect-anomaly: a learning rate that makes training blow up stops at the first
// non-finite value with exit code 1, naming the op, the epoch and the batch; the last checkpoint stays good.
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { cliSandbox } from "../cli-sandbox.js";

const { work, run } = cliSandbox("anomaly");

// 120 rows of 4 features in 3 classes: 96 to train (6 batches of 16), 24 to test.
const csv = join(work, "blobs.csv");
let seed = 1;
const uniform = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
writeFileSync(
  csv,
  Array.from({ length: 120 }, (_, i) => {
    const features = Array.from({ length: 4 }, () => (i % 3) + uniform() - 0.5);
    return `${features.map((v) => v.toFixed(3)).join(",")},${i % 3}\n`;
  }).join(""),
);
// λ = 1 and lr = 9: each step multiplies the weights by 1 − lr·λ = −8, so they overflow within a few epochs.
const exploding = ["--dataset", `csv:${csv}`, "--hidden", "8", "--batch", "16", "--epochs", "10"];
const blowUp = [...exploding, "--lr", "9", "--weight-decay", "1", "--quiet"];

describe("chainrule train --detect-anomaly", () => {
  test("--help documents the flag", () => {
    const r = run("train", "--help");
    assert.equal(r.code, 0);
    assert.match(r.out, /--detect-anomaly\s+check every op, gradient and update for NaN\/±inf/);
  });

  test("an exploding learning rate stops at the op, with the epoch and batch; the last checkpoint loads", () => {
    const out = join(work, "anomaly");
    const r = run("train", ...blowUp, "--detect-anomaly", "--out", out);
    assert.equal(r.code, 1, r.err);
    const found = /chainrule train: epoch (\d+), batch (\d+): anomaly: (forward op|backward of) (\w+)/.exec(
      r.err,
    );
    assert.ok(found, r.err);
    const epoch = Number(found[1]);
    assert.ok(epoch >= 2, `fails in epoch ${epoch}: the test needs a finished epoch before it`);
    assert.match(r.err, /produced (-?Infinity|NaN) \(\d+ of \d+ elements, first at \[[\d,]*\]\)/);
    assert.match(r.err, /called at:\n\s+at /);
    assert.ok(!existsSync(join(out, "model.safetensors")), "no model is written for a failed run");
    const checkpoint = join(out, "checkpoint.safetensors");
    const { tensors, metadata } = cr.loadTensors(checkpoint);
    assert.equal(
      JSON.parse(metadata.metrics).length,
      epoch - 1,
      "the checkpoint is the last finished epoch's",
    );
    for (const [name, t] of Object.entries(tensors)) {
      assert.ok(
        t.dataSync().every((v) => Number.isFinite(v)),
        `${name} in the kept checkpoint is finite`,
      );
    }
  });

  test("without the flag the same run fails too, on the objective, naming no op", () => {
    const r = run("train", ...blowUp, "--out", join(work, "plain"));
    assert.equal(r.code, 1);
    assert.match(r.err, /the objective became (-?Infinity|NaN) in epoch \d+, batch \d+/);
    assert.doesNotMatch(r.err, /anomaly/);
  });
});
