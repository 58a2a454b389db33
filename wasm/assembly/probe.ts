// A tiny kernel the loader calls once to check that the module works: y[i] = a·x[i] + y[i]; and which build this is.

/** 1 in the relaxed-SIMD build, 0 in the plain-SIMD one: the loader reads it, so any module it is given says what it is. */
export const RELAXED_SIMD: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;

export function saxpy(n: i32, a: f32, x: usize, y: usize): void {
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const acc = ASC_FEATURE_RELAXED_SIMD
      ? f32x4.relaxed_madd(va, v128.load(x + p), v128.load(y + p))
      : f32x4.add(f32x4.mul(va, v128.load(x + p)), v128.load(y + p));
    v128.store(y + p, acc);
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, a * load<f32>(x + p) + load<f32>(y + p));
  }
}
