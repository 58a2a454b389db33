// Hostile and corrupt architecture metadata: bad JSON, unknown layer types and fields, absurd sizes, layers that do
// not chain, tensors that do not match. Each is refused by loadSequential with a one-line InputError, and leaks nothing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import {
  buildSequential,
  checkTensors,
  MAX_FEATURES,
  MAX_LAYERS,
  mlpArchitecture,
  parseArchitecture,
} from "../../src/io/architecture.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-arch-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const linear = (inF: number, outF: number, bias = true) => ({
  type: "Linear",
  in_features: inF,
  out_features: outF,
  bias,
});
const sequential = (...layers: unknown[]) => JSON.stringify({ type: "Sequential", layers });

/** The tensors of a 4-3-2 MLP with biases, as torch names them. */
function mlpTensors(): Record<string, cr.Tensor> {
  return {
    "0.weight": cr.zeros([3, 4]),
    "0.bias": cr.zeros([3]),
    "2.weight": cr.zeros([2, 3]),
    "2.bias": cr.zeros([2]),
  };
}
const GOOD = sequential(linear(4, 3), { type: "ReLU" }, linear(3, 2));

let n = 0;
function file(architecture: string | null, tensors: Record<string, cr.Tensor> = mlpTensors()): string {
  const path = join(dir, `m${n++}.safetensors`);
  cr.saveTensors(tensors, path, architecture === null ? {} : { metadata: { architecture } });
  for (const t of Object.values(tensors)) t.dispose();
  return path;
}

/** Refused with an InputError of one line matching `pattern`, and every tensor it loaded is freed. */
async function refused(path: string, pattern: RegExp): Promise<void> {
  const before = cr.memory();
  await assert.rejects(cr.loadSequential(path), (error: Error) => {
    assert.ok(error instanceof cr.InputError, `${error.name}: ${error.message}`);
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(error.message.length < 300, error.message);
    assert.match(error.message, pattern);
    return true;
  });
  assert.equal(cr.memory().tensors, before.tensors, "nothing leaks");
}

const deep = `${"[".repeat(40)}${"]".repeat(40)}`;
const CASES: [string, string | null, RegExp][] = [
  ["truncated JSON", GOOD.slice(0, 30), /"architecture" entry of __metadata__ is not valid JSON/],
  ["not JSON at all", "Sequential(Linear)", /is not valid JSON/],
  ["JSON nested 40 deep", `{"type":"Sequential","layers":${deep}}`, /not valid JSON.*nesting deeper than 16/],
  ["a prototype key", `{"type":"Sequential","__proto__":{},"layers":[]}`, /not valid JSON.*forbidden key/],
  ["duplicate keys", `{"type":"Sequential","type":"Linear","layers":[]}`, /not valid JSON.*duplicate key/],
  ["an array", "[1, 2]", /is not a JSON object/],
  ["another container", JSON.stringify({ type: "ModuleList", layers: [] }), /type must be "Sequential"/],
  ["layers not an array", JSON.stringify({ type: "Sequential", layers: {} }), /layers must be an array/],
  ["no layers", sequential(), /must have 1 to 1024 layers, got 0/],
  ["too many layers", sequential(...Array(MAX_LAYERS + 1).fill({ type: "ReLU" })), /got 1025/],
  [
    "an unknown field",
    JSON.stringify({ type: "Sequential", layers: [], version: 2 }),
    /unknown field "version"/,
  ],
  [
    "a 100 kB unknown key",
    JSON.stringify({ type: "Sequential", ["k".repeat(100_000)]: 1 }),
    /unknown field "k+\.\.\./,
  ],
  [
    "an unknown layer type",
    sequential({ type: "Conv2d" }),
    /layer 0 has unknown type "Conv2d"; known: Linear/,
  ],
  ["a layer without a type", sequential({ in_features: 4 }), /layer 0 has unknown type nothing/],
  ["a layer that is a string", sequential("ReLU"), /layer 0 is not an object/],
  [
    "an unknown layer field",
    sequential(linear(4, 3), { type: "ReLU", inplace: true }),
    /\(ReLU\) has an unknown field "inplace"/,
  ],
  [
    "in_features 10^12",
    sequential(linear(1e12, 3)),
    /in_features must be an integer from 1 to 16777216, got 1000000000000/,
  ],
  ["out_features 2^24 + 1", sequential(linear(4, MAX_FEATURES + 1)), /out_features must be an integer/],
  ["negative in_features", sequential(linear(-4, 3)), /in_features must be .*got -4/],
  ["zero out_features", sequential(linear(4, 0)), /out_features must be .*got 0/],
  ["fractional sizes", sequential(linear(4.5, 3)), /got 4\.5/],
  [
    "sizes as strings",
    sequential(linear(4, 3), { type: "ReLU" }, { ...linear(3, 2), in_features: "3" }),
    /layer 2: in_features .*got "3"/,
  ],
  ["a size of 1e400", sequential(linear(4, 3)).replace('"in_features":4', '"in_features":1e400'), /got null/],
  [
    "bias not a boolean",
    sequential({ ...linear(4, 3), bias: "yes" }),
    /bias must be true or false, got "yes"/,
  ],
  [
    "GELU approximate unknown",
    sequential(linear(4, 3), { type: "GELU", approximate: "fast" }),
    /approximate must be "none" or "tanh"/,
  ],
  [
    "Dropout p = 1",
    sequential(linear(4, 3), { type: "Dropout", p: 1 }),
    /p must be a number in \[0, 1\), got 1/,
  ],
  ["no Linear layer", sequential({ type: "ReLU" }), /has no Linear layer/],
  [
    "layers that do not chain",
    sequential(linear(4, 3), { type: "ReLU" }, linear(5, 2)),
    /layer 2 \(Linear\) takes 5 features but receives 3/,
  ],
  [
    "a weight of another shape",
    sequential(linear(5, 3), { type: "ReLU" }, linear(3, 2)),
    /"0\.weight" is \[3,4\] in the file but layer 0 \(Linear 5→3, with bias\) needs \[3,5\]/,
  ],
  [
    "a bias the file lacks",
    sequential(linear(4, 3), { type: "ReLU" }, linear(3, 2), { type: "Tanh" }, linear(2, 2)),
    /layer 4 \(Linear 2→2, with bias\) needs "4\.weight" \[2,2\]; the file has none/,
  ],
  [
    "biases the architecture lacks",
    sequential(linear(4, 3, false), { type: "ReLU" }, linear(3, 2, false)),
    /the file holds "0\.bias", which layer 0 \(Linear 4→3, no bias\) does not have/,
  ],
  [
    "Linear where the file has an activation",
    sequential(linear(4, 3), { type: "ReLU" }, { type: "ReLU" }, linear(3, 2)),
    /layer 3 .* needs "3\.weight"/,
  ],
];

describe("loadSequential refuses hostile or corrupt architecture metadata with one line", () => {
  for (const [name, architecture, pattern] of CASES) {
    test(name, () => refused(file(architecture), pattern));
  }

  test("a tensor no layer has", () =>
    refused(
      file(GOOD, { ...mlpTensors(), "1.weight": cr.zeros([1]) }),
      /holds "1\.weight", which the architecture \(layer 1 is ReLU\) does not have/,
    ));

  test("a tensor past the last layer", () =>
    refused(
      file(GOOD, { ...mlpTensors(), "7.weight": cr.zeros([1]) }),
      /holds "7\.weight", which the architecture \(it has 3 layers\) does not have/,
    ));

  test("float64 parameters", () =>
    refused(
      file(GOOD, { ...mlpTensors(), "2.bias": cr.zeros([2], { dtype: "float64" }) }),
      /"2\.bias" is float64; Linear parameters are float32 \(in PyTorch: model\.float\(\)\)/,
    ));

  test("a scalar where a weight should be", () =>
    refused(file(GOOD, { ...mlpTensors(), "0.weight": cr.zeros([]) }), /"0\.weight" is \[\] in the file/));

  test("the good file loads; an explicit architecture wins over the header", async () => {
    const path = file(GOOD);
    const model = await cr.loadSequential(path);
    assert.equal(model.layers.length, 3);
    model.dispose();
    const other = await cr.loadSequential(path, { architecture: mlpArchitecture([4, 3, 2], "tanh", true) });
    assert.equal(other.layers[1].constructor.name, "Tanh");
    other.dispose();
  });

  test("a given architecture is checked as strictly as the header's", async () => {
    const path = file(GOOD);
    const bad = JSON.parse(sequential(linear(4, 3), { type: "Softmax" }, linear(3, 2))) as cr.Architecture;
    await assert.rejects(cr.loadSequential(path, { architecture: bad }), (e: Error) => {
      assert.ok(e instanceof cr.InputError);
      assert.match(e.message, /the given architecture, layer 1 has unknown type "Softmax"/);
      return true;
    });
    assert.throws(() => mlpArchitecture([784], "relu", true), /mlpArchitecture: sizes must be two or more/);
    assert.throws(() => mlpArchitecture([4, 2.5, 2], "relu", true), /got \[4, 2\.5, 2\]/);
    assert.throws(
      () => mlpArchitecture([4, 3, 2], "swish" as "relu", true),
      /activation must be one of relu, sigmoid, tanh, gelu, got "swish"/,
    );
    await assert.rejects(
      cr.loadSequential(file(null)),
      /has no "architecture" entry in its header; pass \{ architecture \}, e\.g\. mlpArchitecture\(\[784, 256, 10\], "relu", true\)/,
    );
  });
});

test("2,000 seeded mutations of a good architecture: each loads or is refused with one line, never a crash", () => {
  const shapes = {
    "0.weight": { dtype: "float32", shape: [3, 4] },
    "0.bias": { dtype: "float32", shape: [3] },
    "2.weight": { dtype: "float32", shape: [2, 3] },
    "2.bias": { dtype: "float32", shape: [2] },
  } as const;
  const alphabet = '{}[]",:0123456789-.eE truefalsnulLinearReLUGEpx_\\';
  let state = 12345;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  let loaded = 0;
  for (let i = 0; i < 2000; i++) {
    let text = GOOD;
    for (let k = 1 + random(3); k > 0; k--) {
      const at = random(text.length + 1);
      const c = alphabet[random(alphabet.length)];
      const op = random(4);
      if (op === 0) text = text.slice(0, at) + c + text.slice(at + 1);
      else if (op === 1) text = text.slice(0, at) + c + text.slice(at);
      else if (op === 2) text = text.slice(0, at) + text.slice(at + 1);
      else text = text.slice(0, at);
    }
    try {
      const architecture = parseArchitecture(text, "fuzz");
      checkTensors(architecture, shapes, "fuzz");
      buildSequential(architecture).dispose();
      loaded++;
    } catch (error) {
      if (!(error instanceof cr.InputError)) throw new Error(`${text}: ${(error as Error).stack}`);
      assert.doesNotMatch(error.message, /\n/, text);
    }
  }
  assert.ok(loaded > 0 && loaded < 2000, `${loaded} of 2000 mutations still load`);
});
