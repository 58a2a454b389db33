// GEMM in two phases for threads: op(B) is packed once into a shared buffer (columns split over threads),
// then row bands of C are computed against it (any number of bands, one per claim). Sums run in the same
// order as matmul.ts, so the result is bit-identical to the one-thread kernel.

import { KC, MC, MR, micro, nrOf, packA, packB } from "./lib/gemm-core";

/** Elements of op(B) packed: k × n rounded up to whole NR-column strips. */
function packedElements<T>(n: i32, k: i32): i32 {
  const NR = nrOf<T>();
  return ((n + NR - 1) / NR) * NR * max(k, 1);
}

/**
 * Packs columns [j0, j1) of op(B) (k × n; j0 a multiple of NR) for every depth block: block pc starts at
 * element pc·nPad and holds its NR-column strips one after another, each kc × NR.
 */
function packAll<T>(transB: i32, k: i32, n: i32, b: usize, ldb: i32, packed: usize, j0: i32, j1: i32): void {
  const w = sizeof<T>();
  const NR = nrOf<T>();
  const nPad = ((n + NR - 1) / NR) * NR;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const base = packed + (<usize>pc * <usize>nPad + <usize>j0 * <usize>kc) * w;
    packB<T>(b, ldb, transB != 0, pc, j0, kc, min(j1, n) - j0, base);
  }
}

/** C[rows of this band] (+)= op(A)·op(B) with op(B) from packAll; scratch holds one packed A block and a tile. */
function computeBand<T>(
  transA: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, packed: usize,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  const w = sizeof<T>();
  const NR = nrOf<T>();
  if (m <= 0 || n <= 0 || k <= 0) return;
  const nPad = ((n + NR - 1) / NR) * NR;
  const packedA = (scratch + 63) & ~(<usize>63);
  const tile = packedA + <usize>MC * <usize>KC * w;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const add = accumulate != 0 || pc > 0;
    const block = packed + <usize>pc * <usize>nPad * w;
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      packA<T>(a, lda, transA != 0, ic, pc, mc, kc, packedA);
      for (let jr = 0; jr < n; jr += NR) {
        const pb = block + <usize>jr * <usize>kc * w;
        const nr = min(NR, n - jr);
        for (let ir = 0; ir < mc; ir += MR) {
          const pa = packedA + <usize>ir * <usize>kc * w;
          const at = c + (<usize>(ic + ir) * <usize>ldc + <usize>jr) * w;
          micro<T>(kc, pa, pb, at, ldc, add, min(MR, mc - ir), nr, tile);
        }
      }
    }
  }
}

export function sgemmPackB(transB: i32, k: i32, n: i32, b: usize, ldb: i32, packed: usize, j0: i32, j1: i32): void {
  packAll<f32>(transB, k, n, b, ldb, packed, j0, j1);
}
export function dgemmPackB(transB: i32, k: i32, n: i32, b: usize, ldb: i32, packed: usize, j0: i32, j1: i32): void {
  packAll<f64>(transB, k, n, b, ldb, packed, j0, j1);
}
export function sgemmPackedBytes(n: i32, k: i32): i32 {
  return packedElements<f32>(n, k) * 4;
}
export function dgemmPackedBytes(n: i32, k: i32): i32 {
  return packedElements<f64>(n, k) * 8;
}
/** Scratch one band needs: a packed A block, an edge tile and alignment. */
export function sgemmBandScratchBytes(): i32 {
  return (MC * KC + MR * 8) * 4 + 64;
}
export function dgemmBandScratchBytes(): i32 {
  return (MC * KC + MR * 4) * 8 + 64;
}
export function sgemmBand(
  transA: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, packed: usize,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  computeBand<f32>(transA, m, n, k, a, lda, packed, c, ldc, accumulate, scratch);
}
export function dgemmBand(
  transA: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, packed: usize,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  computeBand<f64>(transA, m, n, k, a, lda, packed, c, ldc, accumulate, scratch);
}
