// Matmul on the wasm backend: each batch's product goes to the packed SIMD GEMM, reading transposed
// operands in place; a big product is split into bands of C that the threads claim (see splitOverThreads).
import type { MatmulSpec } from "../backend.js";
import { offsetsOf } from "../js/strided.js";
import type { WasmBuffer } from "./buffer.js";
import { Kernels } from "./kernels.js";
import type { KernelSignatures } from "./signatures.js";

/** Row bands of C per thread of a split product: threads claim them as they come free. */
const BANDS_PER_THREAD = 4;
/** The least height of a row band (the GEMM's MC block): shorter bands re-read the packed op(B) more. */
const TALL_ROWS = 120;
/** The scratch slot of the shared packed op(B) (slots 0… are the bands'). */
const PACKED_B_SLOT = 256;

/**
 * From this many multiply-adds, on more than PREPACK_MIN_THREADS - 1 threads, a split product packs op(B) once and
 * hands out several row bands per thread; otherwise each thread takes one band and packs what it reads (two
 * phases cost more than they save there).
 */
const PREPACK_MIN_MACS = 1 << 24;
/**
 * Two threads take one band each at every size: packing op(B) twice cost less than the shared pack's second
 * phase and barrier (measured on 2 cores, alone: the training step's two 51M-multiply-add products 7-10% faster,
 * sgemm 512 5%, 1024 the same; inside the whole training step no change). More threads share one pack: each
 * would otherwise pack all of op(B).
 */
const PREPACK_MIN_THREADS = 3;

/**
 * Below this many multiply-adds a product stays on one thread: handing a band to a worker costs more than it
 * saves. The chapter's three ten-class products at batch 256 (655,360 each) gain from the split: 185 → 121 µs.
 */
export const PARALLEL_MIN_MACS = 1 << 19;

/** C = op(A)·op(B) per batch; false where there is no kernel for the dtype (the caller falls back). */
export function matmulWasm(
  kernels: Kernels,
  a: WasmBuffer,
  b: WasmBuffer,
  out: WasmBuffer,
  spec: MatmulSpec,
): boolean {
  const gemm = out.dtype === "float32" ? "sgemm" : out.dtype === "float64" ? "dgemm" : null;
  if (gemm === null || a.dtype !== out.dtype || b.dtype !== out.dtype || !kernels.has(gemm)) return false;
  const { m, n, k, transA, transB } = spec;
  if (m === 0 || n === 0) return true;
  const w = Kernels.width(out);
  const aOff = offsetsOf(spec.batchShape, spec.aBatchStrides, 0);
  const bOff = offsetsOf(spec.batchShape, spec.bBatchStrides, 0);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const threads = m * n * k >= PARALLEL_MIN_MACS ? kernels.available : 1;
  for (let batch = 0; batch < aOff.length; batch++) {
    const pa = a.address + aOff[batch] * w;
    const pb = b.address + bOff[batch] * w;
    const pc = out.address + batch * m * n * w;
    if (threads >= PREPACK_MIN_THREADS && m * n * k >= PREPACK_MIN_MACS && kernels.has(`${gemm}Band`)) {
      splitOverThreads(kernels, gemm, spec, pa, pb, pc, threads, w);
      continue;
    }
    // One band of C per thread (or the whole of C): the longer side is split, on multiples of 8.
    const byRows = m >= n;
    const extent = byRows ? m : n;
    const parts = Math.max(1, Math.min(threads, Math.floor(extent / 16)));
    const band = Math.ceil(extent / parts / 8) * 8;
    const shares: KernelSignatures["sgemm"][] = [];
    for (let t = 0, start = 0; start < extent; t++, start += band) {
      const size = Math.min(band, extent - start);
      const sm = byRows ? size : m;
      const sn = byRows ? n : size;
      const scratch = kernels.scratchFor(t, kernels.call(`${gemm}ScratchBytes`, sm, sn, k));
      // A row band of C reads a row band of op(A); a column band reads a column band of op(B).
      const da = byRows ? (transA ? start : start * lda) * w : 0;
      const db = byRows ? 0 : (transB ? start * ldb : start) * w;
      const dc = (byRows ? start * n : start) * w;
      shares.push([
        transA ? 1 : 0,
        transB ? 1 : 0,
        sm,
        sn,
        k,
        pa + da,
        lda,
        pb + db,
        ldb,
        pc + dc,
        n,
        spec.accumulate ? 1 : 0,
        scratch,
      ]);
    }
    kernels.parallel(gemm, shares);
  }
  return true;
}

/**
 * One product over several threads: op(B) is packed once into shared scratch (its columns split over the
 * threads), then row bands of C, a few per thread, are claimed and computed against it.
 */
function splitOverThreads(
  kernels: Kernels,
  gemm: "sgemm" | "dgemm",
  spec: MatmulSpec,
  pa: number,
  pb: number,
  pc: number,
  threads: number,
  w: number,
): void {
  const { m, n, k, transA, transB } = spec;
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const nr = 32 / w;
  const packed = kernels.scratchFor(PACKED_B_SLOT, kernels.call(`${gemm}PackedBytes`, n, k));
  const strips = Math.ceil(n / nr);
  const perPack = Math.ceil(strips / Math.min(strips, threads * 2)) * nr;
  const packShares: KernelSignatures["sgemmPackB"][] = [];
  for (let j0 = 0; j0 < n; j0 += perPack) {
    packShares.push([transB ? 1 : 0, k, n, pb, ldb, packed, j0, Math.min(n, j0 + perPack)]);
  }
  kernels.parallel(`${gemm}PackB`, packShares);
  // The same number of bands for every thread, each at least TALL_ROWS high: every band streams the whole
  // packed op(B), so short bands read it more often (at m = 256, 2 bands ran the training step ~4% faster
  // than 8). Bands are whole micro-tiles (MR rows), split as evenly as they come.
  const perThread = Math.max(1, Math.min(BANDS_PER_THREAD, Math.floor(m / (threads * TALL_ROWS))));
  const mr = kernels.relaxed ? 6 : 4;
  const tiles = Math.ceil(m / mr);
  const bands = Math.max(1, Math.min(threads * perThread, tiles));
  const bandScratch = kernels.call(`${gemm}BandScratchBytes`);
  const bandShares: KernelSignatures["sgemmBand"][] = [];
  for (let b = 0; b < bands; b++) {
    const i0 = Math.floor((b * tiles) / bands) * mr;
    const i1 = Math.min(m, Math.floor(((b + 1) * tiles) / bands) * mr);
    const a0 = pa + (transA ? i0 : i0 * lda) * w;
    const c0 = pc + i0 * n * w;
    const scratch = kernels.scratchFor(b, bandScratch);
    bandShares.push([
      transA ? 1 : 0,
      i1 - i0,
      n,
      k,
      a0,
      lda,
      packed,
      c0,
      n,
      spec.accumulate ? 1 : 0,
      scratch,
    ]);
  }
  kernels.parallel(`${gemm}Band`, bandShares);
}
