// The chainrule command end to end: flags and exit codes, a short training run and its files, resume,
// eval and predict on a saved model.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { makeProgress } from "../../src/cli/progress.js";
import * as cr from "../../src/index.js";
import { cliSandbox } from "../cli-sandbox.js";

const { work, run } = cliSandbox("cli");

const small = ["--hidden", "16", "--quiet"];

describe("flags", () => {
  test("--help lists every flag with its default", () => {
    const r = run("train", "--help");
    assert.equal(r.code, 0);
    for (const flag of [
      "--dataset",
      "--hidden",
      "--layers",
      "--bias",
      "--activation",
      "--optimizer",
      "--lr",
      "--batch",
    ]) {
      assert.match(r.out, new RegExp(flag));
    }
    assert.match(r.out, /--weight-decay X\s+λ.*\(default: 0.0001\)/);
    assert.match(r.out, /--epochs N\s+.*\(default: 10\)/);
  });
  for (const [args, message] of [
    [["--epochs", "0"], /--epochs must be an integer >= 1, got "0"/],
    [["--lr=-1"], /--lr must be a number > 0, got "-1"/],
    [["--activation", "swish"], /--activation must be one of relu, sigmoid, tanh, gelu/],
    [["--dataset", "cifar"], /--dataset must be mnist, fashion-mnist or csv:PATH/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["--backend", "gpu"], /--backend must be wasm, js or webgpu, got "gpu"/],
    [["--threads", "0"], /--threads must be an integer from 1 to 64, got "0"/],
  ] as const) {
    test(`bad input ${args.join(" ")} exits 2 and says what is wrong`, () => {
      const r = run("train", ...args);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
    });
  }
  test("an unknown command exits 2", () => {
    assert.equal(run("fly").code, 2);
  });
});

describe("train, resume, eval, predict", () => {
  test("a short run writes the model, metrics and both plots", () => {
    const out = join(work, "a");
    const r = run("train", "--epochs", "2", ...small, "--out", out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /test accuracy \d+\.\d+% after 2 epochs/);
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    assert.equal(metrics.epochs.length, 2);
    for (const m of metrics.epochs) {
      for (const key of ["loss", "trainAccuracy", "testAccuracy", "seconds"])
        assert.equal(typeof m[key], "number");
    }
    assert.ok(metrics.epochs[1].testAccuracy > 0.8, `accuracy ${metrics.epochs[1].testAccuracy}`);
    const png = readFileSync(join(out, "training.png"));
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.match(readFileSync(join(out, "training.svg"), "utf8"), /<svg[^>]*>[\s\S]*test accuracy/);
    assert.ok(existsSync(join(out, "model.safetensors")));
  });

  test("--resume ends with the same weights as an uninterrupted run", () => {
    const full = join(work, "full");
    const split = join(work, "split");
    assert.equal(run("train", "--epochs", "3", ...small, "--out", full).code, 0);
    assert.equal(run("train", "--epochs", "1", ...small, "--out", split).code, 0);
    const resumed = run(
      "train",
      "--epochs",
      "3",
      ...small,
      "--out",
      split,
      "--resume",
      join(split, "checkpoint.safetensors"),
    );
    assert.equal(resumed.code, 0, resumed.err);
    const a = cr.loadTensors(join(full, "model.safetensors")).tensors;
    const b = cr.loadTensors(join(split, "model.safetensors")).tensors;
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
    for (const key of Object.keys(a)) assert.deepEqual(b[key].dataSync(), a[key].dataSync(), key);
    const metrics = JSON.parse(readFileSync(join(split, "metrics.json"), "utf8"));
    assert.deepEqual(
      metrics.epochs.map((m: { epoch: number }) => m.epoch),
      [1, 2, 3],
    );
  });

  /** Continues the split run's checkpoint with other settings, into its own folder. */
  const resumeSplitWith = (out: string, ...flags: string[]) =>
    run(
      "train",
      "--epochs",
      "3",
      ...flags,
      "--out",
      join(work, out),
      "--resume",
      join(work, "split", "checkpoint.safetensors"),
    );

  test("resuming with a different model is refused", () => {
    const r = resumeSplitWith("x", "--hidden", "32", "--quiet");
    assert.equal(r.code, 2);
    assert.match(r.err, /--hidden 16, not 32/);
  });

  test("resuming with another learning rate is refused, not overridden by the saved one", () => {
    const r = resumeSplitWith("y", ...small, "--lr", "0.05");
    assert.equal(r.code, 2);
    assert.match(r.err, /--lr 0\.3, not 0\.05/);
  });

  test("eval and predict answer from the saved model", () => {
    const model = join(work, "a", "model.safetensors");
    const e = run("eval", "--model", model);
    assert.equal(e.code, 0, e.err);
    assert.match(e.out, /mnist-test: accuracy \d+\.\d+% \(\d+\/2000\)/);
    const { test: testSet } = cr.data.loadMnist();
    const png = new PNG({ width: 28, height: 28 });
    const labelled = Array.from({ length: 10 }, (_, i) => i);
    let right = 0;
    for (const i of labelled) {
      for (let p = 0; p < 784; p++) {
        const v = testSet.x[i * 784 + p];
        png.data.set([v, v, v, 255], p * 4);
      }
      const file = join(work, `digit${i}.png`);
      writeFileSync(file, PNG.sync.write(png));
      const r = run("predict", "--model", model, "--input", file);
      assert.equal(r.code, 0, r.err);
      if (r.out.includes(`prediction: ${testSet.y[i]}`)) right++;
    }
    assert.ok(right >= 7, `${right}/10 digits right`);
    const csv = join(work, "row.csv");
    writeFileSync(csv, `${Array.from(testSet.x.subarray(0, 784), (v) => v / 255).join(",")}\n`);
    const r = run("predict", "--model", model, "--input", csv);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /prediction: \d\n(\s+class \d: \d+\.\d+%\n){3}/);
    assert.equal(run("predict", "--model", model).code, 2);
  });
});

describe("progress", () => {
  test("a terminal gets a live bar; a pipe gets one line per epoch", () => {
    const writes: string[] = [];
    const fake = (isTTY: boolean) =>
      ({ isTTY, write: (s: string) => writes.push(s) }) as unknown as NodeJS.WriteStream;
    const tty = makeProgress(fake(true), false);
    tty.batch({ epoch: 1, batch: 5, batches: 10, loss: 0.5, examplesPerSecond: 1234 });
    assert.match(writes[0], /\r.*epoch 1 █+░+ 5\/10 {2}loss 0\.5000 {2}1234 ex\/s/);
    writes.length = 0;
    const pipe = makeProgress(fake(false), false);
    pipe.batch({ epoch: 1, batch: 5, batches: 10, loss: 0.5, examplesPerSecond: 1234 });
    assert.equal(writes.length, 0);
    pipe.epoch(
      { epoch: 1, loss: 0.25, trainAccuracy: 0.9, testAccuracy: 0.91, testLoss: 0.3, seconds: 2 },
      10,
    );
    assert.match(writes[0], /^epoch {2}1\/10 {2}loss 0\.2500 {2}train acc 90\.00% {2}test acc 91\.00%/);
  });
});
