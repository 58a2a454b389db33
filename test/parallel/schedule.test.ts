// The pieces of the strategies that need no device: stages cut by training memory, batches cut into row ranges,
// the idle share of a schedule, GPipe's bubble formula, and the schedule chart.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { bubbleFormula, idleShare } from "../../src/parallel/measure.js";
import { splitStages } from "../../src/parallel/split.js";
import { rowRanges } from "../../src/parallel/trainer.js";
import { scheduleChart } from "../../src/plot/schedule-chart.js";
import { chapterMlp } from "../../src/train/mlp.js";

describe("pipeline stages", () => {
  test("cover every layer once, in order, each starting at a Linear, sharing the model's parameters", () => {
    const net = chapterMlp({ layers: 8, hidden: 64 });
    for (const k of [1, 2, 3, 9]) {
      const stages = splitStages(net, k, 32);
      assert.equal(stages.length, k);
      assert.equal(stages[0].start, 0);
      assert.equal(stages.at(-1)!.end, net.layers.length);
      stages.forEach((s, i) => {
        if (i > 0) assert.equal(s.start, stages[i - 1].end);
        assert.ok(s.module.layers[0] instanceof cr.nn.Linear);
      });
      const params = stages.flatMap((s) => s.module.parameters());
      assert.deepEqual(params, net.parameters());
    }
  });

  test("balance training memory: the 784-wide first layer gets fewer layers with it", () => {
    const net = chapterMlp({ layers: 8, hidden: 256 });
    const [first, second] = splitStages(net, 2, 256);
    assert.ok(first.module.parameterCount() < net.parameterCount() * 0.6);
    assert.ok(second.module.parameterCount() < net.parameterCount() * 0.6);
    assert.throws(
      () => splitStages(net, 10, 256),
      /splitStages: k must be an integer from 1 to the 9 Linear layers, got 10/,
    );
  });
});

describe("schedules", () => {
  test("row ranges: the first n % k one longer, covering every row", () => {
    assert.deepEqual(rowRanges(26, 4), [
      [0, 7],
      [7, 14],
      [14, 20],
      [20, 26],
    ]);
    assert.deepEqual(rowRanges(4, 4), [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });

  test("idle share: busy time against k times the span; GPipe's formula", () => {
    // Two devices over 10 ms: one busy 0-10, the other 2-6: idle 6 of 20.
    const busy = [[{ label: "F0", start: 100, end: 110 }], [{ label: "F0", start: 102, end: 106 }]];
    assert.ok(Math.abs(idleShare(busy) - 6 / 20) < 1e-12);
    assert.equal(idleShare([[{ label: "x", start: 0, end: 5 }]]), 0);
    // An ideal GPipe schedule, k = 2, m = 4, unit-time work: stage s runs F_i at s + i and B_(3−i) at 5 + (1 − s) + i.
    const ideal = [0, 1].map((s) => [
      ...[0, 1, 2, 3].map((i) => ({ label: `F${i}`, start: s + i, end: s + i + 1 })),
      ...[0, 1, 2, 3].map((i) => ({ label: `B${3 - i}`, start: 6 - s + i, end: 7 - s + i })),
    ]);
    assert.equal(bubbleFormula(2, 4), 1 / 5);
    assert.ok(Math.abs(idleShare(ideal) - bubbleFormula(2, 4)) < 1e-12);
  });

  test("the schedule chart draws one row per device and one bar per piece of work", () => {
    const svg = scheduleChart(
      [
        {
          label: "pipeline · device 0",
          bars: [
            { label: "F0", start: 0, end: 1 },
            { label: "B0", start: 3, end: 4 },
          ],
        },
        {
          label: "pipeline · device 1",
          bars: [
            { label: "F0", start: 1, end: 2 },
            { label: "B0", start: 2, end: 3 },
          ],
        },
      ],
      { title: "t <1>", xLabel: "ms" },
    );
    assert.equal(svg.match(/<title>/g)?.length, 4);
    assert.ok(svg.includes("pipeline · device 1") && svg.includes("t &#60;1&#62;"));
  });
});
