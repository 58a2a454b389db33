// The one allocation choke point: every buffer is made and freed here, tagged by purpose, with live and peak bytes.
import type { Backend, DataId } from "../backend/backend.js";
import { getBackend } from "../backend/registry.js";
import { bytesPerElement, type DType } from "../dtype.js";

export type MemoryTag = "parameter" | "gradient" | "saved" | "optimizer" | "data" | "temporary";
export const MEMORY_TAGS: readonly MemoryTag[] = [
  "parameter",
  "gradient",
  "saved",
  "optimizer",
  "data",
  "temporary",
];

/** A buffer and what the ledger knows of it. `savedRefs` counts graph nodes that keep it for backward. */
export class Storage {
  tag: MemoryTag;
  savedRefs = 0;
  freed = false;
  constructor(
    readonly backend: Backend,
    readonly id: DataId,
    readonly dtype: DType,
    readonly size: number,
    readonly bytes: number,
    tag: MemoryTag,
  ) {
    this.tag = tag;
  }
  /** What the ledger counts it as: a temporary that a graph node keeps is "saved". */
  get effectiveTag(): MemoryTag {
    return this.savedRefs > 0 && this.tag === "temporary" ? "saved" : this.tag;
  }
}

interface Counter {
  count: number;
  bytes: number;
  peakBytes: number;
}

const newCounter = (): Counter => ({ count: 0, bytes: 0, peakBytes: 0 });
const total = newCounter();
const byTag = Object.fromEntries(MEMORY_TAGS.map((t) => [t, newCounter()])) as Record<MemoryTag, Counter>;

function count(tag: MemoryTag, storage: Storage, sign: 1 | -1): void {
  for (const c of [total, byTag[tag]]) {
    c.count += sign;
    c.bytes += sign * storage.bytes;
    if (c.bytes > c.peakBytes) c.peakBytes = c.bytes;
  }
}

export function allocate(dtype: DType, size: number, tag: MemoryTag = "temporary"): Storage {
  const backend = getBackend();
  const storage = new Storage(
    backend,
    backend.alloc(dtype, size),
    dtype,
    size,
    size * bytesPerElement(dtype),
    tag,
  );
  count(tag, storage, 1);
  return storage;
}

export function release(storage: Storage): void {
  if (storage.freed) return;
  storage.freed = true;
  count(storage.effectiveTag, storage, -1);
  storage.backend.free(storage.id);
}

/** Changes what a live buffer is for (a temporary becoming a parameter, say), moving its bytes between tags. */
export function retag(storage: Storage, tag: MemoryTag): void {
  changeTag(storage, () => {
    storage.tag = tag;
  });
}

/** A graph node starts (+1) or stops (-1) keeping this buffer for backward. */
export function addSavedRef(storage: Storage, delta: 1 | -1): void {
  changeTag(storage, () => {
    storage.savedRefs += delta;
  });
}

function changeTag(storage: Storage, change: () => void): void {
  const before = storage.effectiveTag;
  change();
  const after = storage.effectiveTag;
  if (storage.freed || before === after) return;
  count(before, storage, -1);
  count(after, storage, 1);
}

export interface TagUsage {
  tensors: number;
  bytes: number;
  peakBytes: number;
}

export interface MemoryInfo {
  tensors: number;
  bytes: number;
  peakBytes: number;
  byCategory: Record<MemoryTag, TagUsage>;
}

/** Live buffers and bytes now, and the peaks since the last resetPeak(). */
export function memory(): MemoryInfo {
  const usage = (c: Counter): TagUsage => ({ tensors: c.count, bytes: c.bytes, peakBytes: c.peakBytes });
  return {
    ...usage(total),
    byCategory: Object.fromEntries(MEMORY_TAGS.map((t) => [t, usage(byTag[t])])) as Record<
      MemoryTag,
      TagUsage
    >,
  };
}

/** Starts a new peak measurement from the bytes live now. */
export function resetPeak(): void {
  for (const c of [total, ...Object.values(byTag)]) c.peakBytes = c.bytes;
}
