// The wasm test suites expect the wasm backend, which always loads in Node: where it does not, they fail
// with the loader's reason instead of skipping, so a broken kernel load cannot pass as skipped tests.

import type { WasmBackend } from "../../src/backend/wasm/index.js";
import { createWasmBackendSync } from "../../src/backend/wasm/setup.js";
import * as cr from "../../src/index.js";

/** A fresh wasm backend; throws (failing the suite's file) if it cannot be made. */
export function expectWasm(): WasmBackend {
  const made = createWasmBackendSync();
  if ("error" in made) throw new Error(`the wasm backend should load in Node, but: ${made.error}`);
  return made;
}

/**
 * Whether the package's wasm backend is registered: false only where CHAINRULE_BACKEND picked another one
 * (then it is not made at all); otherwise it must be there, and this throws with the reason if it is not.
 */
export function expectRegisteredWasm(): boolean {
  const chosen = process.env.CHAINRULE_BACKEND;
  if (chosen !== undefined && chosen !== "wasm") return false;
  if (!cr.listBackends().includes("wasm")) {
    throw new Error(`the wasm backend should load in Node, but: ${cr.wasmStatus().reason}`);
  }
  return true;
}
