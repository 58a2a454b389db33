// Bundled MNIST, the fixed split, the CSV loader and the DataLoader (batches, seeded shuffle, no leaks).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

describe("bundled MNIST", () => {
  const all = cr.data.loadMnistAll();
  test("holds the 10,000 real digits of the mnist package as bytes", () => {
    assert.equal(all.count, 10000);
    assert.equal(all.features, 784);
    assert.equal(all.x.length, 10000 * 784);
    const perClass = Array.from({ length: 10 }, (_, c) => all.y.filter((y) => y === c).length);
    assert.deepEqual(perClass, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    assert.ok(all.x instanceof Uint8Array && Math.max(...all.x.subarray(0, 784 * 20)) === 255);
  });
  test("the split is fixed: 8,000 / 2,000, disjoint, same every run", () => {
    const a = cr.data.loadMnist();
    const b = cr.data.loadMnist();
    assert.equal(a.train.count, 8000);
    assert.equal(a.test.count, 2000);
    const digest = (x: Uint8Array | Float32Array) => createHash("sha256").update(x).digest("hex");
    assert.equal(digest(a.test.x), digest(b.test.x));
    const rows = new Set<string>();
    for (let i = 0; i < a.train.count; i++) rows.add(digest(a.train.x.subarray(i * 784, (i + 1) * 784)));
    let shared = 0;
    for (let i = 0; i < a.test.count; i++)
      if (rows.has(digest(a.test.x.subarray(i * 784, (i + 1) * 784)))) shared++;
    assert.ok(shared < 5, `${shared} test images also appear in training`);
  });
});

describe("CSV loader", () => {
  test("reads features and an integer label column, with or without a header", () => {
    const ds = cr.data.parseCsv("a,b,label\n1,2,0\n3.5,-4,2\n");
    assert.equal(ds.count, 2);
    assert.equal(ds.features, 2);
    assert.deepEqual([...ds.x], [1, 2, 3.5, -4]);
    assert.deepEqual([...ds.y], [0, 2]);
    assert.equal(ds.classes, 3);
    const first = cr.data.parseCsv("1,5,6\n0,7,8\n", { label: 0 });
    assert.deepEqual([...first.y], [1, 0]);
    assert.deepEqual([...first.x], [5, 6, 7, 8]);
  });
  test("bad cells are named by line and column", () => {
    assert.throws(() => cr.data.parseCsv("1,2,0\n1,x,1\n"), /line 2, column 2: "x" is not a number/);
    assert.throws(() => cr.data.parseCsv("1,2,0\n1,2\n"), /line 2 has 2 cells, expected 3/);
    assert.throws(() => cr.data.parseCsv("1,2,0.5\n"), /label "0.5" must be an integer/);
  });
});

describe("DataLoader", () => {
  const ds = cr.data.parseCsv(Array.from({ length: 10 }, (_, i) => `${i},${i * 2},${i % 3}`).join("\n"));
  test("batches cover the data once per epoch; drop-last drops the short batch", () => {
    const loader = new cr.data.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 });
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const { x, y } of loader) {
      sizes.push(x.shape[0]);
      assert.equal(y.dtype, "int32");
      seen.push(...Array.from(x.dataSync()).filter((_, k) => k % 2 === 0));
    }
    assert.deepEqual(sizes, [4, 4, 2]);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const dropped = new cr.data.DataLoader(ds, { batchSize: 4, dropLast: true });
    assert.equal([...dropped].length, 2);
    assert.equal(dropped.length, 2);
  });
  test("the shuffle depends only on the seed and the epoch", () => {
    const a = new cr.data.DataLoader(ds, { batchSize: 10, seed: 7 });
    const b = new cr.data.DataLoader(ds, { batchSize: 10, seed: 7 });
    assert.deepEqual([...a.order(0)], [...b.order(0)]);
    assert.notDeepEqual([...a.order(0)], [...a.order(1)]);
    b.epoch = 1;
    const first = [...b][0].x.isDisposed;
    assert.equal(first, true, "a batch is freed when the loop moves on");
  });
  test("a full pass, with break, leaves no tensor alive", () => {
    const before = cr.memory();
    const loader = new cr.data.DataLoader(ds, { batchSize: 3 });
    for (const _ of loader) {
      /* consume */
    }
    for (const _ of loader) break;
    const after = cr.memory();
    assert.equal(after.tensors, before.tensors);
    assert.equal(after.bytes, before.bytes);
  });
});
