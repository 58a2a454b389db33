// Elementwise, reduction, cast and copy kernels of the wasm backend, for float32 and float64.
// Every kernel takes raw byte addresses and element counts/strides and touches only the elements it is given
// (tails are done lane by lane, never with a whole-vector load past the end). One template per family,
// specialised at compile time on the dtype (F64) and the op code; the exported wrappers switch on the code
// once per call, so the inner loops carry no per-element dispatch. Codes must match ops-elementwise.ts.
// Transcendentals run in float64 lanes for both dtypes (float32 is promoted and demoted), which keeps
// float32 results within an ulp or so of the reference's Math functions rounded to float32.

// ---------------------------------------------------------------------------------------------- op codes
const U_NEG = 0;
const U_EXP = 1;
const U_LOG = 2;
const U_LOG1P = 3;
const U_SQRT = 4;
const U_ABS = 5;
const U_SIGN = 6;
const U_TANH = 7;
const U_SIGMOID = 8;
const U_RELU = 9;
const U_SOFTPLUS = 10;

const B_ADD = 0;
const B_SUB = 1;
const B_MUL = 2;
const B_DIV = 3;
const B_MAX = 4;
const B_MIN = 5;

const C_EQ = 0;
const C_NE = 1;
const C_LT = 2;
const C_LE = 3;
const C_GT = 4;
const C_GE = 5;

const R_SUM = 0;
const R_MAX = 1;
const R_MIN = 2;
const R_ARGMAX = 3;
const R_ARGMIN = 4;

// ------------------------------------------------------------------------------------ dtype-generic helpers
@inline function lanes(F64: bool): i32 {
  return F64 ? 2 : 4;
}
@inline function shiftOf(F64: bool): usize {
  return F64 ? 3 : 2;
}
/** Byte address of element i (i may be negative) from p. */
@inline function at(F64: bool, p: usize, i: i32): usize {
  return p + (<usize>i << shiftOf(F64));
}
@inline function lds(F64: bool, p: usize): f64 {
  return F64 ? load<f64>(p) : <f64>load<f32>(p);
}
@inline function sts(F64: bool, p: usize, v: f64): void {
  if (F64) store<f64>(p, v);
  else store<f32>(p, <f32>v);
}
@inline function splatv(F64: bool, v: f64): v128 {
  return F64 ? f64x2.splat(v) : f32x4.splat(<f32>v);
}
@inline function lane0(F64: bool, v: v128): f64 {
  return F64 ? f64x2.extract_lane(v, 0) : <f64>f32x4.extract_lane(v, 0);
}
@inline function vadd(F64: bool, x: v128, y: v128): v128 {
  return F64 ? f64x2.add(x, y) : f32x4.add(x, y);
}
@inline function vmax(F64: bool, x: v128, y: v128): v128 {
  return F64 ? f64x2.max(x, y) : f32x4.max(x, y);
}
@inline function vmin(F64: bool, x: v128, y: v128): v128 {
  return F64 ? f64x2.min(x, y) : f32x4.min(x, y);
}
/** Lane masks (all ones / zero) to one 0/1 byte per lane, packed into the low bytes of an i32. */
@inline function maskBytes(F64: bool, m: v128): i32 {
  const one = i8x16.splat(1);
  if (F64) return i32x4.extract_lane(v128.and(i8x16.shuffle(m, m, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8), one), 0);
  return i32x4.extract_lane(v128.and(i8x16.shuffle(m, m, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12), one), 0);
}
@inline function storeMask(F64: bool, p: usize, m: v128): void {
  if (F64) store<u16>(p, <u16>maskBytes(true, m));
  else store<u32>(p, <u32>maskBytes(false, m));
}
/** Lane masks from `lanes` consecutive bool bytes at p (nonzero = true). */
@inline function loadMask(F64: bool, p: usize): v128 {
  if (F64) {
    const v = i64x2.replace_lane(i64x2.splat(<i64>load<u8>(p)), 1, <i64>load<u8>(p, 1));
    return v128.not(i64x2.eq(v, i64x2.splat(0)));
  }
  const w = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
  return v128.not(i32x4.eq(w, i32x4.splat(0)));
}
@inline function splatMask(F64: bool, c: bool): v128 {
  return F64 ? i64x2.splat(c ? -1 : 0) : i32x4.splat(c ? -1 : 0);
}

// ------------------------------------------------------------------------------- float64-lane math (f64x2)
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
@inline function dmath(op: i32, x: v128, full: bool): v128 {
  if (op == U_EXP) return dexp(x, full);
  if (op == U_LOG) return dlog(x);
  if (op == U_LOG1P) return dlog1p(x);
  if (op == U_TANH) return dtanh(x, full);
  if (op == U_SIGMOID) return dsigmoid(x, full);
  return dsoftplus(x, full);
}

// -------------------------------------------------------------------------------------------------- unary
@inline function vunary(F64: bool, op: i32, v: v128): v128 {
  if (op == U_NEG) return F64 ? f64x2.neg(v) : f32x4.neg(v);
  if (op == U_ABS) return F64 ? f64x2.abs(v) : f32x4.abs(v);
  if (op == U_SQRT) return F64 ? f64x2.sqrt(v) : f32x4.sqrt(v);
  if (op == U_RELU) {
    // Math.max(0, x): x above 0 or NaN, else +0 (a mask, cheaper than the NaN-propagating max in V8).
    if (F64) return v128.and(v, v128.or(f64x2.gt(v, f64x2.splat(0)), f64x2.ne(v, v)));
    return v128.and(v, v128.or(f32x4.gt(v, f32x4.splat(0)), f32x4.ne(v, v)));
  }
  if (op == U_SIGN) {
    // 1 above 0, −1 below, +0 for ±0, NaN stays NaN.
    if (F64) {
      const s = v128.or(v128.and(v, f64x2.splat(-0.0)), f64x2.splat(1.0));
      const nz = v128.not(f64x2.eq(v, f64x2.splat(0)));
      return v128.bitselect(v, v128.and(s, nz), f64x2.ne(v, v));
    }
    const s = v128.or(v128.and(v, f32x4.splat(-0.0)), f32x4.splat(1.0));
    const nz = v128.not(f32x4.eq(v, f32x4.splat(0)));
    return v128.bitselect(v, v128.and(s, nz), f32x4.ne(v, v));
  }
  if (F64) return dmath(op, v, true);
  const lo = dmath(op, f64x2.promote_low_f32x4(v), false);
  const hi = dmath(op, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), false);
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
@inline function unaryLoop(F64: bool, op: i32, n: i32, px: usize, po: usize): void {
  const L = lanes(F64);
  let i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const p = at(F64, 0, i);
    const a = v128.load(px + p);
    const b = v128.load(px + p, 16);
    v128.store(po + p, vunary(F64, op, a));
    v128.store(po + p, vunary(F64, op, b), 16);
  }
  for (; i < n; i++) {
    const v = vunary(F64, op, splatv(F64, lds(F64, at(F64, px, i))));
    sts(F64, at(F64, po, i), lane0(F64, v));
  }
}
@inline function unaryAny(F64: bool, op: i32, n: i32, px: usize, po: usize): void {
  switch (op) {
    case U_NEG: unaryLoop(F64, U_NEG, n, px, po); break;
    case U_EXP: unaryLoop(F64, U_EXP, n, px, po); break;
    case U_LOG: unaryLoop(F64, U_LOG, n, px, po); break;
    case U_LOG1P: unaryLoop(F64, U_LOG1P, n, px, po); break;
    case U_SQRT: unaryLoop(F64, U_SQRT, n, px, po); break;
    case U_ABS: unaryLoop(F64, U_ABS, n, px, po); break;
    case U_SIGN: unaryLoop(F64, U_SIGN, n, px, po); break;
    case U_TANH: unaryLoop(F64, U_TANH, n, px, po); break;
    case U_SIGMOID: unaryLoop(F64, U_SIGMOID, n, px, po); break;
    case U_RELU: unaryLoop(F64, U_RELU, n, px, po); break;
    case U_SOFTPLUS: unaryLoop(F64, U_SOFTPLUS, n, px, po); break;
    default: break;
  }
}
/** out[i] = op(x[i]) for i < n (contiguous float32); out may be x. */
export function ew_unary_f32(op: i32, n: i32, px: usize, po: usize): void {
  unaryAny(false, op, n, px, po);
}
export function ew_unary_f64(op: i32, n: i32, px: usize, po: usize): void {
  unaryAny(true, op, n, px, po);
}

// ------------------------------------------------------------------------------------------------- binary
@inline function vbinary(F64: bool, op: i32, x: v128, y: v128): v128 {
  if (op == B_ADD) return F64 ? f64x2.add(x, y) : f32x4.add(x, y);
  if (op == B_SUB) return F64 ? f64x2.sub(x, y) : f32x4.sub(x, y);
  if (op == B_MUL) return F64 ? f64x2.mul(x, y) : f32x4.mul(x, y);
  if (op == B_DIV) return F64 ? f64x2.div(x, y) : f32x4.div(x, y);
  // The reference's a > b || isNaN(a) ? a : b (and < for minimum), signed zeros included.
  const nan = F64 ? f64x2.ne(x, x) : f32x4.ne(x, x);
  if (op == B_MAX) return v128.bitselect(x, y, v128.or(F64 ? f64x2.gt(x, y) : f32x4.gt(x, y), nan));
  return v128.bitselect(x, y, v128.or(F64 ? f64x2.lt(x, y) : f32x4.lt(x, y), nan));
}
@inline function sbinary(op: i32, x: f64, y: f64): f64 {
  if (op == B_ADD) return x + y;
  if (op == B_SUB) return x - y;
  if (op == B_MUL) return x * y;
  if (op == B_DIV) return x / y;
  if (op == B_MAX) return x > y || x != x ? x : y;
  return x < y || x != x ? x : y;
}
@inline function vcompare(F64: bool, op: i32, x: v128, y: v128): v128 {
  if (op == C_EQ) return F64 ? f64x2.eq(x, y) : f32x4.eq(x, y);
  if (op == C_NE) return F64 ? f64x2.ne(x, y) : f32x4.ne(x, y);
  if (op == C_LT) return F64 ? f64x2.lt(x, y) : f32x4.lt(x, y);
  if (op == C_LE) return F64 ? f64x2.le(x, y) : f32x4.le(x, y);
  if (op == C_GT) return F64 ? f64x2.gt(x, y) : f32x4.gt(x, y);
  return F64 ? f64x2.ge(x, y) : f32x4.ge(x, y);
}
@inline function scompare(op: i32, x: f64, y: f64): bool {
  if (op == C_EQ) return x == y;
  if (op == C_NE) return x != y;
  if (op == C_LT) return x < y;
  if (op == C_LE) return x <= y;
  if (op == C_GT) return x > y;
  return x >= y;
}

/**
 * One slab: rows × n elements, out[r·so + i] = op(a[r·soa + i·sia], b[r·sob + i·sib]).
 * ma/mb: 1 = the operand steps by 1 along a row, 0 = it is one value per row, 2 = any other stride.
 * CMP: comparison with 0/1 byte output. Each element is read before it is written, so out may alias a or b.
 */
@inline function binarySlab(
  F64: bool, CMP: bool, op: i32, ma: i32, mb: i32, rows: i32, n: i32,
  pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32,
): void {
  const L = lanes(F64);
  for (let r = 0; r < rows; r++) {
    const a = at(F64, pa, r * soa);
    const b = at(F64, pb, r * sob);
    const o = CMP ? po + <usize>(r * soo) : at(F64, po, r * soo);
    let i = 0;
    if (ma != 2 && mb != 2) {
      const va = ma == 0 ? splatv(F64, lds(F64, a)) : v128.splat<i32>(0);
      const vb = mb == 0 ? splatv(F64, lds(F64, b)) : v128.splat<i32>(0);
      for (; i + L <= n; i += L) {
        const p = at(F64, 0, i);
        const x = ma == 1 ? v128.load(a + p) : va;
        const y = mb == 1 ? v128.load(b + p) : vb;
        if (CMP) storeMask(F64, o + <usize>i, vcompare(F64, op, x, y));
        else v128.store(o + p, vbinary(F64, op, x, y));
      }
    }
    for (; i < n; i++) {
      const x = lds(F64, at(F64, a, i * sia));
      const y = lds(F64, at(F64, b, i * sib));
      if (CMP) store<u8>(o + <usize>i, scompare(op, x, y) ? 1 : 0);
      else sts(F64, at(F64, o, i), sbinary(op, x, y));
    }
  }
}
@inline function binaryModes(
  F64: bool, CMP: bool, op: i32, rows: i32, n: i32,
  pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32,
): void {
  if (sia == 1 && sib == 1) binarySlab(F64, CMP, op, 1, 1, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
  else if (sia == 1 && sib == 0) binarySlab(F64, CMP, op, 1, 0, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
  else if (sia == 0 && sib == 1) binarySlab(F64, CMP, op, 0, 1, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
  else binarySlab(F64, CMP, op, 2, 2, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
}
@inline function binaryAny(
  F64: bool, CMP: bool, op: i32, rows: i32, n: i32,
  pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32,
): void {
  // The op codes of the arithmetic and the comparison families run 0..5 alike.
  switch (op) {
    case 0: binaryModes(F64, CMP, 0, rows, n, pa, soa, sia, pb, sob, sib, po, soo); break;
    case 1: binaryModes(F64, CMP, 1, rows, n, pa, soa, sia, pb, sob, sib, po, soo); break;
    case 2: binaryModes(F64, CMP, 2, rows, n, pa, soa, sia, pb, sob, sib, po, soo); break;
    case 3: binaryModes(F64, CMP, 3, rows, n, pa, soa, sia, pb, sob, sib, po, soo); break;
    case 4: binaryModes(F64, CMP, 4, rows, n, pa, soa, sia, pb, sob, sib, po, soo); break;
    case 5: binaryModes(F64, CMP, 5, rows, n, pa, soa, sia, pb, sob, sib, po, soo); break;
    default: break;
  }
}
/** Strides in elements; out's inner stride is 1 (soi is ignored). */
export function ew_binary_f32(
  op: i32, rows: i32, n: i32, pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32, _soi: i32,
): void {
  binaryAny(false, false, op, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
}
export function ew_binary_f64(
  op: i32, rows: i32, n: i32, pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32, _soi: i32,
): void {
  binaryAny(true, false, op, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
}
/** Comparisons into a bool (one byte per element) output. */
export function ew_compare_f32(
  op: i32, rows: i32, n: i32, pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32, _soi: i32,
): void {
  binaryAny(false, true, op, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
}
export function ew_compare_f64(
  op: i32, rows: i32, n: i32, pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32, _soi: i32,
): void {
  binaryAny(true, true, op, rows, n, pa, soa, sia, pb, sob, sib, po, soo);
}

// -------------------------------------------------------------------------------------------------- where
@inline function whereSlab(
  F64: bool, mc: i32, ma: i32, mb: i32, rows: i32, n: i32,
  pc: usize, soc: i32, sic: i32, pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32,
): void {
  const L = lanes(F64);
  for (let r = 0; r < rows; r++) {
    const c = pc + <usize>(r * soc);
    const a = at(F64, pa, r * soa);
    const b = at(F64, pb, r * sob);
    const o = at(F64, po, r * soo);
    let i = 0;
    if (mc != 2) {
      const vc = mc == 0 ? splatMask(F64, load<u8>(c) != 0) : v128.splat<i32>(0);
      const va = ma == 0 ? splatv(F64, lds(F64, a)) : v128.splat<i32>(0);
      const vb = mb == 0 ? splatv(F64, lds(F64, b)) : v128.splat<i32>(0);
      for (; i + L <= n; i += L) {
        const p = at(F64, 0, i);
        const m = mc == 1 ? loadMask(F64, c + <usize>i) : vc;
        const x = ma == 1 ? v128.load(a + p) : va;
        const y = mb == 1 ? v128.load(b + p) : vb;
        v128.store(o + p, v128.bitselect(x, y, m));
      }
    }
    for (; i < n; i++) {
      const take = load<u8>(c + <usize>(i * sic)) != 0;
      sts(F64, at(F64, o, i), lds(F64, take ? at(F64, a, i * sia) : at(F64, b, i * sib)));
    }
  }
}
@inline function whereAny(
  F64: bool, rows: i32, n: i32,
  pc: usize, soc: i32, sic: i32, pa: usize, soa: i32, sia: i32, pb: usize, sob: i32, sib: i32, po: usize, soo: i32,
): void {
  const mc = sic == 1 ? 1 : sic == 0 ? 0 : 2;
  const ma = sia == 1 ? 1 : sia == 0 ? 0 : 2;
  const mb = sib == 1 ? 1 : sib == 0 ? 0 : 2;
  if (mc == 2 || ma == 2 || mb == 2) whereSlab(F64, 2, 2, 2, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
  else if (mc == 1 && ma == 1 && mb == 1) whereSlab(F64, 1, 1, 1, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
  else if (mc == 1 && ma == 1 && mb == 0) whereSlab(F64, 1, 1, 0, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
  else if (mc == 1 && ma == 0 && mb == 1) whereSlab(F64, 1, 0, 1, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
  else if (mc == 1 && ma == 0 && mb == 0) whereSlab(F64, 1, 0, 0, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
  else if (ma == 1 && mb == 1) whereSlab(F64, 0, 1, 1, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
  else whereSlab(F64, 2, 2, 2, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
}
/** out = c ? a : b over one slab; c is bool (byte strides = element strides), out's inner stride is 1. */
export function ew_where_f32(
  rows: i32, n: i32, pc: usize, soc: i32, sic: i32, pa: usize, soa: i32, sia: i32,
  pb: usize, sob: i32, sib: i32, po: usize, soo: i32, _soi: i32,
): void {
  whereAny(false, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
}
export function ew_where_f64(
  rows: i32, n: i32, pc: usize, soc: i32, sic: i32, pa: usize, soa: i32, sia: i32,
  pb: usize, sob: i32, sib: i32, po: usize, soo: i32, _soi: i32,
): void {
  whereAny(true, rows, n, pc, soc, sic, pa, soa, sia, pb, sob, sib, po, soo);
}

// --------------------------------------------------------------------------------------------------- copy
@inline function copyOne(W: i32, from: usize, to: usize): void {
  if (W == 1) store<u8>(to, load<u8>(from));
  else if (W == 4) store<u32>(to, load<u32>(from));
  else store<u64>(to, load<u64>(from));
}
@inline function copySlab(
  W: i32, rows: i32, n: i32, ps: usize, sos: i32, sis: i32, pd: usize, sod: i32, sid: i32,
): void {
  if (sis != 1 && sis != 0 && rows >= 16 && n >= 16) {
    // Strided reads along rows (a transpose): 16×16 tiles, so both sides stay within a few cache lines.
    for (let r0 = 0; r0 < rows; r0 += 16) {
      const r1 = min(rows, r0 + 16);
      for (let i0 = 0; i0 < n; i0 += 16) {
        const i1 = min(n, i0 + 16);
        for (let i = i0; i < i1; i++) {
          for (let r = r0; r < r1; r++) {
            copyOne(W, ps + <usize>(r * sos + i * sis) * <usize>W, pd + <usize>(r * sod + i * sid) * <usize>W);
          }
        }
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = ps + <usize>(r * sos) * <usize>W;
    const d = pd + <usize>(r * sod) * <usize>W;
    if (sis == 1 && sid == 1) {
      memory.copy(d, s, <usize>(n * W));
    } else if (sis == 0 && sid == 1) {
      if (W == 1) memory.fill(d, load<u8>(s), <usize>n);
      else if (W == 4) {
        const v = load<u32>(s);
        const vv = i32x4.splat(v);
        let i = 0;
        for (; i + 4 <= n; i += 4) v128.store(d + <usize>(i << 2), vv);
        for (; i < n; i++) store<u32>(d + <usize>(i << 2), v);
      } else {
        const v = load<u64>(s);
        const vv = i64x2.splat(v);
        let i = 0;
        for (; i + 2 <= n; i += 2) v128.store(d + <usize>(i << 3), vv);
        for (; i < n; i++) store<u64>(d + <usize>(i << 3), v);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const from = s + <usize>(i * sis) * <usize>W;
        const to = d + <usize>(i * sid) * <usize>W;
        if (W == 1) store<u8>(to, load<u8>(from));
        else if (W == 4) store<u32>(to, load<u32>(from));
        else store<u64>(to, load<u64>(from));
      }
    }
  }
}
/** Copies one slab of `width`-byte elements between strided views (element strides). */
export function ew_copy(
  width: i32, rows: i32, n: i32, ps: usize, sos: i32, sis: i32, pd: usize, sod: i32, sid: i32,
): void {
  if (width == 4) copySlab(4, rows, n, ps, sos, sis, pd, sod, sid);
  else if (width == 8) copySlab(8, rows, n, ps, sos, sis, pd, sod, sid);
  else if (width == 1) copySlab(1, rows, n, ps, sos, sis, pd, sod, sid);
}
/** memmove of `bytes` bytes. */
export function ew_memcpy(pd: usize, ps: usize, bytes: usize): void {
  memory.copy(pd, ps, bytes);
}

// --------------------------------------------------------------------------------------------------- cast
const K_F32_F64 = 0;
const K_F64_F32 = 1;
const K_BOOL_F32 = 2;
const K_BOOL_F64 = 3;
const K_I32_F32 = 4;
const K_I32_F64 = 5;
const K_F32_BOOL = 6;
const K_F64_BOOL = 7;
const K_F32_I32 = 8;
const K_F64_I32 = 9;
const K_I32_BOOL = 10;
const K_BOOL_I32 = 11;
const K_BOOL_BOOL = 12;

/** JavaScript's ToInt32 of trunc(x), as an Int32Array store does: modulo 2^32, NaN and ±Infinity to 0. */
@inline function toInt32(x: f64): i32 {
  if (abs<f64>(x) < 2147483648.0) return <i32>x;
  if (!isFinite<f64>(x)) return 0;
  const t = trunc<f64>(x);
  const m = t - floor<f64>(t / 4294967296.0) * 4294967296.0;
  return <i32>(<u32>m);
}
/** One byte per element from four i32 lanes (low byte of each). */
@inline function lowBytes(v: v128): u32 {
  return <u32>i32x4.extract_lane(i8x16.shuffle(v, v, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12), 0);
}
@inline function bytesToI32(p: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
}
export function ew_cast(kind: i32, n: i32, px: usize, po: usize): void {
  let i = 0;
  switch (kind) {
    case K_F32_F64: {
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(px + (<usize>i << 2));
        v128.store(po + (<usize>i << 3), f64x2.promote_low_f32x4(v));
        v128.store(po + (<usize>i << 3), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), 16);
      }
      for (; i < n; i++) store<f64>(po + (<usize>i << 3), <f64>load<f32>(px + (<usize>i << 2)));
      break;
    }
    case K_F64_F32: {
      for (; i + 4 <= n; i += 4) {
        const lo = f32x4.demote_f64x2_zero(v128.load(px + (<usize>i << 3)));
        const hi = f32x4.demote_f64x2_zero(v128.load(px + (<usize>i << 3), 16));
        v128.store(po + (<usize>i << 2), i32x4.shuffle(lo, hi, 0, 1, 4, 5));
      }
      for (; i < n; i++) store<f32>(po + (<usize>i << 2), <f32>load<f64>(px + (<usize>i << 3)));
      break;
    }
    case K_BOOL_F32: {
      for (; i + 4 <= n; i += 4) {
        const w = v128.not(i32x4.eq(bytesToI32(px + <usize>i), i32x4.splat(0)));
        v128.store(po + (<usize>i << 2), v128.and(w, f32x4.splat(1.0)));
      }
      for (; i < n; i++) store<f32>(po + (<usize>i << 2), load<u8>(px + <usize>i) != 0 ? 1.0 : 0.0);
      break;
    }
    case K_BOOL_F64: {
      for (; i < n; i++) store<f64>(po + (<usize>i << 3), load<u8>(px + <usize>i) != 0 ? 1.0 : 0.0);
      break;
    }
    case K_I32_F32: {
      for (; i + 4 <= n; i += 4) {
        v128.store(po + (<usize>i << 2), f32x4.convert_i32x4_s(v128.load(px + (<usize>i << 2))));
      }
      for (; i < n; i++) store<f32>(po + (<usize>i << 2), <f32>load<i32>(px + (<usize>i << 2)));
      break;
    }
    case K_I32_F64: {
      for (; i + 2 <= n; i += 2) {
        v128.store(po + (<usize>i << 3), f64x2.convert_low_i32x4_s(v128.load64_zero(px + (<usize>i << 2))));
      }
      for (; i < n; i++) store<f64>(po + (<usize>i << 3), <f64>load<i32>(px + (<usize>i << 2)));
      break;
    }
    case K_F32_BOOL: {
      for (; i + 4 <= n; i += 4) {
        const m = v128.not(f32x4.eq(v128.load(px + (<usize>i << 2)), f32x4.splat(0)));
        store<u32>(po + <usize>i, lowBytes(v128.and(m, i32x4.splat(1))));
      }
      for (; i < n; i++) store<u8>(po + <usize>i, load<f32>(px + (<usize>i << 2)) != 0 ? 1 : 0);
      break;
    }
    case K_F64_BOOL: {
      for (; i < n; i++) store<u8>(po + <usize>i, load<f64>(px + (<usize>i << 3)) != 0 ? 1 : 0);
      break;
    }
    case K_F32_I32: {
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(px + (<usize>i << 2));
        if (i32x4.all_true(f32x4.lt(f32x4.abs(v), f32x4.splat(2147483648.0)))) {
          v128.store(po + (<usize>i << 2), i32x4.trunc_sat_f32x4_s(v));
        } else {
          for (let j = 0; j < 4; j++) {
            store<i32>(po + (<usize>(i + j) << 2), toInt32(<f64>load<f32>(px + (<usize>(i + j) << 2))));
          }
        }
      }
      for (; i < n; i++) store<i32>(po + (<usize>i << 2), toInt32(<f64>load<f32>(px + (<usize>i << 2))));
      break;
    }
    case K_F64_I32: {
      for (; i < n; i++) store<i32>(po + (<usize>i << 2), toInt32(load<f64>(px + (<usize>i << 3))));
      break;
    }
    case K_I32_BOOL: {
      for (; i + 4 <= n; i += 4) {
        const m = v128.not(i32x4.eq(v128.load(px + (<usize>i << 2)), i32x4.splat(0)));
        store<u32>(po + <usize>i, lowBytes(v128.and(m, i32x4.splat(1))));
      }
      for (; i < n; i++) store<u8>(po + <usize>i, load<i32>(px + (<usize>i << 2)) != 0 ? 1 : 0);
      break;
    }
    case K_BOOL_I32: {
      for (; i + 4 <= n; i += 4) {
        const w = v128.not(i32x4.eq(bytesToI32(px + <usize>i), i32x4.splat(0)));
        v128.store(po + (<usize>i << 2), v128.and(w, i32x4.splat(1)));
      }
      for (; i < n; i++) store<i32>(po + (<usize>i << 2), load<u8>(px + <usize>i) != 0 ? 1 : 0);
      break;
    }
    case K_BOOL_BOOL: {
      for (; i < n; i++) store<u8>(po + <usize>i, load<u8>(px + <usize>i) != 0 ? 1 : 0);
      break;
    }
    default:
      break;
  }
}

// ------------------------------------------------------------------------------------------------- reduce
// The input is [outer, r, inner] with rows of `ld` elements: x[o, k, j] at ((o·r + k)·ld + j), j < inner ≤ ld;
// out[o, j] at (o·ld + j). sum accumulates in float64 lanes for both dtypes; max/min propagate NaN.

/** Sum of n contiguous elements, in float64 (eight partial sums). */
@inline function rowSum(F64: bool, p: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let i = 0;
  if (F64) {
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 3);
      a0 = f64x2.add(a0, v128.load(q));
      a1 = f64x2.add(a1, v128.load(q, 16));
      a2 = f64x2.add(a2, v128.load(q, 32));
      a3 = f64x2.add(a3, v128.load(q, 48));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      const u = v128.load(q);
      const v = v128.load(q, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(u));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i32x4.shuffle(u, u, 2, 3, 2, 3)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)));
    }
  }
  const t = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; i < n; i++) s += lds(F64, at(F64, p, i));
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
/** Column block of B lanes-vectors: acc over k of x[k, j..j+B·L), for j in the block; float64 sums. */
@inline function colSums(F64: bool, p: usize, r: i32, ld: i32, po: usize): void {
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
      a0 = f64x2.add(a0, v128.load(q));
      a1 = f64x2.add(a1, v128.load(q, 16));
      a2 = f64x2.add(a2, v128.load(q, 32));
      a3 = f64x2.add(a3, v128.load(q, 48));
    } else {
      const u0 = v128.load(q);
      const u1 = v128.load(q, 16);
      const u2 = v128.load(q, 32);
      const u3 = v128.load(q, 48);
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
      if (op == R_SUM) sts(F64, at(F64, po, o * ld), rowSum(F64, xo, r));
      else if (op == R_MAX) sts(F64, at(F64, po, o * ld), rowExtreme(F64, true, xo, r));
      else if (op == R_MIN) sts(F64, at(F64, po, o * ld), rowExtreme(F64, false, xo, r));
      else if (op == R_ARGMAX) store<i32>(po + (<usize>(o * ld) << 2), rowArg(F64, true, xo, r));
      else store<i32>(po + (<usize>(o * ld) << 2), rowArg(F64, false, xo, r));
      continue;
    }
    let j = 0;
    if (op == R_SUM) {
      const B = F64 ? 8 : 16;
      for (; j + B <= inner; j += B) colSums(F64, at(F64, xo, j), r, ld, at(F64, po, o * ld + j));
      for (; j < inner; j++) {
        let s: f64 = 0;
        for (let k = 0; k < r; k++) s += lds(F64, at(F64, xo, k * ld + j));
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
    case R_MAX: reduceAny(true, R_MAX, outer, r, inner, ld, px, po); break;
    case R_MIN: reduceAny(true, R_MIN, outer, r, inner, ld, px, po); break;
    case R_ARGMAX: reduceAny(true, R_ARGMAX, outer, r, inner, ld, px, po); break;
    case R_ARGMIN: reduceAny(true, R_ARGMIN, outer, r, inner, ld, px, po); break;
    default: break;
  }
}
/** sum/max/min of n contiguous elements as one float64 at pout: a thread's share of a whole-buffer reduction. */
export function ew_reduce_part_f32(op: i32, n: i32, px: usize, pout: usize): void {
  if (op == R_SUM) store<f64>(pout, rowSum(false, px, n));
  else if (op == R_MAX) store<f64>(pout, rowExtreme(false, true, px, n));
  else store<f64>(pout, rowExtreme(false, false, px, n));
}
export function ew_reduce_part_f64(op: i32, n: i32, px: usize, pout: usize): void {
  if (op == R_SUM) store<f64>(pout, rowSum(true, px, n));
  else if (op == R_MAX) store<f64>(pout, rowExtreme(true, true, px, n));
  else store<f64>(pout, rowExtreme(true, false, px, n));
}
