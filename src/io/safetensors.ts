// The safetensors layout: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
// shape and byte range, then the raw little-endian data. Decoding trusts nothing: every length, offset,
// name and size is checked, and anything wrong is refused with a message, never a crash or a hang.
import type { DType, TypedArray } from "../dtype.js";
import { bytesPerElement } from "../dtype.js";
import { fail } from "../errors.js";
import { fmt } from "../shape.js";
import { FORBIDDEN_KEYS, type Json, parseStrictJson } from "./strict-json.js";

const CODES: { [D in DType]: string } = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
const FROM_CODE = new Map(Object.entries(CODES).map(([d, c]) => [c, d as DType]));
/** Headers larger than this are refused before parsing. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
const MAX_TENSORS = 100_000;
const MAX_RANK = 32;

export interface RawTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

export interface Decoded {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function typedFrom(dtype: DType, bytes: Uint8Array): TypedArray {
  const copy = new Uint8Array(bytes); // a real copy: Buffer.slice would be a view into a shared pool
  if (!littleEndian && bytesPerElement(dtype) > 1) {
    for (let i = 0; i < copy.length; i += bytesPerElement(dtype))
      copy.subarray(i, i + bytesPerElement(dtype)).reverse();
  }
  switch (dtype) {
    case "float32":
      return new Float32Array(copy.buffer, 0, copy.length / 4);
    case "float64":
      return new Float64Array(copy.buffer, 0, copy.length / 8);
    case "int32":
      return new Int32Array(copy.buffer, 0, copy.length / 4);
    case "bool":
      return copy;
  }
}

/** Why `key` cannot name a tensor or a metadata entry (the decoder refuses it), or null if it can. */
function badKey(key: string): string | null {
  if (key.length === 0 || key.length > 1024) return `a name of length ${key.length} is not allowed`;
  if (FORBIDDEN_KEYS.has(key)) return `"${key}" is a forbidden name`;
  return null;
}

/** The file as chunks: header length, header, then each tensor's bytes in name order. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, RawTensor>,
  metadata: Record<string, string> = {},
): Uint8Array[] {
  const header: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(metadata)) {
    const problem = badKey(k) ?? (typeof v === "string" ? null : `__metadata__ "${k}" is not a string`);
    if (problem) fail("safetensors", problem);
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const problem = name === "__metadata__" ? `"__metadata__" cannot be a tensor name` : badKey(name);
    if (problem) fail("safetensors", problem);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size || t.data.BYTES_PER_ELEMENT !== bytesPerElement(t.dtype)) {
      fail(
        "safetensors",
        `"${name}": ${t.data.length} values of ${t.data.BYTES_PER_ELEMENT} bytes do not hold ${t.dtype} ${fmt(t.shape)}`,
      );
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
    if (!littleEndian && bytesPerElement(t.dtype) > 1) {
      for (let i = 0; i < bytes.length; i += bytesPerElement(t.dtype))
        bytes.subarray(i, i + bytesPerElement(t.dtype)).reverse();
    }
    header[name] = { dtype: CODES[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  // Pad with spaces so the data starts 8-byte aligned (counting UTF-8 bytes, not characters).
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  return [length, headerBytes, ...chunks];
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: Json | undefined): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

export function decodeSafetensors(file: Uint8Array, name = "file"): Decoded {
  const bad = (what: string): never => fail("safetensors", `${name}: ${what}`);
  if (file.length < 8) bad(`${file.length} bytes is too short for the 8-byte header length`);
  const headerLength = new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, file.length - 8))) {
    bad(
      `header length ${headerLength} exceeds the file (${file.length} bytes) or the ${MAX_HEADER_BYTES}-byte limit`,
    );
  }
  const n = Number(headerLength);
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, where the JSON parser refuses it.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(file.subarray(8, 8 + n));
  } catch {
    return bad("the header is not valid UTF-8");
  }
  const header = parseStrictJson(`safetensors: ${name}`, text);
  if (!isObject(header)) return bad("the header is not a JSON object");
  const dataStart = 8 + n;
  const dataLength = file.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: { key: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  const keys = Object.keys(header);
  if (keys.length > MAX_TENSORS + 1) bad(`more than ${MAX_TENSORS} tensors`);
  for (const key of keys) {
    const entry = header[key];
    if (key === "__metadata__") {
      if (!isObject(entry)) bad("__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(entry as Record<string, Json>)) {
        if (typeof v !== "string") bad(`__metadata__ "${k}" is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (key.length === 0 || key.length > 1024) bad(`tensor name of length ${key.length} is not allowed`);
    if (!isObject(entry)) return bad(`"${key}" is not an object`);
    const extra = Object.keys(entry).filter((k) => !["dtype", "shape", "data_offsets"].includes(k));
    if (extra.length > 0) bad(`"${key}" has unknown fields ${extra.join(", ")}`);
    const dtype = typeof entry.dtype === "string" ? FROM_CODE.get(entry.dtype) : undefined;
    if (!dtype)
      bad(`"${key}" has unsupported dtype ${JSON.stringify(entry.dtype)} (supported: F32, F64, I32, BOOL)`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every(isCount)) {
      bad(`"${key}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      bad(`"${key}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength)
      bad(`"${key}" bytes [${begin}, ${end}) fall outside the ${dataLength}-byte data section`);
    let elements = (shape as number[]).includes(0) ? 0 : 1;
    for (const d of elements === 0 ? [] : (shape as number[])) {
      elements *= d;
      if (elements > dataLength) break;
    }
    const expected = elements * bytesPerElement(dtype as DType);
    if (expected !== end - begin) {
      bad(
        `"${key}" is ${dtype} ${fmt(shape as number[])}: needs ${expected} bytes but data_offsets give ${end - begin}`,
      );
    }
    entries.push({ key, dtype: dtype as DType, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor) {
      bad(
        e.begin < cursor
          ? `"${e.key}" overlaps the tensor before it`
          : `a gap of ${e.begin - cursor} bytes before "${e.key}"`,
      );
    }
    cursor = e.end;
  }
  if (cursor !== dataLength)
    bad(`${dataLength - cursor} bytes after the last tensor are not described by the header`);
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    const bytes = file.subarray(dataStart + e.begin, dataStart + e.end);
    tensors.set(e.key, { dtype: e.dtype, shape: e.shape, data: typedFrom(e.dtype, bytes) });
  }
  return { tensors, metadata: { ...metadata } };
}
