// Bad arguments are refused, never silently reinterpreted: out-of-range axes on low ranks, fractional indices
// and slice bounds, unknown option strings; and every error names the op the user called, with the shape.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

/** fn throws a ChainruleError whose message starts with `op: ` and matches every pattern. */
function refuses(op: string, fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cr.ChainruleError, `expected a ChainruleError, got ${String(e)}`);
    assert.ok(e.message.startsWith(`${op}: `), `expected an error from ${op}, got "${e.message}"`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const m = () => cr.ones([2, 3]);
const vec = () => cr.tensor([1, 2, 3]);
const scalar = () => cr.tensor(3);
const i32 = (v: cr.NestedArray) => cr.tensor(v, { dtype: "int32" });

describe("axes out of range are errors on every rank", () => {
  test("transpose of a vector or a scalar with named axes checks them (the defaults still pass rank < 2 through)", () => {
    refuses("transpose", () => cr.transpose(vec(), 0, 5), /axis 5 is out of range for \[3\] \(rank 1\)/);
    refuses("transpose", () => vec().transpose(-2, -1), /axis -2 .* \[3\]/);
    refuses("transpose", () => cr.transpose(scalar(), 0, 1), /axis 1 .* \[\]/);
    assert.deepEqual(cr.transpose(vec()).toArray(), [1, 2, 3]);
    assert.deepEqual(cr.transpose(vec(), 0, -1).toArray(), [1, 2, 3]);
    assert.equal(cr.transpose(scalar(), 0, 0).item(), 3);
  });

  test("flatten of a scalar accepts axes 0 and -1 only (as PyTorch)", () => {
    refuses(
      "flatten",
      () => cr.flatten(scalar(), 5, 7),
      /axis 5 is out of range for \[\] \(rank 0\): valid axes are \[-1, 0\]/,
    );
    refuses("flatten", () => cr.flatten(vec(), 0, 1), /axis 1 .* \[3\]/);
    assert.deepEqual(cr.flatten(scalar()).shape, [1]);
    assert.deepEqual(cr.flatten(scalar(), -1, 0).shape, [1]);
  });

  test("every axis-taking op names itself, the axis and the shape", () => {
    const cases: [string, () => unknown][] = [
      ["sum", () => m().sum({ axis: 2 })],
      ["mean", () => m().mean({ axis: 2 })],
      ["max", () => m().max({ axis: -3 })],
      ["min", () => m().min({ axis: 2 })],
      ["var", () => m().var({ axis: 2 })],
      ["std", () => m().std({ axis: 2 })],
      ["argmax", () => m().argmax({ axis: 2 })],
      ["argmin", () => m().argmin({ axis: -3 })],
      ["logsumexp", () => m().logsumexp({ axis: 2 })],
      ["softmax", () => m().softmax({ axis: 2 })],
      ["logSoftmax", () => m().logSoftmax({ axis: -3 })],
      ["permute", () => m().permute([0, 5])],
      ["squeeze", () => m().squeeze(2)],
      ["unsqueeze", () => m().unsqueeze(4)],
      ["concat", () => cr.concat([m(), m()], 2)],
      ["stack", () => cr.stack([m(), m()], 4)],
      ["split", () => m().split(1, 2)],
      ["gather", () => m().gather(i32([[0]]), 2)],
      ["index", () => m().index([0], 2)],
      ["scatterAdd", () => cr.scatterAdd(m(), i32([[0, 0, 0]]), 2, [2, 3])],
    ];
    for (const [op, fn] of cases)
      refuses(op, fn, /axis -?\d+ is out of range for \[2,3\] \(rank 2\): valid axes/);
  });

  test("unsqueeze and stack count the new axis; fractional axes are refused; squeeze refuses repeats", () => {
    refuses("unsqueeze", () => vec().unsqueeze(2), /valid axes are \[-2, 1\]/);
    refuses("stack", () => cr.stack([scalar(), scalar()], 1), /valid axes are \[-1, 0\]/);
    refuses("sum", () => m().sum({ axis: 1.5 }), /axis 1.5 must be an integer \(tensor \[2,3\]\)/);
    refuses("squeeze", () => cr.ones([1, 3]).squeeze([0, 0]), /repeats an axis of \[1,3\]/);
    refuses("sum", () => cr.ones([]).sum({ axis: 0 }), /valid axes are none \(the tensor is 0-d\)/);
  });
});

describe("indices must be integers", () => {
  test("index refuses fractional entries instead of truncating them", () => {
    refuses(
      "index",
      () => m().index([1.7]),
      /indices must be integers, got 1.7 at position 0 \(axis 0 of \[2,3\]\)/,
    );
    refuses("index", () => m().index([0, Number.NaN], 1), /got NaN at position 1/);
    refuses("index", () => m().index([2 ** 31]), /index value 2147483648 is out of range/);
  });

  test("index tensors must be int32: float (even integer-valued) and bool are refused", () => {
    refuses("index", () => m().index(cr.tensor([1.7])), /index must be an int32 tensor, got float32 \[1\]/);
    refuses("index", () => m().index(cr.tensor([1])), /got float32/);
    refuses(
      "gather",
      () => m().gather(cr.tensor([[0.7, 1.2]]), 1),
      /must be an int32 tensor, got float32 \[1,2\]/,
    );
    refuses("gather", () => m().gather(cr.tensor([[true]]), 1), /got bool/);
    refuses("scatterAdd", () => cr.scatterAdd(m(), cr.ones([2, 3]), 1, [2, 3]), /got float32/);
    refuses("index", () => m().index(7 as unknown as number[]), /array of integers or a 1-D int32 tensor/);
  });

  test("integers and int32 tensors still work; index's own errors say index, not gather", () => {
    const x = cr.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(x.index([1]).toArray(), [[4, 5, 6]]);
    assert.deepEqual(x.index(i32([2, 0]), 1).toArray(), [
      [3, 1],
      [6, 4],
    ]);
    assert.deepEqual(x.gather(i32([[2], [1]]), 1).toArray(), [[3], [5]]);
    refuses("index", () => x.index([5]), /index value 5 is out of range for axis 0 of \[2,3\] \(size 2\)/);
    refuses("index", () => x.index(i32([0, 3]), 1), /index value 3 is out of range for axis 1/);
    refuses("index", () => x.index(i32([[0]])), /indices must be 1-D, got \[1,1\]/);
  });
});

describe("slice bounds must be integers", () => {
  test("fractional start, end and index are errors, not rounded", () => {
    refuses(
      "slice",
      () => m().slice([[0.5, 2]]),
      /start 0.5 on axis 0 of \[2,3\] must be an integer or null/,
    );
    refuses("slice", () => m().slice([null, [0, 2.5]]), /end 2.5 on axis 1 of \[2,3\]/);
    refuses("slice", () => m().slice([0.5]), /index 0.5 on axis 0 of \[2,3\] must be an integer/);
    refuses("slice", () => m().slice([[0, 2, 0.5]]), /step on axis 0 of \[2,3\] must be a nonzero integer/);
    refuses("slice", () => m().slice([[0, Number.POSITIVE_INFINITY]]), /end Infinity/);
    assert.deepEqual(
      cr
        .arange(5)
        .slice([[1, null, 2]])
        .toArray(),
      [1, 3],
    );
    assert.deepEqual(
      cr
        .arange(5)
        .slice([[null, -1]])
        .toArray(),
      [0, 1, 2, 3],
    );
  });
});

describe("string options are checked against their valid values", () => {
  test("gelu's approximate: a typo is an error that lists the valid values", () => {
    refuses(
      "gelu",
      () => cr.gelu(vec(), { approximate: "tahn" as "tanh" }),
      /approximate must be one of "none", "tanh"; got "tahn"/,
    );
    refuses("GELU", () => new cr.nn.GELU("exact" as "none"), /"none", "tanh"; got "exact"/);
    assert.equal(cr.gelu(cr.tensor([0]), { approximate: "none" }).item(), 0);
  });

  test("loss reductions, init schemes, memory tags, graph and explain options", () => {
    const logits = cr.zeros([2, 3]);
    const labels = i32([0, 1]);
    const avg = { reduction: "avg" as cr.nn.Reduction };
    refuses(
      "crossEntropy",
      () => cr.nn.crossEntropy(logits, labels, avg),
      /"mean", "sum", "none"; got "avg"/,
    );
    refuses("mse", () => cr.nn.mse(logits, logits, avg), /reduction must be one of/);
    refuses(
      "Linear",
      () => new cr.nn.Linear(2, 2, { init: "normal" as "he" }),
      /init must be one of "xavier", "he", "zeros"/,
    );
    refuses("initWeight", () => cr.nn.initWeight([2], "normal" as "he", 2, 2), /scheme must be one of/);
    refuses(
      "tensor",
      () => cr.tensor([1], { tag: "params" as "parameter" }),
      /tag must be one of "parameter"/,
    );
    refuses("full", () => cr.zeros([1], { tag: "weights" as "parameter" }), /got "weights"/);
    refuses("tagAs", () => cr.zeros([1]).tagAs("grad" as "gradient"), /got "grad"/);
    const J = cr.ones([2], { requiresGrad: true }).mul(2).sum();
    refuses(
      "graph",
      () => cr.graph.toDot(J, { rankdir: "RL" as "LR" }),
      /rankdir must be one of "LR", "BT", "TB"; got "RL"/,
    );
    refuses("graph", () => cr.graph.toDot(J, { collapse: "module" as "modules" }), /collapse must be one of/);
    refuses(
      "graph",
      () => cr.graph.toMermaid(J, { backward: "yes" as "both" }),
      /backward must be true, false or "both"/,
    );
    refuses(
      "explain",
      () => cr.graph.explain(J, { format: "md" as "markdown" }),
      /"text", "markdown"; got "md"/,
    );
  });
});

describe("errors name the op the user called", () => {
  test("composites check their arguments before the primitives inside them can", () => {
    refuses("logsumexp", () => m().logsumexp({ axis: 3 }), /\[2,3\]/);
    refuses("mean", () => m().mean({ axis: [0, 0] }), /repeats an axis/);
    refuses("std", () => m().std({ correction: -1 }), /correction must be a number >= 0/);
    refuses("broadcastTo", () => cr.broadcastTo(m(), [4, 3]), /cannot expand \[2,3\] to \[4,3\]/);
    refuses("clamp", () => m().clamp("0" as unknown as number), /expected a Tensor or a number, got string/);
    refuses("leakyRelu", () => m().leakyRelu("0.1" as unknown as number), /slope must be a number/);
    refuses("index", () => m().index([-1]), /index value -1 is out of range for axis 0 of \[2,3\]/);
  });
});
