// Reading values back: data(), dataSync(), toArray(), item(), and the PyTorch-like text form.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import * as cr from "../../src/index.js";

describe("data() and dataSync()", () => {
  test("return the values in row-major order, in the dtype's typed array", () => {
    const t = cr.tensor([
      [1, 2],
      [3, 4],
    ]);
    const sync = t.dataSync();
    assert.ok(sync instanceof Float32Array);
    assert.deepEqual(Array.from(sync), [1, 2, 3, 4]);
    assert.ok(cr.tensor([1], { dtype: "float64" }).dataSync() instanceof Float64Array);
    assert.ok(cr.tensor([1], { dtype: "int32" }).dataSync() instanceof Int32Array);
    assert.ok(cr.tensor([true]).dataSync() instanceof Uint8Array);
  });

  test("data() resolves to the same values", async () => {
    const t = cr.arange(6).reshape([2, 3]);
    const values = await t.data();
    assert.ok(values instanceof Int32Array);
    assert.deepEqual(Array.from(values), [0, 1, 2, 3, 4, 5]);
  });

  test("return copies: changing them does not change the tensor", async () => {
    const t = cr.tensor([1, 2]);
    t.dataSync()[0] = 100;
    (await t.data())[1] = 100;
    assert.deepEqual(Array.from(t.dataSync()), [1, 2]);
  });

  test("reading a disposed tensor says it was disposed, and where", async () => {
    const t = cr.tensor([1, 2]).named("w");
    t.dispose();
    assert.throws(
      () => t.dataSync(),
      /dataSync: tensor #\d+ "w" \[2\] float32 was disposed[\s\S]*disposed at:\n.*read\.test/,
    );
    await assert.rejects(t.data(), /data: tensor #\d+ "w" \[2\] float32 was disposed/);
    assert.throws(() => t.toArray(), /was disposed/);
  });
});

describe("toArray() and item()", () => {
  test("toArray nests like the shape; bool tensors give booleans; 0-d gives a scalar", () => {
    assert.deepEqual(cr.arange(6).reshape([3, 2]).toArray(), [
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    assert.deepEqual(cr.arange(8).reshape([2, 2, 2]).toArray(), [
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
    ]);
    assert.deepEqual(cr.tensor([1, 0, 2], { dtype: "bool" }).toArray(), [true, false, true]);
    assert.equal(cr.tensor(7).toArray(), 7);
    assert.equal(cr.tensor(false).toArray(), false);
    assert.deepEqual(cr.tensor([1.5], { dtype: "float64" }).toArray(), [1.5]);
  });

  test("item() returns the one value of a one-element tensor of any rank", () => {
    assert.equal(cr.tensor(3.5).item(), 3.5);
    assert.equal(cr.tensor([[2]], { dtype: "int32" }).item(), 2);
    assert.equal(cr.tensor([[[-1]]]).item(), -1);
    assert.equal(cr.tensor(true).item(), 1);
  });

  test("item() on more than one element is an error naming the tensor", () => {
    assert.throws(
      () => cr.tensor([1, 2]).named("pair").item(),
      (error: unknown) =>
        error instanceof cr.ChainruleError &&
        /^item: tensor #\d+ "pair" \[2\] float32 has 2 elements; item\(\) needs exactly one$/.test(
          error.message,
        ),
    );
  });
});

describe("toString() reads like PyTorch", () => {
  test("2-D float with decimals, aligned", () => {
    const t = cr.tensor([
      [1.5, -2],
      [3, 4.25],
    ]);
    assert.equal(t.toString(), "tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.2500]])");
  });

  test("floats that are all integers print with a trailing dot", () => {
    assert.equal(
      cr
        .tensor([
          [1, 2],
          [3, 40],
        ])
        .toString(),
      "tensor([[ 1.,  2.],\n        [ 3., 40.]])",
    );
  });

  test("int32, float64 and bool name their dtype", () => {
    assert.equal(cr.arange(4).reshape([2, 2]).toString(), "tensor([[0, 1],\n        [2, 3]], dtype=int32)");
    assert.equal(
      cr.tensor([0.5, 2], { dtype: "float64" }).toString(),
      "tensor([0.5000, 2.0000], dtype=float64)",
    );
    assert.equal(
      cr
        .tensor([
          [true, false],
          [false, true],
        ])
        .toString(),
      "tensor([[ true, false],\n        [false,  true]], dtype=bool)",
    );
  });

  test("0-d tensors", () => {
    assert.equal(cr.tensor(3.5).toString(), "tensor(3.5000)");
    assert.equal(cr.tensor(3).toString(), "tensor(3.)");
    assert.equal(cr.tensor(-7, { dtype: "int32" }).toString(), "tensor(-7, dtype=int32)");
    assert.equal(cr.tensor(true).toString(), "tensor(true, dtype=bool)");
  });

  test("empty tensors", () => {
    assert.equal(cr.tensor([]).toString(), "tensor([])");
    assert.equal(cr.zeros([2, 0]).toString(), "tensor([], size=[2, 0])");
    assert.equal(cr.zeros([0], { dtype: "int32" }).toString(), "tensor([], dtype=int32)");
  });

  test("3-D tensors separate blocks by a blank line", () => {
    assert.equal(
      cr.arange(8).reshape([2, 2, 2]).toString(),
      "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], dtype=int32)",
    );
  });

  test("long tensors are summarised with ...", () => {
    assert.equal(
      cr.arange(2000).toString(),
      "tensor([   0,    1,    2, ..., 1997, 1998, 1999], dtype=int32)",
    );
    assert.equal(
      cr.arange(2000).reshape([2, 1000]).toString(),
      "tensor([[   0,    1,    2, ...,  997,  998,  999],\n        [1000, 1001, 1002, ..., 1997, 1998, 1999]], dtype=int32)",
    );
    const rows = cr.arange(3000).reshape([1000, 3]).toString().split("\n");
    assert.deepEqual(rows, [
      "tensor([[   0,    1,    2],",
      "        [   3,    4,    5],",
      "        [   6,    7,    8],",
      "        ...,",
      "        [2991, 2992, 2993],",
      "        [2994, 2995, 2996],",
      "        [2997, 2998, 2999]], dtype=int32)",
    ]);
    // At the threshold (1000 elements) nothing is left out.
    assert.ok(!cr.arange(1000).toString().includes("..."));
  });

  test("very large or small magnitudes switch to scientific notation with two-digit exponents", () => {
    assert.equal(cr.tensor([-1.5, 2e-5]).toString(), "tensor([-1.5000e+00,  2.0000e-05])");
    assert.equal(
      cr.tensor([1e10, 1], { dtype: "float64" }).toString(),
      "tensor([1.0000e+10, 1.0000e+00], dtype=float64)",
    );
  });

  test("nan and inf", () => {
    assert.equal(
      cr.tensor([Number.NaN, Infinity, -Infinity, 1]).toString(),
      "tensor([ nan,  inf, -inf,   1.])",
    );
  });

  test("gradient information: requiresGrad on leaves, gradFn on recorded results", () => {
    const w = cr.tensor([1, 2], { requiresGrad: true });
    assert.equal(w.toString(), "tensor([1., 2.], requiresGrad=true)");
    assert.equal(w.mul(2).toString(), "tensor([2., 4.], gradFn=mul)");
    assert.equal(cr.noGrad(() => w.mul(2)).toString(), "tensor([2., 4.])");
  });

  test("a disposed tensor prints as such instead of throwing", () => {
    const t = cr.ones([2, 3]);
    t.dispose();
    assert.equal(t.toString(), "tensor(<disposed>, shape=[2,3], dtype=float32)");
  });

  test("util.inspect, console.log and template strings use it", () => {
    const t = cr.tensor([1, 2]);
    assert.equal(inspect(t), "tensor([1., 2.])");
    assert.equal(inspect({ t }), "{ t: tensor([1., 2.]) }");
    assert.equal(`${t}`, "tensor([1., 2.])");
  });
});
