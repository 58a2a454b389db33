// The typed kernel signatures (src/backend/wasm/signatures.ts) against the compiled module: the same exported
// functions, each with the parameter count its tuple declares (tsc holds KERNEL_ARITY to the tuples).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KERNEL_ARITY } from "../../src/backend/wasm/signatures.js";
import { expectWasm } from "./expect-wasm.js";

const wasm = expectWasm();

describe("wasm kernel signatures", () => {
  test("every export has a signature with its parameter count, and every signature an export", () => {
    const exported = Object.fromEntries(wasm.kernels.exported());
    assert.deepEqual(exported, { ...KERNEL_ARITY });
  });
});
