// Reductions (sum, sum of squares, max, min, argmax, argmin) of float32/float64 over [outer, r, inner] blocks, and the float64
// partials a thread computes for its piece of a whole-buffer sum/max/min.
import {
  at, lanes, lds, R_ARGMAX, R_ARGMIN, R_MAX, R_MIN, R_SUM, R_SUMSQUARES, splatv, sts, vmax, vmin,
} from "./lib/ew-common";

// The input is [outer, r, inner] with rows of `ld` elements: x[o, k, j] at ((o·r + k)·ld + j), j < inner ≤ ld;
// out[o, j] at (o·ld + j). sum accumulates in float64 lanes for both dtypes; max/min propagate NaN. With SQ
// each element is squared in its own dtype first (Σ x², as a mul kernel and then a sum would round it).

/** x·x in the vector's dtype (SQ), or x. */
@inline function sq(F64: bool, SQ: bool, v: v128): v128 {
  return SQ ? (F64 ? f64x2.mul(v, v) : f32x4.mul(v, v)) : v;
}
@inline function sqs(SQ: bool, F64: bool, v: f64): f64 {
  return SQ ? (F64 ? v * v : <f64>(<f32>v * <f32>v)) : v;
}
/** Sum of n contiguous elements (of their squares: SQ), in float64 (eight partial sums). */
@inline function rowSum(F64: bool, SQ: bool, p: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let i = 0;
  if (F64) {
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 3);
      a0 = f64x2.add(a0, sq(true, SQ, v128.load(q)));
      a1 = f64x2.add(a1, sq(true, SQ, v128.load(q, 16)));
      a2 = f64x2.add(a2, sq(true, SQ, v128.load(q, 32)));
      a3 = f64x2.add(a3, sq(true, SQ, v128.load(q, 48)));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      const u = sq(false, SQ, v128.load(q));
      const v = sq(false, SQ, v128.load(q, 16));
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(u));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i32x4.shuffle(u, u, 2, 3, 2, 3)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)));
    }
  }
  const t = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; i < n; i++) s += sqs(SQ, F64, lds(F64, at(F64, p, i)));
  return s;
}
/** max (MAX) or min of n contiguous elements; NaN if any is NaN; ∓Infinity when n = 0. */
@inline function rowExtreme(F64: bool, MAX: bool, p: usize, n: i32): f64 {
  const L = lanes(F64);
  const init = splatv(F64, MAX ? -Infinity : Infinity);
  let a0 = init;
  let a1 = init;
  let i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const q = at(F64, p, i);
    a0 = MAX ? vmax(F64, a0, v128.load(q)) : vmin(F64, a0, v128.load(q));
    a1 = MAX ? vmax(F64, a1, v128.load(q, 16)) : vmin(F64, a1, v128.load(q, 16));
  }
  const a = MAX ? vmax(F64, a0, a1) : vmin(F64, a0, a1);
  let s: f64;
  if (F64) {
    s = MAX
      ? max<f64>(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1))
      : min<f64>(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1));
  } else {
    const x0 = <f64>f32x4.extract_lane(a, 0);
    const x1 = <f64>f32x4.extract_lane(a, 1);
    const x2 = <f64>f32x4.extract_lane(a, 2);
    const x3 = <f64>f32x4.extract_lane(a, 3);
    s = MAX ? max<f64>(max<f64>(x0, x1), max<f64>(x2, x3)) : min<f64>(min<f64>(x0, x1), min<f64>(x2, x3));
  }
  for (; i < n; i++) {
    const v = lds(F64, at(F64, p, i));
    s = MAX ? max<f64>(s, v) : min<f64>(s, v);
  }
  return s;
}
/** Index of the first extreme element (the first NaN if there is one) of n ≥ 1 contiguous elements. */
@inline function rowArg(F64: bool, MAX: bool, p: usize, n: i32): i32 {
  const best = rowExtreme(F64, MAX, p, n);
  const L = lanes(F64);
  const isNaN = best != best;
  const vb = splatv(F64, best);
  let i = 0;
  for (; i + L <= n; i += L) {
    const v = v128.load(at(F64, p, i));
    const hit = isNaN ? (F64 ? f64x2.ne(v, v) : f32x4.ne(v, v)) : F64 ? f64x2.eq(v, vb) : f32x4.eq(v, vb);
    const bits = F64 ? i64x2.bitmask(hit) : i32x4.bitmask(hit);
    if (bits != 0) return i + ctz<i32>(bits);
  }
  for (; i < n; i++) {
    const v = lds(F64, at(F64, p, i));
    if (isNaN ? v != v : v == best) return i;
  }
  return 0;
}
/** Column block of B lanes-vectors: acc over k of x[k, j..j+B·L) (squared: SQ), for j in the block; float64 sums. */
@inline function colSums(F64: bool, SQ: bool, p: usize, r: i32, ld: i32, po: usize): void {
  // 16 float32 or 8 float64 columns: one 64-byte line per row, eight f64x2 (float32) / four (float64) sums.
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let a4 = f64x2.splat(0);
  let a5 = f64x2.splat(0);
  let a6 = f64x2.splat(0);
  let a7 = f64x2.splat(0);
  for (let k = 0; k < r; k++) {
    const q = at(F64, p, k * ld);
    if (F64) {
      a0 = f64x2.add(a0, sq(true, SQ, v128.load(q)));
      a1 = f64x2.add(a1, sq(true, SQ, v128.load(q, 16)));
      a2 = f64x2.add(a2, sq(true, SQ, v128.load(q, 32)));
      a3 = f64x2.add(a3, sq(true, SQ, v128.load(q, 48)));
    } else {
      const u0 = sq(false, SQ, v128.load(q));
      const u1 = sq(false, SQ, v128.load(q, 16));
      const u2 = sq(false, SQ, v128.load(q, 32));
      const u3 = sq(false, SQ, v128.load(q, 48));
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(u0));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i32x4.shuffle(u0, u0, 2, 3, 2, 3)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(u1));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i32x4.shuffle(u1, u1, 2, 3, 2, 3)));
      a4 = f64x2.add(a4, f64x2.promote_low_f32x4(u2));
      a5 = f64x2.add(a5, f64x2.promote_low_f32x4(i32x4.shuffle(u2, u2, 2, 3, 2, 3)));
      a6 = f64x2.add(a6, f64x2.promote_low_f32x4(u3));
      a7 = f64x2.add(a7, f64x2.promote_low_f32x4(i32x4.shuffle(u3, u3, 2, 3, 2, 3)));
    }
  }
  if (F64) {
    v128.store(po, a0);
    v128.store(po, a1, 16);
    v128.store(po, a2, 32);
    v128.store(po, a3, 48);
  } else {
    v128.store(po, i32x4.shuffle(f32x4.demote_f64x2_zero(a0), f32x4.demote_f64x2_zero(a1), 0, 1, 4, 5));
    v128.store(po, i32x4.shuffle(f32x4.demote_f64x2_zero(a2), f32x4.demote_f64x2_zero(a3), 0, 1, 4, 5), 16);
    v128.store(po, i32x4.shuffle(f32x4.demote_f64x2_zero(a4), f32x4.demote_f64x2_zero(a5), 0, 1, 4, 5), 32);
    v128.store(po, i32x4.shuffle(f32x4.demote_f64x2_zero(a6), f32x4.demote_f64x2_zero(a7), 0, 1, 4, 5), 48);
  }
}
/** max/min over k of x[k, j..j+L) for one vector of columns. */
@inline function colExtreme(F64: bool, MAX: bool, p: usize, r: i32, ld: i32, po: usize): void {
  let a = splatv(F64, MAX ? -Infinity : Infinity);
  for (let k = 0; k < r; k++) {
    const v = v128.load(at(F64, p, k * ld));
    a = MAX ? vmax(F64, a, v) : vmin(F64, a, v);
  }
  v128.store(po, a);
}
@inline function reduceAny(
  F64: bool, op: i32, outer: i32, r: i32, inner: i32, ld: i32, px: usize, po: usize,
): void {
  const L = lanes(F64);
  for (let o = 0; o < outer; o++) {
    const xo = at(F64, px, o * r * ld);
    if (inner == 1) {
      // One contiguous run of r elements per output.
      if (op == R_SUM) sts(F64, at(F64, po, o * ld), rowSum(F64, false, xo, r));
      else if (op == R_SUMSQUARES) sts(F64, at(F64, po, o * ld), rowSum(F64, true, xo, r));
      else if (op == R_MAX) sts(F64, at(F64, po, o * ld), rowExtreme(F64, true, xo, r));
      else if (op == R_MIN) sts(F64, at(F64, po, o * ld), rowExtreme(F64, false, xo, r));
      else if (op == R_ARGMAX) store<i32>(po + (<usize>(o * ld) << 2), rowArg(F64, true, xo, r));
      else store<i32>(po + (<usize>(o * ld) << 2), rowArg(F64, false, xo, r));
      continue;
    }
    let j = 0;
    if (op == R_SUM || op == R_SUMSQUARES) {
      const SQ = op == R_SUMSQUARES;
      const B = F64 ? 8 : 16;
      for (; j + B <= inner; j += B) {
        if (SQ) colSums(F64, true, at(F64, xo, j), r, ld, at(F64, po, o * ld + j));
        else colSums(F64, false, at(F64, xo, j), r, ld, at(F64, po, o * ld + j));
      }
      for (; j < inner; j++) {
        let s: f64 = 0;
        for (let k = 0; k < r; k++) s += sqs(SQ, F64, lds(F64, at(F64, xo, k * ld + j)));
        sts(F64, at(F64, po, o * ld + j), s);
      }
    } else if (op == R_MAX || op == R_MIN) {
      const MAX = op == R_MAX;
      for (; j + L <= inner; j += L) colExtreme(F64, MAX, at(F64, xo, j), r, ld, at(F64, po, o * ld + j));
      for (; j < inner; j++) {
        let s: f64 = MAX ? -Infinity : Infinity;
        for (let k = 0; k < r; k++) {
          const v = lds(F64, at(F64, xo, k * ld + j));
          s = MAX ? max<f64>(s, v) : min<f64>(s, v);
        }
        sts(F64, at(F64, po, o * ld + j), s);
      }
    } else {
      // argmax/argmin down columns: the reference's first-winner, first-NaN rule, one column at a time.
      const MAX = op == R_ARGMAX;
      for (; j < inner; j++) {
        let best = lds(F64, at(F64, xo, j));
        let bi = 0;
        if (best == best) {
          for (let k = 1; k < r; k++) {
            const v = lds(F64, at(F64, xo, k * ld + j));
            if (v != v) {
              bi = k;
              break;
            }
            if (MAX ? v > best : v < best) {
              best = v;
              bi = k;
            }
          }
        }
        store<i32>(po + (<usize>(o * ld + j) << 2), bi);
      }
    }
  }
}
/** Reduces [outer, r, inner] (see above); argmax/argmin write int32 and need r ≥ 1. */
export function ew_reduce_f32(op: i32, outer: i32, r: i32, inner: i32, ld: i32, px: usize, po: usize): void {
  switch (op) {
    case R_SUM: reduceAny(false, R_SUM, outer, r, inner, ld, px, po); break;
    case R_SUMSQUARES: reduceAny(false, R_SUMSQUARES, outer, r, inner, ld, px, po); break;
    case R_MAX: reduceAny(false, R_MAX, outer, r, inner, ld, px, po); break;
    case R_MIN: reduceAny(false, R_MIN, outer, r, inner, ld, px, po); break;
    case R_ARGMAX: reduceAny(false, R_ARGMAX, outer, r, inner, ld, px, po); break;
    case R_ARGMIN: reduceAny(false, R_ARGMIN, outer, r, inner, ld, px, po); break;
    default: break;
  }
}
export function ew_reduce_f64(op: i32, outer: i32, r: i32, inner: i32, ld: i32, px: usize, po: usize): void {
  switch (op) {
    case R_SUM: reduceAny(true, R_SUM, outer, r, inner, ld, px, po); break;
    case R_SUMSQUARES: reduceAny(true, R_SUMSQUARES, outer, r, inner, ld, px, po); break;
    case R_MAX: reduceAny(true, R_MAX, outer, r, inner, ld, px, po); break;
    case R_MIN: reduceAny(true, R_MIN, outer, r, inner, ld, px, po); break;
    case R_ARGMAX: reduceAny(true, R_ARGMAX, outer, r, inner, ld, px, po); break;
    case R_ARGMIN: reduceAny(true, R_ARGMIN, outer, r, inner, ld, px, po); break;
    default: break;
  }
}
/**
 * sum/sumSquares/max/min of n contiguous elements as one float64 at pout: a thread's share of a whole-buffer
 * reduction.
 */
export function ew_reduce_part_f32(op: i32, n: i32, px: usize, pout: usize): void {
  if (op == R_SUM) store<f64>(pout, rowSum(false, false, px, n));
  else if (op == R_SUMSQUARES) store<f64>(pout, rowSum(false, true, px, n));
  else if (op == R_MAX) store<f64>(pout, rowExtreme(false, true, px, n));
  else store<f64>(pout, rowExtreme(false, false, px, n));
}
export function ew_reduce_part_f64(op: i32, n: i32, px: usize, pout: usize): void {
  if (op == R_SUM) store<f64>(pout, rowSum(true, false, px, n));
  else if (op == R_SUMSQUARES) store<f64>(pout, rowSum(true, true, px, n));
  else if (op == R_MAX) store<f64>(pout, rowExtreme(true, true, px, n));
  else store<f64>(pout, rowExtreme(true, false, px, n));
}
