// Unary float kernels on the wasm backend (contiguous buffers); false for a case without a kernel, which the
// backend then runs with the reference kernel on views of wasm memory. Big ones are split over the threads.
import type { UnaryOp } from "../backend.js";
import type { WasmBuffer } from "./buffer.js";
import type { Kernels } from "./kernels.js";
import { runChunked, suffix, UNARY_CODE } from "./ops-common.js";

export function unaryWasm(k: Kernels, op: UnaryOp, x: WasmBuffer, out: WasmBuffer, size: number): boolean {
  const code = UNARY_CODE[op];
  const s = suffix(x.dtype);
  if (code === undefined || s === null || out.dtype !== x.dtype) return false;
  const name = s === "f32" ? "ew_unary_f32" : "ew_unary_f64";
  if (!k.has(name)) return false;
  if (size === 0) return true;
  runChunked(k, name, code, x, out, size);
  return true;
}
