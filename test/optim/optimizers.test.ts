// Optimizers step by step against arithmetic done by hand in float64 (SGD and its variants, Adam, Adam with
// L2 decay, AdamW), the schedules' rates per epoch, state dicts, and what the memory ledger sees.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { loadTensors, saveTensors } from "../../src/io/model-file.js";
import { Adam, AdamW } from "../../src/optim/adam.js";
import type { Optimizer } from "../../src/optim/optimizer.js";
import { CosineLR, StepLR } from "../../src/optim/schedule.js";
import { SGD } from "../../src/optim/sgd.js";
import { throwsMessage, values } from "../assertions.js";

function close(actual: readonly number[], expected: readonly number[], tol: number, what = ""): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

const P0 = [1, -2];
/** The gradient at steps 1, 2 and 3, whatever the parameter's value. */
const GRADS = [
  [0.5, -1],
  [-0.25, 2],
  [1, 0.5],
];

const param = (v: readonly number[]) => cr.tensor([...v], { dtype: "float64", requiresGrad: true });

/** Sets p.grad to g through backward of Σ p·g (zeroing first), then steps. */
function stepWith(opt: Optimizer, p: cr.Tensor, g: readonly number[]): void {
  opt.zeroGrad();
  cr.sum(cr.mul(p, cr.tensor([...g], { dtype: "float64" }))).backward();
  opt.step();
}

/** The parameter after each of the three steps. */
function trajectory(make: (p: cr.Tensor) => Optimizer): number[][] {
  const p = param(P0);
  const opt = make(p);
  return GRADS.map((g) => {
    stepWith(opt, p, g);
    return values(p);
  });
}

function sameTrajectory(got: number[][], expected: number[][]): void {
  assert.equal(got.length, expected.length);
  for (let t = 0; t < expected.length; t++) close(got[t], expected[t], 1e-15, `step ${t + 1}`);
}

describe("SGD, three steps against hand arithmetic (lr 0.1)", () => {
  test("plain: p ← p − lr·g", () => {
    // [1 − 0.1·0.5, −2 + 0.1·1], then [0.95 + 0.1·0.25, −1.9 − 0.1·2], then [0.975 − 0.1·1, −2.1 − 0.1·0.5]
    const expected = [
      [0.95, -1.9],
      [0.975, -2.1],
      [0.875, -2.15],
    ];
    sameTrajectory(
      trajectory((p) => new SGD([p], { lr: 0.1 })),
      expected,
    );
  });

  test("momentum 0.9: b₁ = g₁, b ← 0.9b + g, p ← p − lr·b", () => {
    // b₁ = [0.5, −1]; b₂ = [0.45 − 0.25, −0.9 + 2] = [0.2, 1.1]; b₃ = [0.18 + 1, 0.99 + 0.5] = [1.18, 1.49]
    const expected = [
      [1 - 0.05, -2 + 0.1],
      [0.95 - 0.02, -1.9 - 0.11],
      [0.93 - 0.118, -2.01 - 0.149],
    ];
    sameTrajectory(
      trajectory((p) => new SGD([p], { lr: 0.1, momentum: 0.9 })),
      expected,
    );
  });

  test("momentum 0.9 with dampening 0.5: b ← 0.9b + 0.5g after the first step", () => {
    // b₁ = [0.5, −1]; b₂ = [0.45 − 0.125, −0.9 + 1] = [0.325, 0.1]; b₃ = [0.2925 + 0.5, 0.09 + 0.25] = [0.7925, 0.34]
    const expected = [
      [0.95, -1.9],
      [0.95 - 0.0325, -1.9 - 0.01],
      [0.9175 - 0.07925, -1.91 - 0.034],
    ];
    sameTrajectory(
      trajectory((p) => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 })),
      expected,
    );
  });

  test("Nesterov 0.9: p ← p − lr·(g + 0.9b) with b updated first", () => {
    // g + 0.9b: [0.5 + 0.45, −1 − 0.9] = [0.95, −1.9]; [−0.25 + 0.18, 2 + 0.99] = [−0.07, 2.99];
    // [1 + 1.062, 0.5 + 1.341] = [2.062, 1.841]
    const expected = [
      [1 - 0.095, -2 + 0.19],
      [0.905 + 0.007, -1.81 - 0.299],
      [0.912 - 0.2062, -2.109 - 0.1841],
    ];
    sameTrajectory(
      trajectory((p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true })),
      expected,
    );
  });

  test("weight decay 0.1: g ← g + 0.1p, p ← p − lr·g", () => {
    // g′₁ = [0.5 + 0.1, −1 − 0.2] = [0.6, −1.2]; g′₂ = [−0.25 + 0.094, 2 − 0.188] = [−0.156, 1.812];
    // g′₃ = [1 + 0.09556, 0.5 − 0.20612] = [1.09556, 0.29388]
    const expected = [
      [0.94, -1.88],
      [0.94 + 0.0156, -1.88 - 0.1812],
      [0.9556 - 0.109556, -2.0612 - 0.029388],
    ];
    sameTrajectory(
      trajectory((p) => new SGD([p], { lr: 0.1, weightDecay: 0.1 })),
      expected,
    );
  });
});

/**
 * Adam by hand for one coordinate, with lr 0.1, β = (0.9, 0.999), ε = 1e-8:
 * m ← 0.9m + 0.1g; v ← 0.999v + 0.001g²; p ← p − 0.1·(m/(1 − 0.9ᵗ)) / (√(v/(1 − 0.999ᵗ)) + 1e-8).
 * With L2 decay g ← g + wd·p first; with decoupled decay p ← p·(1 − 0.1·wd) first.
 */
function adamByHand(p: number, grads: number[], wd: number, decoupled: boolean): number[] {
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((raw, i) => {
    const t = i + 1;
    let g = raw;
    if (decoupled) p = p * (1 - 0.1 * wd);
    else g = g + wd * p;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const mHat = m / (1 - 0.9 ** t);
    const vHat = v / (1 - 0.999 ** t);
    p = p - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8);
    out.push(p);
  });
  return out;
}

/** adamByHand for both coordinates, as a trajectory [step][coordinate]. */
function adamTrajectory(wd: number, decoupled: boolean): number[][] {
  const perCoordinate = P0.map((p, i) =>
    adamByHand(
      p,
      GRADS.map((g) => g[i]),
      wd,
      decoupled,
    ),
  );
  return GRADS.map((_, t) => perCoordinate.map((c) => c[t]));
}

describe("Adam and AdamW, three steps against hand arithmetic (lr 0.1)", () => {
  test("Adam: the first step is lr·g/(|g| + ε), then the bias-corrected moments", () => {
    const got = trajectory((p) => new Adam([p], { lr: 0.1 }));
    // m̂₁ = g₁ and v̂₁ = g₁², so step 1 moves by 0.1·g/(|g| + 1e-8).
    close(got[0], [1 - (0.1 * 0.5) / (0.5 + 1e-8), -2 + (0.1 * 1) / (1 + 1e-8)], 1e-15, "step 1");
    // Step 2, coordinate 0: m = 0.9·0.05 + 0.1·(−0.25) = 0.02, v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225.
    const m2 = 0.02 / (1 - 0.81);
    const v2 = 0.00031225 / (1 - 0.998001);
    close([got[1][0]], [got[0][0] - (0.1 * m2) / (Math.sqrt(v2) + 1e-8)], 1e-15, "step 2 by hand");
    sameTrajectory(got, adamTrajectory(0, false));
  });

  test("Adam with weightDecay adds wd·p to the gradient (L2) before the moments", () => {
    const got = trajectory((p) => new Adam([p], { lr: 0.1, weightDecay: 0.5 }));
    // Step 1: g′ = [0.5 + 0.5, −1 − 1] = [1, −2], so p moves by 0.1·g′/(|g′| + ε).
    close(got[0], [1 - 0.1 / (1 + 1e-8), -2 + 0.2 / (2 + 1e-8)], 1e-15, "step 1");
    sameTrajectory(got, adamTrajectory(0.5, false));
    const plain = adamTrajectory(0, false);
    assert.ok(Math.abs(got[2][0] - plain[2][0]) > 1e-3, "the decay changes the result");
  });

  test("AdamW decays the weights directly: p ← p·(1 − lr·wd), then the Adam step", () => {
    const got = trajectory((p) => new AdamW([p], { lr: 0.1, weightDecay: 0.5 }));
    // Step 1: p·(1 − 0.05) = [0.95, −1.9], then ∓0.1·|g|/(|g| + ε).
    close(got[0], [0.95 - (0.1 * 0.5) / (0.5 + 1e-8), -1.9 + (0.1 * 1) / (1 + 1e-8)], 1e-15, "step 1");
    sameTrajectory(got, adamTrajectory(0.5, true));
    assert.equal(new AdamW([param([1])]).weightDecay, 0.01, "default decay");
    assert.equal(new Adam([param([1])]).weightDecay, 0, "Adam's default decay");
  });

  test("with zero gradients AdamW shrinks p by lr·wd·p per step, while Adam+L2 moves each p by ≈ lr", () => {
    const [lr, wd] = [0.01, 0.1];
    const pw = param(P0);
    const pa = param(P0);
    const adamw = new AdamW([pw], { lr, weightDecay: wd });
    const adam = new Adam([pa], { lr, weightDecay: wd });
    for (let t = 1; t <= 3; t++) {
      stepWith(adamw, pw, [0, 0]);
      stepWith(adam, pa, [0, 0]);
      // AdamW: m = v = 0, so only the decay acts, in proportion to p: p·(1 − 0.001)ᵗ.
      close(values(pw), [1 * 0.999 ** t, -2 * 0.999 ** t], 1e-15, `AdamW step ${t}`);
      // Adam: g = wd·p keeps p's sign, so m̂/√v̂ ≈ sign(p): both coordinates move by ≈ lr, whatever their size.
      const moved = values(pa).map((v, i) => Math.abs(v - P0[i]));
      close(moved, [lr * t, lr * t], 1e-4 * t, `Adam+L2 step ${t}`);
    }
    // The two decays differ: AdamW moved the larger weight twice as far; Adam+L2 moved both the same.
    const wMoved = values(pw).map((v, i) => Math.abs(v - P0[i]));
    close([wMoved[1] / wMoved[0]], [2], 1e-12, "AdamW ratio");
  });
});

describe("learning-rate schedules", () => {
  test("StepLR: lr = base·γ^⌊epoch/stepSize⌋, written into the optimizer", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    const schedule = new StepLR(opt, 2, 0.5);
    const rates = [1, 2, 3, 4, 5, 6].map(() => schedule.step());
    close(rates, [0.1, 0.05, 0.05, 0.025, 0.025, 0.0125], 1e-17);
    assert.equal(opt.lr, 0.0125);
    assert.equal(schedule.epoch, 6);
    assert.equal(new StepLR(opt, 3).gamma, 0.1);
    throwsMessage(() => new StepLR(opt, 0), /StepLR/, /stepSize/);
    throwsMessage(() => new StepLR(opt, 1.5), /StepLR/);
  });

  test("CosineLR: lr = min + (base − min)(1 + cos(π·epoch/tMax))/2, held at min after tMax", () => {
    const opt = new Adam([param([1])], { lr: 0.1 });
    const schedule = new CosineLR(opt, 4, 0.01);
    const rates = [1, 2, 3, 4, 5, 6].map(() => schedule.step());
    // cos(π/4) = √2/2: 0.01 + 0.09·(1 + 0.70711)/2; cos(π/2) = 0: 0.01 + 0.045; cos(3π/4) = −√2/2; cos(π) = −1.
    const h = Math.SQRT1_2;
    close(rates, [0.01 + (0.09 * (1 + h)) / 2, 0.055, 0.01 + (0.09 * (1 - h)) / 2, 0.01, 0.01, 0.01], 1e-15);
    assert.equal(opt.lr, 0.01);
    const zeroMin = new CosineLR(new SGD([param([1])], { lr: 1 }), 2);
    close([zeroMin.step(), zeroMin.step()], [0.5, 0], 1e-15);
    throwsMessage(() => new CosineLR(opt, 0), /CosineLR/, /tMax/);
  });

  test("a schedule's rate is the one the next step uses", () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 1 });
    const schedule = new StepLR(opt, 1, 0.5);
    stepWith(opt, p, [1]); // 1 − 1
    schedule.step();
    stepWith(opt, p, [1]); // 0 − 0.5
    assert.deepEqual(values(p), [-0.5]);
  });
});

describe("optimizer state dicts", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-optim-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const makers: [string, (p: cr.Tensor) => Optimizer][] = [
    ["SGD nesterov", (p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ["Adam", (p) => new Adam([p], { lr: 0.05, weightDecay: 0.01 })],
    ["AdamW", (p) => new AdamW([p], { lr: 0.05 })],
  ];
  const grads = [
    [0.3, -1, 2],
    [1, 0.5, -0.25],
    [-2, 0.1, 0.7],
    [0.4, 0.4, -3],
  ];

  for (const [name, make] of makers) {
    test(`${name}: a fresh optimizer loaded from the state continues identically`, () => {
      const p = param([1, -2, 0.5]);
      const opt = make(p);
      stepWith(opt, p, grads[0]);
      stepWith(opt, p, grads[1]);
      const q = param(values(p));
      const fresh = make(q);
      fresh.loadStateDict(opt.stateDict());
      assert.equal(fresh.steps, 2);
      const r = param(values(p));
      const fromFile = make(r);
      const state = opt.stateDict();
      const path = join(dir, `${name}.safetensors`);
      saveTensors(state.buffers, path, { metadata: { hyper: JSON.stringify(state.hyper) } });
      const loaded = loadTensors(path);
      fromFile.loadStateDict({ hyper: JSON.parse(loaded.metadata.hyper), buffers: loaded.tensors });
      for (const t of Object.values(loaded.tensors)) t.dispose();
      for (const g of grads.slice(2)) {
        stepWith(opt, p, g);
        stepWith(fresh, q, g);
        stepWith(fromFile, r, g);
      }
      assert.deepEqual(values(q), values(p));
      assert.deepEqual(values(r), values(p));
      assert.deepEqual(fresh.stateDict().hyper, opt.stateDict().hyper);
      // The loaded state is a copy, not the original's tensors.
      for (const [key, t] of Object.entries(fresh.stateDict().buffers))
        assert.notEqual(t, opt.stateDict().buffers[key]);
    });
  }

  test("state dicts hold the step count, lr, hyperparameters and one entry per state tensor", () => {
    const p = param([1, 2]);
    const opt = new Adam([p, param([3])], { lr: 0.01, betas: [0.8, 0.9] });
    stepWith(opt, p, [1, 1]);
    const state = opt.stateDict();
    assert.deepEqual(state.hyper, { beta1: 0.8, beta2: 0.9, eps: 1e-8, weightDecay: 0, lr: 0.01, steps: 1 });
    assert.deepEqual(
      Object.keys(state.buffers).sort(),
      ["0.m", "0.v"],
      "the parameter without a gradient has no state",
    );
  });

  test("a bad state is refused, naming the key, and changes nothing", () => {
    const fresh = new Adam([param([1, 2])], { lr: 0.1 });
    const good = cr.zeros([2], { dtype: "float64" });
    throwsMessage(
      () => fresh.loadStateDict({ hyper: { steps: 5 }, buffers: { "0.m": good, "3.v": good } }),
      /"3\.v"/,
      /names no parameter/,
    );
    throwsMessage(
      () => fresh.loadStateDict({ hyper: {}, buffers: { m: good } }),
      /"m"/,
      /names no parameter/,
    );
    throwsMessage(() => fresh.loadStateDict({ hyper: {}, buffers: { "0.": good } }), /"0\."/);
    throwsMessage(() => fresh.loadStateDict({ hyper: {}, buffers: { "x.m": good } }), /"x\.m"/);
    throwsMessage(
      () => fresh.loadStateDict({ hyper: {}, buffers: { "0.m": good, "0.v": cr.zeros([3]) } }),
      /"0\.v"/,
      /\[3\]/,
      /\[2\]/,
    );
    assert.deepEqual(fresh.stateDict().buffers, {});
    assert.equal(fresh.steps, 0);
  });
});

describe("optimizers and memory", () => {
  test("zeroGrad frees the gradients: memory() goes down by their bytes", () => {
    const w = param([1, 2, 3]);
    const b = cr.tensor([0.5], { requiresGrad: true });
    const opt = new SGD([w, b], { lr: 0.1 });
    cr.add(cr.sum(cr.mul(w, w)), cr.sum(b)).backward();
    const grads = [w.grad!, b.grad!];
    const before = cr.memory();
    assert.ok(before.byCategory.gradient.bytes >= 3 * 8 + 4);
    opt.zeroGrad();
    const after = cr.memory();
    assert.equal(w.grad, null);
    assert.equal(b.grad, null);
    assert.ok(grads.every((g) => g.isDisposed));
    assert.equal(before.bytes - after.bytes, 3 * 8 + 4);
    assert.equal(before.byCategory.gradient.bytes - after.byCategory.gradient.bytes, 3 * 8 + 4);
    assert.equal(before.tensors - after.tensors, 2);
    opt.zeroGrad(); // nothing left to free: still fine
  });

  test("state tensors are tagged 'optimizer'; steps leave no temporaries; dispose frees the state", () => {
    const w = cr.randn([4, 5], { seed: 1, requiresGrad: true });
    const b = cr.zeros([5], { requiresGrad: true });
    const cases: [string, Optimizer, number][] = [
      ["Adam", new Adam([w, b], { lr: 0.01 }), 2],
      ["AdamW", new AdamW([w, b], { lr: 0.01 }), 2],
      ["SGD momentum", new SGD([w, b], { lr: 0.01, momentum: 0.9 }), 1],
      ["SGD", new SGD([w, b], { lr: 0.01 }), 0],
    ];
    const x = cr.randn([3, 4], { seed: 2 });
    for (const [name, opt, slots] of cases) {
      const backward = () => cr.tidy(() => cr.sum(cr.add(cr.matmul(x, w), b)).backward());
      opt.zeroGrad();
      backward();
      const m0 = cr.memory();
      opt.step();
      const m1 = cr.memory();
      assert.equal(m1.byCategory.optimizer.tensors - m0.byCategory.optimizer.tensors, 2 * slots, name);
      assert.equal(m1.byCategory.optimizer.bytes - m0.byCategory.optimizer.bytes, slots * (20 + 5) * 4, name);
      assert.equal(m1.tensors - m0.tensors, 2 * slots, `${name}: only the state is new`);
      for (const t of Object.values(opt.stateDict().buffers)) assert.equal(t.memoryTag, "optimizer", name);
      opt.zeroGrad();
      backward();
      const m2 = cr.memory();
      opt.step();
      assert.equal(cr.memory().tensors, m2.tensors, `${name}: the second step allocates nothing that stays`);
      opt.dispose();
      assert.equal(cr.memory().byCategory.optimizer.bytes, m0.byCategory.optimizer.bytes, `${name}: dispose`);
    }
    for (const p of [w, b]) assert.ok(p.isLeaf && p.requiresGrad && p.memoryTag !== "optimizer");
  });

  test("step skips parameters without a gradient and records nothing for autograd", () => {
    const a = param([1]);
    const b = param([2]);
    const opt = new SGD([a, b], { lr: 0.5 });
    stepWith(opt, a, [1]);
    assert.deepEqual([values(a), values(b)], [[0.5], [2]]);
    assert.ok(a.isLeaf && a.node === null);
  });
});

describe("optimizer arguments", () => {
  test("bad parameters and hyperparameters are refused with a message", () => {
    const p = param([1]);
    throwsMessage(() => new SGD([p], { lr: 0 }), /SGD/, /lr must be > 0/);
    throwsMessage(() => new Adam([p], { lr: Number.NaN }), /Adam/, /lr/);
    throwsMessage(() => new SGD([cr.tensor([1])], { lr: 0.1 }), /SGD/, /not a leaf that requires grad/);
    throwsMessage(() => new SGD([cr.mul(p, 2)], { lr: 0.1 }), /not a leaf/);
    throwsMessage(() => new SGD([p, p], { lr: 0.1 }), /SGD/, /parameter 1/, /twice/);
    throwsMessage(() => new SGD([p], { lr: 0.1, nesterov: true }), /nesterov needs momentum/);
    throwsMessage(() => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /nesterov/);
    throwsMessage(() => new SGD([p], { lr: 0.1, momentum: -1 }), /momentum/);
    throwsMessage(() => new Adam([p], { betas: [0.9, 1] }), /Adam/, /betas/);
    throwsMessage(() => new AdamW([p], { betas: [-0.1, 0.9] }), /AdamW/, /betas/);
  });
});
