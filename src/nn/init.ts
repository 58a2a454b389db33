// Seeded weight initialisation: Xavier (Glorot) uniform for tanh/sigmoid nets, He (Kaiming) normal for ReLU nets.
import { oneOf } from "../errors.js";
import { refuseInCapture } from "../tensor/capture-state.js";
import { type CreateOptions, tensor } from "../tensor/create.js";
import type { Generator } from "../tensor/random.js";
import { defaultGenerator, Generator as Gen } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";

export type InitScheme = "xavier" | "he" | "zeros";
export const INIT_SCHEMES: readonly InitScheme[] = ["xavier", "he", "zeros"];

export interface InitOptions {
  seed?: number;
  generator?: Generator;
  dtype?: CreateOptions["dtype"];
}

/**
 * A [fanOut, fanIn] weight: xavier draws U(±√(6/(fanIn+fanOut))), he draws N(0, 2/fanIn), zeros is all zero.
 * The result is a leaf that requires grad, counted as a parameter by the memory ledger and kept out of
 * tidy() scopes (a model built inside one outlives it).
 */
export function initWeight(
  shape: readonly number[],
  scheme: InitScheme,
  fanIn: number,
  fanOut: number,
  options: InitOptions = {},
): Tensor {
  oneOf("initWeight", "scheme", scheme, INIT_SCHEMES);
  refuseInCapture("initWeight", "draws random numbers in JavaScript, so every replay would repeat them");
  const g = options.generator ?? (options.seed === undefined ? defaultGenerator() : new Gen(options.seed));
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(size);
  if (scheme === "xavier") {
    const bound = Math.sqrt(6 / Math.max(fanIn + fanOut, 1));
    for (let i = 0; i < size; i++) values[i] = (2 * g.uniform() - 1) * bound;
  } else if (scheme === "he") {
    const std = Math.sqrt(2 / Math.max(fanIn, 1));
    for (let i = 0; i < size; i++) values[i] = g.normal() * std;
  }
  const dtype = options.dtype ?? "float32";
  return tensor(dtype === "float64" ? values : Float32Array.from(values), {
    shape,
    dtype,
    requiresGrad: true,
    tag: "parameter",
  }).keep();
}
