// A wasm tensor buffer (a block of the kernel module's memory) and the checked cast from the backend's opaque
// handle; its own module so the ops-*.ts dispatch files and the backend class import it without a cycle.
import type { DType } from "../../dtype.js";
import { fail } from "../../errors.js";
import type { DataId } from "../backend.js";

/** A tensor's buffer: a block of wasm memory. */
export interface WasmBuffer {
  readonly address: number;
  readonly dtype: DType;
  readonly size: number;
  freed: boolean;
}

/** The handle as a wasm buffer; fails if it was freed. */
export function buf(id: DataId): WasmBuffer {
  const b = id as WasmBuffer;
  if (b.freed) fail("wasm backend", "a buffer was used after it was freed");
  return b;
}
