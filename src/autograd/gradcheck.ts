// gradcheck and gradgradcheck: float64 central differences against backward, with a report that
// names the input, the element, and the absolute and relative error on a mismatch.
import { fail } from "../errors.js";
import { flatten } from "../ops/composite/shape.js";
import { clone, detach } from "../ops/detach.js";
import { concat } from "../ops/movement.js";
import { fmt, stridesOf } from "../shape.js";
import { tensor, zerosLike } from "../tensor/create.js";
import { noGrad, withGradMode } from "../tensor/grad-mode.js";
import { Generator } from "../tensor/random.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TensorFn } from "./functional.js";
import { sweep } from "./sweep.js";

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Outputs up to this size get a full Jacobian check; larger ones are checked along random directions. */
  fullJacobianUpTo?: number;
  seed?: number;
}

function indexOf(flat: number, shape: readonly number[]): string {
  const strides = stridesOf(shape);
  return fmt(shape.map((d, i) => Math.floor(flat / strides[i]) % Math.max(d, 1)));
}

/** A copy of t with element j moved by delta (float64 only). */
function nudged(t: Tensor, j: number, delta: number): Tensor {
  const values = Float64Array.from(t.dataSync());
  values[j] += delta;
  return tensor(values, { dtype: t.dtype, shape: t.shape });
}

/**
 * Checks every float64 input's gradient: backward along each output direction against
 * (f(x + eps) - f(x - eps)) / 2eps. Throws a ChainruleError describing the first mismatch; returns true.
 */
export function gradcheck(f: TensorFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, fullJacobianUpTo = 64, seed = 0 } = options;
  const checked = inputs.map((x, i) => {
    if (x.dtype === "float32")
      fail("gradcheck", `input ${i} ${fmt(x.shape)} is float32; gradcheck needs float64 inputs`);
    return x.dtype === "float64";
  });
  const evaluate = (xs: readonly Tensor[]) => noGrad(() => Float64Array.from(f(...xs).dataSync()));
  tidy(() => {
    const leaves = inputs.map((x, i) => (checked[i] ? detach(x).requiresGrad_() : x));
    const y = withGradMode(true, () => f(...leaves));
    if (y.dtype !== "float64") fail("gradcheck", `the function returned ${y.dtype}; it must return float64`);
    const g = new Generator(seed);
    const directions: Float64Array[] = [];
    if (y.size <= fullJacobianUpTo) {
      for (let o = 0; o < y.size; o++)
        directions.push(Float64Array.from({ length: y.size }, (_, k) => (k === o ? 1 : 0)));
    } else {
      for (let r = 0; r < 3; r++) directions.push(Float64Array.from({ length: y.size }, () => g.normal()));
    }
    // Numerical Jacobian columns: d y / d x_j for every element j of every checked input.
    const columns = inputs.map((x, i) => {
      if (!checked[i]) return [];
      return Array.from({ length: x.size }, (_, j) => {
        const plus = evaluate(inputs.map((t, k) => (k === i ? nudged(t, j, eps) : t)));
        const minus = evaluate(inputs.map((t, k) => (k === i ? nudged(t, j, -eps) : t)));
        return plus.map((p, o) => (p - minus[o]) / (2 * eps));
      });
    });
    directions.forEach((dir, d) => {
      const seedTensor = tensor(dir, { dtype: "float64", shape: y.shape });
      const found = y.requiresGrad
        ? sweep([y], [seedTensor], new Set(leaves.filter((_, i) => checked[i])), { retainGraph: true })
        : new Map<Tensor, Tensor>();
      leaves.forEach((leaf, i) => {
        if (!checked[i]) return;
        const analytic = found.get(leaf)?.dataSync() ?? new Float64Array(leaf.size);
        columns[i].forEach((column, j) => {
          const numeric = column.reduce((acc, v, o) => acc + v * dir[o], 0);
          const a = analytic[j];
          const abs = Math.abs(a - numeric);
          if (!(abs <= atol + rtol * Math.abs(numeric))) {
            const rel = abs / Math.max(Math.abs(numeric), 1e-300);
            const where =
              y.size <= fullJacobianUpTo ? `output element ${indexOf(d, y.shape)}` : `random direction ${d}`;
            fail(
              "gradcheck",
              `input ${i} ${fmt(leaf.shape)}, element ${indexOf(j, leaf.shape)}, ${where}: backward gives ${a}, ` +
                `finite differences give ${numeric} (absolute error ${abs.toExponential(3)}, relative error ` +
                `${rel.toExponential(3)}; allowed ${atol} + ${rtol}·|numeric|)`,
            );
          }
        });
      });
    });
  });
  return true;
}

/**
 * Checks second derivatives: the gradient map x -> vᵀ·∂f/∂x (computed with a recorded backward pass,
 * for a fixed random v) must itself pass gradcheck.
 */
export function gradgradcheck(f: TensorFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const g = new Generator((options.seed ?? 0) + 1);
  const shape = tidy(() => noGrad(() => f(...inputs).shape));
  const v = tensor(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.normal()),
    { dtype: "float64", shape },
  );
  const floatArgs = inputs.map((x, i) => (x.dtype === "float64" ? i : -1)).filter((i) => i >= 0);
  const pulledBack: TensorFn = (...xs) => {
    const targets = xs.map((x, i) =>
      floatArgs.includes(i) ? (x.requiresGrad ? clone(x) : detach(x).requiresGrad_()) : x,
    );
    const y = withGradMode(true, () => f(...targets));
    const wanted = floatArgs.map((i) => targets[i]);
    const found = y.requiresGrad
      ? sweep([y], [v], new Set(wanted), { createGraph: true })
      : new Map<Tensor, Tensor>();
    const parts = wanted.map((t) => flatten(found.get(t) ?? zerosLike(t)));
    return concat(parts, 0);
  };
  try {
    return gradcheck(pulledBack, inputs, options);
  } finally {
    v.dispose();
  }
}
