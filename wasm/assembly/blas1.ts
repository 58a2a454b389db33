// Level-1 kernels: y += α·x in float32 and float64 (the optimizer's fused update).

export function axpy_f32(n: i32, alpha: f64, x: usize, y: usize): void {
  const a = <f32>alpha;
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    v128.store(y + p, f32x4.add(v128.load(y + p), f32x4.mul(va, v128.load(x + p))));
    v128.store(y + p, f32x4.add(v128.load(y + p, 16), f32x4.mul(va, v128.load(x + p, 16))), 16);
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, load<f32>(y + p) + a * load<f32>(x + p));
  }
}

export function axpy_f64(n: i32, alpha: f64, x: usize, y: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 3;
    v128.store(y + p, f64x2.add(v128.load(y + p), f64x2.mul(va, v128.load(x + p))));
    v128.store(y + p, f64x2.add(v128.load(y + p, 16), f64x2.mul(va, v128.load(x + p, 16))), 16);
  }
  for (; i < n; i++) {
    const p = <usize>i << 3;
    store<f64>(y + p, load<f64>(y + p) + alpha * load<f64>(x + p));
  }
}
