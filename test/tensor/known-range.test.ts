// A DataLoader's labels carry their range from the host, so crossEntropy and gather check them without a read
// back from the backend; an in-place write forgets that range, so out-of-range labels are still caught.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { countReads } from "../train/fit-reads.js";

const data: cr.data.Dataset = {
  name: "tiny",
  count: 6,
  features: 2,
  classes: 3,
  x: Float32Array.from({ length: 12 }, (_, i) => i / 12),
  scale: 1,
  y: Int32Array.of(0, 1, 2, 2, 1, 0),
};

function firstBatch(): cr.data.Batch {
  const loader = new cr.data.DataLoader(data, { batchSize: 6, shuffle: false });
  return loader.batch(loader.order(0));
}

test("crossEntropy on a DataLoader's labels reads nothing back, forward and backward", async () => {
  const { x, y } = firstBatch();
  const w = cr.randn([3, 2], { seed: 1 }).requiresGrad_();
  const { reads } = await countReads(async () =>
    cr.tidy(() => cr.nn.crossEntropy(x.matmul(w, { transposeB: true }), y).backward()),
  );
  assert.equal(reads, 0);
  for (const t of [x, y, w, w.grad]) t?.dispose();
});

test("labels written in place lose their known range, so an out-of-range label is still refused", () => {
  const { x, y } = firstBatch();
  y.assign(cr.tensor([0, 1, 2, 7, 1, 0], { dtype: "int32" }));
  const logits = cr.zeros([6, 3]);
  assert.throws(() => cr.nn.crossEntropy(logits, y), /crossEntropy: label 7 \(example 3\) is out of range/);
  const view = y.reshape([6, 1]);
  assert.throws(() => cr.gather(logits, view, 1), /gather: index value 7 is out of range/);
  for (const t of [x, y, logits, view]) t.dispose();
});

test("labels made any other way are read and checked", () => {
  const labels = cr.tensor([0, 5], { dtype: "int32" });
  assert.throws(() => cr.nn.crossEntropy(cr.zeros([2, 3]), labels), /label 5 \(example 1\) is out of range/);
});
