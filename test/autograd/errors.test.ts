// Error messages name the op and the shapes or dtypes involved, so a failing model says what is wrong.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

/** Asserts fn throws a ChainruleError whose message is exactly `message` (a string) or matches it. */
function throwsExactly(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cr.ChainruleError, `expected a ChainruleError, got ${e}`);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe("error messages", () => {
  test("broadcasting failure names the op, both shapes and the axis", () => {
    throwsExactly(
      () => cr.add(cr.ones([2, 3]), cr.ones([4, 3])),
      "add: cannot broadcast [2,3] with [4,3]: axis -2 has sizes 2 and 4",
    );
    throwsExactly(
      () => cr.ones([2, 3]).mul(cr.ones([2, 4])),
      "mul: cannot broadcast [2,3] with [2,4]: axis -1 has sizes 3 and 4",
    );
    throwsExactly(
      () => cr.where(cr.ones([2], { dtype: "bool" }), cr.ones([3]), 0),
      /^where: cannot broadcast \[2\] with \[3\]: axis -1/,
    );
  });

  test("matmul names both shapes and the inner sizes", () => {
    throwsExactly(
      () => cr.ones([2, 3]).matmul(cr.ones([4, 5])),
      "matmul: [2,3] @ [4,5]: inner sizes 3 and 4 differ",
    );
    throwsExactly(
      () => cr.matmul(cr.ones([3]), cr.ones([4, 5])),
      "matmul: [3] @ [4,5]: inner sizes 3 and 4 differ",
    );
    throwsExactly(
      () => cr.ones([2, 3, 4]).matmul(cr.ones([2, 5, 4])),
      "matmul: [2,3,4] @ [2,5,4]: inner sizes 4 and 5 differ",
    );
    throwsExactly(
      () => cr.ones([3]).matmul(cr.ones([])),
      /^matmul: \[3\] @ \[\]: both operands need at least one axis/,
    );
  });

  test("a bad axis names the op, the axis and the rank", () => {
    throwsExactly(
      () => cr.ones([2, 3]).sum({ axis: 2 }),
      "sum: axis 2 is out of range for [2,3] (rank 2): valid axes are [-2, 1]",
    );
    throwsExactly(
      () => cr.ones([2, 3]).max({ axis: -3 }),
      /^max: axis -3 is out of range for \[2,3\] \(rank 2\)/,
    );
    throwsExactly(() => cr.ones([2, 3]).transpose(0, 2), /^transpose: axis 2 .* \(rank 2\)/);
    throwsExactly(
      () => cr.ones([]).sum({ axis: 0 }),
      /for \[\] \(rank 0\): valid axes are none \(the tensor is 0-d\)/,
    );
  });

  test("reshape size mismatch names both shapes and element counts", () => {
    throwsExactly(
      () => cr.ones([2, 3]).reshape([4]),
      "reshape: cannot reshape [2,3] (6 elements) to [4] (4 elements)",
    );
    throwsExactly(
      () => cr.ones([2, 3]).reshape([4, -1]),
      "reshape: cannot infer -1 reshaping [2,3] to [4,-1]",
    );
  });

  test("gather with an index out of range names the value, the axis and the shape", () => {
    const x = cr.ones([2, 3]);
    throwsExactly(
      () => x.gather(cr.tensor([[0, 5]], { dtype: "int32" }), 1),
      "gather: index value 5 is out of range for axis 1 of [2,3] (size 3)",
    );
    throwsExactly(() => x.index([-1]), /index value -1 is out of range for axis 0 of \[2,3\] \(size 2\)/);
  });

  test("requiresGrad on an int or bool tensor names the dtype", () => {
    throwsExactly(
      () => cr.zeros([2], { dtype: "int32", requiresGrad: true }),
      /requiresGrad needs a float dtype, got int32/,
    );
    throwsExactly(
      () => cr.zeros([2], { dtype: "int32" }).requiresGrad_(),
      /^requiresGrad: tensor #\d+ \[2\] int32: only float32 and float64 tensors can require gradients$/,
    );
    throwsExactly(
      () => cr.zeros([2], { dtype: "bool" }).requiresGrad_(),
      /\[2\] bool: only float32 and float64/,
    );
  });

  test("requiresGrad_ on an op's result says only leaves can be switched", () => {
    const x = cr.ones([2], { requiresGrad: true });
    throwsExactly(() => x.mul(2).requiresGrad_(), /requiresGrad: .* is the result of an op; only leaves/);
  });
});
