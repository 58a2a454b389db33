// The fused update y += α·x on the wasm backend: one pass instead of a multiply, a subtract and a copy;
// a big one is split into contiguous chunks over the threads.
import type { WasmBuffer } from "./buffer.js";
import type { Kernels } from "./kernels.js";
import { threadsFor } from "./ops-common.js";
import type { KernelSignatures } from "./signatures.js";

/** y += alpha·x over `size` elements; false where there is no kernel (int32, bool, mixed dtypes). */
export function axpyWasm(k: Kernels, alpha: number, x: WasmBuffer, y: WasmBuffer, size: number): boolean {
  const name = y.dtype === "float32" ? "axpy_f32" : y.dtype === "float64" ? "axpy_f64" : null;
  if (name === null || x.dtype !== y.dtype || !k.has(name)) return false;
  if (size === 0) return true;
  const width = y.dtype === "float32" ? 4 : 8;
  const threads = threadsFor(k, size);
  if (threads === 1) {
    k.call(name, size, alpha, x.address, y.address);
    return true;
  }
  // Chunks of whole 64-byte lines, one per thread.
  const per = Math.ceil(size / threads / 16) * 16;
  const shares: KernelSignatures["axpy_f32"][] = [];
  for (let start = 0; start < size; start += per) {
    shares.push([Math.min(per, size - start), alpha, x.address + start * width, y.address + start * width]);
  }
  k.parallel(name, shares);
  return true;
}
