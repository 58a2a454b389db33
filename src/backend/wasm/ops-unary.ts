// Unary float kernels on the wasm backend (contiguous buffers); false for a case without a kernel, which the
// backend then runs with the reference kernel on views of wasm memory. Transcendentals split from PARALLEL_MIN.
import type { UnaryOp } from "../backend.js";
import type { WasmBuffer } from "./buffer.js";
import type { Kernels } from "./kernels.js";
import { chunks, suffix, threadsFor, UNARY_CODE, WIDTH } from "./ops-common.js";

/** Unary ops that cost tens of operations per element. */
const HEAVY: { readonly [K in UnaryOp]?: true } = {
  exp: true,
  log: true,
  log1p: true,
  tanh: true,
  sigmoid: true,
  softplus: true,
};

export function unaryWasm(k: Kernels, op: UnaryOp, x: WasmBuffer, out: WasmBuffer, size: number): boolean {
  const code = UNARY_CODE[op];
  const s = suffix(x.dtype);
  if (code === undefined || s === null || out.dtype !== x.dtype) return false;
  const name = s === "f32" ? "ew_unary_f32" : "ew_unary_f64";
  if (!k.has(name)) return false;
  if (size === 0) return true;
  const threads = threadsFor(k, size, HEAVY[op]);
  if (threads <= 1) {
    k.call(name, code, size, x.address, out.address);
    return true;
  }
  const w = WIDTH[x.dtype];
  k.parallel(
    name,
    chunks(size, threads).map(([start, count]) => [
      code,
      count,
      x.address + start * w,
      out.address + start * w,
    ]),
  );
  return true;
}
