// The op codes are written twice, once per side of the wasm seam: the dispatch tables in
// src/backend/wasm/ops-common.ts and the kernels' constants in wasm/assembly/lib/ew-common.ts and ew-cast.ts.
// This test reads both sources and fails on any code that differs, is missing on one side or is used twice.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  ARITH_CODE,
  CAST_CODE,
  COMPARE_CODE,
  REDUCE_CODE,
  UNARY_CODE,
} from "../../src/backend/wasm/ops-common.js";
import type { DType } from "../../src/dtype.js";

const ASSEMBLY = fileURLToPath(new URL("../../wasm/assembly/", import.meta.url));

/** `const NAME = 12;` (exported or not) in an AssemblyScript file, as name → code. */
function constants(file: string, prefix: string): Map<string, number> {
  const source = readFileSync(ASSEMBLY + file, "utf8");
  const found = new Map<string, number>();
  for (const [, name, value] of source.matchAll(/^(?:export\s+)?const\s+([A-Z0-9_]+)\s*=\s*(\d+)\s*;/gm)) {
    if (name.startsWith(prefix)) found.set(name, Number(value));
  }
  return found;
}

/** Kernel-side names where the op's name is not simply upper-cased. */
const RENAMED: Readonly<Record<string, string>> = {
  maximum: "MAX",
  minimum: "MIN",
  equal: "EQ",
  notEqual: "NE",
  less: "LT",
  lessEqual: "LE",
  greater: "GT",
  greaterEqual: "GE",
};
const DTYPE_NAME: { readonly [K in DType]: string } = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  bool: "BOOL",
};

/** Checks that `table` (op → code) and the kernels' `prefix` constants name the same codes. */
function agree(
  table: Readonly<Record<string, number | undefined>>,
  kernel: Map<string, number>,
  name: (op: string) => string,
) {
  assert.ok(kernel.size > 0, "no constants found: has the kernel source moved?");
  const expected = new Map<string, number>();
  for (const [op, code] of Object.entries(table)) if (code !== undefined) expected.set(name(op), code);
  assert.deepEqual(
    [...kernel].sort(),
    [...expected].sort(),
    "the codes in wasm/assembly (actual) and src/backend/wasm/ops-common.ts (expected) differ",
  );
  assert.equal(new Set(kernel.values()).size, kernel.size, "two kernel constants share a code");
}

const upper = (prefix: string) => (op: string) => prefix + (RENAMED[op] ?? op.toUpperCase());

describe("wasm op codes: src/backend/wasm/ops-common.ts and wasm/assembly agree", () => {
  test("unary", () => agree(UNARY_CODE, constants("lib/ew-common.ts", "U_"), upper("U_")));
  test("binary arithmetic", () => agree(ARITH_CODE, constants("lib/ew-common.ts", "B_"), upper("B_")));
  test("comparisons", () => agree(COMPARE_CODE, constants("lib/ew-common.ts", "C_"), upper("C_")));
  test("reductions", () => agree(REDUCE_CODE, constants("lib/ew-common.ts", "R_"), upper("R_")));
  test("casts", () => {
    const table: Record<string, number | undefined> = {};
    for (const [from, row] of Object.entries(CAST_CODE) as [DType, (typeof CAST_CODE)[DType]][]) {
      for (const [to, code] of Object.entries(row) as [DType, number | undefined][]) {
        table[`K_${DTYPE_NAME[from]}_${DTYPE_NAME[to]}`] = code;
      }
    }
    agree(table, constants("ew-cast.ts", "K_"), (key) => key);
  });
  test("a changed code is caught", () => {
    const kernel = constants("lib/ew-common.ts", "U_");
    kernel.set("U_EXP", 99);
    assert.throws(() => agree(UNARY_CODE, kernel, upper("U_")), /differ/);
  });
});
