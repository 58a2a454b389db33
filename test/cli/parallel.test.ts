// `chainrule parallel`: the table per strategy and device, the schedule plot, and usage errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { cliSandbox } from "../cli-sandbox.js";

const sandbox = cliSandbox("parallel");
const work = sandbox.work;
const run = (...args: string[]) => sandbox.run("parallel", ...args);

describe("chainrule parallel", () => {
  test("prints every strategy's devices with memory, bytes, idle share and speed, and writes the plot", () => {
    const r = run(
      "--devices",
      "2",
      "--layers",
      "3",
      "--hidden",
      "32",
      "--batch",
      "32",
      "--micro-batches",
      "4",
      "--steps",
      "1",
      "--out",
      "plots",
    );
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split("\n");
    const header = lines.find((l) => l.startsWith("strategy"))!;
    assert.ok(
      header.includes("moved/step") && header.includes("(K−1)/(M+K−1)") && header.includes("examples/s"),
    );
    const rows = lines
      .filter((l) => /^(single|microbatch|pipeline|data)\s/.test(l))
      .map((l) => l.split(/\s+/));
    assert.deepEqual(
      rows.map((c) => c[0]),
      ["single", "microbatch", "pipeline", "data"],
    );
    const pipeline = rows[2];
    assert.deepEqual(pipeline.slice(1, 4), ["2", "4", "0"]);
    // 32 rows × 32 float32 forward and back across the cut: 8192 bytes = 0.01 MB; from the host 32 × (784 + 1) × 4
    // bytes = 0.10 MB; the bubble formula 1/5.
    assert.equal(pipeline[12], "0.01");
    assert.equal(pipeline[13], "0.10");
    assert.equal(pipeline[15], "20.0%");
    // The second device of the pipeline and of data parallelism has a line of its own.
    assert.equal(lines.filter((l) => /^\s+1\s/.test(l)).length, 2);
    const png = PNG.sync.read(readFileSync(join(work, "plots", "parallel.png")));
    assert.ok(png.width > 500);
    const svg = readFileSync(join(work, "plots", "parallel.svg"), "utf8");
    assert.ok(svg.includes("pipeline · device 1") && svg.includes(">F0<"));
  });

  test("bad flags exit 2 and say which", () => {
    const bad = run("--strategy", "tensor");
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      /--strategy must be pipeline, data, microbatch or a comma-separated list, got "tensor"/,
    );
    const many = run("--devices", "5", "--layers", "2");
    assert.equal(many.code, 2);
    assert.match(many.err, /--devices 5 is more than the 3 Linear layers to split/);
    assert.equal(run("--micro-batches", "0").code, 2);
  });
});
