// `chainrule memory`: the table of peak memory by tag (dry runs), the plot files, --budget, and usage errors.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { memoryTable } from "../../src/cli/memory.js";
import * as cr from "../../src/index.js";
import { memoryChart } from "../../src/plot/memory-chart.js";
import { cliSandbox } from "../cli-sandbox.js";

const sandbox = cliSandbox("memory");
const work = sandbox.work;
const run = (...args: string[]) => sandbox.run("memory", ...args);

describe("chainrule memory", () => {
  test("prints training and prediction by tag, the largest batch, and writes the plot", () => {
    const r = run("--batch", "8,4", "--layers", "1,2", "--hidden", "16", "--budget", "1", "--out", "plots");
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split("\n");
    const header = lines.find((l) => l.startsWith("layers"));
    assert.ok(header);
    assert.deepEqual(header.split(/\s+/), [
      "layers",
      "batch",
      "step",
      "parameter",
      "gradient",
      "saved",
      "optimizer",
      "data",
      "temporary",
      "total",
    ]);
    const rows = lines.filter((l) => /^\d+\s+\d+\s+(training|prediction)/.test(l));
    assert.equal(rows.length, 2 * 2 * 2);
    // Sorted batches; prediction saves nothing and keeps no gradients.
    assert.match(rows[0], /^1\s+4\s+training/);
    for (const row of rows.filter((l) => l.includes("prediction"))) {
      const cells = row.split(/\s+/);
      assert.equal(cells[4], "0.00");
      assert.equal(cells[5], "0.00");
    }
    // The real step on this backend (L=1, batch 4) has the dry run's peaks, tag by tag, under its device.
    const device = cr.getBackend().name;
    const measured = lines.find((l) => l.startsWith(`${device} `));
    assert.ok(measured, r.out);
    const dry = rows[0].split(/\s+/).slice(3);
    assert.deepEqual(measured.split(/\s+/).slice(3), dry.slice(0, -1));
    assert.equal(measured.split(/\s+/)[2], dry[dry.length - 1]);
    assert.match(r.out, /Largest batch within 1 MB/);
    assert.match(r.out, /L=1: training \d+ \([\d.]+ MB\), prediction \d+/);
    const svg = readFileSync(join(work, "plots", "memory.svg"), "utf8");
    assert.match(svg, /stroke-dasharray/);
    assert.match(svg, /L=2 predict/);
    const png = PNG.sync.read(readFileSync(join(work, "plots", "memory.png")));
    assert.ok(png.width > 500 && png.height > 300);
  });

  test("--help lists the flags with their defaults; bad flags exit 2", () => {
    const help = run("--help");
    assert.equal(help.code, 0);
    for (const flag of ["--batch", "--layers", "--budget", "--out", "16,64,256,1024", "1,2,4,8"]) {
      assert.ok(help.out.includes(flag), flag);
    }
    const bad = run("--batch", "8,x", "--out", "bad");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--batch must be a comma-separated list of integers >= 1, got "8,x"/);
    const budget = run("--budget", "lots", "--out", "bad");
    assert.equal(budget.code, 2);
    assert.match(budget.err, /--budget must be a number of megabytes > 0/);
    assert.equal(existsSync(join(work, "bad")), false);
  });

  test("the table's saved column is the formula 4n(Lh + q) + 16 in MB", () => {
    const m = cr.chapterMemory({ batch: 1024, layers: 8 });
    const table = memoryTable([{ layers: 8, batch: 1024, ...m }]);
    const training = table.split("\n")[2].split(/\s+/);
    assert.equal(training[5], ((4 * 1024 * (8 * 256 + 10) + 16) / 2 ** 20).toFixed(2));
    assert.match(memoryChart([{ layers: 8, batch: 1024, ...m }], 256), /L=8 train/);
  });
});
