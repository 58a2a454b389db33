// Models that move to PyTorch and back: fixtures written by PyTorch (scripts/torch-interop.py) load into Chainrule,
// rebuilt from their header, with torch's logits; Chainrule's save() names and lays out tensors as torch.nn.Linear
// does and records the architecture; where Python with torch exists, the same script checks a Chainrule file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as cr from "../../src/index.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { Dropout, Flatten, GELU, Linear, ReLU, Sequential, Sigmoid, Tanh } from "../../src/nn/layers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURES = join(ROOT, "test", "fixtures");
const SCRIPT = join(ROOT, "scripts", "torch-interop.py");
const work = mkdtempSync(join(tmpdir(), "chainrule-torch-"));
after(() => rmSync(work, { recursive: true, force: true }));

/**
 * The stated float32 tolerance: a logit matches when |chainrule − torch| ≤ 1e-6 + 1e-6·|torch| (about 8 units in
 * the last place at magnitude 1; the same matmuls summed in another order differ by 1 or 2). The script uses it too.
 */
const ATOL = 1e-6;
const RTOL = 1e-6;

interface Values {
  shape: number[];
  values: number[];
}
interface Case {
  model: string;
  inputs: Values;
  logits: Values;
}

function assertClose(actual: ArrayLike<number>, expected: Values, what: string): number {
  assert.equal(actual.length, expected.values.length, `${what}: number of logits`);
  let worst = 0;
  expected.values.forEach((want, i) => {
    const diff = Math.abs(actual[i] - Math.fround(want));
    worst = Math.max(worst, diff);
    if (!(diff <= ATOL + RTOL * Math.abs(want)))
      assert.fail(`${what}: logit ${i} is ${actual[i]}, torch ${want}`);
  });
  return worst;
}

const logitsOf = (model: cr.nn.Module, x: Values) =>
  cr.tidy(() =>
    model
      .eval()
      .forward(cr.tensor(Float32Array.from(x.values), { shape: x.shape }))
      .dataSync(),
  );

const FIXTURE_NAMES = ["torch-mlp", "torch-mlp-deep", "torch-mlp-mixed"];
const readCase = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as Case;

describe("PyTorch → Chainrule: fixtures written by torch", () => {
  for (const name of FIXTURE_NAMES) {
    test(`${name}: rebuilt from its header, gives torch's logits`, async () => {
      const path = join(FIXTURES, `${name}.safetensors`);
      const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
      assert.equal(metadata.format, "pt");
      const model = await cr.loadSequential(path);
      // Exactly torch's state dict: the same names, float32, weight [out, in].
      assert.deepEqual(Object.keys(model.stateDict()).sort(), [...tensors.keys()].sort());
      for (const [key, t] of tensors) assert.equal(t.dtype, "float32", key);
      // The architecture Chainrule reads is the one torch wrote, and save() would write the same.
      assert.deepEqual(cr.architectureOf(model), JSON.parse(metadata.architecture));
      const c = readCase(name);
      const worst = assertClose(logitsOf(model, c.inputs), c.logits, name);
      console.log(
        `${name}: max |chainrule − torch| = ${worst.toExponential(2)} (tolerance ${ATOL} + ${RTOL}·|x|)`,
      );
      model.dispose();
    });
  }

  test("the mixed fixture covers every layer type the header can name", async () => {
    const model = await cr.loadSequential(join(FIXTURES, "torch-mlp-mixed.safetensors"));
    const types = new Set([
      ...["torch-mlp", "torch-mlp-deep", "torch-mlp-mixed"].flatMap((n) =>
        JSON.parse(
          decodeSafetensors(readFileSync(join(FIXTURES, `${n}.safetensors`))).metadata.architecture,
        ).layers.map((l: { type: string }) => l.type),
      ),
    ]);
    assert.deepEqual([...types].sort(), ["Dropout", "Flatten", "GELU", "Linear", "ReLU", "Sigmoid", "Tanh"]);
    model.dispose();
  });
});

/** Three models covering the layers: torch-style names, biases on and off, every activation. */
function chainruleModels(): [string, Sequential, number[]][] {
  const seed = 7;
  return [
    ["relu", new Sequential(new Linear(20, 16, { seed }), new ReLU(), new Linear(16, 3, { seed })), [5, 20]],
    [
      "tanh-sigmoid",
      new Sequential(
        new Linear(20, 16, { seed }),
        new Tanh(),
        new Linear(16, 12, { seed: seed + 1 }),
        new Sigmoid(),
        new Linear(12, 3, { seed: seed + 2 }),
      ),
      [5, 20],
    ],
    [
      "mixed",
      new Sequential(
        new Flatten(),
        new Linear(20, 16, { bias: false, init: "he", seed }),
        new GELU(),
        new Dropout(0.3),
        new Linear(16, 8, { bias: false, seed }),
        new GELU("tanh"),
        new Linear(8, 3, { bias: false, seed }),
      ),
      [5, 4, 5],
    ],
  ];
}

describe("Chainrule → PyTorch: save() follows torch.nn.Linear", () => {
  test("a Sequential names its parameters as torch does: 0.weight [out, in], 0.bias [out], 2.weight", () => {
    const model = new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 3));
    const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape]]));
    assert.deepEqual(shapes, { "0.weight": [16, 20], "0.bias": [16], "2.weight": [3, 16], "2.bias": [3] });
    model.dispose();
  });

  test("save() writes format pt and the architecture; loadSequential rebuilds the same logits bit for bit", async () => {
    for (const [name, model, shape] of chainruleModels()) {
      const path = join(work, `${name}.safetensors`);
      await cr.save(model, path);
      const { metadata } = decodeSafetensors(readFileSync(path), path);
      assert.equal(metadata.format, "pt");
      assert.deepEqual(JSON.parse(metadata.architecture), cr.architectureOf(model));
      const x = { shape, values: Array.from(cr.randn(shape, { seed: 3 }).dataSync()) };
      const back = await cr.loadSequential(path);
      assert.deepEqual(Array.from(logitsOf(back, x)), Array.from(logitsOf(model, x)), name);
      back.dispose();
      model.dispose();
    }
  });

  test("a module that is not a Sequential of these layers is saved without an architecture", async () => {
    class Custom extends ReLU {}
    const path = join(work, "custom.safetensors");
    await cr.save(new Sequential(new Linear(2, 2), new Custom()), path);
    const { metadata } = decodeSafetensors(readFileSync(path), path);
    assert.deepEqual(metadata, { format: "chainrule" });
  });
});

/** The Python that has torch: $CHAINRULE_TORCH_PYTHON if set, else Debian's /usr/bin/python3 or python3; or null. */
function torchPython(): { python: string | null; reason: string } {
  const tried: string[] = [];
  // find_spec looks for the package without importing it (importing torch takes seconds).
  const probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)";
  const chosen = process.env.CHAINRULE_TORCH_PYTHON;
  for (const python of chosen ? [chosen] : ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(python, ["-c", probe], { encoding: "utf8" });
    if (r.status === 0) return { python, reason: "" };
    tried.push(`${python}: ${r.error ? "not found" : "no torch module"}`);
  }
  return {
    python: null,
    reason: `no Python with torch (${tried.join("; ")}); on Debian: apt-get install python3-torch`,
  };
}

describe("Chainrule → PyTorch: checked by torch itself", () => {
  const { python, reason } = torchPython();
  const verify = (...pairs: string[]) =>
    spawnSync(python ?? "python3", [SCRIPT, "verify", ...pairs], { encoding: "utf8" });

  test("every model loads into torch.nn.Sequential with strict=True and gives Chainrule's logits", async (t) => {
    if (!python) return t.skip(reason);
    const pairs: string[] = [];
    for (const [name, model, shape] of chainruleModels()) {
      const path = join(work, `verify-${name}.safetensors`);
      await cr.save(model, path);
      const inputs = { shape, values: Array.from(cr.randn(shape, { seed: 5 }).dataSync()) };
      const logits = { shape: [shape[0], 3], values: Array.from(logitsOf(model, inputs)) };
      writeFileSync(join(work, `${name}.json`), JSON.stringify({ model: path, inputs, logits }));
      pairs.push(path, join(work, `${name}.json`));
      model.dispose();
    }
    const r = verify(...pairs);
    assert.equal(r.status, 0, `${r.stderr}${r.stdout}`);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 3, r.stdout);
    for (const line of lines) {
      assert.match(line, /^ok: verify-\S+ loads into torch \S+ with strict=True/);
      console.log(line);
    }
  });

  test("the check fails on logits that do not match, and on a file without an architecture", async (t) => {
    if (!python) return t.skip(reason);
    const [, model, shape] = chainruleModels()[0];
    const path = join(work, "tampered.safetensors");
    await cr.save(model, path);
    const inputs = { shape, values: Array.from(cr.randn(shape, { seed: 5 }).dataSync()) };
    const values = Array.from(logitsOf(model, inputs));
    values[4] += 1e-4;
    writeFileSync(join(work, "tampered.json"), JSON.stringify({ inputs, logits: { shape: [5, 3], values } }));
    const r = verify(path, join(work, "tampered.json"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /logits differ by up to/);
    const bare = join(work, "bare.safetensors");
    cr.saveTensors(model.stateDict(), bare);
    assert.match(verify(bare, join(work, "tampered.json")).stderr, /needs format "pt" and an architecture/);
    model.dispose();
  });
});
