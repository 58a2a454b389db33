// The unary kernel family in one table: each op's name, its reference function (the js backend, and the wasm
// backend where it has no SIMD kernel) and its WGSL expression of x (the webgpu backend). A new unary op is one
// entry here; the compiler then names what is still missing (its rule and its export in ops/unary.ts).
import { erf } from "./js/erf.js";

export interface UnaryKernel {
  /** The reference: float64 in, float64 out (stored into the output's dtype). */
  readonly reference: (x: number) => number;
  /** An f32 expression of `x` in WGSL, exact about NaN and ±inf where the reference is. */
  readonly wgsl: string;
}

export const UNARY_KERNELS = {
  neg: { reference: (x) => -x, wgsl: "-x" },
  exp: { reference: Math.exp, wgsl: "exp(x)" },
  log: {
    reference: Math.log,
    wgsl: "select(select(log(x), -inf_(), x == 0.0), nan_(), x < 0.0 || isnan_(x))",
  },
  log1p: {
    reference: Math.log1p,
    wgsl: "select(select(log1p_(x), -inf_(), x == -1.0), nan_(), x < -1.0 || isnan_(x))",
  },
  sqrt: { reference: Math.sqrt, wgsl: "select(sqrt(x), nan_(), x < 0.0 || isnan_(x))" },
  abs: { reference: Math.abs, wgsl: "abs(x)" },
  sign: { reference: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x), wgsl: "sign_(x)" },
  sin: { reference: Math.sin, wgsl: "sin_(x)" },
  cos: { reference: Math.cos, wgsl: "cos_(x)" },
  tanh: { reference: Math.tanh, wgsl: "tanh_(x)" },
  sigmoid: {
    reference: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    wgsl: "sigmoid_(x)",
  },
  relu: { reference: (x) => Math.max(0, x), wgsl: "select(max(x, 0.0), x, isnan_(x))" },
  softplus: {
    reference: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
    wgsl: "softplus_(x)",
  },
  erf: { reference: erf, wgsl: "erf_(x)" },
  atan: { reference: Math.atan, wgsl: "atan(x)" },
  isfinite: { reference: (x) => (Number.isFinite(x) ? 1 : 0), wgsl: "select(0.0, 1.0, isfinite_(x))" },
  not: { reference: (x) => (x === 0 ? 1 : 0), wgsl: "select(0.0, 1.0, x == 0.0)" },
} as const satisfies Record<string, UnaryKernel>;
