// chapterMlp: with no options it is the chapter's 784-256-10 ReLU network without biases; each option
// overrides one default; sizes that are not integers >= 1 are refused by name.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

const shapes = (m: cr.nn.Module) => m.namedParameters().map(([n, p]) => [n, [...p.shape]]);

describe("chapterMlp", () => {
  test("no options: 784 → 256 → 10, ReLU, no biases, the same weights as the sizes given", () => {
    const net = cr.chapterMlp();
    assert.deepEqual(shapes(net), [
      ["0.weight", [256, 784]],
      ["2.weight", [10, 256]],
    ]);
    assert.ok(net.layers[1] instanceof cr.nn.ReLU);
    const explicit = cr.chapterMlp({ inputs: 784, hidden: 256, outputs: 10, layers: 1, seed: 0 });
    for (const [a, b] of net.parameters().map((p, i) => [p, explicit.parameters()[i]] as const))
      assert.deepEqual(a.dataSync(), b.dataSync());
    const out = cr.tidy(() => net.forward(cr.ones([3, 784])).shape);
    assert.deepEqual(out, [3, 10]);
  });

  test("each option overrides only its own default", () => {
    assert.deepEqual(shapes(cr.chapterMlp({ hidden: 32 })), [
      ["0.weight", [32, 784]],
      ["2.weight", [10, 32]],
    ]);
    assert.deepEqual(shapes(cr.chapterMlp({ inputs: 6, outputs: 3, layers: 2, bias: true })), [
      ["0.weight", [256, 6]],
      ["0.bias", [256]],
      ["2.weight", [256, 256]],
      ["2.bias", [256]],
      ["4.weight", [3, 256]],
      ["4.bias", [3]],
    ]);
    assert.ok(cr.chapterMlp({ activation: "tanh" }).layers[1] instanceof cr.nn.Tanh);
  });

  test("sizes must be integers >= 1, named in the error", () => {
    assert.throws(
      () => cr.chapterMlp({ hidden: 0 }),
      /^ChainruleError: mlp: hidden must be an integer >= 1, got 0$/,
    );
    assert.throws(() => cr.chapterMlp({ inputs: 2.5 }), /mlp: inputs must be an integer >= 1, got 2.5/);
    assert.throws(() => cr.chapterMlp({ layers: -1 }), /mlp: layers must be an integer >= 1, got -1/);
  });
});
