// WGSL for the batched matmul: 32×32 output tiles, 8×8 threads computing 4×4 each, operands staged through
// workgroup memory in 16-deep slices; transposed operands are read in place (the load picks the index).
import type { MatmulSpec } from "../backend.js";
import { binding, type GpuDType, PARAMS, STORED } from "./wgsl-common.js";

export const TILE = 32;
/** Batches per dispatch (the grid's z dimension). */
export const MAX_BATCHES = 65535;

/**
 * Parameter words: [m, k, n, transA, transB, batchRank, first batch, batch shape, a batch strides,
 * b batch strides].
 */
export function matmulParams(spec: MatmulSpec, firstBatch: number): Uint32Array {
  return Uint32Array.from(
    [
      spec.m,
      spec.k,
      spec.n,
      spec.transA ? 1 : 0,
      spec.transB ? 1 : 0,
      spec.batchShape.length,
      firstBatch,
      ...spec.batchShape,
      ...spec.aBatchStrides,
      ...spec.bBatchStrides,
    ].map((w) => w >>> 0),
  );
}

export function matmulKernel(dtype: GpuDType): string {
  const t = STORED[dtype];
  return `${PARAMS}
${binding(1, "a", t, false)}
${binding(2, "b", t, false)}
${binding(3, "out", t, true)}
const TM = 32u;
const TN = 32u;
const TK = 16u;
var<workgroup> As: array<${t}, 512>;
var<workgroup> Bs: array<${t}, 512>;

fn batchOffset(batch: u32, which: u32) -> u32 {
  let rank = p[5];
  var rest = batch;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = p[7u + u32(d)];
    off += (rest % dim) * p[7u + (which + 1u) * rank + u32(d)];
    rest = rest / dim;
  }
  return off;
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let m = p[0];
  let k = p[1];
  let n = p[2];
  let ta = p[3] == 1u;
  let tb = p[4] == 1u;
  let batch = p[6] + wg.z;
  let aBase = batchOffset(batch, 0u);
  let bBase = batchOffset(batch, 1u);
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  var acc: array<${t}, 16>;
  for (var k0 = 0u; k0 < k; k0 += TK) {
    for (var e = li; e < TM * TK; e += 64u) {
      let r = row0 + e / TK;
      let kk = k0 + e % TK;
      var v = ${t}(0);
      if (r < m && kk < k) { v = a[aBase + select(r * k + kk, kk * m + r, ta)]; }
      As[e] = v;
    }
    for (var e = li; e < TK * TN; e += 64u) {
      let kk = k0 + e / TN;
      let c = col0 + e % TN;
      var v = ${t}(0);
      if (c < n && kk < k) { v = b[bBase + select(kk * n + c, c * k + kk, tb)]; }
      Bs[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<${t}, 4>;
      for (var x = 0u; x < 4u; x++) { av[x] = As[(lid.y * 4u + x) * TK + kk]; }
      for (var y = 0u; y < 4u; y++) {
        let bv = Bs[kk * TN + lid.x * 4u + y];
        for (var x = 0u; x < 4u; x++) { acc[x * 4u + y] += av[x] * bv; }
      }
    }
    workgroupBarrier();
  }
  let outBase = batch * m * n;
  for (var x = 0u; x < 4u; x++) {
    let r = row0 + lid.y * 4u + x;
    for (var y = 0u; y < 4u; y++) {
      let c = col0 + lid.x * 4u + y;
      if (r < m && c < n) { out[outBase + r * n + c] = acc[x * 4u + y]; }
    }
  }
}`;
}
