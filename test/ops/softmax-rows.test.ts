// logSoftmax over the last axis runs one row kernel (src/ops/softmax-rows.ts), recorded or not; softmax and
// crossEntropy do where no graph is recorded. They must give the composite's values (to rounding) on every
// shape and special value, and allocate only their result.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { watchLedger } from "../../src/memory/ledger.js";

const TOLERANCE = { float32: [1e-6, 1e-5], float64: [1e-13, 1e-12] } as const;

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  dtype: "float32" | "float64",
  what: string,
) {
  assert.equal(actual.length, expected.length, what);
  const [abs, rel] = TOLERANCE[dtype];
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (!Number.isFinite(e)) assert.ok(Object.is(a, e), `${what}[${i}]: ${a}, expected ${e}`);
    else assert.ok(Math.abs(a - e) <= abs + rel * Math.abs(e), `${what}[${i}]: ${a}, expected ${e}`);
  }
}

/** The composite's result: x requires a gradient and recording is on, so the primitives run. */
function composite(
  f: (x: cr.Tensor) => cr.Tensor,
  values: number[],
  shape: number[],
  dtype: "float32" | "float64",
) {
  return cr.tidy(() => {
    const x = cr.tensor(values, { shape, dtype, requiresGrad: true });
    const y = f(x);
    assert.ok(y.requiresGrad, "the composite path records a graph");
    return Array.from(y.dataSync());
  });
}

/** The row kernel's result: the same call under noGrad. */
function fused(
  f: (x: cr.Tensor) => cr.Tensor,
  values: number[],
  shape: number[],
  dtype: "float32" | "float64",
) {
  return cr.noGrad(() => cr.tidy(() => Array.from(f(cr.tensor(values, { shape, dtype })).dataSync())));
}

const g = new cr.Generator(7);
const SHAPES = [[4, 10], [7], [2, 3, 5], [1, 1], [0, 4], [3, 0], [6, 33]];
function valuesFor(shape: number[], special: string): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, i) => {
    if (special === "huge" && i % 2 === 0) return i % 4 === 0 ? 1e4 : -1e4;
    if (special === "-inf row" && i < (shape.at(-1) ?? 0)) return Number.NEGATIVE_INFINITY;
    if (special === "+inf" && i === 0) return Number.POSITIVE_INFINITY;
    if (special === "nan" && i === 1) return Number.NaN;
    return (g.uniform() - 0.5) * 12;
  });
}

describe("logSoftmax, softmax and crossEntropy without a graph", () => {
  for (const dtype of ["float32", "float64"] as const) {
    test(`${dtype}: logSoftmax and softmax equal the composite on every shape and special value`, () => {
      for (const shape of SHAPES) {
        for (const special of ["random", "huge", "-inf row", "+inf", "nan"]) {
          const values = valuesFor(shape, special);
          const what = `[${shape}] ${special}`;
          for (const [name, f] of [
            ["logSoftmax", (x: cr.Tensor) => cr.logSoftmax(x)],
            ["softmax", (x: cr.Tensor) => cr.softmax(x)],
          ] as const) {
            assertClose(
              fused(f, values, shape, dtype),
              composite(f, values, shape, dtype),
              dtype,
              `${name} ${what}`,
            );
          }
        }
      }
    });

    test(`${dtype}: crossEntropy equals the composite for every reduction`, () => {
      for (const [n, q] of [
        [5, 10],
        [1, 1],
        [8, 3],
        [0, 4],
      ]) {
        // The specials put ±∞ or NaN in the first columns of the first rows, some of them the labels' columns.
        for (const special of ["random", "huge", "-inf row", "+inf", "nan"]) {
          const values = valuesFor([n, q], special);
          const labels = Array.from({ length: n }, (_, i) => (i * 5) % q);
          for (const reduction of ["mean", "sum", "none"] as const) {
            const f = (x: cr.Tensor) =>
              cr.nn.crossEntropy(x, cr.tensor(labels, { dtype: "int32" }), { reduction });
            const what = `crossEntropy [${n}, ${q}] ${special} ${reduction}`;
            assertClose(fused(f, values, [n, q], dtype), composite(f, values, [n, q], dtype), dtype, what);
          }
        }
      }
    });
  }

  test("without a graph, softmax allocates its result and nothing else; with one, log-softmax is one node", () => {
    const x = cr.randn([16, 10]);
    const count = (f: () => void) => {
      let allocations = 0;
      const stop = watchLedger((event) => {
        if (event === "allocate") allocations++;
      });
      try {
        cr.tidy(f);
      } finally {
        stop();
      }
      return allocations;
    };
    assert.equal(
      count(() => cr.noGrad(() => cr.logSoftmax(x))),
      1,
    );
    assert.equal(
      count(() => cr.noGrad(() => cr.softmax(x))),
      1,
    );
    // Recorded, log-softmax over the last axis is one primitive node that makes only its result (which it
    // saves for backward); softmax is exp of it.
    const w = x.clone().requiresGrad_();
    assert.equal(
      count(() => assert.equal(cr.logSoftmax(w).node?.prim, "logSoftmax")),
      1,
    );
    assert.equal(
      count(() => cr.softmax(w)),
      2,
    );
    w.dispose();
    x.dispose();
  });

  test("another axis than the last takes the composite, and gives the same values as the transposed rows", () => {
    const x = cr.randn([3, 5], { dtype: "float64" });
    let allocations = 0;
    const stop = watchLedger((event) => {
      if (event === "allocate") allocations++;
    });
    const byColumns = cr.noGrad(() => cr.logSoftmax(x, { axis: 0 }));
    stop();
    assert.ok(allocations > 3, `the composite's intermediates (${allocations} allocations)`);
    const byRows = cr.noGrad(() => cr.logSoftmax(x.transpose(0, 1)).transpose(0, 1));
    assertClose(byColumns.dataSync(), byRows.dataSync(), "float64", "axis 0");
  });

  test("a disposed tensor is refused by name, as every op refuses it", () => {
    const x = cr.randn([2, 3]);
    x.dispose();
    assert.throws(() => cr.noGrad(() => cr.logSoftmax(x)), /logSoftmax: .*disposed/);
    assert.throws(() => cr.noGrad(() => cr.softmax(x)), /softmax: .*disposed/);
    const y = cr.tensor([0, 1], { dtype: "int32" });
    assert.throws(() => cr.noGrad(() => cr.nn.crossEntropy(x, y)), /crossEntropy: .*disposed/);
  });

  test("an integer tensor is made float first, as the composite does", () => {
    const x = cr.tensor([[1, 2, 3]], { dtype: "int32" });
    const y = cr.noGrad(() => cr.softmax(x));
    assert.equal(y.dtype, "float32");
    assertClose(y.dataSync(), [0.09003057, 0.24472847, 0.66524096], "float32", "softmax of int32");
  });
});
