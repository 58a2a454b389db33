// Forward values of every op in the table against its float64 reference: in float64 to ~1e-12, and in
// float32 (default dtype) to ~1e-5 relative. Also checks that the table covers every op and edge case.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { assertMatches, expectedDType, type FloatDType, roundToFloat32, toTensor } from "./harness.js";
import { sizeOf } from "./nd.js";
import { REQUIRED_OPS, table } from "./table.js";

const FLOAT32 = { rtol: 1e-5, atol: 1e-6 };

for (const row of table) {
  describe(`forward ${row.name}`, () => {
    for (const c of row.cases) {
      test(c.label, () => {
        cr.tidy(() => {
          for (const float of ["float64", "float32"] as FloatDType[]) {
            const inputs = float === "float32" ? c.inputs.map(roundToFloat32) : c.inputs;
            const want = c.reference(inputs);
            const got = c.run(inputs.map((a) => toTensor(a, float)));
            const wants = Array.isArray(want) ? want : [want];
            const gots = Array.isArray(got) ? got : [got];
            assert.equal(gots.length, wants.length, "number of outputs");
            const tol = float === "float64" ? { rtol: row.rtol, atol: row.rtol } : FLOAT32;
            wants.forEach((w, k) => {
              assertMatches(gots[k], w, expectedDType(w, float), tol.rtol, tol.atol, `${float} output ${k}`);
            });
          }
        });
      });
    }
  });
}

describe("op table coverage", () => {
  test("every required op has a row", () => {
    const names = new Set(table.map((r) => r.name));
    assert.deepEqual(
      REQUIRED_OPS.filter((op) => !names.has(op)),
      [],
    );
  });

  test("every row is a required op (the list and the table do not drift apart)", () => {
    const required = new Set(REQUIRED_OPS);
    assert.deepEqual(
      table.map((r) => r.name).filter((name) => !required.has(name)),
      [],
    );
  });

  for (const row of table) {
    test(`${row.name}: at least 8 (gradient-checked) cases, with 0-d, empty and broadcast operands`, () => {
      // For a differentiable op, the cases that count are the ones gradcheck also runs on.
      const cases = row.differentiable ? row.cases.filter((c) => !c.forwardOnly) : row.cases;
      assert.ok(cases.length >= 8, `${cases.length} cases`);
      const scalar = cases.some((c) => {
        const out = c.reference(c.inputs);
        return [...c.inputs, ...(Array.isArray(out) ? out : [out])].some((a) => a.shape.length === 0);
      });
      assert.ok(scalar || row.noScalar !== undefined, "no case with a 0-d tensor");
      assert.ok(
        cases.some((c) => c.inputs.some((a) => sizeOf(a.shape) === 0)),
        "no case with an empty input",
      );
      if (row.broadcasts) {
        const broadcasting = cases.some((c) => {
          const shapes = c.inputs.filter((a) => a.kind === "float").map((a) => a.shape.join(","));
          return new Set(shapes).size > 1;
        });
        assert.ok(broadcasting, "no case with broadcast operands");
      }
    });
  }
});
