// The messages between the host (the thread that drives the devices) and a device worker: one request, one
// reply each, matched by id. Tensors travel as their bytes (ArrayBuffers transferred, not copied, between threads).
import type { DType } from "../dtype.js";
import type { Architecture } from "../io/architecture.js";
import type { MemoryInfo, MemoryTag, TransferInfo } from "../memory/ledger.js";

/** A tensor's bytes on their way between two devices or a device and the host. */
export interface Payload {
  dtype: DType;
  shape: number[];
  data: ArrayBuffer;
}

/** Where a payload came from, so the receiving device's ledger counts it under the right peer. */
export type From = "host" | "device";

/** What a device can be asked to do. */
export type Request =
  | { kind: "put"; handle: number; payload: Payload; from: From; tag: MemoryTag }
  | { kind: "get"; handle: number; to: From }
  | { kind: "free"; handle: number }
  | {
      kind: "place";
      architecture: Architecture;
      weights: Record<string, Payload>;
      lr: number;
      lambda: number;
    }
  | { kind: "weights" }
  | { kind: "forward"; input: number; output: number }
  | { kind: "stageForward"; batch: number; input: Payload; from: From; labels: Payload | null; scale: number }
  | { kind: "stageBackward"; batch: number; upstream: Payload | null }
  | { kind: "step" }
  | { kind: "trainStep"; x: Payload; y: Payload; microBatches: number }
  | { kind: "shareGradients"; x: Payload; y: Payload; scale: number; shared: SharedArrayBuffer; slot: number }
  | { kind: "reduceAndStep"; shared: SharedArrayBuffer; replicas: number }
  | { kind: "memory"; reset: boolean };

/** The answer to a Request: a value or an error message, with when the device worked on it. */
export type Reply =
  | { id: number; ok: true; value: ReplyValue; start: number; end: number }
  | { id: number; ok: false; error: string; name: string };

export type ReplyValue = null | number | Payload | Record<string, Payload> | DeviceMemory | TensorMeta;

/** Shape and dtype of a tensor made on a device. */
export interface TensorMeta {
  dtype: DType;
  shape: number[];
}

/** A device's ledger: live and peak bytes by tag, and bytes moved since the last reset. */
export interface DeviceMemory {
  memory: MemoryInfo;
  transfers: TransferInfo;
}

/** Bytes a payload carries. */
export const payloadBytes = (p: Payload): number => p.data.byteLength;
