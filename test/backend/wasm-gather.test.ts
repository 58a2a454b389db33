// The wasm gather and scatter-add kernels against the reference backend, on every axis of random shapes
// (empty ones included), and an index out of range refused before anything outside the buffers is touched.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { JsBackend } from "../../src/backend/js/index.js";
import type { WasmBuffer } from "../../src/backend/wasm/buffer.js";
import { expectWasm } from "./expect-wasm.js";
import { random } from "./random.js";

const wasm = expectWasm();
const js = new JsBackend();

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe("wasm gather and scatterAdd", () => {
  const cases: [number[], number, number][] = [
    [[256, 10], 1, 1],
    [[5, 7], 0, 3],
    [[3, 4, 5], 1, 6],
    [[3, 4, 5], 2, 2],
    [[3, 0, 5], 0, 2],
    [[6], 0, 9],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    test(`${dtype}: equal to the reference on every layout`, () => {
      const w = wasm!;
      let seed = 1;
      for (const [shape, axis, count] of cases) {
        const rand = random(seed++);
        const indexShape = shape.map((d, i) => (i === axis ? count : d));
        const values = Array.from({ length: sizeOf(shape) }, () => rand() - 0.5);
        const index = Int32Array.from({ length: sizeOf(indexShape) }, () => Math.floor(rand() * shape[axis]));
        const src = Array.from({ length: sizeOf(indexShape) }, () => rand());
        const on = (be: JsBackend | NonNullable<typeof wasm>) => {
          const x = be.alloc(dtype, values.length);
          be.write(x, dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values));
          const idx = be.alloc("int32", index.length);
          be.write(idx, index);
          const gathered = be.alloc(dtype, index.length);
          be.gather(x, shape, idx, indexShape, axis, gathered);
          const s = be.alloc(dtype, src.length);
          be.write(s, dtype === "float32" ? Float32Array.from(src) : Float64Array.from(src));
          const scattered = be.alloc(dtype, values.length);
          be.scatterAdd(s, idx, indexShape, axis, scattered, shape);
          return [Array.from(be.readSync(gathered)), Array.from(be.readSync(scattered))];
        };
        const [g1, s1] = on(w);
        const [g2, s2] = on(js);
        assert.deepEqual(g1, g2, `gather ${JSON.stringify(shape)} axis ${axis}`);
        // Scatter-add sums in the same order (index order), so the results are identical too.
        assert.deepEqual(s1, s2, `scatterAdd ${JSON.stringify(shape)} axis ${axis}`);
      }
    });
  }

  test("the kernels run (no fallback) and refuse an index out of range", () => {
    const w = wasm!;
    assert.ok(w.kernels.has("gather_f32") && w.kernels.has("scatter_add_f64"));
    const x = w.alloc("float32", 6);
    const idx = w.alloc("int32", 2) as WasmBuffer;
    w.write(idx, Int32Array.from([1, 3]));
    const out = w.alloc("float32", 2);
    assert.throws(
      () => w.gather(x, [2, 3], idx, [2, 1], 1, out),
      /gather: an index is outside \[0, 3\) on axis 1/,
    );
    assert.throws(
      () => w.scatterAdd(out, idx, [2, 1], 1, x, [2, 3]),
      /scatterAdd: an index is outside \[0, 3\) on axis 1/,
    );
  });
});
