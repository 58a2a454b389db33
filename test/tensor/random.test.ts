// The seeded generator: reproducible draws, golden values that pin the algorithm, and the distributions' shape.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";

const values = (t: cr.Tensor): number[] => Array.from(t.dataSync());

describe("golden values (xoshiro128** seeded by splitmix32, integer math: the same on every machine)", () => {
  // If one of these changes, the generator changed: every seeded result users saved changes with it.
  test("raw 32-bit output", () => {
    const g = new cr.Generator(0);
    assert.deepEqual([g.nextUint32(), g.nextUint32(), g.nextUint32()], [3809008728, 1133695204, 53579671]);
    const h = new cr.Generator(123);
    assert.deepEqual([h.nextUint32(), h.nextUint32()], [3146710351, 1913850085]);
  });

  test("randn([3], { seed: 0 })", () => {
    const expected = [2.0812089348701357, 0.16346561362740877, 0.2541306960223768];
    assert.deepEqual(values(cr.randn([3], { seed: 0, dtype: "float64" })), expected);
    assert.deepEqual(values(cr.randn([3], { seed: 0 })), expected.map(Math.fround));
    assert.deepEqual(
      values(cr.randn([4], { seed: 42, dtype: "float64" })),
      [1.1226591822802086, 0.9491474351894811, 0.40412785633822706, 0.0387374413085134],
    );
  });

  test("rand([3], { seed: 0 })", () => {
    const expected = [0.8868539502021594, 0.012474988946590604, 0.032522145755498943];
    assert.deepEqual(values(cr.rand([3], { seed: 0, dtype: "float64" })), expected);
    assert.deepEqual(values(cr.rand([3], { seed: 0 })), expected.map(Math.fround));
  });

  test("randint", () => {
    assert.deepEqual(values(cr.randint(0, 10, [5], { seed: 0 })), [8, 0, 0, 0, 6]);
    assert.deepEqual(values(cr.randint(-3, 3, [6], { seed: 7 })), [-2, -1, 0, 0, 2, 0]);
  });

  test("negative and large seeds", () => {
    assert.deepEqual(
      values(cr.randn([3], { seed: -1, dtype: "float64" })),
      [-0.9840912648985263, -1.2554893677027386, -0.7977733533724333],
    );
    assert.deepEqual(
      values(cr.rand([2], { seed: 2 ** 40, dtype: "float64" })),
      [0.23048956134139276, 0.4173237004903274],
    );
  });
});

describe("reproducibility", () => {
  test("the same seed gives the same numbers on every call", () => {
    for (const make of [
      (seed: number) => cr.rand([50], { seed }),
      (seed: number) => cr.randn([50], { seed }),
      (seed: number) => cr.randint(0, 1000, [50], { seed }),
    ]) {
      assert.deepEqual(values(make(3)), values(make(3)));
    }
  });

  test("different seeds give different numbers", () => {
    assert.notDeepEqual(values(cr.randn([10], { seed: 0 })), values(cr.randn([10], { seed: 1 })));
    assert.notDeepEqual(values(cr.rand([10], { seed: 1 })), values(cr.rand([10], { seed: 2 })));
    assert.notDeepEqual(values(cr.rand([10], { seed: 0 })), values(cr.rand([10], { seed: 2 ** 32 })));
  });

  test("a shared Generator continues its sequence across calls", () => {
    const g = new cr.Generator(9);
    const first = values(cr.rand([4], { generator: g, dtype: "float64" }));
    const second = values(cr.rand([4], { generator: g, dtype: "float64" }));
    assert.notDeepEqual(first, second);
    assert.deepEqual([...first, ...second], values(cr.rand([8], { seed: 9, dtype: "float64" })));
  });

  test("reseeding a Generator starts over", () => {
    const g = new cr.Generator(4);
    const a = [g.uniform(), g.normal(), g.normal()];
    g.seed(4);
    assert.deepEqual([g.uniform(), g.normal(), g.normal()], a);
    assert.throws(() => g.seed(1.5), /seed must be an integer/);
  });

  test("manualSeed reseeds the draws made without a seed", () => {
    cr.manualSeed(5);
    const a = values(cr.randn([6]));
    cr.manualSeed(5);
    assert.deepEqual(values(cr.randn([6])), a);
    assert.notDeepEqual(values(cr.randn([6])), a);
  });
});

describe("distributions", () => {
  const n = 10_000;

  test("randn has mean ≈ 0 and variance ≈ 1", () => {
    const x = values(cr.randn([n], { seed: 11, dtype: "float64" }));
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
    const within1 = x.filter((v) => Math.abs(v) < 1).length / n;
    assert.ok(Math.abs(within1 - 0.6827) < 0.02, `P(|x| < 1) = ${within1}`);
  });

  test("rand lies in [0, 1) with mean ≈ 1/2", () => {
    const x = values(cr.rand([n], { seed: 12 }));
    assert.ok(x.every((v) => v >= 0 && v < 1));
    const mean = x.reduce((a, b) => a + b, 0) / n;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });

  test("float32 rand never rounds up to 1", () => {
    class AlmostOne extends cr.Generator {
      override uniform(): number {
        return 1 - 2 ** -30;
      }
    }
    const x = values(cr.rand([4], { generator: new AlmostOne() }));
    assert.ok(
      x.every((v) => v < 1),
      `got ${x}`,
    );
    assert.equal(values(cr.rand([1], { generator: new AlmostOne(), dtype: "float64" }))[0], 1 - 2 ** -30);
  });

  test("randint stays in [low, high) and reaches every value", () => {
    const x = values(cr.randint(-2, 3, [n], { seed: 13 }));
    assert.ok(x.every((v) => Number.isInteger(v) && v >= -2 && v < 3));
    assert.deepEqual(
      [...new Set(x)].sort((a, b) => a - b),
      [-2, -1, 0, 1, 2],
    );
    for (const k of [-2, -1, 0, 1, 2]) {
      const share = x.filter((v) => v === k).length / n;
      assert.ok(Math.abs(share - 0.2) < 0.02, `P(${k}) = ${share}`);
    }
  });
});
