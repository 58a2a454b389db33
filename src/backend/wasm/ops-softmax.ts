// Row-wise log-softmax, softmax and softmax cross-entropy on the wasm backend (wasm/assembly/softmax.ts):
// softmax rows are split over the threads from PARALLEL_MIN elements, since every element costs an exp.
import { fail } from "../../errors.js";
import type { SoftmaxMode } from "../backend.js";
import type { WasmBuffer } from "./buffer.js";
import type { Kernels } from "./kernels.js";
import { suffix, threadsFor, WIDTH } from "./ops-common.js";
import type { KernelSignatures } from "./signatures.js";

/** [first row, row count] bands of `rows` for the threads that a job of rows × cols elements gets. */
function rowBands(k: Kernels, rows: number, cols: number): [number, number][] {
  const parts = Math.min(rows, threadsFor(k, rows * cols));
  const band = Math.ceil(rows / Math.max(1, parts));
  const out: [number, number][] = [];
  for (let r0 = 0; r0 < rows; r0 += band) out.push([r0, Math.min(band, rows - r0)]);
  return out;
}

export function softmaxRowsWasm(
  k: Kernels,
  mode: SoftmaxMode,
  x: WasmBuffer,
  out: WasmBuffer,
  rows: number,
  cols: number,
): boolean {
  const s = suffix(x.dtype);
  if (s === null) return false;
  const name = `softmax_rows_${s}` as const;
  if (out.dtype !== x.dtype || !k.has(name)) return false;
  if (rows * cols === 0) return true;
  const code = mode === "log" ? 0 : 1;
  const rowBytes = cols * WIDTH[x.dtype];
  const shares = rowBands(k, rows, cols).map(([r0, count]): KernelSignatures["softmax_rows_f32"] => [
    code,
    count,
    cols,
    x.address + r0 * rowBytes,
    out.address + r0 * rowBytes,
  ]);
  k.parallel(name, shares);
  return true;
}

export function crossEntropyRowsWasm(
  k: Kernels,
  x: WasmBuffer,
  labels: WasmBuffer,
  out: WasmBuffer,
  rows: number,
  cols: number,
): boolean {
  const s = suffix(x.dtype);
  if (s === null) return false;
  const name = `xent_rows_${s}` as const;
  if (out.dtype !== x.dtype || labels.dtype !== "int32" || !k.has(name)) return false;
  if (rows === 0) return true;
  // One thread: a row costs one exp per class, far less than the matmuls that made the logits. A label out
  // of range stops the kernel before it reads outside the row (the caller checks them first).
  const bad = k.call(name, rows, cols, x.address, labels.address, out.address);
  if (bad !== 0) {
    const label = k.view(labels)[bad - 1];
    fail(
      "crossEntropy",
      `logits [${rows}, ${cols}]: label ${label} of example ${bad - 1} is outside [0, ${cols})`,
    );
  }
  return true;
}
