// The compact image-dataset file: gzip of a small header ("CRDS", version, count, rows, cols, classes),
// the uint8 labels, then the uint8 pixels, row-major. Decoding checks every size against the header.
import { gunzipSync, gzipSync } from "node:zlib";
import { failInput } from "../errors.js";

export interface ImageDataset {
  name: string;
  rows: number;
  cols: number;
  classes: number;
  labels: Uint8Array;
  /** count × rows × cols bytes, 0-255. */
  pixels: Uint8Array;
}

const MAGIC = 0x53445243; // "CRDS" little-endian
const HEADER = 24;

export function encodeDataset(ds: ImageDataset): Buffer {
  const count = ds.labels.length;
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(1, 4);
  header.writeUInt32LE(count, 8);
  header.writeUInt32LE(ds.rows, 12);
  header.writeUInt32LE(ds.cols, 16);
  header.writeUInt32LE(ds.classes, 20);
  return gzipSync(Buffer.concat([header, Buffer.from(ds.labels), Buffer.from(ds.pixels)]), { level: 6 });
}

/** Decodes the file; anything that does not match the format throws an InputError. */
export function decodeDataset(name: string, file: Uint8Array): ImageDataset {
  let raw: Buffer;
  try {
    raw = gunzipSync(file);
  } catch (error) {
    return failInput("dataset", `${name}: not a gzip file (${(error as Error).message})`);
  }
  if (raw.length < HEADER || raw.readUInt32LE(0) !== MAGIC)
    failInput("dataset", `${name}: not a Chainrule dataset file`);
  const [count, rows, cols, classes] = [8, 12, 16, 20].map((o) => raw.readUInt32LE(o));
  const expected = HEADER + count + count * rows * cols;
  if (raw.length !== expected) failInput("dataset", `${name}: ${raw.length} bytes, header says ${expected}`);
  const labels = new Uint8Array(raw.buffer, raw.byteOffset + HEADER, count);
  if (labels.some((l) => l >= classes)) failInput("dataset", `${name}: a label is outside [0, ${classes})`);
  const pixels = new Uint8Array(raw.buffer, raw.byteOffset + HEADER + count, count * rows * cols);
  return { name, rows, cols, classes, labels, pixels };
}
