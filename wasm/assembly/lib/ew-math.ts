// Transcendentals in float64 lanes (f64x2) for the unary kernels (ew-unary.ts), for both dtypes: float32 is
// promoted and demoted, which keeps float32 results within an ulp or so of the reference's Math functions.
import { U_EXP, U_LOG, U_LOG1P, U_SIGMOID, U_TANH } from "./ew-common";

const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const SQRT2: f64 = 1.4142135623730951;

@inline function dsplat(x: f64): v128 {
  return f64x2.splat(x);
}
/** c0 + c1·r as one f64x2 step. */
@inline function lin(c0: f64, c1: f64, r: v128): v128 {
  return f64x2.add(dsplat(c0), f64x2.mul(dsplat(c1), r));
}
/**
 * e^r − 1 for |r| ≤ ln2/2: r + r²·Σ r^j/(j+2)!, to r^11 (full: truncation 7e-15 relative) or r^7 (float32:
 * 6e-9), evaluated by Estrin's scheme so the two lanes' dependency chains stay short.
 */
@inline function expm1Poly(r: v128, full: bool): v128 {
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const p03 = f64x2.add(lin(1.0 / 2.0, 1.0 / 6.0, r), f64x2.mul(r2, lin(1.0 / 24.0, 1.0 / 120.0, r)));
  let p: v128;
  if (full) {
    const p47 = f64x2.add(lin(1.0 / 720.0, 1.0 / 5040.0, r), f64x2.mul(r2, lin(1.0 / 40320.0, 1.0 / 362880.0, r)));
    const p89 = lin(1.0 / 3628800.0, 1.0 / 39916800.0, r);
    p = f64x2.add(f64x2.add(p03, f64x2.mul(r4, p47)), f64x2.mul(f64x2.mul(r4, r4), p89));
  } else {
    p = f64x2.add(p03, f64x2.mul(r4, lin(1.0 / 720.0, 1.0 / 5040.0, r)));
  }
  return f64x2.add(r, f64x2.mul(r2, p));
}
/**
 * 2^k for integral f64 lanes k (−1022 ≤ k ≤ 1023): k + 1.5·2^52 holds k in its low mantissa bits, so adding
 * the bias there and shifting the low 12 bits up to the exponent field gives 2^k.
 */
@inline function pow2(k: v128): v128 {
  return i64x2.shl(i64x2.add(f64x2.add(k, dsplat(6755399441055744.0)), i64x2.splat(1023)), 52);
}
@inline function dexp(x: v128, full: bool): v128 {
  // Clamp (pmax/pmin let NaN through): below −746 the result is 0, above 710 it is +Infinity.
  x = f64x2.pmin(f64x2.pmax(x, dsplat(-746.0)), dsplat(710.0));
  const k = f64x2.nearest(f64x2.mul(x, dsplat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, dsplat(LN2_HI))), f64x2.mul(k, dsplat(LN2_LO)));
  const p = f64x2.add(expm1Poly(r, full), dsplat(1.0));
  // Scale by 2^k in two steps so that subnormal results and the overflow edge come out right.
  const k1 = f64x2.floor(f64x2.mul(k, dsplat(0.5)));
  return f64x2.mul(f64x2.mul(p, pow2(k1)), pow2(f64x2.sub(k, k1)));
}
/** e^y − 1 for y ≤ 40 (used by tanh with y = 2|x|), accurate near 0. */
@inline function dexpm1(y: v128, full: bool): v128 {
  const k = f64x2.nearest(f64x2.mul(y, dsplat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(k, dsplat(LN2_HI))), f64x2.mul(k, dsplat(LN2_LO)));
  const q = expm1Poly(r, full);
  const s = pow2(k);
  return f64x2.add(f64x2.mul(s, q), f64x2.sub(s, dsplat(1.0)));
}
/** Natural log (fdlibm's reduction and polynomial); log(0) = −Infinity, log(x < 0) = NaN. */
@inline function dlog(x: v128): v128 {
  const tiny = f64x2.lt(x, dsplat(2.2250738585072014e-308));
  const xs = v128.bitselect(f64x2.mul(x, dsplat(18014398509481984.0)), x, tiny);
  let e = i64x2.sub(i64x2.shr_u(xs, 52), i64x2.splat(1023));
  let m = v128.or(v128.and(xs, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const big = f64x2.gt(m, dsplat(SQRT2));
  m = v128.bitselect(f64x2.mul(m, dsplat(0.5)), m, big);
  e = i64x2.sub(e, big);
  e = i64x2.sub(e, v128.and(tiny, i64x2.splat(54)));
  const k = f64x2.convert_low_i32x4_s(i32x4.shuffle(e, e, 0, 2, 0, 2));
  const f = f64x2.sub(m, dsplat(1.0));
  const s = f64x2.div(f, f64x2.add(f, dsplat(2.0)));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(
    w,
    f64x2.add(
      dsplat(3.999999999940941908e-1),
      f64x2.mul(w, f64x2.add(dsplat(2.222219843214978396e-1), f64x2.mul(w, dsplat(1.531383769920937332e-1)))),
    ),
  );
  const t2 = f64x2.mul(
    z,
    f64x2.add(
      dsplat(6.666666666666735130e-1),
      f64x2.mul(
        w,
        f64x2.add(
          dsplat(2.857142874366239149e-1),
          f64x2.mul(w, f64x2.add(dsplat(1.818357216161805012e-1), f64x2.mul(w, dsplat(1.479819860511658591e-1)))),
        ),
      ),
    ),
  );
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(f, f), dsplat(0.5));
  let out = f64x2.sub(
    f64x2.mul(k, dsplat(LN2_HI)),
    f64x2.sub(
      f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(k, dsplat(LN2_LO)))),
      f,
    ),
  );
  out = v128.bitselect(dsplat(-Infinity), out, f64x2.eq(x, dsplat(0.0)));
  out = v128.bitselect(dsplat(NaN), out, f64x2.lt(x, dsplat(0.0)));
  return v128.bitselect(x, out, v128.or(f64x2.eq(x, dsplat(Infinity)), f64x2.ne(x, x)));
}
/** log(1 + x) by Goldberg's trick: log(u)·x/(u − 1) with u = 1 + x, x itself where u rounds to 1. */
@inline function dlog1p(x: v128): v128 {
  const u = f64x2.add(x, dsplat(1.0));
  const r = f64x2.div(f64x2.mul(dlog(u), x), f64x2.sub(u, dsplat(1.0)));
  return v128.bitselect(x, r, v128.or(f64x2.eq(u, dsplat(1.0)), f64x2.eq(x, dsplat(Infinity))));
}
@inline function dtanh(x: v128, full: bool): v128 {
  const ax = f64x2.pmin(f64x2.abs(x), dsplat(20.0));
  const e = dexpm1(f64x2.add(ax, ax), full);
  const t = f64x2.div(e, f64x2.add(e, dsplat(2.0)));
  return v128.or(t, v128.and(x, f64x2.splat(-0.0)));
}
/** The reference's 1/(1 + e^−x) for x ≥ 0 and e^x/(1 + e^x) below. */
@inline function dsigmoid(x: v128, full: bool): v128 {
  const e = dexp(f64x2.neg(f64x2.abs(x)), full);
  const num = v128.bitselect(dsplat(1.0), e, f64x2.ge(x, dsplat(0.0)));
  return f64x2.div(num, f64x2.add(e, dsplat(1.0)));
}
/** max(x, 0) + log1p(e^−|x|): the reference's two branches in one. */
@inline function dsoftplus(x: v128, full: bool): v128 {
  return f64x2.add(f64x2.max(x, dsplat(0.0)), dlog1p(dexp(f64x2.neg(f64x2.abs(x)), full)));
}
@inline export function dmath(op: i32, x: v128, full: bool): v128 {
  if (op == U_EXP) return dexp(x, full);
  if (op == U_LOG) return dlog(x);
  if (op == U_LOG1P) return dlog1p(x);
  if (op == U_TANH) return dtanh(x, full);
  if (op == U_SIGMOID) return dsigmoid(x, full);
  return dsoftplus(x, full);
}
