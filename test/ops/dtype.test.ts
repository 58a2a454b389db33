// Result dtypes of the ops: float32 by default, int32 and bool inputs promoted as documented
// (bool < int32 < float32 < float64), true division and float math giving float32, comparisons bool.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DType, Tensor } from "../../src/index.js";
import * as cr from "../../src/index.js";

const i32 = (v: number[]) => cr.tensor(v, { dtype: "int32" });
const f64 = (v: number[]) => cr.tensor(v, { dtype: "float64" });
const bool = (v: boolean[]) => cr.tensor(v);

function same(t: Tensor, dtype: DType, values: unknown): void {
  assert.equal(t.dtype, dtype);
  assert.deepEqual(t.toArray(), values);
}

describe("dtypes", () => {
  test("creation defaults to float32; all-boolean arrays give bool", () => {
    assert.equal(cr.tensor([1, 2]).dtype, "float32");
    assert.equal(cr.tensor(1.5).dtype, "float32");
    assert.equal(cr.zeros([2]).dtype, "float32");
    assert.equal(cr.randn([2], { seed: 1 }).dtype, "float32");
    assert.equal(cr.tensor([true, false]).dtype, "bool");
  });

  test("int32 arithmetic stays int32; a non-integer scalar or a float tensor makes it float", () => {
    same(cr.add(i32([1, 2]), i32([3, 4])), "int32", [4, 6]);
    same(cr.sub(i32([1, 2]), 5), "int32", [-4, -3]);
    same(cr.mul(i32([3]), i32([-2])), "int32", [-6]);
    same(cr.add(i32([1]), 1.5), "float32", [2.5]);
    same(cr.add(i32([1]), cr.tensor([0.5])), "float32", [1.5]);
    same(cr.add(cr.tensor([1]), f64([0.25])), "float64", [1.25]);
    same(cr.neg(i32([2])), "int32", [-2]);
    same(cr.abs(i32([-2])), "int32", [2]);
    same(cr.relu(i32([-1, 2])), "int32", [0, 2]);
    same(cr.sign(i32([-3, 0, 2])), "int32", [-1, 0, 1]);
    same(cr.maximum(i32([1, 5]), i32([3, 2])), "int32", [3, 5]);
    same(cr.clamp(i32([-1, 2, 9]), 0, 4), "int32", [0, 2, 4]);
    same(cr.matmul(cr.tensor([[1, 2]], { dtype: "int32" }), i32([3, 4])), "int32", [11]);
  });

  test("a float scalar never widens a float tensor", () => {
    assert.equal(cr.add(cr.tensor([1]), 0.1).dtype, "float32");
    assert.equal(cr.mul(f64([1]), 2).dtype, "float64");
  });

  test("div of int32 is true division in float32; pow and float math also give float32", () => {
    same(cr.div(i32([1, 3]), i32([2, 2])), "float32", [0.5, 1.5]);
    same(cr.div(i32([1]), 4), "float32", [0.25]);
    same(cr.pow(i32([2]), 3), "float32", [8]);
    assert.equal(cr.exp(i32([0])).dtype, "float32");
    assert.equal(cr.sqrt(i32([4])).dtype, "float32");
    assert.equal(cr.sigmoid(bool([true])).dtype, "float32");
    assert.equal(cr.softmax(i32([1, 2])).dtype, "float32");
    assert.equal(cr.gelu(i32([1])).dtype, "float32");
  });

  test("bool arithmetic counts in int32", () => {
    same(cr.add(bool([true, true]), bool([true, false])), "int32", [2, 1]);
    same(cr.mul(bool([true]), 3), "int32", [3]);
    same(cr.neg(bool([true])), "int32", [-1]);
  });

  test("reductions: sum of bool and int32 is int32, mean/var/std are float", () => {
    same(cr.sum(bool([true, true, false])), "int32", 2);
    same(cr.sum(i32([1, 2, 3])), "int32", 6);
    same(
      cr.sum(
        cr.tensor([
          [true, false],
          [true, true],
        ]),
        { axis: 1 },
      ),
      "int32",
      [1, 2],
    );
    same(cr.mean(i32([1, 2])), "float32", 1.5);
    same(cr.mean(bool([true, false])), "float32", 0.5);
    same(cr.var(i32([1, 3]), { correction: 0 }), "float32", 1);
    same(cr.max(i32([1, 7, 3])), "int32", 7);
    same(cr.argmax(cr.tensor([1, 7, 3])), "int32", 1);
    same(cr.argmin(f64([4, 2, 3]), { keepdims: true }), "int32", [1]);
    assert.equal(cr.sum(f64([1])).dtype, "float64");
  });

  test("comparisons give bool for every input dtype, after promotion", () => {
    for (const [a, b] of [
      [cr.tensor([1, 2]), cr.tensor([2, 2])],
      [i32([1, 2]), i32([2, 2])],
      [f64([1, 2]), f64([2, 2])],
      [i32([1, 2]), cr.tensor([1.5, 2])],
      [bool([false, true]), bool([true, true])],
    ]) {
      same(cr.equal(a, b), "bool", [false, true]);
      same(cr.less(a, b), "bool", [true, false]);
      assert.equal(cr.notEqual(a, b).dtype, "bool");
      assert.equal(cr.lessEqual(a, b).dtype, "bool");
      assert.equal(cr.greater(a, b).dtype, "bool");
      assert.equal(cr.greaterEqual(a, b).dtype, "bool");
    }
    same(cr.equal(i32([1]), 1), "bool", [true]);
    same(cr.isfinite(cr.tensor([1, Number.NaN, Infinity])), "bool", [true, false, false]);
    same(cr.logicalNot(bool([true, false])), "bool", [false, true]);
  });

  test("cast truncates toward zero into int32 and maps nonzero to true", () => {
    same(cr.cast(cr.tensor([-1.7, 2.5, 0]), "int32"), "int32", [-1, 2, 0]);
    same(cr.cast(cr.tensor([-1.7, 0, 0.25]), "bool"), "bool", [true, false, true]);
    same(cr.cast(bool([true, false]), "float64"), "float64", [1, 0]);
    same(cr.cast(i32([3]), "float32"), "float32", [3]);
    const x = cr.tensor([1]);
    assert.equal(cr.cast(x, "float32"), x, "a cast to the same dtype is the tensor itself");
  });

  test("where, concat and stack promote their operands; the condition may be any dtype", () => {
    same(cr.where(bool([true, false]), i32([1, 2]), i32([3, 4])), "int32", [1, 4]);
    same(cr.where(bool([true, false]), i32([1, 2]), 2.5), "float32", [1, 2.5]);
    same(cr.where(i32([1, 0]), 1, 2), "int32", [1, 2]);
    same(cr.concat([i32([1]), bool([true])]), "int32", [1, 1]);
    same(cr.stack([i32([1]), f64([2.5])]), "float64", [[1], [2.5]]);
  });

  test("movement, indexing and pad keep the dtype", () => {
    assert.equal(cr.reshape(i32([1, 2]), [2, 1]).dtype, "int32");
    assert.equal(cr.transpose(cr.tensor([[true, false]])).dtype, "bool");
    assert.equal(cr.slice(i32([1, 2, 3]), [[null, null, -1]]).dtype, "int32");
    assert.equal(cr.gather(f64([1, 2]), i32([1]), 0).dtype, "float64");
    same(cr.pad(i32([1, 2]), [[1, 1]], 7), "int32", [7, 1, 2, 7]);
    same(cr.pad(bool([false]), [[1, 0]], 1), "bool", [true, false]);
  });

  test("only float tensors can require gradients", () => {
    assert.throws(() => i32([1]).requiresGrad_(), { name: "ChainruleError" });
    assert.throws(() => cr.tensor([1], { dtype: "bool", requiresGrad: true }), { name: "ChainruleError" });
    const x = cr.tensor([1.5, -2.5], { requiresGrad: true });
    const y = cr.cast(cr.cast(x, "int32"), "float32");
    assert.equal(y.requiresGrad, false, "a cast to int32 ends the graph");
  });

  test("float32 gradients stay float32, float64 stay float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = cr.tensor([1, 2], { dtype, requiresGrad: true });
      cr.sum(cr.mul(cr.exp(x), i32([1, 2]))).backward();
      assert.equal(x.grad?.dtype, dtype);
    }
  });
});
