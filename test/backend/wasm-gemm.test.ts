// The packed GEMM kernels called directly: every transpose, ragged sizes around the tile and block edges,
// leading dimensions wider than the rows, accumulate, no writes outside C, and banding that changes no bit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { WasmBuffer } from "../../src/backend/wasm/buffer.js";
import { matmulWasm } from "../../src/backend/wasm/ops-matmul.js";
import { expectWasm } from "./expect-wasm.js";

const backend = expectWasm();

/** A small deterministic generator, so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

type Float = "float32" | "float64";
const widthOf = (dtype: Float) => (dtype === "float32" ? 4 : 8);

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Extra elements at the end of each stored row of A, B and C. */
  pad: number;
  accumulate: boolean;
}

/** Runs one kernel call on fresh buffers with guard bands, checks C against float64 sums and the guards. */
function check(dtype: Float, c: Case, seed: number): void {
  const b = backend!;
  const { m, n, k, transA, transB, pad, accumulate } = c;
  const w = widthOf(dtype);
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = aCols + pad;
  const ldb = bCols + pad;
  const ldc = n + pad;
  const guard = 16;
  const rand = random(seed);
  const alloc = (elements: number) => b.alloc(dtype, elements + 2 * guard) as WasmBuffer;
  const A = alloc(aRows * lda);
  const B = alloc(bRows * ldb);
  const C = alloc(m * ldc);
  const av = b.readSync(A) as Float32Array | Float64Array;
  av.forEach((_, i) => {
    av[i] = rand();
  });
  const bv = b.readSync(B) as Float32Array | Float64Array;
  bv.forEach((_, i) => {
    bv[i] = rand();
  });
  const cv = b.readSync(C) as Float32Array | Float64Array;
  cv.forEach((_, i) => {
    cv[i] = rand();
  });
  const before = Float64Array.from(cv);
  const at = (buf: WasmBuffer) => buf.address + guard * w;
  const opA = (i: number, p: number) => av[guard + (transA ? p * lda + i : i * lda + p)];
  const opB = (p: number, j: number) => bv[guard + (transB ? j * ldb + p : p * ldb + j)];
  const kernel = dtype === "float32" ? "sgemm" : "dgemm";
  const scratch = b.kernels.scratchFor(0, b.kernels.call(`${kernel}ScratchBytes`, m, n, k));
  b.kernels.call(
    kernel,
    transA ? 1 : 0,
    transB ? 1 : 0,
    m,
    n,
    k,
    at(A),
    lda,
    at(B),
    ldb,
    at(C),
    ldc,
    accumulate ? 1 : 0,
    scratch,
  );
  const got = b.readSync(C) as Float32Array | Float64Array;
  const tol = dtype === "float32" ? 1e-5 * Math.sqrt(k + 1) : 1e-13 * (k + 1);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const idx = guard + i * ldc + j;
      if (j >= n) {
        assert.equal(
          got[idx],
          before[idx],
          `${kernel} ${JSON.stringify(c)}: padding of C at (${i}, ${j}) changed`,
        );
        continue;
      }
      let want = accumulate ? before[idx] : 0;
      for (let p = 0; p < k; p++) want += opA(i, p) * opB(p, j);
      assert.ok(
        Math.abs(got[idx] - want) <= tol * (1 + Math.abs(want)),
        `${kernel} ${JSON.stringify(c)}: C[${i}, ${j}] = ${got[idx]}, want ${want}`,
      );
    }
  }
  for (let g = 0; g < guard; g++) {
    assert.equal(got[g], before[g], `${kernel}: the guard before C changed`);
    assert.equal(got[got.length - 1 - g], before[got.length - 1 - g], `${kernel}: the guard after C changed`);
  }
  for (const buf of [A, B, C]) b.free(buf);
}

describe("the sgemm and dgemm kernels", () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [1, 9, 3],
    [7, 1, 5],
    [4, 8, 1],
    [6, 8, 16],
    [5, 7, 3],
    [13, 17, 29],
    [25, 31, 257],
    [121, 9, 11],
    [3, 2051, 2],
    [2, 3, 0],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    test(`${dtype}: every transpose, ragged sizes, padded rows, accumulate, guards untouched`, () => {
      let seed = 1;
      for (const [m, n, k] of sizes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            for (const [pad, accumulate] of [
              [0, false],
              [3, true],
            ] as const) {
              check(dtype, { m, n, k, transA, transB, pad, accumulate }, seed++);
            }
          }
        }
      }
    });
  }

  test("splitting C into row or column bands over 2 or 4 threads changes no bit", async () => {
    const b = backend!;
    const rand = random(7);
    for (const [m, n, k] of [
      [300, 40, 270],
      [300, 260, 270],
      [24, 333, 300],
      // The chapter's narrow products (ten classes) at batch 256, split from 2^19 multiply-adds.
      [256, 10, 256],
      [10, 256, 256],
      // Products that pack op(B) once and split C into 2, 4 or 8 row bands, and one only a few rows high.
      [601, 200, 150],
      [1000, 130, 130],
      [10, 2000, 1000],
    ]) {
      const A = b.alloc("float32", m * k) as WasmBuffer;
      const B = b.alloc("float32", k * n) as WasmBuffer;
      const C1 = b.alloc("float32", m * n) as WasmBuffer;
      const C2 = b.alloc("float32", m * n) as WasmBuffer;
      b.write(A, Float32Array.from({ length: m * k }, rand));
      b.write(B, Float32Array.from({ length: k * n }, rand));
      const spec = {
        batchShape: [],
        aBatchStrides: [],
        bBatchStrides: [],
        m,
        n,
        k,
        transA: true,
        transB: false,
      };
      b.setThreads(1);
      matmulWasm(b.kernels, A, B, C1, spec);
      // Two threads take one band each; four share one packed op(B) (the two-phase split).
      for (const threads of [2, 4]) {
        b.setThreads(threads);
        while (b.kernels.available < threads) await new Promise((r) => setTimeout(r, 5));
        b.fill(C2, Number.NaN);
        matmulWasm(b.kernels, A, B, C2, spec);
        b.setThreads(1);
        assert.deepEqual(
          b.readSync(C2),
          b.readSync(C1),
          `[${m}, ${k}]ᵀ @ [${k}, ${n}] on ${threads} threads`,
        );
      }
      for (const buf of [A, B, C1, C2]) b.free(buf);
    }
  });
});
