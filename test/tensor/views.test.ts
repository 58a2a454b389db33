// Views: reshape, transpose, expand, squeeze/unsqueeze, detach and slices share their input's buffer (the
// ledger counts it once, nothing is allocated); the buffer lives while any tensor reads it; an in-place write
// gives the written tensor a buffer of its own first, so views behave as the copies they replace.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

const live = () => ({ tensors: cr.memory().tensors, bytes: cr.memory().bytes });

/** x = [[0, 1, 2], [3, 4, 5]] in float32. */
const matrix = () => cr.tensor([0, 1, 2, 3, 4, 5], { shape: [2, 3] });

describe("views share their input's buffer", () => {
  const views: [string, (x: cr.Tensor) => cr.Tensor, unknown][] = [
    [
      "reshape",
      (x) => x.reshape([3, 2]),
      [
        [0, 1],
        [2, 3],
        [4, 5],
      ],
    ],
    [
      "transpose",
      (x) => x.transpose(),
      [
        [0, 3],
        [1, 4],
        [2, 5],
      ],
    ],
    [
      "expand",
      (x) => x.reshape([2, 1, 3]).expand([2, 2, 3]),
      [
        [
          [0, 1, 2],
          [0, 1, 2],
        ],
        [
          [3, 4, 5],
          [3, 4, 5],
        ],
      ],
    ],
    [
      "squeeze",
      (x) => x.unsqueeze(0).squeeze(0),
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    ],
    ["unsqueeze", (x) => x.unsqueeze(1), [[[0, 1, 2]], [[3, 4, 5]]]],
    [
      "detach",
      (x) => x.detach(),
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    ],
    ["contiguous slice", (x) => x.slice([1]), [3, 4, 5]],
    [
      "strided slice",
      (x) => x.slice([null, [null, null, -2]]),
      [
        [2, 0],
        [5, 3],
      ],
    ],
    ["squeeze of a strided slice", (x) => x.slice([null, [1, 2]]).squeeze(1), [1, 4]],
  ];
  for (const [name, make, values] of views) {
    test(`${name}: no allocation, one buffer, the right values`, () => {
      const x = matrix();
      const before = live();
      const v = cr.tidy(() => make(x)); // intermediate views (unsqueeze before squeeze) end with the scope
      assert.deepEqual(live(), before, "nothing allocated");
      assert.equal(v.storage, x.storage);
      assert.deepEqual(v.toArray(), values);
      x.dispose();
      assert.deepEqual(v.toArray(), values, "the view outlives its input");
      v.dispose();
      assert.equal(live().tensors, before.tensors - 1, "the last reader frees the buffer");
    });
  }

  test("reshape of a transposed view copies once (it is not one row-major run); matmul reads it in place", () => {
    const x = matrix();
    const t = x.transpose();
    assert.equal(t.isDense, false);
    const before = live();
    const flat = t.reshape([6]);
    assert.equal(live().bytes - before.bytes, 6 * 4);
    assert.deepEqual(flat.toArray(), [0, 3, 1, 4, 2, 5]);
    const u = cr.tensor([1, 0, 0, 1, 1, 1], { shape: [3, 2] });
    const report = cr.memoryReport(() => cr.matmul(t, u.transpose()));
    assert.equal(report.peakIncrease.total, 3 * 3 * 4, "only the [3,3] product is allocated");
    assert.deepEqual(report.result.toArray(), [
      [0, 3, 3],
      [1, 4, 5],
      [2, 5, 7],
    ]);
  });
});

describe("in-place writes copy on write", () => {
  test("assign to the input leaves a detached view with the old values, and the other way round", () => {
    const x = matrix();
    const d = x.detach();
    const nines = cr.full([2, 3], 9);
    const bytes = live().bytes;
    x.assign(nines);
    assert.notEqual(x.storage, d.storage);
    assert.equal(live().bytes, bytes + 6 * 4, "the written tensor got its own buffer");
    assert.deepEqual(d.toArray(), [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    const e = x.reshape([6]);
    e.assign(cr.arange(6));
    assert.deepEqual(x.toArray(), [
      [9, 9, 9],
      [9, 9, 9],
    ]);
  });

  test("a tensor alone on its buffer is written in place (no copy)", () => {
    const x = matrix();
    const storage = x.storage;
    const zeros = cr.zeros([2, 3]);
    const bytes = live().bytes;
    x.assign(zeros);
    assert.equal(x.storage, storage);
    assert.equal(live().bytes, bytes, "nothing allocated");
  });

  test("an optimizer step on a parameter that a saved view reads: backward still sees the old values", () => {
    const w = cr.tensor([1, 2, 3], { requiresGrad: true });
    const v = w.reshape([3, 1]);
    const y = v.mul(v).sum();
    const opt = new cr.optim.SGD([w], { lr: 1 });
    w.grad = cr.full([3], 1);
    opt.step(); // w ← w − 1, while the graph saved v (a view of w)
    assert.deepEqual(w.toArray(), [0, 1, 2]);
    y.backward();
    assert.deepEqual(w.grad.toArray(), [1 + 2, 1 + 4, 1 + 6], "d Σv² = 2v at the values the forward saw");
  });

  test("leaves that get the caller's gradient share its buffer; writing one leaves the others alone", () => {
    const a = cr.tensor([1, 2, 3], { requiresGrad: true });
    const b = cr.tensor([4, 5, 6], { requiresGrad: true });
    const upstream = cr.tensor([1, 1, 1]);
    const y = a.add(b);
    const before = live();
    y.backward(upstream);
    assert.deepEqual(live(), before, "no gradient copied: both .grad are views of upstream's buffer");
    assert.equal(a.grad?.storage, upstream.storage);
    assert.equal(b.grad?.storage, upstream.storage);
    upstream.dispose();
    a.grad?.assign(cr.zeros([3]));
    assert.deepEqual(b.grad?.toArray(), [1, 1, 1]);
    a.add(b).backward(cr.full([3], 2));
    assert.deepEqual(a.grad?.toArray(), [2, 2, 2]);
    assert.deepEqual(b.grad?.toArray(), [3, 3, 3]);
  });

  test("the ledger counts a buffer that a graph saves through a view once, as saved", () => {
    const x = cr.randn([4, 4]);
    const w = cr.randn([4, 4], { requiresGrad: true, tag: "parameter" });
    const y = x.reshape([16]).mul(w.reshape([16]));
    assert.equal(x.storage.savedRefs, 1);
    assert.equal(cr.memory().byCategory.saved.bytes, 16 * 4, "x's buffer, once (w's stays a parameter)");
    y.sum().backward();
    assert.equal(cr.memory().byCategory.saved.bytes, 0);
  });
});

describe("leak reports and anomaly checks read a view's own elements", () => {
  test("leakReport counts a shared buffer once", () => {
    const was = cr.trackLeaks(true);
    try {
      const x = cr.zeros([10]);
      const v = x.reshape([2, 5]);
      const report = cr.leakReport();
      const mine = report.tensors.filter((e) => e.id === x.id || e.id === v.id);
      assert.deepEqual(
        mine.map((e) => e.bytes),
        [40, 0],
      );
      x.dispose();
      v.dispose();
    } finally {
      cr.trackLeaks(was);
    }
  });

  test("anomaly mode checks a slice, not the buffer around it", () => {
    const x = cr.tensor([Number.NaN, 1, 2, 3]);
    cr.detectAnomaly(() => {
      assert.deepEqual(x.slice([[1, 4]]).exp().shape, [3]);
      assert.throws(() => x.slice([[0, 2]]).exp(), /NaN/);
    });
  });
});
