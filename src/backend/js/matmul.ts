// Batched matrix product for the reference backend. Every layout is brought to "rows of a · rows of b"
// (b read as [n, k]), copying a transposed operand once, so the inner loop is a contiguous dot product.
import type { TypedArray } from "../../dtype.js";
import type { MatmulSpec } from "../backend.js";
import { offsetsOf } from "./strided.js";

/** The [cols, rows] transpose of the [rows, cols] matrix at `offset`. */
function transposed(x: TypedArray, offset: number, rows: number, cols: number): TypedArray {
  const t = x instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[offset + r * cols + c];
  return t;
}

/** out[i, j] = Σ_p a[i, p] · b[j, p], two rows by two columns at a time to share loads. */
function rowDots(
  a: ArrayLike<number>,
  a0: number,
  b: ArrayLike<number>,
  b0: number,
  out: TypedArray,
  o0: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i += 2) {
    const i1 = Math.min(i + 1, m - 1);
    const r0 = a0 + i * k;
    const r1 = a0 + i1 * k;
    for (let j = 0; j < n; j += 2) {
      const j1 = Math.min(j + 1, n - 1);
      const c0 = b0 + j * k;
      const c1 = b0 + j1 * k;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[r0 + p];
        const x1 = a[r1 + p];
        const y0 = b[c0 + p];
        const y1 = b[c1 + p];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      out[o0 + i * n + j] = s00;
      out[o0 + i * n + j1] = s01;
      out[o0 + i1 * n + j] = s10;
      out[o0 + i1 * n + j1] = s11;
    }
  }
}

export function matmulInto(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void {
  if (spec.accumulate) {
    // The product apart, then added: each element is written once more, which the reference can afford.
    const product = new Float64Array(out.length);
    matmulInto(a, b, product, { ...spec, accumulate: false });
    for (let i = 0; i < out.length; i++) out[i] += product[i];
    return;
  }
  const { m, k, n, transA, transB } = spec;
  const aOff = offsetsOf(spec.batchShape, spec.aBatchStrides, 0);
  const bOff = offsetsOf(spec.batchShape, spec.bBatchStrides, 0);
  for (let batch = 0; batch < aOff.length; batch++) {
    // Rows of op(a) as [m, k] and rows of op(b)ᵀ as [n, k].
    const left = transA ? transposed(a, aOff[batch], k, m) : a;
    const right = transB ? b : transposed(b, bOff[batch], k, n);
    rowDots(left, transA ? 0 : aOff[batch], right, transB ? bOff[batch] : 0, out, batch * m * n, m, k, n);
  }
}
