// Unary kernels (neg, exp, log, log1p, sqrt, abs, sign, tanh, sigmoid, relu, softplus) over contiguous float32
// and float64; one loop per op code, specialised at compile time, so the inner loop carries no dispatch.
import {
  at, lane0, lanes, lds, splatv, sts,
  U_ABS, U_EXP, U_LOG, U_LOG1P, U_NEG, U_RELU, U_SIGMOID, U_SIGN, U_SOFTPLUS, U_SQRT, U_TANH,
} from "./lib/ew-common";
import { dmath } from "./lib/ew-math";

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
