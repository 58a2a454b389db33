// The kernel module's eager compile in Node (src/backend/wasm/eager-compile.ts): V8's lazy-compilation and
// dynamic-tiering flags are turned off for this one compile and back on after it, unless the user set them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileEagerly, givenByUser } from "../../src/backend/wasm/eager-compile.js";

/** The smallest valid module: the magic number and version. */
const EMPTY = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

function fakeV8() {
  const set: string[] = [];
  return { set, v8: { setFlagsFromString: (flags: string) => void set.push(flags) } };
}

describe("the kernel module's eager compile", () => {
  test("turns both flags off for the compile and on again after it", () => {
    const { set, v8 } = fakeV8();
    const module = compileEagerly(EMPTY, v8, [], "");
    assert.ok(module instanceof WebAssembly.Module);
    assert.deepEqual(set, [
      "--no-wasm-lazy-compilation",
      "--no-wasm-dynamic-tiering",
      "--wasm-lazy-compilation",
      "--wasm-dynamic-tiering",
    ]);
  });

  test("turns the flags on again when the compile fails", () => {
    const { set, v8 } = fakeV8();
    assert.throws(() => compileEagerly(new Uint8Array([1, 2, 3]), v8, [], ""), WebAssembly.CompileError);
    assert.deepEqual(set.slice(2), ["--wasm-lazy-compilation", "--wasm-dynamic-tiering"]);
  });

  test("leaves a flag the user gave alone, on the command line or in NODE_OPTIONS", () => {
    const { set, v8 } = fakeV8();
    compileEagerly(
      EMPTY,
      v8,
      ["--no-wasm-dynamic-tiering"],
      "--max-old-space-size=4096 --wasm_lazy_compilation",
    );
    assert.deepEqual(set, []);
    assert.equal(givenByUser("wasm-lazy-compilation", ["--wasm-lazy-compilation=false"], ""), true);
    assert.equal(givenByUser("wasm-lazy-compilation", ["--wasm-lazy-compilationx"], "--inspect"), false);
  });
});
