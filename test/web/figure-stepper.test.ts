// The playground's figure without a browser: stepping the book-level operators one at a time gives the same
// gradients as one ordinary backward, for every setting; the library's book-level trace of the figure's J is
// Fig. 5.3.1; the composites pass float64 gradient checks; the ledger's saved bytes fall to 0 and nothing leaks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import {
  type Activation,
  activate,
  affine,
  chapterLoss,
  chapterPenalty,
  DEFAULT_FIGURE,
  type FigureSettings,
  figureLeaves,
} from "../../src/web/playground/figure-model.js";
import { FigureStepper } from "../../src/web/playground/figure-stepper.js";

const SETTINGS: FigureSettings[] = (["relu", "sigmoid", "tanh", "gelu"] as Activation[]).flatMap(
  (activation) => [false, true].map((bias) => ({ ...DEFAULT_FIGURE, activation, bias, batch: bias ? 3 : 1 })),
);

/** J of the figure's model on these leaves, written out in one go. */
function objective(s: FigureSettings, l: ReturnType<typeof figureLeaves>): cr.Tensor {
  const o = affine(l.W2, activate(affine(l.W1, l.x, l.b1), s.activation), l.b2);
  return chapterLoss(o, l.y).add(chapterPenalty(l.W1, l.W2, s.lambda));
}

describe("the playground's figure", () => {
  for (const s of SETTINGS) {
    test(`${s.activation}${s.bias ? ", biases, n = 3" : ""}: stepped gradients equal one backward; the trace is the book's`, () => {
      const before = cr.memory();
      const stepper = new FigureStepper(s);
      while (stepper.forward());
      assert.deepEqual(
        stepper.book!.operators.map((o) => o.op),
        ["×", "φ", "×", "l", "‖·‖²", "+"],
      );
      const names = stepper.book!.variables.map((v) => v.name).sort();
      const expected = ["x", "y", "z", "h", "o", "L", "s", "J", "W(1)", "W(2)"];
      assert.deepEqual(names, [...expected, ...(s.bias ? ["b(1)", "b(2)"] : [])].sort());
      assert.ok(stepper.bars.at(-1)!.saved > 0);
      while (stepper.backward());
      assert.equal(stepper.bars.at(-1)!.saved, 0, "backward released everything saved");
      const reference = figureLeaves(s);
      cr.tidy(() => objective(s, reference).backward());
      for (const name of ["W1", "W2", ...(s.bias ? ["b1", "b2"] : [])] as const) {
        const want = (reference[name as keyof typeof reference] as cr.Tensor).grad!.dataSync();
        const got = stepper.grads.get(name)!.dataSync();
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-12, `${name}[${i}]`);
      }
      for (const t of Object.values(reference)) t?.dispose();
      stepper.dispose();
      const after = cr.memory();
      assert.equal(after.tensors, before.tensors, "nothing the figure made is left");
    });
  }

  test("the figure's composites pass float64 gradient checks (with and without biases, every φ)", () => {
    for (const s of SETTINGS) {
      const l = figureLeaves(s);
      const params = [l.W1, l.W2, ...(l.b1 ? [l.b1, l.b2!] : [])];
      const f = (...ps: cr.Tensor[]) =>
        objective(s, { ...l, W1: ps[0], W2: ps[1], b1: ps[2] ?? null, b2: ps[3] ?? null });
      assert.equal(cr.gradcheck(f, params), true);
    }
  });

  test("the prediction bar holds less than training by what the graph saves beyond the values shown", () => {
    const stepper = new FigureStepper({ ...DEFAULT_FIGURE, batch: 4 });
    while (stepper.forward());
    const last = stepper.bars.at(-1)!;
    const training = last.parameter + last.saved + last.gradient + last.other;
    assert.ok(last.prediction! < training, `${last.prediction} < ${training}`);
    // Both hold the parameters, data and the six outputs; training also holds what the groups saved inside.
    const savedOutputs = ["z", "h", "o", "L", "s", "J"]
      .filter((n) => stepper.isSaved(n))
      .reduce((bytes, n) => bytes + stepper.values.get(n)!.storage.bytes, 0);
    assert.ok(last.saved - savedOutputs > 0);
    assert.equal(training - last.prediction!, last.saved - savedOutputs);
    stepper.dispose();
  });
});
