// The wasm softmax-row kernels (log-softmax, softmax, cross-entropy) against the reference backend: random rows
// of every width (odd ones leave a tail), huge logits, rows of −∞, +∞ and NaN, empty shapes, two threads.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Backend, SoftmaxMode } from "../../src/backend/backend.js";
import { JsBackend } from "../../src/backend/js/index.js";
import { expectWasm } from "./expect-wasm.js";
import { random } from "./random.js";

const wasm = expectWasm();
const js = new JsBackend();

type Float = "float32" | "float64";
const TOLERANCE = { float32: [1e-6, 1e-5], float64: [1e-13, 1e-12] } as const;

/** Equal within the documented tolerance, NaN where the other is NaN, infinities exactly. */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  dtype: Float,
  what: string,
): void {
  assert.equal(actual.length, expected.length, what);
  const [abs, rel] = TOLERANCE[dtype];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      assert.ok(Object.is(a, e), `${what}[${i}]: ${a}, expected ${e}`);
      continue;
    }
    assert.ok(Math.abs(a - e) <= abs + rel * Math.abs(e), `${what}[${i}]: ${a}, expected ${e}`);
  }
}

function rowsOf(rows: number, cols: number, seed: number, special: (r: number, j: number) => number | null) {
  const rand = random(seed);
  return Array.from({ length: rows * cols }, (_, i) => {
    const v = special(Math.floor(i / cols), i % cols);
    return v ?? (rand() - 0.5) * 20;
  });
}

function run(
  be: Backend,
  dtype: Float,
  values: number[],
  rows: number,
  cols: number,
  mode: SoftmaxMode | "xent",
) {
  const x = be.alloc(dtype, values.length);
  be.write(x, dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values));
  if (mode === "xent") {
    const labels = Int32Array.from({ length: rows }, (_, r) => (r * 7) % cols);
    const l = be.alloc("int32", rows);
    be.write(l, labels);
    const out = be.alloc(dtype, rows);
    be.crossEntropyRows(x, l, out, rows, cols);
    return Array.from(be.readSync(out));
  }
  const out = be.alloc(dtype, values.length);
  be.softmaxRows(mode, x, out, rows, cols);
  return Array.from(be.readSync(out));
}

const SPECIALS: [string, (r: number, j: number) => number | null][] = [
  ["random", () => null],
  ["huge logits", (_r, j) => (j % 3 === 0 ? 1e4 : j % 3 === 1 ? -1e4 : null)],
  ["a row of −∞", (r) => (r === 1 ? Number.NEGATIVE_INFINITY : null)],
  ["+∞ in a row", (r, j) => (r === 2 && j === 0 ? Number.POSITIVE_INFINITY : null)],
  ["NaN in a row", (r, j) => (r === 0 && j === 1 ? Number.NaN : null)],
  ["−∞ beside finite values", (_r, j) => (j === 0 ? Number.NEGATIVE_INFINITY : null)],
];

describe("wasm softmax rows", () => {
  test("the kernels are in the module (so nothing below falls back to the reference)", () => {
    for (const name of ["softmax_rows_f32", "softmax_rows_f64", "xent_rows_f32", "xent_rows_f64"] as const) {
      assert.ok(wasm!.kernels.has(name), name);
    }
  });

  for (const dtype of ["float32", "float64"] as const) {
    for (const mode of ["log", "softmax", "xent"] as const) {
      test(`${dtype} ${mode}: equal to the reference within the tolerance, special values included`, () => {
        let seed = 1;
        for (const [rows, cols] of [
          [4, 10],
          [3, 1],
          [5, 7],
          [3, 2],
          [6, 33],
          [1, 1000],
          [0, 5],
          [3, 0],
        ]) {
          for (const [name, special] of SPECIALS) {
            if (mode === "xent" && cols === 0) continue; // no label fits in [0, 0)
            const values = rowsOf(rows, cols, seed++, special);
            const what = `${mode} [${rows}, ${cols}] ${name}`;
            assertClose(
              run(wasm!, dtype, values, rows, cols, mode),
              run(js, dtype, values, rows, cols, mode),
              dtype,
              what,
            );
          }
        }
      });
    }
  }

  test("two threads split the rows of a big softmax, with the same result as one", async () => {
    const w = wasm!;
    w.setThreads(2);
    const twoThreads = async () => {
      const start = Date.now();
      while (w.kernels.available < 2 && Date.now() - start < 20_000)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(w.kernels.available >= 2, "the second thread did not start");
    };
    await twoThreads();
    try {
      const [rows, cols] = [517, 300]; // 155,100 elements: split from 2^16
      const values = rowsOf(rows, cols, 99, () => null);
      for (const dtype of ["float32", "float64"] as const) {
        const two = run(w, dtype, values, rows, cols, "log");
        assertClose(two, run(js, dtype, values, rows, cols, "log"), dtype, `threads ${dtype}`);
        w.setThreads(1);
        assert.deepEqual(run(w, dtype, values, rows, cols, "log"), two);
        w.setThreads(2);
        await twoThreads();
      }
    } finally {
      w.setThreads(1);
    }
  });

  test("in place (out is x), the same as into a fresh buffer", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const mode of ["log", "softmax"] as const) {
        const values = rowsOf(5, 9, 3, () => null);
        for (const be of [wasm!, js] as Backend[]) {
          const x = be.alloc(dtype, values.length);
          be.write(x, dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values));
          be.softmaxRows(mode, x, x, 5, 9);
          assert.deepEqual(
            Array.from(be.readSync(x)),
            run(be, dtype, values, 5, 9, mode),
            `${be.name} ${mode}`,
          );
        }
      }
    }
  });

  test("a label out of range is refused with the op and the example, before any read outside the row", () => {
    const w = wasm!;
    const x = w.alloc("float32", 6);
    w.write(x, Float32Array.from([1, 2, 3, 4, 5, 6]));
    const labels = w.alloc("int32", 2);
    w.write(labels, Int32Array.from([1, 3]));
    const out = w.alloc("float32", 2);
    assert.throws(
      () => w.crossEntropyRows(x, labels, out, 2, 3),
      /crossEntropy: logits \[2, 3\]: label 3 of example 1 is outside \[0, 3\)/,
    );
  });
});
