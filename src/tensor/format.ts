// A readable, PyTorch-like text form of a tensor: nested brackets, aligned numbers, "..." for long axes.
import type { DType, TypedArray } from "../dtype.js";
import type { Shape } from "../shape.js";

const EDGE = 3;
const SUMMARIZE_ABOVE = 1000;

function numberFormatter(values: TypedArray, dtype: DType): (v: number) => string {
  if (dtype === "bool") return (v) => (v ? "true" : "false");
  if (dtype === "int32") return (v) => String(v);
  const finite = Array.from(values).filter(Number.isFinite);
  const allIntegers = finite.every((v) => Number.isInteger(v));
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const minAbs = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const scientific = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity);
  return (v) => {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    if (scientific)
      return v.toExponential(4).replace(/e([+-])(\d)$/, (_, sign, digit) => `e${sign}0${digit}`);
    return allIntegers ? `${v}.` : v.toFixed(4);
  };
}

export function formatTensor(
  values: TypedArray,
  shape: Shape,
  dtype: DType,
  requiresGrad: boolean,
  prim: string | undefined,
): string {
  const format = numberFormatter(values, dtype);
  const summarize = values.length > SUMMARIZE_ABOVE;
  const strings = Array.from(values, format);
  const width = strings.reduce((w, s) => Math.max(w, s.length), 0);
  const render = (axis: number, offset: number, indent: string): string => {
    if (axis === shape.length) return strings[offset].padStart(width);
    const n = shape[axis];
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const picks =
      summarize && n > 2 * EDGE
        ? [
            ...Array.from({ length: EDGE }, (_, i) => i),
            -1,
            ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i),
          ]
        : Array.from({ length: n }, (_, i) => i);
    const parts = picks.map((i) => (i < 0 ? "..." : render(axis + 1, offset + i * stride, `${indent} `)));
    const inner = axis === shape.length - 1;
    const separator = inner ? ", " : `,${"\n".repeat(shape.length - axis - 1)}${indent} `;
    return `[${parts.join(separator)}]`;
  };
  const extras: string[] = [];
  const empty = shape.includes(0);
  if (empty && shape.length !== 1) extras.push(`size=[${shape.join(", ")}]`);
  if (dtype !== "float32") extras.push(`dtype=${dtype}`);
  if (prim) extras.push(`gradFn=${prim}`);
  else if (requiresGrad) extras.push("requiresGrad=true");
  const body = empty ? "[]" : render(0, 0, "       ");
  return `tensor(${[body, ...extras].join(", ")})`;
}
