// Elementwise, reduction and copy kernels on the wasm backend. Each returns false for a case it has no
// kernel for (dtype, layout), and the backend runs the reference kernel on views of wasm memory instead.
import type { Shape } from "../../shape.js";
import type { BinaryOp, ReduceOp, UnaryOp, View } from "../backend.js";
import type { WasmBuffer } from "./index.js";
import type { Kernels } from "./kernels.js";

export function unaryWasm(
  _k: Kernels,
  _op: UnaryOp,
  _x: WasmBuffer,
  _out: WasmBuffer,
  _size: number,
): boolean {
  return false;
}
export function binaryWasm(
  _k: Kernels,
  _op: BinaryOp,
  _a: View,
  _b: View,
  _out: WasmBuffer,
  _shape: Shape,
): boolean {
  return false;
}
export function whereWasm(
  _k: Kernels,
  _c: View,
  _a: View,
  _b: View,
  _out: WasmBuffer,
  _shape: Shape,
): boolean {
  return false;
}
export function reduceWasm(
  _k: Kernels,
  _op: ReduceOp,
  _x: WasmBuffer,
  _shape: Shape,
  _axes: readonly number[],
  _out: WasmBuffer,
): boolean {
  return false;
}
export function castWasm(_k: Kernels, _x: WasmBuffer, _out: WasmBuffer, _size: number): boolean {
  return false;
}
export function copyWasm(_k: Kernels, _src: View, _dst: View, _shape: Shape): boolean {
  return false;
}
