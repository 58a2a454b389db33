// Every op in the table on strided views instead of row-major tensors: every other element of a buffer twice
// the size (stride 2, offset 1), and all axes read backwards (negative strides). Values match the float64
// reference, and the differentiable ops pass gradcheck through the views (kernels make them row-major at
// their door, or read them in place).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Tensor } from "../../src/index.js";
import * as cr from "../../src/index.js";
import { assertMatches, expectedDType, type FloatDType, single, toTensor } from "./harness.js";
import { type Arr, arr } from "./nd.js";
import { table } from "./table.js";

/** a's values, every other element of a buffer twice the size, from offset 1. */
function interleaved(a: Arr, float: FloatDType): Tensor {
  const t = toTensor(a, float);
  const pair = cr.stack([cr.zeros(a.shape, { dtype: t.dtype }), t], -1);
  return cr.slice(pair, [...a.shape.map(() => null), 1]);
}

/** a's values from a buffer that holds them in reverse order, read backwards on every axis. */
function reversed(a: Arr, float: FloatDType): Tensor {
  const flipped = toTensor(arr(a.shape, [...a.data].reverse(), a.kind), float);
  return cr.slice(
    flipped,
    a.shape.map(() => [null, null, -1] as const),
  );
}

const LAYOUTS = { interleaved, reversed };

/** The inputs in one strided layout, each checked to really be a view that bare-buffer kernels cannot read. */
function viewsOf(inputs: readonly Arr[], layout: keyof typeof LAYOUTS): Tensor[] {
  return inputs.map((a) => {
    const t = LAYOUTS[layout](a, "float64");
    if (layout === "interleaved" || t.size > 1) assert.equal(t.isDense, false, `${layout} view is strided`);
    return t;
  });
}

/** Gradient-checked cases per row and layout: enough to cover every rank without doubling the suite's time. */
const GRADCHECKED_CASES = 3;

for (const row of table) {
  describe(`views ${row.name}`, () => {
    for (const c of row.cases) {
      test(`${c.label} forward on strided views`, () => {
        cr.tidy(() => {
          const wants = [c.reference(c.inputs)].flat();
          for (const layout of ["interleaved", "reversed"] as const) {
            const gots = [c.run(viewsOf(c.inputs, layout))].flat();
            assert.equal(gots.length, wants.length, "number of outputs");
            wants.forEach((w, k) => {
              const what = `${layout} output ${k}`;
              assertMatches(gots[k], w, expectedDType(w, "float64"), row.rtol, row.rtol, what);
            });
          }
        });
      });
    }
    if (!row.differentiable) return;
    for (const c of row.cases.filter((k) => !k.forwardOnly).slice(0, GRADCHECKED_CASES)) {
      test(`${c.label} gradcheck through strided views`, () => {
        cr.tidy(() => {
          for (const layout of ["interleaved", "reversed"] as const) {
            cr.gradcheck((...ts) => single(c.run(ts)), viewsOf(c.inputs, layout), row.gradcheck);
          }
        });
      });
    }
  });
}
