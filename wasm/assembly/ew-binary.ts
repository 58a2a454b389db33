// Binary arithmetic, comparisons (bool output) and where over one 2-D slab of strided float32/float64 views,
// specialised on the dtype, the op code and each operand's inner stride (1, 0 or any).
import {
  at, B_ADD, B_DIV, B_MAX, B_MUL, B_SUB, C_EQ, C_GT, C_LE, C_LT, C_NE,
  lanes, lds, loadMask, splatMask, splatv, storeMask, sts,
} from "./lib/ew-common";

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
