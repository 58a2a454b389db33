// Creating tensors: nested and typed arrays, dtypes, constant fills, ranges, identity, zero-length axes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

/** Asserts that fn throws a ChainruleError whose message matches `pattern`. */
function throwsMessage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof cr.ChainruleError, `expected a ChainruleError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("tensor() from nested arrays", () => {
  test("a number is a 0-d float32 tensor", () => {
    const t = cr.tensor(2.5);
    assert.deepEqual(t.shape, []);
    assert.equal(t.ndim, 0);
    assert.equal(t.size, 1);
    assert.equal(t.dtype, "float32");
    assert.equal(t.item(), 2.5);
    assert.equal(t.toArray(), 2.5);
  });

  test("ranks 1 to 4 keep their shape and row-major order", () => {
    assert.deepEqual(cr.tensor([1, 2, 3]).shape, [3]);
    const m = cr.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(m.shape, [2, 3]);
    assert.deepEqual(Array.from(m.dataSync()), [1, 2, 3, 4, 5, 6]);
    const r3 = cr.tensor([
      [[1], [2]],
      [[3], [4]],
    ]);
    assert.deepEqual(r3.shape, [2, 2, 1]);
    assert.deepEqual(r3.toArray(), [
      [[1], [2]],
      [[3], [4]],
    ]);
    assert.deepEqual(cr.tensor([[[[7]]]]).shape, [1, 1, 1, 1]);
  });

  test("float32 is the default and rounds like Math.fround", () => {
    const t = cr.tensor([0.1, 1 / 3]);
    assert.equal(t.dtype, "float32");
    assert.ok(t.dataSync() instanceof Float32Array);
    assert.deepEqual(Array.from(t.dataSync()), [Math.fround(0.1), Math.fround(1 / 3)]);
  });

  test("the dtype option: float64 keeps doubles, int32 truncates, bool stores 0/1", () => {
    const f64 = cr.tensor([0.1, 1 / 3], { dtype: "float64" });
    assert.ok(f64.dataSync() instanceof Float64Array);
    assert.deepEqual(Array.from(f64.dataSync()), [0.1, 1 / 3]);
    const i32 = cr.tensor([1.7, -2.7, 3], { dtype: "int32" });
    assert.ok(i32.dataSync() instanceof Int32Array);
    assert.deepEqual(Array.from(i32.dataSync()), [1, -2, 3]);
    const b = cr.tensor([0, 2, -1], { dtype: "bool" });
    assert.ok(b.dataSync() instanceof Uint8Array);
    assert.deepEqual(Array.from(b.dataSync()), [0, 1, 1]);
  });

  test("booleans give a bool tensor; mixed with numbers they count as 0/1 floats", () => {
    const b = cr.tensor([
      [true, false],
      [false, true],
    ]);
    assert.equal(b.dtype, "bool");
    assert.deepEqual(b.toArray(), [
      [true, false],
      [false, true],
    ]);
    assert.equal(cr.tensor(true).dtype, "bool");
    assert.equal(cr.tensor(true).toArray(), true);
    const mixed = cr.tensor([true, 2]);
    assert.equal(mixed.dtype, "float32");
    assert.deepEqual(mixed.toArray(), [1, 2]);
  });

  test("empty arrays give a zero-length axis", () => {
    const e = cr.tensor([]);
    assert.deepEqual(e.shape, [0]);
    assert.equal(e.size, 0);
    assert.equal(e.dtype, "float32");
    assert.deepEqual(e.toArray(), []);
    const e2 = cr.tensor([[], []]);
    assert.deepEqual(e2.shape, [2, 0]);
    assert.deepEqual(e2.toArray(), [[], []]);
    assert.deepEqual(cr.tensor([[]]).shape, [1, 0]);
  });

  test("ragged arrays are rejected with the offending path and both shapes", () => {
    throwsMessage(
      () => cr.tensor([[1, 2], [3]]),
      /tensor: ragged nested array: \[1\] has shape \[1\], \[0\] has \[2\]/,
    );
    throwsMessage(() => cr.tensor([1, [2]]), /ragged nested array: \[1\] has shape \[1\], \[0\] has \[\]/);
    throwsMessage(
      () =>
        cr.tensor([
          [
            [1, 2],
            [3, 4],
          ],
          [[5, 6], [7]],
        ]),
      /ragged nested array: \[1\]\[1\] has shape \[1\], \[1\]\[0\] has \[2\]/,
    );
  });

  test("non-numeric elements are rejected with their path", () => {
    const bad = [1, "2"] as unknown as cr.NestedArray;
    throwsMessage(() => cr.tensor(bad), /element \[1\] is string; expected a number, boolean or array/);
  });

  test("the shape option reshapes the values and checks their count", () => {
    const t = cr.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] });
    assert.deepEqual(t.toArray(), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    throwsMessage(
      () => cr.tensor([1, 2, 3], { shape: [2, 2] }),
      /3 values cannot fill shape \[2,2\] \(4 elements\)/,
    );
  });

  test("an unknown dtype is rejected naming the valid ones", () => {
    const dtype = "float16" as cr.DType;
    throwsMessage(
      () => cr.tensor([1], { dtype }),
      /unknown dtype "float16"; use float32, float64, int32 or bool/,
    );
    throwsMessage(() => cr.zeros([2], { dtype }), /^full: unknown dtype/);
    throwsMessage(() => cr.arange(3, undefined, 1, { dtype }), /^arange: unknown dtype/);
  });

  test("requiresGrad needs a float dtype", () => {
    assert.equal(cr.tensor([1, 2], { requiresGrad: true }).requiresGrad, true);
    assert.equal(cr.tensor([1, 2]).requiresGrad, false);
    throwsMessage(
      () => cr.tensor([1, 2], { dtype: "int32", requiresGrad: true }),
      /requiresGrad needs a float dtype, got int32/,
    );
  });
});

describe("tensor() from typed arrays", () => {
  test("the dtype follows the array type", () => {
    const cases: [cr.TypedArray, cr.DType][] = [
      [new Float32Array([1, 2]), "float32"],
      [new Float64Array([1, 2]), "float64"],
      [new Int32Array([1, 2]), "int32"],
      [new Uint8Array([1, 0]), "bool"],
    ];
    for (const [values, dtype] of cases) {
      const t = cr.tensor(values);
      assert.equal(t.dtype, dtype);
      assert.deepEqual(t.shape, [2]);
      assert.deepEqual(Array.from(t.dataSync()), Array.from(values));
    }
  });

  test("with a shape option, and an explicit dtype converting the values", () => {
    const t = cr.tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, "float64");
    assert.deepEqual(t.toArray(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const i = cr.tensor(new Float32Array([1.5, -2.5]), { dtype: "int32" });
    assert.deepEqual(Array.from(i.dataSync()), [1, -2]);
    throwsMessage(
      () => cr.tensor(new Float32Array(5), { shape: [2, 3] }),
      /5 values cannot fill shape \[2,3\]/,
    );
  });

  test("the tensor copies the array: later changes to it are not seen", () => {
    const values = new Float32Array([1, 2]);
    const t = cr.tensor(values);
    values[0] = 99;
    assert.deepEqual(Array.from(t.dataSync()), [1, 2]);
  });

  test("other typed arrays are refused with a message naming them", () => {
    const u16 = new Uint16Array([1, 2]) as unknown as cr.TypedArray;
    throwsMessage(() => cr.tensor(u16), /Uint16Array is not supported/);
  });
});

describe("constant fills", () => {
  test("zeros, ones and full, in every dtype", () => {
    for (const dtype of ["float32", "float64", "int32", "bool"] as const) {
      assert.deepEqual(Array.from(cr.zeros([2, 2], { dtype }).dataSync()), [0, 0, 0, 0]);
      assert.deepEqual(Array.from(cr.ones([3], { dtype }).dataSync()), [1, 1, 1]);
      assert.equal(cr.ones([3], { dtype }).dtype, dtype);
    }
    assert.deepEqual(cr.full([2], 7.5).toArray(), [7.5, 7.5]);
    assert.deepEqual(cr.full([2], -3, { dtype: "int32" }).toArray(), [-3, -3]);
    assert.deepEqual(cr.zeros([]).shape, []);
    assert.equal(cr.full([], 4).item(), 4);
  });

  test("a bool fill stores true as 1 whatever the nonzero value", () => {
    const b = cr.full([2], 5, { dtype: "bool" });
    assert.deepEqual(Array.from(b.dataSync()), [1, 1]);
    assert.deepEqual(b.toArray(), [true, true]);
    assert.deepEqual(cr.equal(b, cr.ones([2], { dtype: "bool" })).toArray(), [true, true]);
  });

  test("invalid shapes are rejected", () => {
    throwsMessage(() => cr.zeros([2, -1]), /^full: invalid shape \[2,-1\]: sizes must be integers >= 0/);
    throwsMessage(() => cr.ones([1.5]), /invalid shape \[1.5\]/);
  });
});

describe("ranges and identity", () => {
  test("arange: integer arguments give int32, fractional ones float32", () => {
    const a = cr.arange(5);
    assert.equal(a.dtype, "int32");
    assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(cr.arange(2, 8, 2).toArray(), [2, 4, 6]);
    assert.deepEqual(cr.arange(0, 10, 3).toArray(), [0, 3, 6, 9]);
    assert.deepEqual(cr.arange(3, 0, -1).toArray(), [3, 2, 1]);
    const f = cr.arange(0, 1, 0.25);
    assert.equal(f.dtype, "float32");
    assert.deepEqual(f.toArray(), [0, 0.25, 0.5, 0.75]);
    assert.equal(cr.arange(4, undefined, 1, { dtype: "float64" }).dtype, "float64");
  });

  test("arange: an empty range and a zero step", () => {
    assert.deepEqual(cr.arange(0).shape, [0]);
    assert.deepEqual(cr.arange(5, 2).shape, [0]);
    throwsMessage(() => cr.arange(0, 5, 0), /arange: step must be a finite nonzero number, got 0/);
  });

  test("linspace includes both ends", () => {
    assert.deepEqual(cr.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(cr.linspace(2, -2, 3, { dtype: "float64" }).toArray(), [2, 0, -2]);
    assert.deepEqual(cr.linspace(3, 9, 1).toArray(), [3]);
    assert.deepEqual(cr.linspace(0, 1, 0).shape, [0]);
    const l = cr.linspace(0, 0.3, 4, { dtype: "float64" }).dataSync();
    assert.equal(l[3], 0.3);
    throwsMessage(() => cr.linspace(0, 1, 2.5), /linspace: num must be an integer >= 0, got 2.5/);
  });

  test("eye: square and rectangular", () => {
    assert.deepEqual(cr.eye(3).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    assert.deepEqual(cr.eye(2, 3).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(cr.eye(3, 1, { dtype: "int32" }).toArray(), [[1], [0], [0]]);
    assert.deepEqual(cr.eye(0).shape, [0, 0]);
  });
});

describe("random creation", () => {
  test("rand, randn and randint have the asked shape and dtype", () => {
    const u = cr.rand([2, 3], { seed: 1 });
    assert.deepEqual(u.shape, [2, 3]);
    assert.equal(u.dtype, "float32");
    assert.equal(cr.randn([4], { seed: 1, dtype: "float64" }).dtype, "float64");
    const i = cr.randint(0, 5, [3, 3], { seed: 1 });
    assert.equal(i.dtype, "int32");
    assert.deepEqual(i.shape, [3, 3]);
    assert.equal(cr.randn([], { seed: 2 }).ndim, 0);
  });

  test("rand and randn need a float dtype; randint needs integers low < high", () => {
    throwsMessage(() => cr.rand([2], { dtype: "int32" }), /rand: needs a float dtype, got int32/);
    throwsMessage(() => cr.randn([2], { dtype: "bool" }), /randn: needs a float dtype, got bool/);
    throwsMessage(() => cr.randint(3, 3, [2]), /randint: need integers low < high, got low=3, high=3/);
    throwsMessage(() => cr.randint(0, 2.5, [2]), /need integers low < high/);
  });

  test("requiresGrad makes a leaf that backward reaches", () => {
    const w = cr.randn([3], { seed: 0, requiresGrad: true });
    assert.equal(w.requiresGrad, true);
    assert.equal(w.isLeaf, true);
    w.mul(w).sum().backward();
    assert.deepEqual(
      Array.from(w.grad!.dataSync()),
      Array.from(w.dataSync(), (v) => Math.fround(2 * v)),
    );
  });
});

describe("zero-length axes", () => {
  test("creation, size and reading", () => {
    for (const shape of [[0], [3, 0], [0, 4], [2, 0, 5]]) {
      for (const t of [cr.zeros(shape), cr.ones(shape), cr.rand(shape, { seed: 0 }), cr.randn(shape)]) {
        assert.deepEqual(t.shape, shape);
        assert.equal(t.size, 0);
        assert.equal(t.dataSync().length, 0);
      }
    }
    assert.deepEqual(cr.zeros([3, 0]).toArray(), [[], [], []]);
    assert.deepEqual(cr.zeros([0, 3]).toArray(), []);
    assert.deepEqual(cr.randint(0, 2, [0]).shape, [0]);
  });

  test("ops keep the zero-length axis", () => {
    const a = cr.ones([2, 0]);
    assert.deepEqual(a.add(1).shape, [2, 0]);
    assert.deepEqual(a.sum({ axis: 1 }).toArray(), [0, 0]);
    assert.equal(a.sum().item(), 0);
    assert.deepEqual(cr.matmul(cr.ones([2, 0]), cr.ones([0, 3])).toArray(), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  test("item() on an empty tensor says it needs one element", () => {
    throwsMessage(() => cr.zeros([0]).item(), /item: .* has 0 elements; item\(\) needs exactly one/);
  });
});

describe("tensor() from typed arrays: one copy, every conversion", () => {
  test("a typed array of the target dtype is copied, not shared", () => {
    const src = Float32Array.from([1.5, -2, 3.25, 0]);
    const t = cr.tensor(src, { shape: [2, 2] });
    src[0] = 99;
    assert.deepEqual(Array.from(t.dataSync()), [1.5, -2, 3.25, 0]);
  });

  test("numeric conversions match a typed array's own (float to int32 truncates, float64 rounds to float32)", () => {
    const values = [1.7, -1.7, 2 ** 31 + 5, Number.NaN, 1e-46, 0.1];
    for (const [dtype, Target] of [
      ["int32", Int32Array],
      ["float32", Float32Array],
      ["float64", Float64Array],
    ] as const) {
      for (const Source of [Float64Array, Float32Array, Int32Array]) {
        const src = Source.from(values);
        const expected = Array.from(Target.from(src));
        const got = Array.from(cr.tensor(src, { dtype }).dataSync());
        assert.deepEqual(got, expected, `${Source.name} -> ${dtype}`);
      }
    }
  });

  test("bool stores 0/1: nonzero is true, NaN and 0 are false", () => {
    const got = cr.tensor(Float64Array.from([0, 2, -0.5, Number.NaN, 1]), { dtype: "bool" });
    assert.deepEqual(Array.from(got.dataSync()), [0, 1, 1, 0, 1]);
    assert.deepEqual(Array.from(cr.tensor(Uint8Array.from([0, 7, 1])).dataSync()), [0, 1, 1]);
    assert.deepEqual(cr.tensor(Uint8Array.from([0, 7, 1]), { dtype: "int32" }).toArray(), [0, 7, 1]);
  });

  test("views that are not element arrays are refused by name", () => {
    throwsMessage(
      () => cr.tensor(new DataView(new ArrayBuffer(8)) as never),
      /^tensor: DataView is not supported/,
    );
    throwsMessage(
      () => cr.tensor(new BigInt64Array(2) as never, { dtype: "float64" }),
      /^tensor: BigInt64Array is not supported/,
    );
  });

  test("a subarray view is read from its own offset", () => {
    const big = Float32Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(Array.from(cr.tensor(big.subarray(3, 7)).dataSync()), [3, 4, 5, 6]);
  });

  test("data() resolves to a copy of exactly the tensor's values", async () => {
    const t = cr.tensor(Float32Array.from([1, 2, 3]));
    const a = await t.data();
    a[0] = 42;
    assert.deepEqual(Array.from(await t.data()), [1, 2, 3]);
    assert.equal(a.length, 3);
  });
});

describe("matmul with transposed operands", () => {
  test("reads a transposed operand in place and names the transposed shapes on a mismatch", () => {
    const x = cr.tensor([
      [1, 2],
      [3, 4],
    ]);
    const w = cr.tensor([
      [1, 0],
      [1, 1],
      [0, 2],
    ]);
    assert.deepEqual(cr.matmul(x, w, { transposeB: true }).toArray(), [
      [1, 3, 4],
      [3, 7, 8],
    ]);
    throwsMessage(
      () => cr.matmul(w, cr.tensor([[1, 2, 3]]), { transposeB: true }),
      /^matmul: \[3,2\] @ \[1,3\]ᵀ: inner sizes 2 and 3 differ$/,
    );
    throwsMessage(
      () => cr.matmul(x, w, { transposeA: true }),
      /^matmul: \[2,2\]ᵀ @ \[3,2\]: inner sizes 2 and 3 differ$/,
    );
    throwsMessage(
      () => cr.matmul(cr.tensor([1, 2]), x, { transposeA: true }),
      /^matmul: transposeA on \[2\]: only operands with at least two axes can be read transposed$/,
    );
  });
});
