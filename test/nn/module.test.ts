// Module, the layers and initialisation: parameter discovery and names, state dicts, train/eval, Dropout's
// statistics, seeded Xavier/He init with the right spread, and each layer's forward against a float64 formula.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { dropout, linear } from "../../src/nn/functional.js";
import { initWeight } from "../../src/nn/init.js";
import { Dropout, Flatten, GELU, Linear, ReLU, Sequential, Sigmoid, Tanh } from "../../src/nn/layers.js";
import { Module } from "../../src/nn/module.js";
import { close, throwsMessage, values } from "../assertions.js";

const names = (m: Module) => m.namedParameters().map(([n]) => n);

class Encoder extends Module {
  readonly scale = cr.tensor([2], { requiresGrad: true });
  readonly constant = cr.tensor([5]); // no grad: not a parameter
  readonly body = new Sequential(new Linear(2, 3), new Tanh());
  readonly heads = [new Linear(3, 1, { bias: false }), new Linear(3, 2)];
  forward(x: cr.Tensor): cr.Tensor {
    return this.heads[0].forward(this.body.forward(cr.mul(x, this.scale)));
  }
}

describe("Module: parameters and names", () => {
  test("Sequential(Linear(4,3,{bias:false}), ReLU(), Linear(3,2)) names 0.weight, 2.weight, 2.bias", () => {
    const net = new Sequential(new Linear(4, 3, { bias: false }), new ReLU(), new Linear(3, 2));
    assert.deepEqual(names(net), ["0.weight", "2.weight", "2.bias"]);
    const [l0, , l2] = net.layers as [Linear, ReLU, Linear];
    assert.deepEqual(net.parameters(), [l0.weight, l2.weight, l2.bias]);
    assert.deepEqual(
      net.parameters().map((p) => p.shape),
      [[3, 4], [2, 3], [2]],
    );
    assert.equal(net.parameterCount(), 12 + 6 + 2);
    assert.deepEqual(Object.keys(net.stateDict()), ["0.weight", "2.weight", "2.bias"]);
  });

  test("finds parameters in own fields, child modules and arrays of modules; skips tensors without grad", () => {
    const enc = new Encoder();
    assert.deepEqual(names(enc), [
      "scale",
      "body.0.weight",
      "body.0.bias",
      "heads.0.weight",
      "heads.1.weight",
      "heads.1.bias",
    ]);
    const nested = new Sequential(new Sequential(new Linear(2, 2)), new ReLU(), new Linear(2, 1));
    assert.deepEqual(names(nested), ["0.0.weight", "0.0.bias", "2.weight", "2.bias"]);
    assert.deepEqual(names(new ReLU()), []);
  });

  test("a module used twice contributes its parameters once", () => {
    const shared = new Linear(3, 3);
    const net = new Sequential(shared, new ReLU(), shared);
    assert.deepEqual(names(net), ["0.weight", "0.bias"]);
    assert.equal(net.parameterCount(), 12);
  });

  test("parameters are tagged 'parameter' and survive a tidy() scope they were made in", () => {
    const before = cr.memory().byCategory.parameter.bytes;
    let lin!: Linear;
    cr.tidy(() => {
      lin = new Linear(5, 4, { seed: 1 }); // not returned: nothing else keeps it out of the scope
    });
    assert.equal(cr.memory().byCategory.parameter.bytes - before, (20 + 4) * 4);
    assert.equal(lin.weight.memoryTag, "parameter");
    assert.ok(!lin.weight.isDisposed && !lin.bias!.isDisposed);
    lin.dispose();
    assert.equal(cr.memory().byCategory.parameter.bytes, before);
  });
});

describe("Module: state dicts", () => {
  test("stateDict → loadStateDict copies every value; the models then compute the same thing", () => {
    const a = new Sequential(new Linear(4, 3, { seed: 1 }), new ReLU(), new Linear(3, 2, { seed: 2 }));
    const b = new Sequential(new Linear(4, 3, { seed: 3 }), new ReLU(), new Linear(3, 2, { seed: 4 }));
    cr.noGrad(() => (a.layers[2] as Linear).bias!.assign(cr.tensor([0.5, -0.25])));
    assert.notDeepEqual(values(a.parameters()[0]), values(b.parameters()[0]));
    const result = b.loadStateDict(a.stateDict());
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    for (const [name, p] of a.namedParameters())
      assert.deepEqual(values(b.stateDict()[name]), values(p), name);
    const x = cr.randn([5, 4], { seed: 9 });
    assert.deepEqual(values(b.forward(x)), values(a.forward(x)));
    // Copies, not shared buffers: changing a afterwards leaves b alone.
    const w = values(b.parameters()[0]);
    cr.noGrad(() => a.parameters()[0].assign(cr.zeros([3, 4])));
    assert.deepEqual(values(b.parameters()[0]), w);
    // The loaded parameters are still leaves that require grad.
    for (const p of b.parameters()) assert.ok(p.isLeaf && p.requiresGrad);
  });

  test("missing and unexpected keys: strict names them all, strict:false returns them and loads the rest", () => {
    const net = new Sequential(new Linear(4, 3, { bias: false }), new ReLU(), new Linear(3, 2));
    const state = {
      "0.weight": cr.ones([3, 4]),
      "2.weight": cr.ones([2, 3]),
      "3.weight": cr.ones([1]),
      extra: cr.ones([2]),
    };
    throwsMessage(
      () => net.loadStateDict(state),
      /loadStateDict/,
      /missing keys: \[2\.bias\]/,
      /unexpected keys: \[3\.weight, extra\]/,
    );
    // Nothing was loaded by the refused call.
    assert.notDeepEqual(values(net.parameters()[0]), new Array(12).fill(1));
    const result = net.loadStateDict(state, { strict: false });
    assert.deepEqual(result, { missingKeys: ["2.bias"], unexpectedKeys: ["3.weight", "extra"] });
    assert.deepEqual(values(net.parameters()[0]), new Array(12).fill(1));
    assert.deepEqual(values(net.parameters()[1]), new Array(6).fill(1));
    assert.deepEqual(values(net.parameters()[2]), [0, 0]);
  });

  test("a shape mismatch names the key and both shapes, and changes nothing", () => {
    const net = new Sequential(new Linear(4, 3, { seed: 1 }), new ReLU(), new Linear(3, 2, { seed: 1 }));
    const before = net.parameters().map(values);
    const state = { ...net.stateDict(), "0.bias": cr.zeros([3]), "2.weight": cr.zeros([3, 2]) };
    throwsMessage(() => net.loadStateDict(state), /"2\.weight"/, /\[3,2\]/, /\[2,3\]/);
    throwsMessage(() => net.loadStateDict(state, { strict: false }), /"2\.weight"/, /\[3,2\]/, /\[2,3\]/);
    assert.deepEqual(net.parameters().map(values), before);
  });

  test("loading float64 values into float32 parameters casts them", () => {
    const lin = new Linear(2, 1, { bias: false });
    lin.loadStateDict({ weight: cr.tensor([[0.1, 0.2]], { dtype: "float64" }) });
    assert.equal(lin.weight.dtype, "float32");
    assert.deepEqual(values(lin.weight), [Math.fround(0.1), Math.fround(0.2)]);
  });
});

describe("Module: train() and eval()", () => {
  test("propagate to every descendant, including arrays of modules", () => {
    const enc = new Encoder();
    const net = new Sequential(enc, new Dropout(0.2), new Sequential(new Flatten()));
    const all = (): Module[] => [
      net,
      enc,
      enc.body,
      ...enc.body.layers,
      ...enc.heads,
      ...net.layers,
      net.layers[2],
    ];
    assert.ok(all().every((m) => m.training));
    assert.equal(net.eval(), net);
    assert.ok(all().every((m) => !m.training));
    net.train();
    assert.ok(all().every((m) => m.training));
    net.train(false);
    assert.ok(all().every((m) => !m.training));
  });
});

describe("Dropout", () => {
  const x = cr.randn([100, 200], { seed: 1, dtype: "float64" });

  test("is the identity in eval mode", () => {
    const d = new Dropout(0.5, { seed: 1 }).eval();
    assert.equal(d.forward(x), x);
  });

  test("in training zeroes about p of the elements and scales the rest by 1/(1-p)", () => {
    for (const p of [0.1, 0.5, 0.8]) {
      const y = values(new Dropout(p, { seed: 3 }).forward(x));
      const xs = values(x);
      let zeros = 0;
      for (let i = 0; i < y.length; i++) {
        if (y[i] === 0) zeros++;
        else
          assert.ok(Math.abs(y[i] - xs[i] / (1 - p)) <= 1e-12 * Math.abs(xs[i] / (1 - p)), `p=${p} [${i}]`);
      }
      const n = y.length;
      const sigma = Math.sqrt((p * (1 - p)) / n);
      assert.ok(Math.abs(zeros / n - p) < 5 * sigma, `p=${p}: zeroed ${zeros / n}`);
    }
  });

  test("a float32 input keeps its dtype and its mean (inverted dropout)", () => {
    const ones = cr.ones([50_000]);
    const y = new Dropout(0.25, { seed: 2 }).forward(ones);
    assert.equal(y.dtype, "float32");
    assert.ok(Math.abs(cr.mean(y).item() - 1) < 0.02);
  });

  test("the same seed gives the same mask, another seed another, and masks change from call to call", () => {
    const a = new Dropout(0.5, { seed: 7 });
    const b = new Dropout(0.5, { seed: 7 });
    const first = values(a.forward(x));
    assert.deepEqual(values(b.forward(x)), first);
    assert.notDeepEqual(values(a.forward(x)), first);
    assert.notDeepEqual(values(new Dropout(0.5, { seed: 8 }).forward(x)), first);
  });

  test("unseeded layers draw from the global generator: different masks, reproducible by manualSeed", () => {
    cr.manualSeed(11);
    const a = new Dropout(0.5);
    const b = new Dropout(0.5);
    const ya = values(a.forward(x));
    assert.notDeepEqual(values(b.forward(x)), ya);
    cr.manualSeed(11);
    assert.deepEqual(values(a.forward(x)), ya);
  });

  test("the gradient is the mask scaled by 1/(1-p); p = 0 is the identity; p outside [0, 1) is refused", () => {
    const w = cr.ones([1000], { dtype: "float64", requiresGrad: true });
    const y = dropout(w, 0.3, new cr.Generator(5));
    cr.sum(y).backward();
    assert.deepEqual(values(w.grad!), values(y));
    assert.equal(dropout(x, 0), x);
    throwsMessage(() => new Dropout(1), /Dropout/, /\[0, 1\)/);
    throwsMessage(() => new Dropout(-0.1), /Dropout/);
    throwsMessage(() => dropout(x, Number.NaN), /dropout/);
  });
});

describe("init", () => {
  test("Xavier: seeded, inside ±√(6/(in+out)), with variance 2/(in+out)", () => {
    const [fanIn, fanOut] = [300, 200];
    const w = initWeight([fanOut, fanIn], "xavier", fanIn, fanOut, { seed: 1 });
    assert.deepEqual(values(initWeight([fanOut, fanIn], "xavier", fanIn, fanOut, { seed: 1 })), values(w));
    assert.notDeepEqual(values(initWeight([fanOut, fanIn], "xavier", fanIn, fanOut, { seed: 2 })), values(w));
    const v = values(w);
    const bound = Math.sqrt(6 / (fanIn + fanOut));
    const maxAbs = v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    assert.ok(maxAbs <= bound && maxAbs > 0.999 * bound, `max |w| ${maxAbs} vs bound ${bound}`);
    const mean = v.reduce((s, a) => s + a, 0) / v.length;
    const variance = v.reduce((s, a) => s + (a - mean) ** 2, 0) / v.length;
    assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
    // The sample variance of n = 60000 uniforms has a relative standard error of about 0.4%.
    assert.ok(Math.abs(variance / (2 / (fanIn + fanOut)) - 1) < 0.02, `variance ${variance}`);
  });

  test("He: seeded, normal with mean 0 and std √(2/in)", () => {
    const [fanIn, fanOut] = [512, 256];
    const w = initWeight([fanOut, fanIn], "he", fanIn, fanOut, { seed: 4, dtype: "float64" });
    assert.equal(w.dtype, "float64");
    assert.deepEqual(
      values(initWeight([fanOut, fanIn], "he", fanIn, fanOut, { seed: 4, dtype: "float64" })),
      values(w),
    );
    const v = values(w);
    const mean = v.reduce((s, a) => s + a, 0) / v.length;
    const std = Math.sqrt(v.reduce((s, a) => s + (a - mean) ** 2, 0) / v.length);
    const expected = Math.sqrt(2 / fanIn);
    assert.ok(Math.abs(mean) < 0.01 * expected, `mean ${mean}`);
    assert.ok(Math.abs(std / expected - 1) < 0.01, `std ${std} vs ${expected}`);
    // About 68.3% within one std, as a normal (not a uniform: 57.7%) has.
    const within = v.filter((a) => Math.abs(a) < expected).length / v.length;
    assert.ok(Math.abs(within - 0.6827) < 0.01, `fraction within 1 std: ${within}`);
  });

  test("Linear uses the scheme and seed it is given; biases start at zero; unknown schemes are refused", () => {
    const lin = new Linear(30, 20, { init: "he", seed: 6 });
    assert.deepEqual(values(lin.weight), values(initWeight([20, 30], "he", 30, 20, { seed: 6 })));
    assert.deepEqual(
      values(new Linear(30, 20, { seed: 6 }).weight),
      values(initWeight([20, 30], "xavier", 30, 20, { seed: 6 })),
    );
    assert.deepEqual(values(lin.bias!), new Array(20).fill(0));
    assert.deepEqual(values(new Linear(3, 2, { init: "zeros" }).weight), new Array(6).fill(0));
    const g = new cr.Generator(3);
    const [l1, l2] = [new Linear(4, 4, { generator: g }), new Linear(4, 4, { generator: g })];
    assert.notDeepEqual(values(l1.weight), values(l2.weight), "a shared generator advances");
    throwsMessage(() => initWeight([2, 2], "normal" as "he", 2, 2), /init/, /normal/);
    throwsMessage(() => new Linear(0, 2), /Linear/, /inFeatures/);
    throwsMessage(() => new Linear(2, 1.5), /Linear/, /outFeatures/);
  });
});

describe("layers: forward", () => {
  test("Linear is x·Wᵀ + b (float64, by hand), for 2-D, 1-D and 3-D inputs, with the right gradients", () => {
    const lin = new Linear(3, 2, { seed: 4, dtype: "float64" });
    cr.noGrad(() => lin.bias!.assign(cr.tensor([0.5, -1.5], { dtype: "float64" })));
    const x = cr.randn([5, 3], { seed: 2, dtype: "float64" });
    const [W, b, xs] = [values(lin.weight), values(lin.bias!), values(x)];
    const expected: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 2; j++)
        expected.push(
          xs[i * 3] * W[j * 3] + xs[i * 3 + 1] * W[j * 3 + 1] + xs[i * 3 + 2] * W[j * 3 + 2] + b[j],
        );
    }
    const y = lin.forward(x);
    assert.deepEqual(y.shape, [5, 2]);
    close(values(y), expected, 1e-14, "2-D");
    const row = lin.forward(cr.tensor(xs.slice(3, 6), { dtype: "float64" }));
    assert.deepEqual(row.shape, [2]);
    close(values(row), expected.slice(2, 4), 1e-14, "1-D");
    const batched = lin.forward(cr.reshape(cr.concat([x, x], 0), [2, 5, 3]));
    assert.deepEqual(batched.shape, [2, 5, 2]);
    close(values(batched), [...expected, ...expected], 1e-14, "3-D");
    // ∂Σy/∂W[j][k] = Σᵢ x[i][k], ∂Σy/∂b[j] = n.
    cr.sum(y).backward();
    const colSums = [0, 1, 2].map((k) => xs.filter((_, i) => i % 3 === k).reduce((s, a) => s + a, 0));
    close(values(lin.weight.grad!), [...colSums, ...colSums], 1e-14, "dW");
    assert.deepEqual(values(lin.bias!.grad!), [5, 5]);
    throwsMessage(
      () => lin.forward(cr.ones([5, 4], { dtype: "float64" })),
      /linear/,
      /\[5,4\]/,
      /3 features/,
    );
    close(
      values(linear(x, lin.weight)),
      expected.map((v, i) => v - b[i % 2]),
      1e-14,
      "no bias",
    );
  });

  test("Flatten keeps the batch axis and flattens the rest in row-major order", () => {
    const x = cr.arange(24, undefined, 1, { dtype: "float32" }).reshape([2, 3, 4]);
    const y = new Flatten().forward(x);
    assert.deepEqual(y.shape, [2, 12]);
    assert.deepEqual(values(y), values(x));
    assert.deepEqual(new Flatten().forward(cr.ones([2, 3])).shape, [2, 3]);
    assert.deepEqual(new Flatten().forward(cr.ones([4])).shape, [4]);
    assert.deepEqual(new Flatten().forward(cr.ones([2, 1, 3, 2])).shape, [2, 6]);
  });

  test("ReLU, Tanh, Sigmoid and GELU (exact and tanh) match their float64 formulas", () => {
    const xs = [-20, -3, -1, -0.5, 0, 0.25, 1, 2.5, 20];
    const x = cr.tensor(xs, { dtype: "float64" });
    const c = Math.sqrt(2 / Math.PI);
    close(
      values(new ReLU().forward(x)),
      xs.map((v) => Math.max(v, 0)),
      0,
      "relu",
    );
    close(values(new Tanh().forward(x)), xs.map(Math.tanh), 1e-15, "tanh");
    close(
      values(new Sigmoid().forward(x)),
      xs.map((v) => 1 / (1 + Math.exp(-v))),
      1e-15,
      "sigmoid",
    );
    close(
      values(new GELU("tanh").forward(x)),
      xs.map((v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)))),
      1e-15,
      "gelu tanh",
    );
    // x·Φ(x) at points whose Φ is tabulated: Φ(-3), Φ(-1), Φ(-0.5), Φ(0), Φ(0.25), Φ(1), Φ(2.5).
    const phi: Record<number, number> = {
      [-20]: 0,
      [-3]: 0.0013498980316300946,
      [-1]: 0.15865525393145707,
      [-0.5]: 0.3085375387259869,
      0: 0.5,
      0.25: 0.5987063256829237,
      1: 0.8413447460685429,
      2.5: 0.9937903346742238,
      20: 1,
    };
    close(
      values(new GELU().forward(x)),
      xs.map((v) => v * phi[v]),
      1e-12,
      "gelu",
    );
    assert.equal(new GELU().approximate, "none");
    assert.equal(new Tanh().forward(cr.ones([2, 2])).dtype, "float32");
  });
});
