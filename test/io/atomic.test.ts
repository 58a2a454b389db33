// Atomic saves: a child process saving a large file in a loop is SIGKILLed mid-save, and the target must then
// be a complete old or new file, never a torn one, with later saves unaffected. Also save()/load() of a Module.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as cr from "../../src/index.js";
import { writeFileAtomic } from "../../src/io/atomic.js";
import { load, loadTensors, save, saveTensors } from "../../src/io/model-file.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { Linear, ReLU, Sequential } from "../../src/nn/layers.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const FIXTURE = join(HERE, "fixtures", "save-loop.ts");
/** 4M float32 values: a 16 MB file, which takes long enough to write that a kill lands in the middle. */
const ELEMENTS = 4_000_000;

const dir = mkdtempSync(join(tmpdir(), "chainrule-atomic-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const temps = (d: string) => readdirSync(d).filter((n) => n.endsWith(".tmp"));

/** Decodes the file and checks it is one whole save: every value equals the iteration in its metadata. */
function wholeSave(path: string): number {
  const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
  const w = tensors.get("w");
  assert.ok(w, "the file holds w");
  assert.equal(w.data.length, ELEMENTS);
  const iteration = Number(metadata.iteration);
  assert.ok(Number.isInteger(iteration) && iteration >= 1, `iteration ${metadata.iteration}`);
  for (let i = 0; i < w.data.length; i++) {
    if (w.data[i] !== iteration) assert.fail(`value ${i} is ${w.data[i]}, not ${iteration}: a torn file`);
  }
  return iteration;
}

/**
 * Runs the save loop in a child and, once save 1 is complete, SIGKILLs it `delayMs` after a temporary file
 * appears beside the target (that is, while a later save is being written). Returns the saves completed.
 */
function killMidSave(path: string, delayMs: number): Promise<number> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, path, String(ELEMENTS)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let saved = 0;
    let out = "";
    let err = "";
    let watch: NodeJS.Timeout | undefined;
    let fallback: NodeJS.Timeout | undefined;
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk;
    });
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("saved ")) saved = Number(line.slice(6));
      if (saved >= 1 && watch === undefined) {
        // Should no temporary file ever show (a save that is not atomic), kill anyway after a while.
        fallback = setTimeout(() => child.kill("SIGKILL"), 3000);
        watch = setInterval(() => {
          if (temps(dirname(path)).length === 0) return;
          clearInterval(watch);
          setTimeout(() => child.kill("SIGKILL"), delayMs);
        }, 1);
      }
    });
    child.on("error", failed);
    child.on("exit", (code, signal) => {
      clearInterval(watch);
      clearTimeout(fallback);
      if (signal === "SIGKILL") done(saved);
      else failed(new Error(`the save loop exited with ${code} before it was killed:\n${err}`));
    });
  });
}

describe("atomic saves", () => {
  test("a process killed mid-save leaves the complete old or new file, and the next save works", {
    timeout: 60_000,
  }, async () => {
    const path = join(dir, "kill", "model.safetensors");
    let leftovers = 0;
    for (const delayMs of [0, 10, 30]) {
      const saved = await killMidSave(path, delayMs);
      assert.ok(saved >= 1, "save 1 completed before the kill");
      const iteration = wholeSave(path);
      assert.ok(
        iteration === saved || iteration === saved + 1,
        `file from save ${iteration}, ${saved} were announced`,
      );
      const left = temps(dirname(path)).length;
      assert.ok(left >= leftovers, "temporaries from earlier kills stay where they are");
      leftovers = left;
    }
    // Evidence that kills landed while a temporary file was being written (the case the rename protects).
    assert.ok(leftovers >= 1, "at least one kill landed mid-write");
    // Leftover temporaries do not disturb later saves or loads.
    saveTensors({ w: cr.full([ELEMENTS], 77) }, path, { metadata: { iteration: "77" } });
    assert.equal(wholeSave(path), 77);
    assert.deepEqual(loadTensors(path).metadata, { format: "chainrule", iteration: "77" });
  });

  test("successful writes leave no temporary files; a failed rename removes its temporary file", () => {
    const target = join(dir, "plain", "deep", "file.bin");
    for (let i = 0; i < 20; i++) writeFileAtomic(target, [Uint8Array.of(i), Uint8Array.of(1, 2, 3)]);
    assert.deepEqual([...readFileSync(target)], [19, 1, 2, 3]);
    assert.deepEqual(temps(dirname(target)), []);
    writeFileAtomic(target, Uint8Array.of(9));
    assert.deepEqual([...readFileSync(target)], [9]);
    // Renaming over a non-empty directory fails: the error surfaces and the temporary file is removed.
    const blocked = join(dir, "blocked");
    mkdirSync(join(blocked, "target.bin"), { recursive: true });
    writeFileSync(join(blocked, "target.bin", "inside"), "x");
    assert.throws(() => writeFileAtomic(join(blocked, "target.bin"), Uint8Array.of(1)));
    assert.deepEqual(temps(blocked), []);
  });
});

describe("save() and load() of a Module", () => {
  const make = (seed: number) =>
    new Sequential(new Linear(4, 8, { seed }), new ReLU(), new Linear(8, 3, { seed: seed + 1 }));
  const values = (t: cr.Tensor) => Array.from(t.dataSync());

  test("load restores every parameter saved by save, returns the metadata, and leaks nothing", async () => {
    const a = make(1);
    const path = join(dir, "models", "mlp.safetensors");
    await save(a, path, { metadata: { note: "chapter 5.3" } });
    const b = make(10);
    assert.notDeepEqual(values(b.parameters()[0]), values(a.parameters()[0]));
    const before = cr.memory();
    // load() does all its work before returning its promise, so this synchronous block sees everything it allocates.
    const pending = load(b, path);
    const afterLoad = cr.memory();
    assert.equal(afterLoad.tensors, before.tensors, "the loaded tensors are freed after copying");
    assert.equal(afterLoad.bytes, before.bytes);
    // A Sequential of Linear layers and activations is saved as PyTorch would, with its architecture.
    assert.deepEqual(await pending, {
      format: "pt",
      architecture: JSON.stringify(cr.architectureOf(a)),
      note: "chapter 5.3",
    });
    for (const [name, p] of a.namedParameters())
      assert.deepEqual(values(b.stateDict()[name]), values(p), name);
    const x = cr.randn([5, 4], { seed: 3 });
    assert.deepEqual(values(b.forward(x)), values(a.forward(x)));
    // A state dict saves the same way.
    const statePath = join(dir, "models", "state.safetensors");
    await save(a.stateDict(), statePath);
    assert.deepEqual(Object.keys(loadTensors(statePath).tensors).sort(), [
      "0.bias",
      "0.weight",
      "2.bias",
      "2.weight",
    ]);
  });

  test("loading into another architecture or from a bad file fails clearly and changes nothing", async () => {
    const path = join(dir, "models", "small.safetensors");
    await save(make(1), path);
    const other = new Sequential(new Linear(4, 8, { seed: 5 }), new ReLU(), new Linear(8, 2, { seed: 6 }));
    const before = other.parameters().map(values);
    await assert.rejects(
      load(other, path),
      (e: unknown) =>
        e instanceof cr.ChainruleError && /"2\.weight"/.test(e.message) && /\[3,8\]/.test(e.message),
    );
    const noBias = new Sequential(
      new Linear(4, 8, { bias: false }),
      new ReLU(),
      new Linear(8, 3, { bias: false }),
    );
    await assert.rejects(load(noBias, path), /unexpected keys: \[0\.bias, 2\.bias\]/);
    const corrupt = join(dir, "models", "corrupt.safetensors");
    writeFileSync(corrupt, readFileSync(path).subarray(0, 100));
    await assert.rejects(
      load(other, corrupt),
      (e: unknown) => e instanceof cr.ChainruleError && e.message.includes(corrupt),
    );
    await assert.rejects(load(other, join(dir, "nope.safetensors")), /cannot read/);
    assert.deepEqual(other.parameters().map(values), before);
  });
});
