// Pieces every generated WGSL kernel shares: storage types per dtype, bindings, the thread index over a 2-D
// grid of 64-wide workgroups, strided offsets from the parameter words, and float helpers exact about NaN and ±inf.
import type { DType } from "../../dtype.js";

export type GpuDType = Exclude<DType, "float64">;

/** The WGSL element type a dtype is stored as (bool as a u32 0/1: storage has no 8-bit type). */
export const STORED: { [D in GpuDType]: string } = { float32: "f32", int32: "i32", bool: "u32" };

/** Threads per workgroup of the elementwise kernels (compatibility mode guarantees 128). */
export const WORKGROUP = 64;
/** The most workgroups along one grid dimension. */
export const MAX_GROUPS = 65535;

/** Binding `n` (from 1; 0 is the parameter words) as a storage array of `type`. */
export function binding(n: number, name: string, type: string, write: boolean): string {
  return `@group(0) @binding(${n}) var<storage, ${write ? "read_write" : "read"}> ${name}: array<${type}>;`;
}

export const PARAMS = "@group(0) @binding(0) var<storage, read> p: array<u32>;";

/** The entry point over `p[0]` threads: `i` is the thread's index. */
export function entry(body: string): string {
  return `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = g.x + g.y * nw.x * ${WORKGROUP}u;
  if (i >= p[0]) { return; }
${body}
}`;
}

/** The grid for `threads` threads of the kernels above. */
export function grid(threads: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(threads / WORKGROUP));
  const x = Math.min(groups, MAX_GROUPS);
  return [x, Math.ceil(groups / x), 1];
}

/** The grid for `count` workgroups (kernels that give each workgroup one item). */
export function workgroups(count: number): [number, number, number] {
  const x = Math.max(1, Math.min(count, MAX_GROUPS));
  return [x, Math.ceil(count / x), 1];
}

/**
 * offsetOf(i, at): the buffer offset of element i (row-major over the shape in p[2 .. 2 + rank)) of the view
 * whose offset and strides start at word `at` (signed words); p[1] is the rank.
 */
export const STRIDED = `
fn offsetOf(i: u32, at: u32) -> u32 {
  let rank = p[1];
  var rest = i;
  var off = bitcast<i32>(p[at]);
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = p[2u + u32(d)];
    off += i32(rest % dim) * bitcast<i32>(p[at + 1u + u32(d)]);
    rest = rest / dim;
  }
  return u32(off);
}`;

/** The parameter words of views over `shape`: [rank, ...shape, then per view offset and strides]. */
export function stridedParams(
  total: number,
  shape: readonly number[],
  views: { offset: number; strides: readonly number[] }[],
): Uint32Array {
  const words = [total, shape.length, ...shape];
  for (const v of views) words.push(v.offset, ...v.strides);
  return Uint32Array.from(words.map((w) => w >>> 0));
}

/** The word where view `k`'s offset sits in stridedParams. */
export function viewAt(rank: number, k: number): number {
  return 2 + rank + k * (rank + 1);
}

/** Float helpers with exact NaN and ±inf tests (bit patterns: the WGSL spec lets comparisons ignore NaN). */
export const FLOAT_HELPERS = `
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isfinite_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
// Read from private variables, not folded as constants: WGSL refuses NaN and ±inf in constant expressions.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan_() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_() -> f32 { return bitcast<f32>(INF_BITS); }
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (!isfinite_(u)) { return log(u); }
  return log(u) * x / (u - 1.0);
}
// sin by range reduction (2π split Cody–Waite style) and a Taylor polynomial on [−π/2, π/2]: GPUs' own sin and
// cos may be off by 2⁻¹¹ (SwiftShader is), which the float32 tolerance does not allow.
fn sin_(x: f32) -> f32 {
  if (!isfinite_(x)) { return nan_(); }
  let k = round(x * 0.15915494309189535);
  var r = (x - k * 6.28125) - k * 0.0019353071795864769;
  if (r > 1.5707963267948966) { r = 3.141592653589793 - r; }
  if (r < -1.5707963267948966) { r = -3.141592653589793 - r; }
  let q = r * r;
  let poly = 1.0 + q * (-1.0 / 6.0 + q * (1.0 / 120.0 + q * (-1.0 / 5040.0 + q * (1.0 / 362880.0
    + q * (-1.0 / 39916800.0 + q * (1.0 / 6227020800.0))))));
  return r * poly;
}
fn cos_(x: f32) -> f32 { return sin_(x + 1.5707963267948966); }
fn sign_(x: f32) -> f32 { if (x > 0.0) { return 1.0; } if (x < 0.0) { return -1.0; } return x; }
fn tanh_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let a = abs(x);
  if (a < 0.0005) { return x; }
  let e = exp(-2.0 * a);
  return sign_(x) * (1.0 - e) / (1.0 + e);
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn softplus_(x: f32) -> f32 {
  if (x > 0.0) { return x + log1p_(exp(-x)); }
  return log1p_(exp(x));
}
fn erf_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let a = abs(x);
  if (a >= 4.0) { return sign_(x); }
  if (a < 2.0) {
    // Taylor series: 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)).
    let x2 = a * a;
    var term = a;
    var sum = a;
    for (var n = 1; n < 32; n++) {
      term = -term * x2 / f32(n);
      sum += term / f32(2 * n + 1);
    }
    return sign_(x) * sum * 1.1283791670955126;
  }
  // erfc continued fraction (modified Lentz) for 2 ≤ |x| < 4.
  var f = a;
  var c = a;
  var d = 0.0;
  for (var n = 1; n < 40; n++) {
    let an = f32(n) * 0.5;
    d = a + an * d;
    d = 1.0 / d;
    c = a + an / c;
    f = f * c * d;
  }
  return sign_(x) * (1.0 - exp(-a * a) / f * 0.5641895835477563);
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  if (a == 0.0) {
    if (b > 0.0) { return select(0.0, a, abs(b) % 2.0 == 1.0); }
    return select(inf_(), sign_(1.0 / a) * inf_(), abs(b) % 2.0 == 1.0);
  }
  if (a < 0.0) {
    if (floor(b) != b) { return nan_(); }
    let m = exp2(b * log2(-a));
    return select(m, -m, abs(b) % 2.0 == 1.0);
  }
  return exp2(b * log2(a));
}`;
