// The typed kernel signatures (src/backend/wasm/signatures.ts) against the compiled module: the same exported
// functions, each with the parameter count its tuple declares (tsc holds KERNEL_ARITY to the tuples), and the
// address parameters that captured steps patch (KERNEL_ADDRESSES) against the `usize` ones of the sources.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { KERNEL_ADDRESSES, KERNEL_ARITY } from "../../src/backend/wasm/signatures.js";
import { expectWasm } from "./expect-wasm.js";

const wasm = expectWasm();

describe("wasm kernel signatures", () => {
  test("every export has a signature with its parameter count, and every signature an export", () => {
    const exported = Object.fromEntries(wasm.kernels.exported());
    assert.deepEqual(exported, { ...KERNEL_ARITY });
  });

  test("the address parameters are the sources' usize ones, but a byte count", () => {
    const dir = new URL("../../wasm/assembly/", import.meta.url);
    const found: Record<string, number[]> = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(new URL(file, dir), "utf8");
      for (const m of source.matchAll(/^export function (\w+)\(([^)]*)\)/gm)) {
        const params = m[2]
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== "");
        found[m[1]] = params.flatMap((p, i) => (/:\s*usize$/.test(p) && !/^bytes\b/.test(p) ? [i] : []));
      }
    }
    assert.deepEqual(found, { ...KERNEL_ADDRESSES });
  });
});
