// erf for the reference kernels, accurate to about 1e-16 (JavaScript has no Math.erf).

/** erf to about 1e-16: the all-positive series exp(-x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)), ±1 beyond |x| = 6. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 400; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum);
}
