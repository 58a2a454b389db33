// Tensors to and from the bytes that travel between threads: a copy out of one device's memory, a copy into another's.
import { bytesPerElement, type DType, type TypedArray } from "../dtype.js";
import type { MemoryTag } from "../memory/ledger.js";
import { tensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Payload } from "./protocol.js";

/** A typed array of `dtype` over the payload's bytes (no copy). */
export function payloadArray(p: Payload): TypedArray {
  const n = p.data.byteLength / bytesPerElement(p.dtype);
  switch (p.dtype) {
    case "float32":
      return new Float32Array(p.data, 0, n);
    case "float64":
      return new Float64Array(p.data, 0, n);
    case "int32":
      return new Int32Array(p.data, 0, n);
    default:
      return new Uint8Array(p.data, 0, n);
  }
}

/** The values of `values` (shape `shape`) as a payload that owns a fresh buffer, ready to be transferred. */
export function arrayPayload(values: TypedArray, dtype: DType, shape: readonly number[]): Payload {
  const copy = values.slice();
  return { dtype, shape: [...shape], data: copy.buffer as ArrayBuffer };
}

/** A copy of t's values, ready to send. */
export function toPayload(t: Tensor): Payload {
  // dataSync() already copies out of the backend's memory into an array of its own.
  return { dtype: t.dtype, shape: [...t.shape], data: t.dataSync().buffer as ArrayBuffer };
}

/** A tensor on the current backend holding the payload's values. */
export function fromPayload(p: Payload, tag: MemoryTag = "temporary"): Tensor {
  return tensor(payloadArray(p), { dtype: p.dtype, shape: p.shape, tag });
}
