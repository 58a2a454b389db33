// The ledger as tensors see it: exact bytes per dtype, dispose, peaks, and the categories of byCategory.
// Each test measures inside one synchronous block, so garbage-collection finalizers cannot run in between.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

/** Tensors and bytes that `fn` leaves live, per category and in total. */
function delta(fn: () => void): { tensors: number; bytes: number } & Record<cr.MemoryTag, number> {
  const before = cr.memory();
  fn();
  const after = cr.memory();
  const perTag = Object.fromEntries(
    Object.keys(after.byCategory).map((tag) => {
      const t = tag as cr.MemoryTag;
      return [t, after.byCategory[t].bytes - before.byCategory[t].bytes];
    }),
  ) as Record<cr.MemoryTag, number>;
  return { tensors: after.tensors - before.tensors, bytes: after.bytes - before.bytes, ...perTag };
}

describe("memory()", () => {
  test("reports tensors, bytes, peakBytes and every category", () => {
    const m = cr.memory();
    for (const key of ["tensors", "bytes", "peakBytes"] as const) assert.equal(typeof m[key], "number");
    assert.deepEqual(Object.keys(m.byCategory).sort(), [
      "data",
      "gradient",
      "optimizer",
      "parameter",
      "saved",
      "temporary",
    ]);
    for (const usage of Object.values(m.byCategory)) {
      assert.deepEqual(Object.keys(usage).sort(), ["bytes", "peakBytes", "tensors"]);
    }
  });

  test("creating a tensor adds exactly its bytes: float32 4, float64 8, int32 4, bool 1 per element", () => {
    const kept: cr.Tensor[] = [];
    const cases: [cr.DType, number][] = [
      ["float32", 4],
      ["float64", 8],
      ["int32", 4],
      ["bool", 1],
    ];
    for (const [dtype, bytes] of cases) {
      const d = delta(() => kept.push(cr.zeros([3, 5], { dtype })));
      assert.equal(d.tensors, 1, dtype);
      assert.equal(d.bytes, 15 * bytes, dtype);
      assert.equal(d.temporary, 15 * bytes, dtype);
    }
    for (const make of [
      () => cr.tensor([[1, 2, 3]]),
      () => cr.tensor(new Float32Array(3)),
      () => cr.ones([3]),
      () => cr.full([3], 2),
      () => cr.arange(3, undefined, 1, { dtype: "float32" }),
      () => cr.linspace(0, 1, 3),
      () => cr.rand([3], { seed: 0 }),
      () => cr.randn([3], { seed: 0 }),
      () => cr.randint(0, 4, [3], { seed: 0, dtype: "float32" }),
    ]) {
      assert.deepEqual(
        delta(() => kept.push(make())),
        { tensors: 1, bytes: 12, parameter: 0, gradient: 0, saved: 0, optimizer: 0, data: 0, temporary: 12 },
        make.toString(),
      );
    }
    assert.equal(delta(() => kept.push(cr.eye(4, 4, { dtype: "float64" }))).bytes, 128);
    assert.equal(delta(() => kept.push(cr.zeros([7, 0]))).bytes, 0);
    for (const t of kept) t.dispose();
  });

  test("dispose gives the bytes back, once", () => {
    const t = cr.zeros([10], { dtype: "float64" });
    const d = delta(() => t.dispose());
    assert.deepEqual([d.tensors, d.bytes, d.temporary], [-1, -80, -80]);
    assert.equal(t.isDisposed, true);
    assert.deepEqual(delta(() => t.dispose()).bytes, 0, "a second dispose changes nothing");
  });

  test("an op's result counts like any other tensor", () => {
    const a = cr.ones([4]);
    let b: cr.Tensor | undefined;
    const d = delta(() => {
      b = a.add(a);
    });
    assert.deepEqual([d.tensors, d.bytes], [1, 16]);
    b!.dispose();
    a.dispose();
  });

  test("peakBytes remembers the high-water mark until resetPeak", () => {
    cr.resetPeak();
    const start = cr.memory();
    assert.equal(start.peakBytes, start.bytes);
    const big = cr.zeros([1000]);
    big.dispose();
    const after = cr.memory();
    assert.equal(after.bytes, start.bytes);
    assert.equal(after.peakBytes, start.bytes + 4000);
    assert.equal(after.byCategory.temporary.peakBytes, start.byCategory.temporary.bytes + 4000);
    cr.resetPeak();
    const reset = cr.memory();
    assert.equal(reset.peakBytes, reset.bytes);
    assert.equal(reset.byCategory.temporary.peakBytes, reset.byCategory.temporary.bytes);
  });

  test("the tag option and tagAs put bytes in a category, and tagAs moves them", () => {
    let w: cr.Tensor | undefined;
    const made = delta(() => {
      w = cr.randn([4, 4], { seed: 0, tag: "parameter" });
    });
    assert.equal(made.parameter, 64);
    assert.equal(made.temporary, 0);
    assert.equal(w!.memoryTag, "parameter");

    const t = cr.zeros([8]);
    assert.equal(t.memoryTag, "temporary");
    const moved = delta(() => t.tagAs("optimizer"));
    assert.deepEqual(
      [moved.tensors, moved.bytes, moved.temporary, moved.optimizer],
      [0, 0, -32, 32],
      "retagging moves bytes without changing the total",
    );
    assert.equal(t.tagAs("data"), t, "tagAs returns the tensor");
    const freed = delta(() => {
      t.dispose();
      w!.dispose();
    });
    assert.deepEqual([freed.data, freed.parameter, freed.optimizer], [-32, -64, 0]);
  });

  test("a temporary that the graph keeps for backward counts as saved until backward frees it", () => {
    const x = cr.tensor([1, 2, 3], { requiresGrad: true }).tagAs("parameter");
    let y: cr.Tensor | undefined;
    const forward = delta(() => {
      y = x.exp(); // exp saves its output
    });
    assert.deepEqual([forward.saved, forward.temporary], [12, 0]);
    assert.equal(y!.memoryTag, "saved");
    const loss = y!.sum();
    loss.backward();
    assert.equal(y!.memoryTag, "temporary");
    assert.equal(x.grad!.memoryTag, "gradient");
    for (const t of [loss, y!, x]) t.dispose();
  });

  test("tidy frees what it made, except the result", () => {
    const d = delta(() => {
      const out = cr.tidy(() => {
        const a = cr.ones([5]);
        const b = a.mul(3);
        return b.add(1);
      });
      assert.deepEqual(out.toArray(), [4, 4, 4, 4, 4]);
    });
    assert.deepEqual([d.tensors, d.bytes], [1, 20]);
  });

  test("tidy hands saved tensors to the graph; backward frees them, leaving the loss and the gradient", () => {
    const W = cr.randn([3, 4], { seed: 0, requiresGrad: true }).tagAs("parameter");
    const x = cr.randn([4], { seed: 1 });
    const y = cr.tensor([0, 1, 0]);
    const before = cr.memory();
    const loss = cr.tidy(() => W.matmul(x).relu().mul(2).logSoftmax().mul(y).sum().neg());
    assert.ok(
      cr.memory().byCategory.saved.bytes > before.byCategory.saved.bytes,
      "the graph keeps activations",
    );
    loss.backward();
    const after = cr.memory();
    assert.equal(after.byCategory.saved.bytes, before.byCategory.saved.bytes, "nothing stays saved");
    assert.equal(after.tensors - before.tensors, 2, "the loss and W.grad");
    assert.equal(after.bytes - before.bytes, 4 + 48);
    assert.equal(after.byCategory.gradient.bytes - before.byCategory.gradient.bytes, 48);
    for (const t of [loss, W, x, y]) t.dispose();
  });

  test("`using` frees at the end of the block", () => {
    const d = delta(() => {
      using t = cr.ones([16]);
      assert.equal(t.size, 16);
    });
    assert.deepEqual([d.tensors, d.bytes], [0, 0]);
  });
});
