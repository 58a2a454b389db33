// Batched matrix product for the reference backend, reading transposed operands in place.
import type { TypedArray } from "../../dtype.js";
import type { MatmulSpec } from "../backend.js";
import { offsetsOf } from "./strided.js";

export function matmulInto(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void {
  const { m, k, n, transA, transB } = spec;
  const aOff = offsetsOf(spec.batchShape, spec.aBatchStrides, 0);
  const bOff = offsetsOf(spec.batchShape, spec.bBatchStrides, 0);
  // Element (i, p) of op(a) and (p, j) of op(b), as strides into one batch.
  const [aRow, aCol] = transA ? [1, m] : [k, 1];
  const [bRow, bCol] = transB ? [1, k] : [n, 1];
  const row = new Float64Array(n);
  for (let batch = 0; batch < aOff.length; batch++) {
    const a0 = aOff[batch];
    const b0 = bOff[batch];
    const o0 = batch * m * n;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = a[a0 + i * aRow + p * aCol];
        const bp = b0 + p * bRow;
        for (let j = 0; j < n; j++) row[j] += aip * b[bp + j * bCol];
      }
      for (let j = 0; j < n; j++) out[o0 + i * n + j] = row[j];
    }
  }
}
