// Element types: names, storage arrays, byte sizes and the promotion order used by binary ops.
import { fail } from "./errors.js";

export type DType = "float32" | "float64" | "int32" | "bool";
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

const BYTES: { [D in DType]: number } = { float32: 4, float64: 8, int32: 4, bool: 1 };
const RANK: { [D in DType]: number } = { bool: 0, int32: 1, float32: 2, float64: 3 };

export function bytesPerElement(dtype: DType): number {
  return BYTES[dtype];
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && (DTYPES as readonly string[]).includes(value);
}

/** The dtype a binary op computes in: the wider of the two (bool < int32 < float32 < float64). */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

export function newArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/**
 * A new array holding the first `size` values of `values`, of the same type. `set` into a fresh array, not
 * `slice`: V8 copies a slice of shared memory (the threaded wasm heap) element by element, `set` in bulk.
 */
export function copyOf(values: TypedArray, size = values.length): TypedArray {
  const bytes = size * values.BYTES_PER_ELEMENT;
  const out =
    nodeBuffer !== undefined && bytes >= UNFILLED_MIN_BYTES
      ? new (values.constructor as TypedArrayOver)(
          nodeBuffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer,
          0,
          size,
        )
      : new (values.constructor as new (length: number) => TypedArray)(size);
  out.set(size === values.length ? values : values.subarray(0, size));
  return out;
}

/**
 * From this many bytes (in Node) a copy goes into a buffer that is not zero-filled first, since `set` overwrites
 * it anyway (the bench's dataSync and data of 16 MiB went from 4.4-5.1 to 6.2 GB/s). Smaller ones are made as usual.
 */
const UNFILLED_MIN_BYTES = 1 << 16;
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(bytes: number): Uint8Array } }).Buffer;
type TypedArrayOver = new (buffer: ArrayBuffer, offset: number, length: number) => TypedArray;

/** The dtype whose storage array a typed array is, for creation from typed arrays; other views are refused. */
export function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return "float32";
  if (values instanceof Float64Array) return "float64";
  if (values instanceof Int32Array) return "int32";
  if (values instanceof Uint8Array) return "bool";
  const kind = (values as ArrayBufferView).constructor.name;
  return fail(
    "tensor",
    `${kind} is not supported; use a Float32Array, Float64Array, Int32Array or Uint8Array`,
  );
}
