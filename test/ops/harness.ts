// Helpers shared by the op-table tests: reference arrays to tensors and back, one output from several,
// and a value comparison that names the element that differs.
import assert from "node:assert/strict";
import type { DType, Tensor } from "../../src/index.js";
import * as cr from "../../src/index.js";
import { type Arr, arr, unravel } from "./nd.js";

export type FloatDType = "float32" | "float64";

/** A tensor holding a reference array's values: float inputs in `float`, int32 and bool as they are. */
export function toTensor(a: Arr, float: FloatDType): Tensor {
  const shape = a.shape;
  switch (a.kind) {
    case "int32":
      return cr.tensor(Int32Array.from(a.data), { shape });
    case "bool":
      return cr.tensor(Uint8Array.from(a.data), { shape, dtype: "bool" });
    default:
      return cr.tensor(float === "float64" ? Float64Array.from(a.data) : Float32Array.from(a.data), {
        shape,
      });
  }
}

/** The inputs a float32 run sees: float values rounded to float32 (so the reference sees them too). */
export function roundToFloat32(a: Arr): Arr {
  return a.kind === "float" ? arr(a.shape, a.data.map(Math.fround), a.kind) : a;
}

/** Several outputs (split) as one tensor for gradcheck: flattened and concatenated. */
export function single(out: Tensor | Tensor[]): Tensor {
  return Array.isArray(out) ? cr.concat(out.map((t) => cr.flatten(t))) : out;
}

export function expectedDType(ref: Arr, float: FloatDType): DType {
  return ref.kind === "float" ? float : ref.kind;
}

/** Asserts shape, dtype and values: |got - want| <= rtol·|want| + atol·max(1, max|want|); NaN matches NaN. */
export function assertMatches(
  got: Tensor,
  want: Arr,
  dtype: DType,
  rtol: number,
  atol: number,
  what = "",
): void {
  assert.deepEqual([...got.shape], [...want.shape], `${what} shape`);
  assert.equal(got.dtype, dtype, `${what} dtype`);
  const values = got.dataSync();
  let scale = 1;
  for (const v of want.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  want.data.forEach((w, i) => {
    const g = values[i];
    const ok =
      (Number.isNaN(w) && Number.isNaN(g)) || g === w || Math.abs(g - w) <= rtol * Math.abs(w) + atol * scale;
    if (!ok) {
      assert.fail(`${what} element [${unravel(i, want.shape)}]: got ${g}, want ${w} (difference ${g - w})`);
    }
  });
}
