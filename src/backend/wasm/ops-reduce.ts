// Reductions (sum, sumSquares, max, min, argmax, argmin) on the wasm backend, where the reduced axes are adjacent: split
// over the threads by outer rows, by output columns, or (one long run per output) into float64 partials.
import type { Shape } from "../../shape.js";
import type { ReduceOp } from "../backend.js";
import type { WasmBuffer } from "./buffer.js";
import type { Kernels } from "./kernels.js";
import { ALIGN, chunks, REDUCE_CODE, suffix, threadsFor, WIDTH } from "./ops-common.js";
import type { KernelSignatures } from "./signatures.js";

/**
 * [outer, r, inner] for reducing `axes` of `shape` when the reduced axes (size-1 axes aside) are adjacent,
 * else null.
 */
function reduceLayout(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  let outer = 1;
  let r = 1;
  let inner = 1;
  // 0: kept axes before the reduced block, 1: in it, 2: kept axes after it.
  let phase = 0;
  let next = 0;
  for (let d = 0; d < shape.length; d++) {
    const reduced = next < axes.length && axes[next] === d;
    if (reduced) next++;
    const size = shape[d];
    if (size === 1) continue;
    if (reduced) {
      if (phase === 2) return null;
      phase = 1;
      r *= size;
    } else if (phase === 0) {
      outer *= size;
    } else {
      phase = 2;
      inner *= size;
    }
  }
  return [outer, r, inner];
}

export function reduceWasm(
  k: Kernels,
  op: ReduceOp,
  x: WasmBuffer,
  shape: Shape,
  axes: readonly number[],
  out: WasmBuffer,
): boolean {
  const s = suffix(x.dtype);
  if (s === null) return false;
  const arg = op === "argmax" || op === "argmin";
  if (out.dtype !== (arg ? "int32" : x.dtype)) return false;
  const name = s === "f32" ? "ew_reduce_f32" : "ew_reduce_f64";
  if (!k.has(name)) return false;
  const layout = reduceLayout(shape, axes);
  if (layout === null) return false;
  const [outer, r, inner] = layout;
  if (outer * inner === 0 || out.size === 0) return true;
  if (r === 0) {
    if (arg) return false;
    const identity =
      op === "sum" || op === "sumSquares"
        ? 0
        : op === "max"
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY;
    k.host(() => k.view(out).fill(identity), [out]);
    return true;
  }
  const code = REDUCE_CODE[op];
  const w = WIDTH[x.dtype];
  const wo = WIDTH[out.dtype];
  const threads = threadsFor(k, outer * r * inner);
  if (threads <= 1) {
    k.call(name, code, outer, r, inner, inner, x.address, out.address);
    return true;
  }
  const shares: KernelSignatures["ew_reduce_f32"][] = [];
  if (outer >= threads) {
    const band = Math.ceil(outer / threads);
    for (let o0 = 0; o0 < outer; o0 += band) {
      const count = Math.min(band, outer - o0);
      shares.push([
        code,
        count,
        r,
        inner,
        inner,
        x.address + o0 * r * inner * w,
        out.address + o0 * inner * wo,
      ]);
    }
  } else if (inner >= ALIGN * threads) {
    // Columns of the output: each share reduces a band of j over all of r.
    for (const [j0, count] of chunks(inner, threads)) {
      shares.push([code, outer, r, count, inner, x.address + j0 * w, out.address + j0 * wo]);
    }
  } else if (inner === 1 && !arg) {
    // One long run per output (few outputs): each thread reduces a piece into a float64 partial.
    const part = s === "f32" ? "ew_reduce_part_f32" : "ew_reduce_part_f64";
    const pieces = chunks(r, threads);
    const scratch = k.scratchFor(0, 8 * outer * pieces.length);
    for (let o = 0; o < outer; o++) {
      const partShares = pieces.map(([start, count], t): KernelSignatures["ew_reduce_part_f32"] => [
        code,
        count,
        x.address + (o * r + start) * w,
        scratch + 8 * (o * pieces.length + t),
      ]);
      k.parallel(part, partShares);
    }
    k.host(() => {
      const partials = new Float64Array(k.heap.buffer, scratch, outer * pieces.length);
      const result = k.view(out);
      for (let o = 0; o < outer; o++) {
        let acc = partials[o * pieces.length];
        for (let t = 1; t < pieces.length; t++) {
          const v = partials[o * pieces.length + t];
          if (op === "sum" || op === "sumSquares") acc += v;
          else if (Number.isNaN(acc) || Number.isNaN(v)) acc = Number.NaN;
          else acc = op === "max" ? Math.max(acc, v) : Math.min(acc, v);
        }
        result[o] = acc;
      }
    }, [out]);
    return true;
  } else {
    k.call(name, code, outer, r, inner, inner, x.address, out.address);
    return true;
  }
  k.parallel(name, shares);
  return true;
}
