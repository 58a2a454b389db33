// Level-1 kernels: y += α·x in float32 and float64 (the optimizer's fused update).

/** y[i] += α·x[i] for i < n, two vectors at a time, then the tail. */
function axpy<T>(n: i32, alpha: T, x: usize, y: usize): void {
  const w = sizeof<T>();
  const step = 32 / <i32>w;
  const va = v128.splat<T>(alpha);
  let i = 0;
  for (; i + step <= n; i += step) {
    const p = <usize>i * w;
    v128.store(y + p, v128.add<T>(v128.load(y + p), v128.mul<T>(va, v128.load(x + p))));
    v128.store(y + p, v128.add<T>(v128.load(y + p, 16), v128.mul<T>(va, v128.load(x + p, 16))), 16);
  }
  for (; i < n; i++) {
    const p = <usize>i * w;
    store<T>(y + p, load<T>(y + p) + alpha * load<T>(x + p));
  }
}

export function axpy_f32(n: i32, alpha: f64, x: usize, y: usize): void {
  axpy<f32>(n, <f32>alpha, x, y);
}

export function axpy_f64(n: i32, alpha: f64, x: usize, y: usize): void {
  axpy<f64>(n, alpha, x, y);
}
