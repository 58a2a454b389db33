// The embedded kernels (src/backend/wasm/kernel-bytes.ts): a fresh `npm run build:wasm` gives the same bytes
// (two AssemblyScript -O3 builds, ~30 s), the unshared variant is the shared one with one byte changed, and
// explicitly given kernels load or are refused with a message.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { WasmBackend } from "../../src/backend/wasm/index.js";
import { RELAXED, SIMD } from "../../src/backend/wasm/kernel-bytes.js";
import { memoryFlagOffset, withSharedMemory } from "../../src/backend/wasm/memory-flag.js";
import { loadKernels } from "../../src/backend/wasm/module.js";

const root = new URL("../..", import.meta.url).pathname;
const embedded = {
  simd: new Uint8Array(gunzipSync(Buffer.from(SIMD, "base64"))),
  relaxed: new Uint8Array(gunzipSync(Buffer.from(RELAXED, "base64"))),
};

// npm test runs test/backend twice (default backend, then CHAINRULE_BACKEND=js): the build is checked once.
const rebuild =
  process.env.CHAINRULE_BACKEND === "js" ? "checked in the default-backend pass of npm test" : false;

test("a fresh build gives the committed kernels, byte for byte", { timeout: 300_000, skip: rebuild }, () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-kernels-"));
  try {
    const built = spawnSync(
      process.execPath,
      [join(root, "scripts/build-wasm.mjs"), "--out", join(dir, "kernel-bytes.ts"), "--wasm", dir],
      { encoding: "utf8" },
    );
    assert.equal(built.status, 0, built.stderr);
    for (const [name, bytes] of Object.entries(embedded)) {
      const fresh = new Uint8Array(readFileSync(join(dir, `kernels-${name}.wasm`)));
      assert.ok(
        Buffer.from(fresh).equals(Buffer.from(bytes)),
        `the ${name} build differs from src/backend/wasm/kernel-bytes.ts: run \`npm run build:wasm\` and commit it`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the unshared variant differs in the memory import's limits flag only, and runs on unshared memory", () => {
  for (const bytes of Object.values(embedded)) {
    const at = memoryFlagOffset(bytes);
    assert.equal(bytes[at], 0x03, "the builds import shared memory");
    const unshared = withSharedMemory(bytes, false);
    const changed = [...unshared.keys()].filter((i) => unshared[i] !== bytes[i]);
    assert.deepEqual(changed, [at]);
    assert.equal(unshared[at], 0x01);
    assert.notEqual(unshared, bytes, "a copy: the embedded bytes stay as they are");
    assert.equal(withSharedMemory(bytes, true), bytes, "nothing to change");
    assert.deepEqual(withSharedMemory(unshared, true), bytes);
    if (!WebAssembly.validate(unshared)) continue; // relaxed SIMD off in this process
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 65536 });
    const env = { memory, abort() {} };
    assert.ok(new WebAssembly.Instance(new WebAssembly.Module(unshared), { env }));
    assert.throws(
      () => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env }),
      WebAssembly.LinkError,
    );
  }
});

/** A module importing a function, then a memory with the given limits flag (min 1, max 2). */
function tinyModule(flag: number): Uint8Array<ArrayBuffer> {
  const types = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
  const limits = flag & 1 ? [flag, 0x01, 0x02] : [flag, 0x01];
  const entries = [0x02, 0x01, 0x61, 0x01, 0x66, 0x00, 0x00, 0x01, 0x61, 0x01, 0x6d, 0x02, ...limits];
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([...header, ...types, 0x02, entries.length, ...entries]);
}

test("the memory import is found after other imports; unexpected layouts are refused by name", () => {
  const m = tinyModule(0x03);
  assert.ok(WebAssembly.validate(m));
  assert.equal(memoryFlagOffset(m), 28);
  const unshared = withSharedMemory(m, false);
  assert.ok(WebAssembly.validate(unshared));
  assert.equal(unshared[28], 0x01);

  const refused = (bytes: Uint8Array<ArrayBuffer>, why: RegExp) =>
    assert.throws(
      () => withSharedMemory(bytes, false),
      (e: Error) => {
        assert.match(e.message, /the kernel module's memory import has an unexpected layout/);
        assert.match(e.message, why);
        return true;
      },
    );
  refused(new TextEncoder().encode("<!doctype html><p>not found</p>"), /not a WebAssembly module/);
  refused(embedded.simd.slice(0, 100), /ends early/);
  refused(tinyModule(0x00), /limits flag is 0x0/);
  refused(new Uint8Array([...m.slice(0, 8), 0x01, 0x04, 0x01, 0x60, 0x00, 0x00]), /no import section/);
  const onlyFunction = [0x01, 0x01, 0x61, 0x01, 0x66, 0x00, 0x00];
  refused(
    new Uint8Array([...m.slice(0, 14), 0x02, onlyFunction.length, ...onlyFunction]),
    /imports no memory/,
  );
});

test("initWasm({ kernels }): given bytes or a file URL load as shared memory here; anything else is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-kernels-"));
  try {
    const file = join(dir, "kernels.wasm");
    writeFileSync(file, withSharedMemory(embedded.simd, false));
    for (const source of [withSharedMemory(embedded.simd, false), pathToFileURL(file)]) {
      const loaded = await loadKernels(source);
      assert.ok(!("error" in loaded), "error" in loaded ? loaded.error : "");
      assert.equal(loaded.shared, true);
      const backend = new WasmBackend(loaded, 1);
      assert.equal(backend.kernels.relaxed, false, "the plain-SIMD build says so");
    }
    const bad = await loadKernels(new TextEncoder().encode("<!doctype html>"));
    assert.ok("error" in bad);
    assert.match(bad.error, /initWasm\(\{ kernels \}\).*not a WebAssembly module.*npm run build:wasm/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
