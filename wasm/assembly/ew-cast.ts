// Casts between float32, float64, int32 and bool over contiguous buffers, one case per (from, to) code; the
// codes are CAST_CODE's in src/backend/wasm/ops-common.ts (test/backend/wasm-op-codes.test.ts checks they agree).

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
