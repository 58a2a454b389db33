// Many scalar tensors read back in one go: stacked on their backend and read once, asynchronously or not, so a
// loop that keeps a loss per step waits for a GPU once per read instead of once per step.

import { stack } from "../ops/composite/shape.js";
import { castTo } from "../ops/convert.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * The scalars as one vector, float64 if any is float64, else float32 (exact for int32 counts below 2²⁴); the
 * scalars are disposed.
 */
function pack(scalars: readonly Tensor[]): Tensor {
  const dtype = scalars.some((t) => t.dtype === "float64") ? "float64" : "float32";
  try {
    return tidy(() => stack(scalars.map((t) => castTo(t, dtype))));
  } finally {
    for (const t of scalars) t.dispose();
  }
}

/** The scalars' values in order, with one backend read (`await data()`); the scalars are disposed. */
export async function readScalars(scalars: readonly Tensor[]): Promise<number[]> {
  if (scalars.length === 0) return [];
  const vector = pack(scalars);
  try {
    return Array.from(await vector.data());
  } finally {
    vector.dispose();
  }
}

/** The same with a synchronous read (`dataSync()`), for callers that can block. */
export function readScalarsSync(scalars: readonly Tensor[]): number[] {
  if (scalars.length === 0) return [];
  const vector = pack(scalars);
  try {
    return Array.from(vector.dataSync());
  } finally {
    vector.dispose();
  }
}
