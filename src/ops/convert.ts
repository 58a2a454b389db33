// Turning operands into tensors: JS numbers become 0-d tensors of a matching dtype, and binary
// operands are cast to one common dtype so kernels always see equal dtypes.
import { type DType, isFloat, promote } from "../dtype.js";
import { fail } from "../errors.js";
import { full } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";
import { cast } from "./binary.js";

export type TensorLike = Tensor | number | boolean;

/** The dtype a JS scalar takes next to a tensor of `other`: it never widens a float tensor. */
function scalarDType(value: number | boolean, other: DType | undefined): DType {
  if (typeof value === "boolean") return other ?? "bool";
  if (other && isFloat(other)) return other;
  return Number.isInteger(value) ? (other === "bool" || other === undefined ? "int32" : other) : "float32";
}

export function toTensor(op: string, value: TensorLike, like?: DType): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value !== "number" && typeof value !== "boolean") {
    fail(op, `expected a Tensor or a number, got ${value === null ? "null" : typeof value}`);
  }
  const dtype = scalarDType(value, like);
  return full([], Number(value), {
    dtype: like === "bool" && typeof value === "number" && !Number.isInteger(value) ? "float32" : dtype,
  });
}

/** Both operands as tensors of one dtype (the promotion of the two; scalars adapt to the tensor). */
export function commonOperands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const at = a instanceof Tensor ? a : undefined;
  const bt = b instanceof Tensor ? b : undefined;
  const ta = toTensor(op, a, bt?.dtype);
  const tb = toTensor(op, b, at?.dtype ?? ta.dtype);
  const dtype = promote(ta.dtype, tb.dtype);
  return [castTo(ta, dtype), castTo(tb, dtype)];
}

export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : cast(t, dtype);
}

/** A float tensor: int and bool inputs become float32 (for exp, log, division and the like). */
export function asFloat(t: Tensor): Tensor {
  return isFloat(t.dtype) ? t : cast(t, "float32");
}
