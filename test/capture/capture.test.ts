// cr.capture: a captured training step gives what the same step run eagerly gives, step after step, on the
// current backend (wasm, and js in the reference run); records again where it must; refuses what it cannot replay.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sizeClass } from "../../src/backend/wasm/heap.js";
import type { Kernels } from "../../src/backend/wasm/kernels.js";
import * as cr from "../../src/index.js";
import { addInto } from "../../src/ops/in-place.js";
import { close, throwsMessage } from "../assertions.js";

const BATCH = 8;
const SIZES = { inputs: 12, hidden: 16, outputs: 5 };

/** A seeded batch for step k: inputs in [0, 1) and labels in [0, outputs). */
function batch(k: number, rows = BATCH): { x: Float32Array; y: Int32Array } {
  const g = new cr.Generator(100 + k);
  const x = new Float32Array(rows * SIZES.inputs).map(() => g.uniform());
  const y = new Int32Array(rows).map(() => g.nextUint32() % SIZES.outputs);
  return { x, y };
}

type MakeOptimizer = (params: cr.Tensor[]) => cr.optim.Optimizer;
const sgd: MakeOptimizer = (p) => new cr.optim.SGD(p, { lr: 0.1 });

/** The chapter's model and step (J = L + s, zeroGrad, backward, update), and its parameters. */
function chapterStep(makeOptimizer: MakeOptimizer = sgd) {
  const net = cr.chapter.mlp({ ...SIZES, seed: 3 });
  const opt = makeOptimizer(net.parameters());
  const step = (x: cr.Tensor, y: cr.Tensor): cr.Tensor => {
    const J = cr.nn.crossEntropy(net.forward(x), y).add(cr.nn.l2Penalty(net.parameters(), 1e-2));
    opt.zeroGrad();
    J.backward();
    opt.step();
    return J;
  };
  return { net, opt, step };
}

type Step = (x: cr.Tensor, y: cr.Tensor) => cr.Tensor;

/** J of `steps` steps of `run` on seeded batches. */
function losses(run: Step, steps: number, rows = BATCH): number[] {
  const out: number[] = [];
  for (let k = 0; k < steps; k++) {
    const { x, y } = batch(k, rows);
    out.push(
      cr.tidy(() =>
        run(cr.tensor(x, { shape: [rows, SIZES.inputs] }), cr.tensor(y, { shape: [rows] })).item(),
      ),
    );
  }
  return out;
}

/** J of each step, and the parameters after. */
function train(run: Step, net: cr.nn.Module, steps: number, rows = BATCH) {
  return { losses: losses(run, steps, rows), params: net.parameters().map((p) => [...p.dataSync()]) };
}

function sameTraining(a: ReturnType<typeof train>, b: ReturnType<typeof train>): void {
  close(a.losses, b.losses, 1e-5, "J per step");
  for (const [i, p] of a.params.entries()) close(p, b.params[i], 1e-5, `parameter ${i}`);
}

describe(`capture (${cr.getBackend().name} backend)`, () => {
  test("the captured chapter step gives the eager step's J and parameters, with one recording", () => {
    const eager = chapterStep();
    const captured = chapterStep();
    const step = cr.capture(captured.step);
    sameTraining(train(step, captured.net, 6), train(eager.step, eager.net, 6));
    assert.equal(step.recordings, 1);
    assert.equal(step.replays, 5);
    // The parameters' gradients are those of the last replay.
    const last = batch(5);
    const reference = chapterStep();
    train(reference.step, reference.net, 5);
    cr.tidy(() =>
      reference.step(
        cr.tensor(last.x, { shape: [BATCH, SIZES.inputs] }),
        cr.tensor(last.y, { shape: [BATCH] }),
      ),
    );
    captured.net.parameters().forEach((p, i) => {
      close(p.grad!.dataSync(), reference.net.parameters()[i].grad!.dataSync(), 1e-5, `gradient ${i}`);
    });
    step.dispose();
  });

  test("every call's outputs are new tensors: later calls do not change them, read late as fit reads them", () => {
    const eager = losses(chapterStep().step, 4);
    const { step } = chapterStep();
    const captured = cr.capture(step);
    cr.tidy(() => {
      const outputs = [0, 1, 2, 3].map((k) => {
        const { x, y } = batch(k);
        return captured(cr.tensor(x, { shape: [BATCH, SIZES.inputs] }), cr.tensor(y, { shape: [BATCH] }));
      });
      close(
        outputs.map((t) => t.item()),
        eager,
        1e-5,
      );
      assert.ok(outputs.every((t) => !t.requiresGrad));
    });
    captured.dispose();
  });

  test("another input shape or layout records again; the first recording still replays", () => {
    const eager = chapterStep();
    const captured = chapterStep();
    const step = cr.capture(captured.step);
    const mixed = (run: Step) => [8, 4, 8, 4, 8].flatMap((rows) => losses(run, 1, rows));
    close(mixed(step), mixed(eager.step), 1e-5);
    assert.equal(step.recordings, 2);
    assert.equal(step.replays, 3);
    // A transposed view as input: its own recording, the right values.
    const w = cr.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    const sumRows = cr.capture((t: cr.Tensor) => t.sum({ axis: 1 }));
    cr.tidy(() => {
      assert.deepEqual([...sumRows(w).dataSync()], [6, 15]);
      assert.deepEqual([...sumRows(w.transpose()).dataSync()], [5, 7, 9]);
      const v = cr.tensor([10, 20, 30, 40, 50, 60], { shape: [2, 3] });
      assert.deepEqual([...sumRows(v).dataSync()], [60, 150]);
      assert.deepEqual([...sumRows(v.transpose()).dataSync()], [50, 70, 90]);
    });
    assert.equal(sumRows.recordings, 2);
    sumRows.dispose();
    w.dispose();
    step.dispose();
  });

  test("a new learning rate records again and is used", () => {
    const eager = chapterStep();
    const captured = chapterStep();
    const step = cr.capture(captured.step);
    const first = [train(step, captured.net, 3), train(eager.step, eager.net, 3)];
    sameTraining(first[0], first[1]);
    captured.opt.lr = 0.02;
    eager.opt.lr = 0.02;
    sameTraining(train(step, captured.net, 3), train(eager.step, eager.net, 3));
    assert.equal(step.recordings, 2);
    step.dispose();
  });

  test("SGD with momentum records again once its state exists; Adam's step runs as written after 3 stale recordings", () => {
    const momentum: MakeOptimizer = (p) =>
      new cr.optim.SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 });
    const adam: MakeOptimizer = (p) => new cr.optim.Adam(p, { lr: 0.01 });
    for (const [make, recordings, eagerCalls] of [
      [momentum, 2, 0],
      [adam, 3, 2],
    ] as const) {
      const eager = chapterStep(make);
      const captured = chapterStep(make);
      const step = cr.capture(captured.step);
      sameTraining(train(step, captured.net, 5), train(eager.step, eager.net, 5));
      assert.equal(step.recordings, recordings);
      assert.equal(step.eagerCalls, eagerCalls);
      assert.equal(captured.opt.steps, 5);
      step.dispose();
    }
  });

  test("labels out of range are refused on a replay too, before anything changes", () => {
    const { net, step } = chapterStep();
    const captured = cr.capture(step);
    train(captured, net, 2);
    const before = net.parameters().map((p) => [...p.dataSync()]);
    const { x } = batch(9);
    const y = new Int32Array(BATCH).fill(1);
    y[3] = SIZES.outputs;
    throwsMessage(
      () =>
        cr.tidy(() =>
          captured(cr.tensor(x, { shape: [BATCH, SIZES.inputs] }), cr.tensor(y, { shape: [BATCH] })),
        ),
      /crossEntropy/,
      /5/,
    );
    for (const [i, p] of net.parameters().entries()) assert.deepEqual([...p.dataSync()], before[i]);
    captured.dispose();
  });

  test("what a replay could not reproduce is refused while capturing, with the reason", () => {
    const x = cr.tensor([1, 2, 3]);
    throwsMessage(
      () => cr.capture((t: cr.Tensor) => cr.tensor(t.sum().item()))(x),
      /capture/,
      /read tensor values/,
    );
    throwsMessage(() => cr.capture((t: cr.Tensor) => t.add(cr.rand([3])))(x), /capture/, /random numbers/);
    const drop = new cr.nn.Dropout(0.5);
    throwsMessage(() => cr.capture((t: cr.Tensor) => drop.forward(t))(x), /capture: rand/, /random numbers/);
    const inner = cr.capture((t: cr.Tensor) => t.mul(2));
    throwsMessage(() => cr.capture((t: cr.Tensor) => inner(t))(x), /capture/, /inside a capture/);
    throwsMessage(() => cr.capture((a: cr.Tensor, _b: cr.Tensor) => a)(x, x), /share a buffer/);
    throwsMessage(() => cr.capture(() => 3 as unknown as cr.Tensor)(), /must return a tensor/);
    const gone = cr.tensor([1]);
    gone.dispose();
    throwsMessage(() => cr.capture((t: cr.Tensor) => t)(gone), /input 0/, /disposed/);
    x.dispose();
  });

  test("gradients summed onto an earlier step's keep summing on every replay, as eagerly", () => {
    const w = cr.tensor([0.5, -1, 2], { requiresGrad: true });
    const x = cr.tensor([1, 2, 3]);
    w.mul(x).sum().backward(); // w.grad from before the capture: [1, 2, 3]
    const noZeroGrad = cr.capture((t: cr.Tensor) => {
      const v = w.mul(t);
      const loss = v.mul(v).sum();
      loss.backward(); // adds 2·w·t² onto w.grad
      return loss;
    });
    for (let k = 1; k <= 3; k++) {
      cr.tidy(() => noZeroGrad(x));
      close(w.grad!.dataSync(), [1 + k, 2 - 8 * k, 3 + 36 * k], 1e-6, `after ${k} steps`);
    }
    assert.equal(noZeroGrad.recordings, 1);
    // Once .grad is another tensor (zeroGrad outside the step), the step records again.
    w.grad!.dispose();
    w.grad = null;
    cr.tidy(() => noZeroGrad(x));
    close(w.grad!.dataSync(), [1, -8, 36], 1e-6);
    assert.equal(noZeroGrad.recordings, 2);
    noZeroGrad.dispose();
    (w.grad as cr.Tensor | null)?.dispose();
    w.dispose();
    x.dispose();
  });

  test("a step that uses a tensor from before it and then lets go of it is refused", () => {
    const c = cr.tensor([1, 2, 3]);
    const x = cr.tensor([1, 1, 1]);
    const step = cr.capture((t: cr.Tensor) => {
      const out = t.add(c);
      c.dispose();
      return out;
    });
    throwsMessage(() => cr.tidy(() => step(x)), /capture/, /made before it and then let go of it/);
    assert.equal(step.recordings, 0);
    x.dispose();
  });

  test("held buffers count in memory(), survive a disposed parameter, and are freed by dispose()", () => {
    const start = cr.memory().bytes;
    const { net, opt, step } = chapterStep();
    const captured = cr.capture(step);
    train(captured, net, 3);
    assert.ok(captured.heldBytes() > 0);
    const params = net.parameters();
    const paramBytes = params.reduce((s, p) => s + 4 * p.size, 0);
    assert.ok(cr.memory().bytes >= start + captured.heldBytes() - paramBytes);
    // A parameter disposed while the recording holds it: replays stay safe (its buffer waits).
    params[0].dispose();
    losses(captured, 1);
    captured.dispose();
    opt.zeroGrad();
    for (const p of net.parameters()) p.dispose();
    assert.equal(cr.memory().bytes, start);
  });

  test("grad mode is part of what a recording is for; anomaly mode runs the step as written", () => {
    const w = cr.tensor([1, 2], { requiresGrad: true });
    const f = cr.capture((t: cr.Tensor) => t.mul(w).sum());
    const x = cr.tensor([3, 4]);
    cr.tidy(() => {
      assert.equal(f(x).item(), 11);
      assert.equal(cr.noGrad(() => f(x)).item(), 11);
      assert.equal(f(x).item(), 11);
    });
    assert.equal(f.recordings, 2);
    assert.equal(f.replays, 1);
    // Anomaly mode reads every result: the step runs as written while it is on.
    cr.tidy(() => assert.equal(cr.detectAnomaly(() => f(x)).item(), 11));
    assert.equal(f.eagerCalls, 1);
    f.dispose();
    w.dispose();
    x.dispose();
  });
});

describe("capture on the wasm backend: the kernels themselves are replayed", {
  skip: cr.getBackend().name !== "wasm",
}, () => {
  test("a product split over the threads replays right after the scratch blocks grew", () => {
    const a = cr.rand([192, 256], { generator: new cr.Generator(1) });
    const b = cr.rand([256, 160], { generator: new cr.Generator(2) });
    const product = cr.capture((x: cr.Tensor) => cr.matmul(x, b).relu());
    const expected = cr.tidy(() => [...cr.matmul(a, b).relu().dataSync()]);
    cr.tidy(() => product(a));
    // A much larger product grows the packing scratch the recording's kernels use (the next test checks
    // that the old blocks stay allocated).
    cr.tidy(() => cr.matmul(cr.rand([512, 1024]), cr.rand([1024, 768])).dataSync());
    cr.tidy(() => close(product(a).dataSync(), expected, 1e-5));
    product.dispose();
    a.dispose();
    b.dispose();
  });

  test("a scratch block grown while a trace may replay into it is kept until the trace is released", () => {
    const kernels = (cr.getBackend() as unknown as { kernels: Kernels }).kernels;
    const slot = 40; // a scratch slot no thread of this process uses
    const trace = kernels.trace(() => kernels.scratchFor(slot, 100_000));
    assert.ok(trace);
    const before = kernels.heap.allocatedBytes;
    kernels.scratchFor(slot, 1_000_000); // grows: the old block must stay allocated
    const grown = kernels.heap.allocatedBytes;
    assert.equal(grown, before + sizeClass(1_000_000));
    kernels.releaseTrace(); // now the old block is freed
    assert.equal(kernels.heap.allocatedBytes, grown - sizeClass(100_000));
  });

  test("recordCall replays kernel runs and fills, and declines a call that wrote memory from JavaScript", () => {
    const backend = cr.getBackend();
    const id = backend.alloc("float32", 4);
    const out = backend.alloc("float32", 4);
    assert.equal(
      backend.recordCall?.(() => backend.write(id, new Float32Array([1, 2, 3, 4])), []),
      null,
    );
    const fill = backend.recordCall?.(() => backend.fill(id, 2), []);
    const exp = backend.recordCall?.(() => backend.unary("exp", id, out, 4), []);
    assert.ok(fill && exp);
    backend.write(id, new Float32Array([5, 5, 5, 5]));
    fill.replay([]);
    assert.deepEqual([...backend.readSync(id)], [2, 2, 2, 2]);
    backend.fill(id, 0);
    exp.replay([]);
    assert.deepEqual([...backend.readSync(out)], [1, 1, 1, 1]);
    fill.release();
    exp.release();
    backend.free(id);
    backend.free(out);
  });

  test("recordCall replays a call on the replay's inputs, at the same offsets into them", () => {
    const backend = cr.getBackend();
    const first = backend.alloc("float32", 6);
    const second = backend.alloc("float32", 6);
    backend.write(first, new Float32Array([0, 0, 1, 2, 3, 4]));
    backend.write(second, new Float32Array([0, 0, 10, 20, 30, 40]));
    // Rows 1 and 2 of a [3, 2] input, read transposed: a view at an offset into the input.
    const wide = backend.alloc("float32", 4);
    const copyWide = () =>
      backend.copy(
        { id: first, strides: [1, 2], offset: 2 },
        { id: wide, strides: [2, 1], offset: 0 },
        [2, 2],
      );
    copyWide();
    assert.deepEqual([...backend.readSync(wide)], [1, 3, 2, 4]);
    const recorded = backend.recordCall?.(copyWide, [first]);
    assert.ok(recorded);
    recorded.replay([second]);
    assert.deepEqual([...backend.readSync(wide)], [10, 30, 20, 40]);
    recorded.replay([first]);
    assert.deepEqual([...backend.readSync(wide)], [1, 3, 2, 4]);
    // A fill of an input is JavaScript writing the input's memory: declined.
    assert.equal(
      backend.recordCall?.(() => backend.fill(first, 1), [first]),
      null,
    );
    recorded.release();
    for (const id of [first, second, wide]) backend.free(id);
  });
});

const gpu = await cr.initWebGPU();

describe("capture on the webgpu backend", { skip: !gpu && "no WebGPU adapter" }, () => {
  test("the captured chapter step gives the eager step's J", async () => {
    const start = cr.getBackend().name;
    cr.setBackend("webgpu");
    try {
      const run = async (capture: boolean): Promise<number[]> => {
        const { step } = chapterStep();
        const fn = capture ? cr.capture(step) : step;
        const out: number[] = [];
        for (let k = 0; k < 4; k++) {
          const { x, y } = batch(k);
          const inputs = [cr.tensor(x, { shape: [BATCH, SIZES.inputs] }), cr.tensor(y, { shape: [BATCH] })];
          const J = fn(inputs[0], inputs[1]);
          out.push((await J.data())[0]);
          for (const t of [J, ...inputs]) t.dispose();
        }
        if (capture) assert.equal((fn as cr.CapturedStep<[cr.Tensor, cr.Tensor], cr.Tensor>).recordings, 1);
        return out;
      };
      close(await run(true), await run(false), 1e-5);
    } finally {
      cr.setBackend(start);
    }
  });
});

describe(`capture of a step that uses every kind of backend call (${cr.getBackend().name})`, () => {
  /** A parameter, and a loss over pad, stack, concat, index, where, softmax, logsumexp, max, std, views. */
  function program() {
    const w = cr.tensor(
      Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + 1)),
      { shape: [4, 6], requiresGrad: true },
    );
    const opt = new cr.optim.SGD([w], { lr: 0.05, momentum: 0.5 });
    const step = (x: cr.Tensor, idx: cr.Tensor): cr.Tensor => {
      const h = x.matmul(w); //                                   [3, 6]
      const p = cr.pad(h, [
        [1, 0],
        [0, 2],
      ]); //                                                     [4, 8], zeros around h
      const t = cr.stack([p, p.tanh()], 0).sum({ axis: 0 }); //  [4, 8]
      const c = cr.concat([t, t.exp().neg()], 1); //             [4, 16]
      const g = cr.index(c, idx, 0); //                          [3, 16], rows picked by idx
      const m = cr.where(g.greater(0), g, g.mul(0.1));
      const loss = cr
        .softmax(m)
        .mul(m)
        .sum()
        .add(cr.logsumexp(m, { axis: 1 }).sum())
        .add(m.max({ axis: 0 }).sum())
        .add(cr.std(h, { axis: 1 }).sum())
        .add(h.transpose().reshape([18]).pow(2).mean());
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
    return { w, step };
  }

  test("captured, it gives the eager losses, gradients and weights call after call", () => {
    const eager = program();
    const captured = program();
    const run = cr.capture(captured.step);
    for (let k = 0; k < 5; k++) {
      const g = new cr.Generator(k);
      const x = Float32Array.from({ length: 12 }, () => g.uniform() - 0.5);
      const idx = Int32Array.from({ length: 3 }, () => g.nextUint32() % 4);
      const [a, b] = cr.tidy(() => {
        const mk = () => [cr.tensor(x, { shape: [3, 4] }), cr.tensor(idx, { shape: [3] })] as const;
        return [eager.step(...mk()).item(), run(...mk()).item()];
      });
      close([b], [a], 1e-5, `loss ${k}`);
      close(captured.w.grad!.dataSync(), eager.w.grad!.dataSync(), 1e-5, `gradient ${k}`);
      close(captured.w.dataSync(), eager.w.dataSync(), 1e-5, `weights ${k}`);
    }
    assert.equal(run.recordings, 2); // momentum's buffer appears on the second step
    run.dispose();
  });
});

test("a buffer the step zeroes or fills and then adds into in place starts over on every replay", () => {
  const twice = cr.capture((x: cr.Tensor) => {
    const total = cr.zeros([3]); // zero-filled when allocated, not by a recorded call
    addInto(total, x); // reads and writes total: its zeros must be written again before each replay
    addInto(total, x);
    return total;
  });
  for (const v of [1, 2, 3]) {
    cr.tidy(() => assert.deepEqual([...twice(cr.tensor([v, -v, 0.5])).dataSync()], [2 * v, -2 * v, 1]));
  }
  assert.equal(twice.replays, 2);
  twice.dispose();
  // The same with a buffer filled by a recorded fill: refilled before each replay, as something writes it after.
  const plusOne = cr.capture((x: cr.Tensor) => {
    const total = cr.full([3], 1);
    addInto(total, x);
    return total;
  });
  for (const v of [1, 2, 3]) {
    cr.tidy(() => assert.deepEqual([...plusOne(cr.tensor([v, -v, 0.5])).dataSync()], [1 + v, 1 - v, 1.5]));
  }
  plusOne.dispose();
});
