// Matmul on the wasm backend: each batch's product goes to the packed SIMD GEMM, reading transposed
// operands in place, and a big product is split into row (or column) bands, one per thread.
import type { MatmulSpec } from "../backend.js";
import { offsetsOf } from "../js/strided.js";
import type { WasmBuffer } from "./index.js";
import { Kernels } from "./kernels.js";

/** Bands of C handed out per thread of a split product. */
const BANDS_PER_THREAD = Number(globalThis.process?.env?.CHAINRULE_BANDS ?? 1);

/** Below this many multiply-adds a product stays on one thread: waking a worker costs more than it saves. */
export const PARALLEL_MIN_MACS = 1 << 21;

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
    const shares: number[][] = [];
    // Split the longer side of C into bands whose edges fall on multiples of 8 (the kernel's tile).
    const byRows = m >= n;
    const extent = byRows ? m : n;
    // A few bands per thread: threads claim bands as they come free, so one that starts late takes fewer.
    const parts =
      threads === 1 ? 1 : Math.max(1, Math.min(threads * BANDS_PER_THREAD, Math.floor(extent / 16)));
    const band = Math.ceil(extent / parts / 8) * 8;
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
        0,
        scratch,
      ]);
    }
    kernels.parallel(gemm, shares);
  }
  return true;
}
