// Packed, register-blocked GEMM for float32 (sgemm) and float64 (dgemm): C (+)= op(A)·op(B), any sizes and
// leading dimensions, transposed operands read while packing. Each C element sums over k in one fixed order,
// so results do not depend on how the caller splits C into bands.

import { KC, MC, MR, NC, micro, nrOf, packA, packB } from "./lib/gemm-core";

/** Bytes of scratch gemm<T> needs for these sizes: packed A block, packed B panel, an edge tile, alignment. */
function scratchBytes<T>(m: i32, n: i32, k: i32): i32 {
  const NR = nrOf<T>();
  const kc = min(KC, max(k, 1));
  const mc = min(MC, (m + MR - 1) / MR * MR);
  const nc = min(NC, (n + NR - 1) / NR * NR);
  return (mc * kc + kc * nc + MR * NR) * sizeof<T>() + 64;
}

/** C (+)= op(A)·op(B): C is m × n (leading dimension ldc), op(A) m × k, op(B) k × n. */
function gemm<T>(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  const w = sizeof<T>();
  const NR = nrOf<T>();
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (accumulate == 0) {
      for (let i = 0; i < m; i++) memory.fill(c + <usize>i * <usize>ldc * w, 0, <usize>n * w);
    }
    return;
  }
  const base = (scratch + 63) & ~(<usize>63);
  const kcMax = min(KC, k);
  const mcMax = min(MC, (m + MR - 1) / MR * MR);
  const packedA = base;
  const packedB = packedA + <usize>mcMax * <usize>kcMax * w;
  const ncMax = min(NC, (n + NR - 1) / NR * NR);
  const tile = packedB + <usize>kcMax * <usize>ncMax * w;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const add = accumulate != 0 || pc > 0;
      packB<T>(b, ldb, transB != 0, pc, jc, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA<T>(a, lda, transA != 0, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const pb = packedB + <usize>jr * <usize>kc * w;
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = packedA + <usize>ir * <usize>kc * w;
            const at = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * w;
            micro<T>(kc, pa, pb, at, ldc, add, min(MR, mc - ir), nr, tile);
          }
        }
      }
    }
  }
}

export function sgemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  gemm<f32>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, scratch);
}

export function dgemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  gemm<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, scratch);
}

export function sgemmScratchBytes(m: i32, n: i32, k: i32): i32 {
  return scratchBytes<f32>(m, n, k);
}

export function dgemmScratchBytes(m: i32, n: i32, k: i32): i32 {
  return scratchBytes<f64>(m, n, k);
}
