// Memory remedies: recomputation (checkpoint) gives the same gradients with less saved for backward, and
// micro-batching (accumulateGradients) gives the full-batch gradient with a lower peak.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose, f64, normals } from "../autograd/helpers.js";

/** An 8-layer float64 stack: Linear (with bias) + activation per layer, then a Linear head. */
function stack(layers: number, width: number, activation: "relu" | "gelu" | "tanh", seed: number) {
  const g = new cr.Generator(seed);
  const mods: cr.nn.Module[] = [];
  for (let l = 0; l < layers; l++) {
    mods.push(new cr.nn.Linear(width, width, { generator: g, dtype: "float64", init: "he" }));
    mods.push(
      activation === "relu" ? new cr.nn.ReLU() : activation === "gelu" ? new cr.nn.GELU() : new cr.nn.Tanh(),
    );
  }
  mods.push(new cr.nn.Linear(width, 3, { generator: g, dtype: "float64" }));
  return mods;
}

/** The same modules, each Linear + activation pair (or `per` pairs) inside a Checkpoint. */
function checkpointed(mods: cr.nn.Module[], per = 1): cr.nn.Sequential {
  const blocks: cr.nn.Module[] = [];
  const body = mods.slice(0, -1);
  for (let i = 0; i < body.length; i += 2 * per)
    blocks.push(new cr.Checkpoint(new cr.nn.Sequential(...body.slice(i, i + 2 * per))));
  blocks.push(mods[mods.length - 1]);
  return new cr.nn.Sequential(...blocks);
}

function grads(net: cr.nn.Module): Float64Array[] {
  return net.parameters().map((p) => Float64Array.from(p.grad!.dataSync()));
}

function zero(net: cr.nn.Module): void {
  for (const p of net.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
}

describe("checkpoint", () => {
  test("gradients through recomputed segments equal the plain run exactly (float64)", () => {
    const mods = stack(8, 6, "gelu", 3);
    const plain = new cr.nn.Sequential(...mods);
    const ckpt = checkpointed(mods, 1);
    const x = f64(normals(5 * 6, 4), [5, 6], true);
    const y = cr.tensor([0, 2, 1, 1, 0], { dtype: "int32" });
    const run = (net: cr.nn.Module) => {
      cr.tidy(() => cr.nn.crossEntropy(net.forward(x), y).backward());
      const out = [...grads(net), Float64Array.from(x.grad!.dataSync())];
      zero(net);
      x.grad = null;
      return out;
    };
    const expected = run(plain);
    const actual = run(ckpt);
    assert.equal(actual.length, expected.length);
    // The same kernels on the same values: identical, not merely close.
    for (const [i, a] of actual.entries()) assert.deepEqual(a, expected[i], `gradient ${i}`);
    const segments = run(checkpointed(mods, 4));
    for (const [i, a] of segments.entries())
      assert.deepEqual(a, expected[i], `gradient ${i} (segments of 4)`);
  });

  test("value and gradient of a function with several inputs; inputs that need no grad get none", () => {
    const a = f64(normals(4, 1), [4], true);
    const b = f64(normals(4, 2), [4]);
    const f = (u: cr.Tensor, v: cr.Tensor) => u.mul(v).tanh().mul(u).sum();
    const [plain, gPlain] = cr.valueAndGrad((u) => f(u, b))(a);
    const [value, gCkpt] = cr.valueAndGrad((u) => cr.checkpoint(f, u, b))(a);
    assert.equal(value.item(), plain.item());
    assertClose((gCkpt as cr.Tensor).dataSync(), (gPlain as cr.Tensor).dataSync(), 1e-12, "gradient");
    assert.equal(cr.checkpoint(f, b, b).requiresGrad, false);
  });

  test("second derivatives (createGraph) go through the recomputed segment", () => {
    const x = f64(normals(5, 7), [5], true);
    const v = f64(normals(5, 8), [5]);
    const seg = (t: cr.Tensor) => t.tanh().mul(t).exp();
    const plain = cr.hvp((t) => seg(t).sum(), x, v);
    const ckpt = cr.hvp((t) => cr.checkpoint(seg, t).sum(), x, v);
    assertClose(ckpt.dataSync(), plain.dataSync(), 1e-12, "Hessian-vector product");
    const g2 = (f: (t: cr.Tensor) => cr.Tensor) => cr.grad((t) => cr.grad(f)(t).sum())(x);
    assertClose(
      g2((t) => cr.checkpoint(seg, t).sum()).dataSync(),
      g2((t) => seg(t).sum()).dataSync(),
      1e-12,
      "grad of grad",
    );
  });

  test("a tensor that requires grad used without being passed in is an error, not a lost gradient", () => {
    const w = f64(normals(3, 1), [3], true);
    const x = f64(normals(3, 2), [3], true);
    const y = cr.checkpoint((t) => t.mul(w).sum(), x);
    assert.throws(
      () => y.backward(),
      /uses tensor #\d+ \[3\] float64, which requires grad, without receiving it/,
    );
  });

  test("an 8-layer GELU MLP keeps less than half the saved bytes, and frees everything after the step", () => {
    const measure = (net: cr.nn.Module, x: cr.Tensor, y: cr.Tensor) => {
      const before = cr.memory();
      cr.resetPeak();
      cr.tidy(() => cr.nn.crossEntropy(net.forward(x), y).backward());
      const peak = cr.memory().byCategory.saved.peakBytes;
      zero(net);
      const after = cr.memory();
      assert.equal(after.tensors, before.tensors, "live tensors after the step");
      assert.equal(after.bytes, before.bytes, "live bytes after the step");
      return peak;
    };
    const plain = cr.chapterMlp({ inputs: 32, hidden: 64, outputs: 10, layers: 8, activation: "gelu" });
    const ckpt = checkpointed(plain.layers, 1);
    const x = cr.randn([64, 32], { seed: 1 }).tagAs("data");
    const y = cr.randint(0, 10, [64], { seed: 2, dtype: "int32" }).tagAs("data");
    const savedPlain = measure(plain, x, y);
    const savedCkpt = measure(ckpt, x, y);
    assert.ok(
      savedCkpt <= savedPlain / 2,
      `saved peak ${savedCkpt} B with checkpoints vs ${savedPlain} B plain`,
    );
    x.dispose();
    y.dispose();
  });

  test("an 8-layer ReLU MLP, two layers a checkpoint: half the bytes kept for backward, a lower peak", () => {
    const measure = (net: cr.nn.Module, x: cr.Tensor, y: cr.Tensor) => {
      cr.resetPeak();
      let kept = 0;
      cr.tidy(() => {
        const loss = cr.nn.crossEntropy(net.forward(x), y);
        kept = cr.memory().byCategory.saved.bytes;
        loss.backward();
      });
      zero(net);
      return { kept, peak: cr.memory().byCategory.saved.peakBytes };
    };
    const plain = cr.chapterMlp({ inputs: 32, hidden: 64, outputs: 10, layers: 8, activation: "relu" });
    const x = cr.randn([64, 32], { seed: 1 }).tagAs("data");
    const y = cr.randint(0, 10, [64], { seed: 2, dtype: "int32" }).tagAs("data");
    const base = measure(plain, x, y);
    const two = measure(checkpointed(plain.layers, 2), x, y);
    const four = measure(checkpointed(plain.layers, 4), x, y);
    const act = 64 * 64 * 4;
    // Plain: h1..h8 (each ReLU output is also the next Linear's input); the head's logits add a little.
    // The head (logits, softmax) is not checkpointed; what the hidden layers keep halves, then quarters.
    const head = base.kept - 8 * act;
    assert.ok(head >= 0 && head < act, `the head keeps ${head} B`);
    assert.equal(two.kept - head, (base.kept - head) / 2, "two layers a checkpoint");
    assert.equal(four.kept - head, (base.kept - head) / 4, "four layers a checkpoint");
    // Saved tensors are let go node by node during backward, so recomputing one segment never
    // brings the peak back up to the plain run's.
    assert.ok(two.peak < base.peak * 0.7, `peak ${two.peak} B vs ${base.peak} B`);
    x.dispose();
    y.dispose();
  });
});

describe("accumulateGradients", () => {
  const n = 24;
  const make = () => {
    const net = new cr.nn.Sequential(
      new cr.nn.Linear(5, 7, { dtype: "float64", seed: 1 }),
      new cr.nn.Tanh(),
      new cr.nn.Linear(7, 3, { dtype: "float64", seed: 2 }),
    );
    const x = f64(normals(n * 5, 9), [n, 5]).tagAs("data");
    const g = new cr.Generator(3);
    const y = cr.tensor(
      Array.from({ length: n }, () => g.integer(0, 3)),
      { dtype: "int32", tag: "data" },
    );
    return { net, x, y };
  };
  const loss = (net: cr.nn.Module) => (o: cr.Tensor, y: cr.Tensor) =>
    cr.nn.crossEntropy(o, y).add(cr.nn.l2Penalty(net.parameters(), 1e-3));

  test("k micro-batches give the full-batch gradient and loss (float64, 1e-12), even when k does not divide n", () => {
    const { net, x, y } = make();
    const full = cr.tidy(() => {
      const J = loss(net)(net.forward(x), y);
      J.backward();
      return J.item();
    });
    const expected = grads(net);
    zero(net);
    for (const k of [1, 2, 3, 4, 5, 8, 24]) {
      const J = cr.accumulateGradients(net, x, y, k, loss(net));
      assert.ok(Math.abs(J - full) <= 1e-12, `k=${k}: loss ${J} vs ${full}`);
      for (const [i, a] of grads(net).entries()) assertClose(a, expected[i], 1e-12, `k=${k} gradient ${i}`);
      zero(net);
    }
    assert.throws(() => cr.accumulateGradients(net, x, y, 0, loss(net)), /k must be an integer from 1/);
  });

  test("the step's peak memory falls as the micro-batches get smaller", () => {
    const net = cr.chapterMlp({ inputs: 64, hidden: 128, outputs: 10, layers: 2 });
    const x = cr.randn([256, 64], { seed: 1 }).tagAs("data");
    const y = cr.randint(0, 10, [256], { seed: 2, dtype: "int32" }).tagAs("data");
    const peaks: number[] = [];
    for (const k of [1, 2, 4, 8]) {
      zero(net);
      const base = cr.memory().bytes;
      cr.resetPeak();
      cr.accumulateGradients(net, x, y, k, cr.nn.crossEntropy);
      peaks.push(cr.memory().peakBytes - base);
    }
    zero(net);
    for (let i = 1; i < peaks.length; i++)
      assert.ok(peaks[i] < peaks[i - 1], `peaks by k = 1, 2, 4, 8: ${peaks.join(", ")}`);
    x.dispose();
    y.dispose();
  });
});
