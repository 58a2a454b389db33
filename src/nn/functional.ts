// Functional forms of the layers: linear (x·Wᵀ + b, reading W transposed in place) and dropout.
import { fail } from "../errors.js";
import { add, cast, div, less, mul } from "../ops/binary.js";
import { mm } from "../ops/matmul.js";
import { reshape } from "../ops/movement.js";
import { fmt } from "../shape.js";
import { rand } from "../tensor/create.js";
import { inGroup } from "../tensor/group.js";
import type { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";

/** x·Wᵀ (+ b) for x of shape [..., in] and W of shape [out, in] (the chapter's z = W x, one example per row). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inFeatures = weight.shape[1];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    fail(
      "linear",
      `input ${fmt(x.shape)} does not end in ${inFeatures} features (weight ${fmt(weight.shape)})`,
    );
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return inGroup(bias ? LINEAR_WITH_BIAS : LINEAR, inputs, () => {
    const rows = x.ndim === 1 ? reshape(x, [1, inFeatures]) : x;
    let out = mm(rows, weight, false, true);
    if (bias) out = add(out, bias);
    return x.ndim === 1 ? reshape(out, [weight.shape[0]]) : out;
  });
}

// Without a bias the group is the one matmul, whose rule gives the derivative.
const LINEAR = { kind: "linear", symbol: "×", title: "Linear" } as const;
// z = x Wᵀ + b: dz/dx = g W, dz/dW = gᵀ x, dz/db = g summed over the rows.
const LINEAR_WITH_BIAS = {
  kind: "linear",
  symbol: "×, +",
  title: "Linear",
  derivative: {
    text: ["{g} · {x1}", "{g}ᵀ · {x0}", "Σₙ {g}"],
    latex: ["{g} {x1}", "\\left({g}\\right)^\\top {x0}", "\\textstyle\\sum_n {g}"],
  },
} as const;

/** Zeroes each element with probability p and scales the rest by 1/(1-p) (inverted dropout). */
export function dropout(x: Tensor, p: number, generator?: Generator): Tensor {
  if (!(p >= 0 && p < 1)) fail("dropout", `p must be in [0, 1), got ${p}`);
  if (p === 0) return x;
  const keep = cast(less(p, rand(x.shape, { generator })), x.dtype);
  return div(mul(x, keep), 1 - p);
}
