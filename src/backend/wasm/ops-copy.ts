// Cast between dtypes and strided copy on the wasm backend: same-dtype casts and contiguous copies are one
// memmove; other copies go slab by slab, split over the threads unless the views share a buffer.
import { type Shape, sizeOf } from "../../shape.js";
import type { View } from "../backend.js";
import type { WasmBuffer } from "./buffer.js";
import { collapse, forEachSlab } from "./collapse.js";
import type { Kernels } from "./kernels.js";
import { bufferOf, CAST_CODE, runChunked, runSlab, runsContiguously, WIDTH } from "./ops-common.js";

export function castWasm(k: Kernels, x: WasmBuffer, out: WasmBuffer, size: number): boolean {
  if (x.dtype === out.dtype && x.dtype !== "bool") {
    if (!k.has("ew_memcpy")) return false;
    if (size > 0 && x.address !== out.address)
      k.call("ew_memcpy", out.address, x.address, size * WIDTH[x.dtype]);
    return true;
  }
  const code = CAST_CODE[x.dtype][out.dtype];
  if (code === undefined || !k.has("ew_cast")) return false;
  if (size === 0) return true;
  runChunked(k, "ew_cast", code, x, out, size);
  return true;
}

export function copyWasm(k: Kernels, src: View, dst: View, shape: Shape): boolean {
  const S = bufferOf(src);
  const D = bufferOf(dst);
  if (S === null || D === null || S.dtype !== D.dtype || !k.has("ew_copy")) return false;
  const size = sizeOf(shape);
  if (size === 0) return true;
  const w = WIDTH[S.dtype];
  const ps = S.address + src.offset * w;
  const pd = D.address + dst.offset * w;
  if (runsContiguously(shape, src.strides) && runsContiguously(shape, dst.strides)) {
    k.call("ew_memcpy", pd, ps, size * w);
    return true;
  }
  const c = collapse(shape, [src.strides, dst.strides]);
  const head: [number] = [w];
  const widths = [w, w];
  // Overlapping strided views (a buffer copied onto itself through another layout) go one thread, in order.
  const alone = S === D;
  forEachSlab(c, [0, 0], (offsets, rows, n, os, is) => {
    const s0 = ps + offsets[0] * w;
    const d0 = pd + offsets[1] * w;
    if (alone) k.call("ew_copy", w, rows, n, s0, os[0], is[0], d0, os[1], is[1]);
    else runSlab(k, "ew_copy", head, rows, n, [s0, os[0], is[0], d0, os[1], is[1]], widths);
  });
  return true;
}
