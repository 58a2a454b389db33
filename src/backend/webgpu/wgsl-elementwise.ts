// WGSL for the elementwise families, generated from op tables: a unary op's kernel is its entry's `wgsl` in
// UNARY_KERNELS (an f32 expression of x), a binary op's one entry of BINARY_WGSL; where, copy, cast, fill and axpy besides.
import type { BinaryOp, UnaryOp } from "../backend.js";
import { UNARY_KERNELS } from "../unary-kernels.js";
import {
  binding,
  entry,
  FLOAT_HELPERS,
  type GpuDType,
  PARAMS,
  STORED,
  STRIDED,
  viewAt,
} from "./wgsl-common.js";

/** Unary ops that int32 inputs compute exactly in i32 (the others go through f32). */
const UNARY_INT: { [K in UnaryOp]?: string } = {
  neg: "-x",
  abs: "abs(x)",
  sign: "sign(x)",
  relu: "max(x, 0)",
  isfinite: "1",
  not: "select(0, 1, x == 0)",
};

/** Each binary op over the compute type's a and b; Z and O are that type's 0 and 1 (comparisons give them). */
export const BINARY_WGSL: { [K in BinaryOp]: { f: string; i?: string } } = {
  add: { f: "a + b" },
  sub: { f: "a - b" },
  mul: { f: "a * b" },
  div: { f: "a / b" },
  pow: { f: "pow_(a, b)" },
  maximum: { f: "select(b, a, a > b || isnan_(a))", i: "max(a, b)" },
  minimum: { f: "select(b, a, a < b || isnan_(a))", i: "min(a, b)" },
  equal: { f: "select(Z, O, a == b)" },
  notEqual: { f: "select(Z, O, a != b)" },
  less: { f: "select(Z, O, a < b)" },
  lessEqual: { f: "select(Z, O, a <= b)" },
  greater: { f: "select(Z, O, a > b)" },
  greaterEqual: { f: "select(Z, O, a >= b)" },
};

/** Ops whose i32 result would differ from the reference's float arithmetic: ints take the f32 path. */
const BINARY_INT_VIA_FLOAT: ReadonlySet<BinaryOp> = new Set(["div", "pow"]);

/** An expression converting `v` of WGSL type `from` to the stored type of `to` (bool: nonzero, as 0/1). */
export function convert(v: string, from: string, to: GpuDType): string {
  const target = STORED[to];
  if (to === "bool")
    return from === "u32" ? `select(0u, 1u, ${v} != 0u)` : `select(0u, 1u, ${v} != ${from}(0))`;
  if (from === target) return v;
  return `${target}(${v})`;
}

export function unaryKernel(op: UnaryOp, x: GpuDType, out: GpuDType): string {
  const intExpr = x !== "float32" ? UNARY_INT[op] : undefined;
  const type = intExpr !== undefined ? "i32" : "f32";
  const expr = intExpr ?? UNARY_KERNELS[op].wgsl;
  return `${PARAMS}
${binding(1, "xs", STORED[x], false)}
${binding(2, "out", STORED[out], true)}
${FLOAT_HELPERS}
${entry(`  let x = ${type}(xs[i]);
  out[i] = ${convert(`(${expr})`, type, out)};`)}`;
}

/** The compute type of a binary op over operands of dtype `dtype` (both operands share it). */
export function binaryKernel(op: BinaryOp, dtype: GpuDType, out: GpuDType, rank: number): string {
  const entryFor = BINARY_WGSL[op];
  const float = dtype === "float32" || BINARY_INT_VIA_FLOAT.has(op);
  const type = float ? "f32" : "i32";
  const expr = (float ? entryFor.f : (entryFor.i ?? entryFor.f))
    .replaceAll("Z", float ? "0.0" : "0")
    .replaceAll("O", float ? "1.0" : "1");
  return `${PARAMS}
${binding(1, "xa", STORED[dtype], false)}
${binding(2, "xb", STORED[dtype], false)}
${binding(3, "out", STORED[out], true)}
${FLOAT_HELPERS}
${STRIDED}
${entry(`  let a = ${type}(xa[offsetOf(i, ${viewAt(rank, 0)}u)]);
  let b = ${type}(xb[offsetOf(i, ${viewAt(rank, 1)}u)]);
  out[i] = ${convert(`(${expr})`, type, out)};`)}`;
}

/** out = cond ? a : b, moving 32-bit words (every stored type is 32 bits). */
export function whereKernel(cond: GpuDType, rank: number): string {
  return `${PARAMS}
${binding(1, "c", STORED[cond], false)}
${binding(2, "xa", "u32", false)}
${binding(3, "xb", "u32", false)}
${binding(4, "out", "u32", true)}
${STRIDED}
${entry(`  let pick = c[offsetOf(i, ${viewAt(rank, 0)}u)] != ${STORED[cond]}(0);
  out[i] = select(xb[offsetOf(i, ${viewAt(rank, 2)}u)], xa[offsetOf(i, ${viewAt(rank, 1)}u)], pick);`)}`;
}

/** dst view ← src view, 32-bit words. */
export function copyKernel(rank: number): string {
  return `${PARAMS}
${binding(1, "src", "u32", false)}
${binding(2, "dst", "u32", true)}
${STRIDED}
${entry(`  dst[offsetOf(i, ${viewAt(rank, 1)}u)] = src[offsetOf(i, ${viewAt(rank, 0)}u)];`)}`;
}

export function castKernel(from: GpuDType, to: GpuDType): string {
  return `${PARAMS}
${binding(1, "xs", STORED[from], false)}
${binding(2, "out", STORED[to], true)}
${entry(`  out[i] = ${convert("xs[i]", STORED[from], to)};`)}`;
}

/** Every word of out ← p[1] (the value's bit pattern in the stored type). */
export const FILL_KERNEL = `${PARAMS}
${binding(1, "out", "u32", true)}
${entry("  out[i] = p[1];")}`;

/** y += α·x with α's f32 bits in p[1]. */
export const AXPY_KERNEL = `${PARAMS}
${binding(1, "x", "f32", false)}
${binding(2, "y", "f32", true)}
${entry("  y[i] = y[i] + bitcast<f32>(p[1]) * x[i];")}`;
