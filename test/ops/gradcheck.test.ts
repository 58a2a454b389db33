// Gradients of every differentiable op in the table: gradcheck (float64 central differences against
// backward) on each case, then float32 backward against float64 backward, with gradients shaped like inputs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Tensor } from "../../src/index.js";
import * as cr from "../../src/index.js";
import { Rng, seedOf } from "./gen.js";
import { type FloatDType, single, toTensor } from "./harness.js";
import type { OpCase } from "./row.js";
import { table } from "./table.js";

/** Gradients of sum(out · upstream) with respect to the float inputs, by backward() in `float`. */
function backwardGrads(c: OpCase, float: FloatDType, upstream: Float64Array): (Float64Array | null)[] {
  const xs = c.inputs.map((a) => {
    const t = toTensor(a, float);
    return a.kind === "float" ? t.requiresGrad_() : t;
  });
  const y = single(c.run(xs));
  if (y.requiresGrad) {
    const seed = y.dtype === "float64" ? Float64Array.from(upstream) : Float32Array.from(upstream);
    y.backward(cr.tensor(seed, { shape: y.shape }));
  }
  return xs.map((x, i) => {
    if (c.inputs[i].kind !== "float") return null;
    const g: Tensor | null = x.grad;
    if (g === null) return new Float64Array(x.size);
    assert.deepEqual([...g.shape], [...x.shape], `gradient ${i} shape`);
    assert.equal(g.dtype, float, `gradient ${i} dtype`);
    return Float64Array.from(g.dataSync());
  });
}

for (const row of table) {
  if (!row.differentiable) continue;
  describe(`gradcheck ${row.name}`, () => {
    for (const c of row.cases) {
      if (c.forwardOnly) continue;
      test(c.label, () => {
        cr.tidy(() => {
          const xs = c.inputs.map((a) => toTensor(a, "float64"));
          cr.gradcheck((...ts) => single(c.run(ts)), xs, row.gradcheck);
        });
      });
      test(`${c.label} float32 backward matches float64`, () => {
        cr.tidy(() => {
          const rng = new Rng(seedOf(`${row.name} ${c.label}`));
          const size = cr.noGrad(() => single(c.run(c.inputs.map((a) => toTensor(a, "float64")))).size);
          const upstream = Float64Array.from({ length: size }, () => rng.uniform(-1, 1));
          const g64 = backwardGrads(c, "float64", upstream);
          const g32 = backwardGrads(c, "float32", upstream);
          g64.forEach((want, i) => {
            if (want === null) return;
            const scale = Math.max(1, ...want.map(Math.abs));
            want.forEach((w, j) => {
              const got = g32[i]![j];
              assert.ok(
                Math.abs(got - w) <= 1e-4 * scale,
                `input ${i} element ${j}: float32 ${got}, float64 ${w}`,
              );
            });
          });
        });
      });
    }
  });
}
