// Shared by the elementwise kernels (ew-*.ts): their op codes (the same as src/backend/wasm/ops-common.ts's tables;
// test/backend/wasm-op-codes.test.ts fails on any difference),
// and @inline helpers generic over the dtype (F64: float64, else float32). A folder below wasm/assembly, so not a
// build entry: nothing here becomes a module export.

// Every kernel takes raw byte addresses and element counts/strides and touches only the elements it is given
// (tails are done lane by lane, never with a whole-vector load past the end).

// ---------------------------------------------------------------------------------------------- op codes
export const U_NEG = 0;
export const U_EXP = 1;
export const U_LOG = 2;
export const U_LOG1P = 3;
export const U_SQRT = 4;
export const U_ABS = 5;
export const U_SIGN = 6;
export const U_TANH = 7;
export const U_SIGMOID = 8;
export const U_RELU = 9;
export const U_SOFTPLUS = 10;

export const B_ADD = 0;
export const B_SUB = 1;
export const B_MUL = 2;
export const B_DIV = 3;
export const B_MAX = 4;
export const B_MIN = 5;

export const C_EQ = 0;
export const C_NE = 1;
export const C_LT = 2;
export const C_LE = 3;
export const C_GT = 4;
export const C_GE = 5;

export const R_SUM = 0;
export const R_MAX = 1;
export const R_MIN = 2;
export const R_ARGMAX = 3;
export const R_ARGMIN = 4;
export const R_SUMSQUARES = 5;

// ------------------------------------------------------------------------------------ dtype-generic helpers
@inline export function lanes(F64: bool): i32 {
  return F64 ? 2 : 4;
}
@inline export function shiftOf(F64: bool): usize {
  return F64 ? 3 : 2;
}
/** Byte address of element i (i may be negative) from p. */
@inline export function at(F64: bool, p: usize, i: i32): usize {
  return p + (<usize>i << shiftOf(F64));
}
@inline export function lds(F64: bool, p: usize): f64 {
  return F64 ? load<f64>(p) : <f64>load<f32>(p);
}
@inline export function sts(F64: bool, p: usize, v: f64): void {
  if (F64) store<f64>(p, v);
  else store<f32>(p, <f32>v);
}
@inline export function splatv(F64: bool, v: f64): v128 {
  return F64 ? f64x2.splat(v) : f32x4.splat(<f32>v);
}
@inline export function lane0(F64: bool, v: v128): f64 {
  return F64 ? f64x2.extract_lane(v, 0) : <f64>f32x4.extract_lane(v, 0);
}
@inline export function vadd(F64: bool, x: v128, y: v128): v128 {
  return F64 ? f64x2.add(x, y) : f32x4.add(x, y);
}
@inline export function vmax(F64: bool, x: v128, y: v128): v128 {
  return F64 ? f64x2.max(x, y) : f32x4.max(x, y);
}
@inline export function vmin(F64: bool, x: v128, y: v128): v128 {
  return F64 ? f64x2.min(x, y) : f32x4.min(x, y);
}
/** Lane masks (all ones / zero) to one 0/1 byte per lane, packed into the low bytes of an i32. */
@inline export function maskBytes(F64: bool, m: v128): i32 {
  const one = i8x16.splat(1);
  if (F64) return i32x4.extract_lane(v128.and(i8x16.shuffle(m, m, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8), one), 0);
  return i32x4.extract_lane(v128.and(i8x16.shuffle(m, m, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12), one), 0);
}
@inline export function storeMask(F64: bool, p: usize, m: v128): void {
  if (F64) store<u16>(p, <u16>maskBytes(true, m));
  else store<u32>(p, <u32>maskBytes(false, m));
}
/** Lane masks from `lanes` consecutive bool bytes at p (nonzero = true). */
@inline export function loadMask(F64: bool, p: usize): v128 {
  if (F64) {
    const v = i64x2.replace_lane(i64x2.splat(<i64>load<u8>(p)), 1, <i64>load<u8>(p, 1));
    return v128.not(i64x2.eq(v, i64x2.splat(0)));
  }
  const w = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
  return v128.not(i32x4.eq(w, i32x4.splat(0)));
}
@inline export function splatMask(F64: bool, c: bool): v128 {
  return F64 ? i64x2.splat(c ? -1 : 0) : i32x4.splat(c ? -1 : 0);
}
