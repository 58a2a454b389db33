// CHAINRULE_BACKEND=webgpu at start-up, in child processes: the Node entry waits for the GPU so the first tensor
// is made there; every CLI command runs on it; without an adapter (simulated by asking Dawn for a backend this
// machine lacks) the CLI stops with one line naming the fallbacks, and the library warns once and runs on wasm.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as cr from "../../src/index.js";
import { cliSandbox } from "../cli-sandbox.js";

const available = await cr.initWebGPU();
const skip = available ? false : `no WebGPU adapter here: ${cr.webgpuStatus().reason}`;
const { work, runWith } = cliSandbox("webgpu-env");
const WEBGPU = { CHAINRULE_BACKEND: "webgpu" };
/** Dawn on Direct3D 12, which no Linux or macOS machine has: no adapter, as on a machine without a GPU. */
const NO_ADAPTER = { ...WEBGPU, CHAINRULE_WEBGPU_FLAGS: "backend=d3d12" };
const entry = new URL("../../src/index.ts", import.meta.url).href;

/** Runs a script that imports the Node entry, with `env` added; returns its exit code and output. */
function script(env: Record<string, string>, code: string) {
  const source = `import * as cr from ${JSON.stringify(entry)};\n${code}`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** 240 rows of 784 pixels and a label, from the bundled digits: a data set small enough for a quick run. */
function smallCsv(): string {
  const { train } = cr.data.loadMnist();
  const rows = Array.from({ length: 240 }, (_, i) =>
    [...Array.from(train.x.subarray(i * 784, (i + 1) * 784), (v) => v / 255), train.y[i]].join(","),
  );
  const path = join(work, "digits.csv");
  writeFileSync(path, `${rows.join("\n")}\n`);
  return path;
}

test("the Node entry waits for the GPU: the first tensor is made on webgpu", { skip }, () => {
  const r = script(WEBGPU, "console.log(cr.getBackend().name, cr.zeros([2]).storage.backend.name);");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), "webgpu webgpu");
});

test("chainrule train and eval run on webgpu when CHAINRULE_BACKEND says so", {
  skip,
  timeout: 120_000,
}, () => {
  const data = `csv:${smallCsv()}`;
  const trained = runWith(WEBGPU, "train", "--dataset", data, "--epochs", "1", "--batch", "32", "--out", "o");
  assert.equal(trained.code, 0, trained.err);
  assert.match(trained.out, /backend webgpu \(/);
  const evaluated = runWith(WEBGPU, "eval", "--model", "o/model.safetensors", "--dataset", data);
  assert.equal(evaluated.code, 0, evaluated.err);
});

test("without an adapter every command stops with one line naming the fallbacks, exit code 2", () => {
  for (const command of [["train", "--epochs", "1"], ["memory"]]) {
    const r = runWith(NO_ADAPTER, ...command);
    assert.equal(r.code, 2, r.err);
    const lines = r.err.trim().split("\n");
    assert.equal(lines.length, 1, r.err);
    assert.match(
      lines[0],
      new RegExp(
        `^chainrule ${command[0]}: CHAINRULE_BACKEND=webgpu: the webgpu backend cannot start \\(.+\\); set CHAINRULE_BACKEND=wasm or js, or unset it`,
      ),
    );
    assert.equal(r.out, "");
  }
});

test("an explicit --backend wins over CHAINRULE_BACKEND=webgpu without an adapter", {
  timeout: 120_000,
}, () => {
  const r = runWith(NO_ADAPTER, "explain", "--hidden", "16", "--backend", "wasm");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /∂J/);
});

test("without an adapter the library says so once and runs on wasm; ready() rejects with the reason", () => {
  const r = script(
    NO_ADAPTER,
    "console.log(cr.getBackend().name); await cr.ready().catch((e) => console.log(e.constructor.name, e.message));",
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err.trim().split("\n").length, 1, r.err);
  assert.match(
    r.err,
    /^chainrule: CHAINRULE_BACKEND=webgpu: the webgpu backend cannot start .*; the wasm backend runs instead/,
  );
  const [backend, error] = r.out.trim().split("\n");
  assert.equal(backend, "wasm");
  assert.match(error, /^ChainruleError CHAINRULE_BACKEND=webgpu: the webgpu backend cannot start/);
});

test("--backend on every command that computes: eval, predict, graph and explain run on webgpu", {
  skip,
  timeout: 120_000,
}, () => {
  const csv = smallCsv();
  const trained = runWith(
    {},
    "train",
    "--dataset",
    `csv:${csv}`,
    "--epochs",
    "1",
    "--batch",
    "32",
    "--out",
    "b",
  );
  assert.equal(trained.code, 0, trained.err);
  const row = join(work, "row.csv");
  writeFileSync(row, `${readFileSync(csv, "utf8").split("\n")[0]}\n`);
  const runs = [
    ["eval", "--model", "b/model.safetensors", "--dataset", `csv:${csv}`],
    ["predict", "--model", "b/model.safetensors", "--input", row],
    ["graph", "--hidden", "16", "--format", "dot"],
    ["explain", "--hidden", "16"],
  ];
  for (const command of runs) {
    const r = runWith({}, ...command, "--backend", "webgpu");
    assert.equal(r.code, 0, `${command[0]}: ${r.err}`);
    const onCpu = runWith({}, ...command, "--backend", "js");
    assert.equal(onCpu.code, 0, `${command[0]} --backend js: ${onCpu.err}`);
    // The same model and data give the same printed result on the GPU (float32 within 4 printed digits).
    if (command[0] === "eval" || command[0] === "explain") assert.equal(r.out, onCpu.out, command[0]);
    const wrong = runWith({}, ...command, "--backend", "cuda");
    assert.equal(wrong.code, 2, `${command[0]} --backend cuda`);
    assert.match(wrong.err, /--backend must be wasm, js or webgpu, got "cuda"/);
  }
});
