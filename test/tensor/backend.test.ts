// The backend contract: the registry, registering and switching backends, and each kernel family
// called directly through the Backend interface on every registered backend.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

/** A backend that runs the JS kernels but counts its allocations and frees. */
function countingBackend(name: string): cr.Backend & { allocs: number; frees: number } {
  const js = cr.getBackend();
  const counting = Object.create(js) as cr.Backend & { allocs: number; frees: number };
  return Object.assign(counting, {
    name,
    allocs: 0,
    frees: 0,
    alloc(dtype: cr.DType, size: number): cr.DataId {
      counting.allocs++;
      return js.alloc(dtype, size);
    },
    free(id: cr.DataId): void {
      counting.frees++;
      js.free(id);
    },
  });
}

/** The backend chosen at start-up: wasm in Node where it loads (CHAINRULE_BACKEND can pick another). */
const START = cr.getBackend().name;

describe("the registry", () => {
  test("the reference backend js is registered; in Node the default is wasm unless CHAINRULE_BACKEND says", () => {
    assert.ok(cr.listBackends().includes("js"));
    const status = cr.wasmStatus();
    assert.ok(status.available, `wasm backend: ${status.reason}`);
    assert.equal(START, process.env.CHAINRULE_BACKEND ?? "wasm");
    assert.equal(cr.tensor([1]).storage.backend, cr.getBackend());
  });

  test("setBackend with an unknown name throws, naming the registered backends", () => {
    assert.throws(
      () => cr.setBackend("nope"),
      (error: unknown) =>
        error instanceof cr.ChainruleError &&
        /^setBackend: no backend named "nope"; registered: js(, \w+)*$/.test(error.message),
    );
    assert.equal(cr.getBackend().name, START);
  });

  test("registerBackend adds a backend that setBackend switches to", () => {
    const js = cr.getBackend();
    const counting = countingBackend("counting");
    cr.registerBackend(counting);
    assert.ok(cr.listBackends().includes("counting"));
    const before = cr.tensor([1, 2]);
    try {
      cr.setBackend("counting");
      assert.equal(cr.getBackend(), counting);
      const a = cr.tensor([1, 2, 3]);
      assert.equal(a.storage.backend, counting);
      assert.equal(counting.allocs, 1);
      const b = a.mul(2).add(1);
      assert.deepEqual(b.toArray(), [3, 5, 7]);
      assert.equal(b.storage.backend, counting);
      assert.ok(counting.allocs >= 3);
      a.dispose();
      assert.equal(counting.frees, 1);
      assert.throws(
        () => cr.add(b, before),
        /add: inputs live on different backends \((counting and \w+|\w+ and counting)\)/,
      );
    } finally {
      cr.setBackend(START);
    }
    assert.equal(cr.getBackend(), js);
    assert.equal(cr.tensor([1]).storage.backend, js);
    assert.equal(before.storage.backend, js, "tensors keep the backend that made them");
    assert.deepEqual(before.add(1).toArray(), [2, 3]);
  });
});

/** Writes values into a fresh buffer of `b`. */
function buffer(b: cr.Backend, dtype: cr.DType, values: readonly number[]): cr.DataId {
  const id = b.alloc(dtype, values.length);
  const typed =
    dtype === "float64"
      ? Float64Array.from(values)
      : dtype === "float32"
        ? Float32Array.from(values)
        : dtype === "int32"
          ? Int32Array.from(values)
          : Uint8Array.from(values);
  b.write(id, typed);
  return id;
}

const read = (b: cr.Backend, id: cr.DataId): number[] => Array.from(b.readSync(id));
const contiguous = (id: cr.DataId, strides: number[]) => ({ id, strides, offset: 0 });

// "meta" holds no values (dry runs only): test/memory/dry-run.test.ts covers it.
for (const name of cr.listBackends().filter((n) => n !== "meta")) {
  describe(`kernel families on the "${name}" backend`, () => {
    const b = (): cr.Backend => {
      cr.setBackend(name);
      const backend = cr.getBackend();
      cr.setBackend(START);
      return backend;
    };

    test("alloc is zero-filled; write, readSync, read and fill", async () => {
      const be = b();
      const id = be.alloc("float32", 3);
      assert.deepEqual(read(be, id), [0, 0, 0]);
      be.write(id, Float32Array.from([1, 2, 3]));
      assert.deepEqual(read(be, id), [1, 2, 3]);
      assert.deepEqual(Array.from(await be.read(id)), [1, 2, 3]);
      be.fill(id, 7);
      assert.deepEqual(read(be, id), [7, 7, 7]);
      be.free(id);
    });

    test("axpy: y += α·x in float64 exactly, float32 within rounding, any length (vector body and tail)", () => {
      const be = b();
      for (const n of [0, 1, 7, 8, 9, 33, 300_001]) {
        const xs = Array.from({ length: n }, (_, i) => (i % 13) - 6.5);
        const ys = Array.from({ length: n }, (_, i) => (i % 7) * 0.25);
        const x64 = buffer(be, "float64", xs);
        const y64 = buffer(be, "float64", ys);
        be.axpy(-0.5, x64, y64, n);
        assert.deepEqual(
          read(be, y64),
          ys.map((y, i) => y - 0.5 * xs[i]),
          `float64, n = ${n}`,
        );
        const x32 = buffer(be, "float32", xs);
        const y32 = buffer(be, "float32", ys);
        be.axpy(0.1, x32, y32, n);
        const got = read(be, y32);
        ys.forEach((y, i) => {
          const want = y + 0.1 * xs[i];
          assert.ok(
            Math.abs(got[i] - want) <= 1e-6 * (1 + Math.abs(want)),
            `float32, n = ${n}, element ${i}`,
          );
        });
      }
    });

    test("cast: bool from nonzero, int32 truncates toward zero", () => {
      const be = b();
      const x = buffer(be, "float32", [0, -1.5, 2.5, 0.25]);
      const asBool = be.alloc("bool", 4);
      be.cast(x, asBool, 4);
      assert.deepEqual(read(be, asBool), [0, 1, 1, 1]);
      const asInt = be.alloc("int32", 4);
      be.cast(x, asInt, 4);
      assert.deepEqual(read(be, asInt), [0, -1, 2, 0]);
      const asF64 = be.alloc("float64", 4);
      be.cast(asInt, asF64, 4);
      assert.deepEqual(read(be, asF64), [0, -1, 2, 0]);
    });

    test("unary", () => {
      const be = b();
      const x = buffer(be, "float64", [-2, 0, 3]);
      const out = be.alloc("float64", 3);
      be.unary("relu", x, out, 3);
      assert.deepEqual(read(be, out), [0, 0, 3]);
      be.unary("sign", x, out, 3);
      assert.deepEqual(read(be, out), [-1, 0, 1]);
      be.unary("abs", x, out, 3);
      assert.deepEqual(read(be, out), [2, 0, 3]);
    });

    test("binary and where read broadcast views (stride 0 on broadcast axes)", () => {
      const be = b();
      const a = buffer(be, "float32", [1, 2, 3, 4, 5, 6]); // [2, 3]
      const row = buffer(be, "float32", [10, 20, 30]); // [3] broadcast to [2, 3]
      const out = be.alloc("float32", 6);
      be.binary("add", contiguous(a, [3, 1]), contiguous(row, [0, 1]), out, [2, 3]);
      assert.deepEqual(read(be, out), [11, 22, 33, 14, 25, 36]);
      const cmp = be.alloc("bool", 6);
      be.binary("greater", contiguous(a, [3, 1]), { id: a, strides: [0, 0], offset: 2 }, cmp, [2, 3]);
      assert.deepEqual(read(be, cmp), [0, 0, 0, 1, 1, 1]);
      const picked = be.alloc("float32", 6);
      be.where(contiguous(cmp, [3, 1]), contiguous(a, [3, 1]), contiguous(row, [0, 1]), picked, [2, 3]);
      assert.deepEqual(read(be, picked), [10, 20, 30, 4, 5, 6]);
    });

    test("reduce over sorted axes; argmax keeps the first winner", () => {
      const be = b();
      const x = buffer(be, "float32", [1, 5, 2, 5, 0, -1]); // [2, 3]
      const rows = be.alloc("float32", 2);
      be.reduce("sum", x, [2, 3], [1], rows);
      assert.deepEqual(read(be, rows), [8, 4]);
      const cols = be.alloc("float32", 3);
      be.reduce("max", x, [2, 3], [0], cols);
      assert.deepEqual(read(be, cols), [5, 5, 2]);
      const all = be.alloc("float32", 1);
      be.reduce("min", x, [2, 3], [0, 1], all);
      assert.deepEqual(read(be, all), [-1]);
      const arg = be.alloc("int32", 2);
      be.reduce("argmax", x, [2, 3], [1], arg);
      assert.deepEqual(read(be, arg), [1, 0]);
    });

    test("matmul, plain and reading an operand transposed", () => {
      const be = b();
      const a = buffer(be, "float32", [1, 2, 3, 4, 5, 6]); // [2, 3]
      const w = buffer(be, "float32", [1, 0, 0, 1, 1, 1]); // [3, 2]
      const out = be.alloc("float32", 4);
      const spec = { batchShape: [], aBatchStrides: [], bBatchStrides: [], m: 2, k: 3, n: 2 };
      be.matmul(a, w, out, { ...spec, transA: false, transB: false });
      assert.deepEqual(read(be, out), [4, 5, 10, 11]);
      // a·aᵀ with b = a stored as [n, k] = [2, 3].
      be.matmul(a, a, out, { ...spec, transA: false, transB: true });
      assert.deepEqual(read(be, out), [14, 32, 32, 77]);
    });

    test("copy between strided views (a transpose)", () => {
      const be = b();
      const x = buffer(be, "float32", [1, 2, 3, 4, 5, 6]); // [2, 3]
      const out = be.alloc("float32", 6); // [3, 2]
      be.copy({ id: x, strides: [1, 3], offset: 0 }, contiguous(out, [2, 1]), [3, 2]);
      assert.deepEqual(read(be, out), [1, 4, 2, 5, 3, 6]);
    });

    test("gather and scatterAdd along an axis", () => {
      const be = b();
      const x = buffer(be, "float32", [1, 2, 3, 4, 5, 6]); // [2, 3]
      const index = buffer(be, "int32", [2, 0, 1, 1]); // [2, 2]
      const out = be.alloc("float32", 4);
      be.gather(x, [2, 3], index, [2, 2], 1, out);
      assert.deepEqual(read(be, out), [3, 1, 5, 5]);
      const back = be.alloc("float32", 6);
      be.scatterAdd(out, index, [2, 2], 1, back, [2, 3]);
      assert.deepEqual(read(be, back), [1, 0, 3, 0, 10, 0]);
    });
  });
}
