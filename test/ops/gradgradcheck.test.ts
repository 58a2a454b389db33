// Second derivatives of every smooth op in the table (and of the piecewise-linear ones, away from their
// kinks, where the second derivative is 0): gradgradcheck differentiates a recorded backward pass.
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { single, toTensor } from "./harness.js";
import { table } from "./table.js";

for (const row of table) {
  if (!row.differentiable || !(row.smooth || row.piecewiseLinear)) continue;
  describe(`gradgradcheck ${row.name}`, () => {
    for (const c of row.cases) {
      if (c.forwardOnly) continue;
      test(c.label, () => {
        cr.tidy(() => {
          const xs = c.inputs.map((a) => toTensor(a, "float64"));
          cr.gradgradcheck((...ts) => single(c.run(ts)), xs, row.gradcheck);
        });
      });
    }
  });
}
