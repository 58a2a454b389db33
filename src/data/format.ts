// The compact image-dataset file: gzip of a small header ("CRDS", version, count, rows, cols, classes),
// the uint8 labels, then the uint8 pixels, row-major. Decoding checks every size against the header.
import { gunzipSync, gzipSync } from "node:zlib";
import { failInput } from "../errors.js";
import { DATASET_HEADER, DATASET_MAGIC, type ImageDataset, parseDataset } from "./image-dataset.js";

export type { ImageDataset };

export function encodeDataset(ds: ImageDataset): Buffer {
  const count = ds.labels.length;
  const header = Buffer.alloc(DATASET_HEADER);
  header.writeUInt32LE(DATASET_MAGIC, 0);
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
  return parseDataset(name, raw);
}
