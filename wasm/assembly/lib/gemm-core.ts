// The pieces of the packed GEMM shared by its drivers (matmul.ts, matmul-packed.ts): block sizes, packing of
// op(A) and op(B) into the micro-kernel's order, and the register-blocked micro-kernel. Not a build entry.

/**
 * Rows of C per micro-tile. With fused multiply-add, 6 × 8 needs 12 accumulators + 2 B vectors + 1 broadcast,
 * which fits V8's 15 allocatable vector registers; mul-then-add needs a temporary, so it takes 4 × 8.
 */
export const MR = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
/** Depth of a packed block (k). */
export const KC = 256;
/** Rows of op(A) per packed block (a multiple of MR). */
export const MC = 120; // a multiple of 4 and of 6
/** Columns of op(B) per packed panel (a multiple of every NR). */
export const NC = 2048;

/** Lanes of one v128 of T. */
// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

/** Columns per micro-tile: two vectors of T. */
// @ts-ignore: decorator
@inline export function nrOf<T>(): i32 {
  return 2 * lanes<T>();
}

/** acc + a·b, fused where relaxed SIMD is on. */
// @ts-ignore: decorator
@inline export function madd<T>(a: v128, b: v128, acc: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? v128.relaxed_madd<T>(a, b, acc) : v128.add<T>(v128.mul<T>(a, b), acc);
}

/**
 * dst[p·R + r] = src[p·ld + r] for r < valid (zero above), p < kc: R values that lie next to each other in
 * each of kc rows of the source (op(A) = Aᵀ, or op(B) = B).
 */
export function copyRows<T>(src: usize, ld: i32, R: i32, valid: i32, kc: i32, dst: usize): void {
  const w = sizeof<T>();
  const bytes = <usize>R * w;
  const step = <usize>ld * w;
  if (valid == R) {
    for (let p = 0; p < kc; p++) {
      let off: usize = 0;
      for (; off + 16 <= bytes; off += 16) v128.store(dst + off, v128.load(src + off));
      if (off < bytes) store<u64>(dst + off, load<u64>(src + off));
      src += step;
      dst += bytes;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    for (let r = 0; r < R; r++) store<T>(dst + <usize>r * w, r < valid ? load<T>(src + <usize>r * w) : 0);
    src += step;
    dst += bytes;
  }
}

/**
 * dst[p·R + r] = src[r·ld + p] for r < valid (zero above), p < kc: R source rows, each running along p
 * (op(A) = A, or op(B) = Bᵀ). float32 transposes 4 × 4 blocks in registers.
 */
export function gatherRows<T>(src: usize, ld: i32, R: i32, valid: i32, kc: i32, dst: usize): void {
  const w = sizeof<T>();
  const rowBytes = <usize>ld * w;
  const out = <usize>R * w;
  let p = 0;
  if (w == 4 && valid == R) {
    for (; p + 4 <= kc; p += 4) {
      const s = src + <usize>p * w;
      const d = dst + <usize>p * out;
      let r = 0;
      for (; r + 4 <= R; r += 4) {
        const row = s + <usize>r * rowBytes;
        const r0 = v128.load(row);
        const r1 = v128.load(row + rowBytes);
        const r2 = v128.load(row + 2 * rowBytes);
        const r3 = v128.load(row + 3 * rowBytes);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const at = d + <usize>r * w;
        v128.store(at, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(at + out, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
        v128.store(at + 2 * out, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
        v128.store(at + 3 * out, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
      }
      if (r + 2 <= R) {
        // Two rows left (R = 6): interleave them and store 8 bytes per p.
        const row = s + <usize>r * rowBytes;
        const r0 = v128.load(row);
        const r1 = v128.load(row + rowBytes);
        const lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const at = d + <usize>r * w;
        v128.store64_lane(at, lo, 0);
        v128.store64_lane(at + out, lo, 1);
        v128.store64_lane(at + 2 * out, hi, 0);
        v128.store64_lane(at + 3 * out, hi, 1);
      }
    }
  }
  for (; p < kc; p++) {
    const s = src + <usize>p * w;
    const d = dst + <usize>p * out;
    for (let r = 0; r < R; r++) store<T>(d + <usize>r * w, r < valid ? load<T>(s + <usize>r * rowBytes) : 0);
  }
}

/** Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-row strips, k-major, zero-padded to whole strips. */
export function packA<T>(a: usize, lda: i32, trans: bool, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const w = sizeof<T>();
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const strip = dst + <usize>ir * <usize>kc * w;
    if (trans) copyRows<T>(a + (<usize>p0 * <usize>lda + <usize>(i0 + ir)) * w, lda, MR, rows, kc, strip);
    else gatherRows<T>(a + (<usize>(i0 + ir) * <usize>lda + <usize>p0) * w, lda, MR, rows, kc, strip);
  }
}

/** Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-column strips, k-major, zero-padded to whole strips. */
export function packB<T>(b: usize, ldb: i32, trans: bool, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const w = sizeof<T>();
  const NR = nrOf<T>();
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const strip = dst + <usize>jr * <usize>kc * w;
    if (trans) gatherRows<T>(b + (<usize>(j0 + jr) * <usize>ldb + <usize>p0) * w, ldb, NR, cols, kc, strip);
    else copyRows<T>(b + (<usize>p0 * <usize>ldb + <usize>(j0 + jr)) * w, ldb, NR, cols, kc, strip);
  }
}

/** Writes one accumulator vector to C: stores it, or adds it to what is there. */
// @ts-ignore: decorator
@inline export function put<T>(at: usize, v: v128, add: bool): void {
  v128.store(at, add ? v128.add<T>(v128.load(at), v) : v);
}

/**
 * The micro-kernel: an MR × NR tile of C from kc steps of packed A (MR per step) and packed B (NR per step).
 * A full tile goes straight to C; an edge tile goes through `tile` and only its mr × nr corner is written.
 */
export function micro<T>(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, add: bool, mr: i32, nr: i32, tile: usize): void {
  const w = sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  let c40 = v128.splat<T>(0), c41 = v128.splat<T>(0);
  let c50 = v128.splat<T>(0), c51 = v128.splat<T>(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load_splat<T>(pa);
    c00 = madd<T>(a, b0, c00);
    c01 = madd<T>(a, b1, c01);
    a = v128.load_splat<T>(pa, sizeof<T>());
    c10 = madd<T>(a, b0, c10);
    c11 = madd<T>(a, b1, c11);
    a = v128.load_splat<T>(pa, 2 * sizeof<T>());
    c20 = madd<T>(a, b0, c20);
    c21 = madd<T>(a, b1, c21);
    a = v128.load_splat<T>(pa, 3 * sizeof<T>());
    c30 = madd<T>(a, b0, c30);
    c31 = madd<T>(a, b1, c31);
    if (MR > 4) {
      a = v128.load_splat<T>(pa, 4 * sizeof<T>());
      c40 = madd<T>(a, b0, c40);
      c41 = madd<T>(a, b1, c41);
      a = v128.load_splat<T>(pa, 5 * sizeof<T>());
      c50 = madd<T>(a, b0, c50);
      c51 = madd<T>(a, b1, c51);
    }
    pa += MR * w;
    pb += 32;
  }
  const NR = nrOf<T>();
  const row = <usize>ldc * w;
  if (mr == MR && nr == NR) {
    put<T>(c, c00, add);
    put<T>(c + 16, c01, add);
    put<T>(c + row, c10, add);
    put<T>(c + row + 16, c11, add);
    put<T>(c + 2 * row, c20, add);
    put<T>(c + 2 * row + 16, c21, add);
    put<T>(c + 3 * row, c30, add);
    put<T>(c + 3 * row + 16, c31, add);
    if (MR > 4) {
      put<T>(c + 4 * row, c40, add);
      put<T>(c + 4 * row + 16, c41, add);
      put<T>(c + 5 * row, c50, add);
      put<T>(c + 5 * row + 16, c51, add);
    }
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  if (MR > 4) {
    v128.store(tile, c40, 128);
    v128.store(tile, c41, 144);
    v128.store(tile, c50, 160);
    v128.store(tile, c51, 176);
  }
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const at = c + <usize>i * row + <usize>j * w;
      const v = load<T>(tile + (<usize>i * NR + j) * w);
      store<T>(at, add ? load<T>(at) + v : v);
    }
  }
}

