// chainrule eval and predict on a model PyTorch wrote: rebuilt from the header or from --arch; a file with neither,
// a bad --arch, a hostile header or a data set of other sizes ends with one line on stderr and exit code 2.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseFlags, UsageError } from "../../src/cli/args.js";
import { ARCH_FLAGS, archFromFlags } from "../../src/cli/model-io.js";
import * as cr from "../../src/index.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TORCH_MLP = join(ROOT, "test", "fixtures", "torch-mlp.safetensors");
const work = mkdtempSync(join(tmpdir(), "chainrule-interop-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));
const at = (name: string) => join(work, name);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "chainrule.js"), ...args], {
    encoding: "utf8",
    cwd: work,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Exit code 2 and exactly one line, `chainrule <command>: …`, with no stack trace. */
function assertOneLine(r: ReturnType<typeof run>, command: string, pattern: RegExp): void {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`^chainrule ${command}: [^\\n]+\\n$`), r.err);
  assert.match(r.err, pattern);
}

// The fixture's inputs, labelled with torch's own predictions: a CSV data set the model gets 100% right.
const fixture = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "torch-mlp.json"), "utf8")) as {
  inputs: { values: number[] };
  logits: { values: number[] };
};
const rows = Array.from({ length: 8 }, (_, i) => {
  const logits = fixture.logits.values.slice(3 * i, 3 * i + 3);
  const label = logits.indexOf(Math.max(...logits));
  return { features: fixture.inputs.values.slice(20 * i, 20 * i + 20), label };
});
writeFileSync(at("torch.csv"), rows.map((r) => [...r.features, r.label].join(",")).join("\n"));
writeFileSync(at("row.csv"), `${rows[0].features.join(",")}\n`);

// The same tensors with no metadata at all, and with a hostile architecture entry.
const { tensors } = decodeSafetensors(readFileSync(TORCH_MLP), TORCH_MLP);
const saved = (path: string, metadata?: Record<string, string>) => {
  const ts = Object.fromEntries([...tensors].map(([k, t]) => [k, cr.tensor(t.data, { shape: t.shape })]));
  cr.saveTensors(ts, path, { metadata });
};
saved(at("bare.safetensors"));
saved(at("hostile.safetensors"), { architecture: `{"type":"Sequential","layers":[{"type":"Linear"` });
saved(at("huge.safetensors"), {
  architecture: JSON.stringify({
    type: "Sequential",
    layers: [{ type: "Linear", in_features: 2 ** 40, out_features: 3, bias: true }],
  }),
});

describe("chainrule predict and eval on a PyTorch-written model", () => {
  test("predict rebuilds the network from the header and agrees with torch", () => {
    const r = run("predict", "--model", TORCH_MLP, "--input", at("row.csv"));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^prediction: ${rows[0].label}\\n`));
  });

  test("eval on a CSV data set of the model's sizes", () => {
    const r = run("eval", "--model", TORCH_MLP, "--dataset", `csv:${at("torch.csv")}`);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /accuracy 100\.00% \(2\/2\)/);
  });

  test("a file without architecture or configuration: one line naming what is missing and --arch", () =>
    assertOneLine(
      run("predict", "--model", at("bare.safetensors"), "--input", at("row.csv")),
      "predict",
      /bare\.safetensors has no training configuration in its header and no "architecture" entry; give --arch \(e\.g\. --arch 784-256-10 --activation relu --bias\)/,
    ));

  test("--arch rebuilds it instead", () => {
    const r = run(
      "predict",
      "--model",
      at("bare.safetensors"),
      "--input",
      at("row.csv"),
      "--arch",
      "20-16-3",
      "--bias",
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^prediction: ${rows[0].label}\\n`));
    const e = run(
      "eval",
      "--model",
      at("bare.safetensors"),
      "--dataset",
      `csv:${at("torch.csv")}`,
      "--arch",
      "20-16-3",
      "--activation",
      "relu",
      "--bias",
    );
    assert.equal(e.code, 0, e.err);
    assert.match(e.out, /accuracy 100\.00%/);
  });

  for (const [args, pattern] of [
    [
      ["--arch", "20-12-3", "--bias"],
      /load: \S+: "0\.weight" is \[16,20\] in the file but layer 0 \(Linear 20→12, with bias\) needs \[12,20\]/,
    ],
    [
      ["--arch", "20-16-3"],
      /the file holds "0\.bias", which layer 0 \(Linear 20→16, no bias\) does not have/,
    ],
  ] as const) {
    test(`--arch that does not fit the tensors (${args.join(" ")}): one line`, () =>
      assertOneLine(
        run("predict", "--model", TORCH_MLP, "--input", at("row.csv"), ...args),
        "predict",
        pattern,
      ));
  }

  test("a hostile header and absurd sizes: one line, exit 2", () => {
    assertOneLine(
      run("eval", "--model", at("hostile.safetensors")),
      "eval",
      /"architecture" entry of __metadata__ is not valid JSON/,
    );
    assertOneLine(
      run("eval", "--model", at("huge.safetensors")),
      "eval",
      /in_features must be an integer from 1 to 16777216, got 1099511627776/,
    );
  });

  test("a data set of other sizes: one line naming both", () =>
    assertOneLine(
      run("eval", "--model", TORCH_MLP),
      "eval",
      /dataset: mnist-test has 784 features and 10 classes; \S+torch-mlp\.safetensors maps 20 features to 3 classes/,
    ));

  for (const [args, pattern] of [
    [
      ["--arch", "20x16"],
      /--arch must be layer sizes from 1 to 16777216 joined by "-", inputs first \(e\.g\. 784-256-10\), got "20x16"/,
    ],
    [["--arch", "20"], /--arch must be layer sizes/],
    [["--arch", "20-0-3"], /--arch must be layer sizes/],
    [["--arch", "20-99999999-3"], /--arch must be layer sizes/],
    [
      ["--arch", "20-16-3", "--activation", "swish"],
      /--activation must be one of relu, sigmoid, tanh, gelu, got "swish"/,
    ],
    [["--bias"], /--activation and --bias describe the layers of --arch; give --arch too/],
  ] as const) {
    test(`bad flags ${args.join(" ")}: a usage error with the reason`, () => {
      const values = parseFlags([...args], [...ARCH_FLAGS]);
      assert.throws(
        () => archFromFlags(values),
        (e: Error) => e instanceof UsageError && pattern.test(e.message),
      );
    });
  }

  test("a usage error exits 2 with the reason first", () => {
    const r = run("predict", "--model", TORCH_MLP, "--input", at("row.csv"), "--arch", "20x16");
    assert.equal(r.code, 2, r.err);
    assert.match(r.err.split("\n")[0], /^chainrule predict: --arch must be layer sizes/);
  });

  test("eval --help and predict --help document --arch", () => {
    for (const command of ["eval", "predict"]) {
      const r = run(command, "--help");
      assert.equal(r.code, 0);
      assert.match(r.out, /--arch SIZES\s+Linear layers through these sizes, e\.g\. 784-256-10/);
      assert.match(r.out, /--activation NAME\s+with --arch: relu \| sigmoid \| tanh \| gelu/);
      assert.match(r.out, /--bias\s+with --arch: every Linear layer has a bias/);
      assert.match(r.out, /docs\/interop\.md/);
    }
  });
});
