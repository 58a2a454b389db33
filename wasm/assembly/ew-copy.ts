// Strided copy of one 2-D slab of 1-, 4- or 8-byte elements (tiled when it transposes), and memmove.

@inline function copyOne(W: i32, from: usize, to: usize): void {
  if (W == 1) store<u8>(to, load<u8>(from));
  else if (W == 4) store<u32>(to, load<u32>(from));
  else store<u64>(to, load<u64>(from));
}
@inline function copySlab(
  W: i32, rows: i32, n: i32, ps: usize, sos: i32, sis: i32, pd: usize, sod: i32, sid: i32,
): void {
  if (sis != 1 && sis != 0 && rows >= 16 && n >= 16) {
    // Strided reads along rows (a transpose): 16×16 tiles, so both sides stay within a few cache lines.
    for (let r0 = 0; r0 < rows; r0 += 16) {
      const r1 = min(rows, r0 + 16);
      for (let i0 = 0; i0 < n; i0 += 16) {
        const i1 = min(n, i0 + 16);
        for (let i = i0; i < i1; i++) {
          for (let r = r0; r < r1; r++) {
            copyOne(W, ps + <usize>(r * sos + i * sis) * <usize>W, pd + <usize>(r * sod + i * sid) * <usize>W);
          }
        }
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = ps + <usize>(r * sos) * <usize>W;
    const d = pd + <usize>(r * sod) * <usize>W;
    if (sis == 1 && sid == 1) {
      memory.copy(d, s, <usize>(n * W));
    } else if (sis == 0 && sid == 1) {
      if (W == 1) memory.fill(d, load<u8>(s), <usize>n);
      else if (W == 4) {
        const v = load<u32>(s);
        const vv = i32x4.splat(v);
        let i = 0;
        for (; i + 4 <= n; i += 4) v128.store(d + <usize>(i << 2), vv);
        for (; i < n; i++) store<u32>(d + <usize>(i << 2), v);
      } else {
        const v = load<u64>(s);
        const vv = i64x2.splat(v);
        let i = 0;
        for (; i + 2 <= n; i += 2) v128.store(d + <usize>(i << 3), vv);
        for (; i < n; i++) store<u64>(d + <usize>(i << 3), v);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const from = s + <usize>(i * sis) * <usize>W;
        const to = d + <usize>(i * sid) * <usize>W;
        if (W == 1) store<u8>(to, load<u8>(from));
        else if (W == 4) store<u32>(to, load<u32>(from));
        else store<u64>(to, load<u64>(from));
      }
    }
  }
}
/** Copies one slab of `width`-byte elements between strided views (element strides). */
export function ew_copy(
  width: i32, rows: i32, n: i32, ps: usize, sos: i32, sis: i32, pd: usize, sod: i32, sid: i32,
): void {
  if (width == 4) copySlab(4, rows, n, ps, sos, sis, pd, sod, sid);
  else if (width == 8) copySlab(8, rows, n, ps, sos, sis, pd, sod, sid);
  else if (width == 1) copySlab(1, rows, n, ps, sos, sis, pd, sod, sid);
}
/** memmove of `bytes` bytes. */
export function ew_memcpy(pd: usize, ps: usize, bytes: usize): void {
  memory.copy(pd, ps, bytes);
}
