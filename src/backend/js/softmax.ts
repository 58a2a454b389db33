// The reference row-wise softmax family: log-softmax, softmax and softmax cross-entropy over contiguous rows,
// shifted by the row maximum (0 where it is not finite, as the composite does), Σ exp accumulated in float64.
import type { TypedArray } from "../../dtype.js";
import type { SoftmaxMode } from "../backend.js";

/** For the row at `start`: the shift (its maximum when finite, else 0) and log Σ exp(x − shift). */
function rowLogSumExp(x: TypedArray, start: number, cols: number): { shift: number; ls: number } {
  let m = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < cols; j++) if (x[start + j] > m) m = x[start + j];
  const shift = Number.isFinite(m) ? m : 0;
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(x[start + j] - shift);
  return { shift, ls: Math.log(s) };
}

// log p = (x − m) − log Σ exp(x − m); softmax = exp(log p).
export function softmaxRowsInto(
  mode: SoftmaxMode,
  x: TypedArray,
  out: TypedArray,
  rows: number,
  cols: number,
): void {
  for (let start = 0; start < rows * cols; start += cols) {
    const { shift, ls } = rowLogSumExp(x, start, cols);
    for (let j = 0; j < cols; j++) {
      const logp = x[start + j] - shift - ls;
      out[start + j] = mode === "softmax" ? Math.exp(logp) : logp;
    }
  }
}

// ℓ_r = log Σ exp(x_r − m) − (x_r[y_r] − m); labels are checked by the caller.
export function crossEntropyRowsInto(
  x: TypedArray,
  labels: TypedArray,
  out: TypedArray,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const { shift, ls } = rowLogSumExp(x, r * cols, cols);
    out[r] = -(x[r * cols + labels[r]] - shift - ls);
  }
}
