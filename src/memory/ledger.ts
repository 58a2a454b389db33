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

/**
 * A buffer and what the ledger knows of it. `views` counts the live tensors that read it (a reshape, a
 * transpose or a detach shares its input's buffer); `savedRefs` counts graph nodes that keep it for backward.
 */
export class Storage {
  tag: MemoryTag;
  views = 0;
  savedRefs = 0;
  freed = false;
  /** Captured steps that replay into this buffer (capture/recorder.ts): while > 0, a release waits. */
  pins = 0;
  /** Released while pinned: freed when the last pin goes. */
  releaseWaits = false;
  /** The counters of the backend that holds it (memory().devices). */
  readonly device: DeviceCounters;
  constructor(
    readonly backend: Backend,
    readonly id: DataId,
    readonly dtype: DType,
    readonly size: number,
    readonly bytes: number,
    tag: MemoryTag,
  ) {
    this.tag = tag;
    this.device = deviceCounters(backend.name);
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

/** Live buffers and bytes, in total and per tag, of all backends or of one. */
interface DeviceCounters {
  total: Counter;
  byTag: Record<MemoryTag, Counter>;
}

const newCounter = (): Counter => ({ count: 0, bytes: 0, peakBytes: 0 });
const newCounters = (): DeviceCounters => ({
  total: newCounter(),
  byTag: Object.fromEntries(MEMORY_TAGS.map((t) => [t, newCounter()])) as Record<MemoryTag, Counter>,
});
const { total, byTag } = newCounters();
/** Each live buffer's Storage by its backend id, so that a capture can hold the buffers its kernels use. */
const storages = new Map<DataId, Storage>();
/** Per backend name, from its first allocation on: js and wasm hold host memory, webgpu GPU memory. */
const devices = new Map<string, DeviceCounters>();

function deviceCounters(name: string): DeviceCounters {
  let counters = devices.get(name);
  if (!counters) {
    counters = newCounters();
    devices.set(name, counters);
  }
  return counters;
}

function bump(c: Counter, bytes: number, sign: 1 | -1): void {
  c.count += sign;
  c.bytes += sign * bytes;
  if (c.bytes > c.peakBytes) c.peakBytes = c.bytes;
}

function count(tag: MemoryTag, storage: Storage, sign: 1 | -1): void {
  bump(total, storage.bytes, sign);
  bump(byTag[tag], storage.bytes, sign);
  bump(storage.device.total, storage.bytes, sign);
  bump(storage.device.byTag[tag], storage.bytes, sign);
}

/** What changed the live bytes: a buffer allocated, released, or moved between tags (saved, retagged). */
export type MemoryEvent = "allocate" | "release" | "retag";

/** Listeners told after every change of the live bytes (memoryReport's timelines). */
const listeners = new Set<(event: MemoryEvent, storage: Storage) => void>();
let currentOp = "";

/** Names the op now running (ops/apply.ts calls this), so timeline samples say which op allocated. */
export function noteOp(name: string): void {
  currentOp = name;
}

function notify(event: MemoryEvent, storage: Storage): void {
  for (const listener of listeners) listener(event, storage);
}

/** Calls `listener` after every change of the live bytes until the returned function is called. */
export function watchLedger(listener: (event: MemoryEvent, storage: Storage) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A tracked buffer on `backend` (the current one unless said); `zeroed` false skips the zero-fill for an op
 * that writes every element.
 */
export function allocate(
  dtype: DType,
  size: number,
  tag: MemoryTag = "temporary",
  zeroed = true,
  backend: Backend = getBackend(),
): Storage {
  const storage = new Storage(
    backend,
    backend.alloc(dtype, size, zeroed),
    dtype,
    size,
    size * bytesPerElement(dtype),
    tag,
  );
  count(tag, storage, 1);
  storages.set(storage.id, storage);
  if (listeners.size > 0) notify("allocate", storage);
  return storage;
}

/** One more tensor reads this buffer. */
export function holdStorage(storage: Storage): void {
  storage.views++;
}

/** A tensor stops reading this buffer; the last one to let go frees it. */
export function dropStorage(storage: Storage): void {
  if (--storage.views <= 0) release(storage);
}

/** Frees the buffer now, whoever still reads it (dry runs, scratch buffers); idempotent. */
export function release(storage: Storage): void {
  if (storage.freed) return;
  if (storage.pins > 0) {
    // A captured step still replays into it: it stays allocated, counted as a temporary, until unpinned.
    storage.releaseWaits = true;
    retag(storage, "temporary");
    return;
  }
  storage.freed = true;
  storages.delete(storage.id);
  count(storage.effectiveTag, storage, -1);
  storage.backend.free(storage.id);
  if (listeners.size > 0) notify("release", storage);
}

/** The Storage of a live buffer the ledger made, by its backend id. */
export function storageOf(id: DataId): Storage | undefined {
  const storage = storages.get(id);
  return storage && !storage.freed ? storage : undefined;
}

/** A captured step starts (+1) or stops (−1) replaying into this buffer; the last unpin does a waiting release. */
export function pinStorage(storage: Storage, delta: 1 | -1): void {
  storage.pins += delta;
  if (storage.pins === 0 && storage.releaseWaits) release(storage);
}

/** Changes what a live buffer is for (a temporary becoming a parameter, say), moving its bytes between tags. */
export function retag(storage: Storage, tag: MemoryTag): void {
  changeTag(storage, () => {
    storage.tag = tag;
  });
}

/** Graph nodes start (delta > 0) or stop (delta < 0) keeping this buffer for backward. */
export function addSavedRef(storage: Storage, delta: number): void {
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
  if (listeners.size > 0) notify("retag", storage);
}

export interface TagUsage {
  tensors: number;
  bytes: number;
  peakBytes: number;
}

/** Live buffers and bytes now, and peaks since the last resetPeak(), in total and by tag. */
export interface MemoryUsage {
  tensors: number;
  bytes: number;
  peakBytes: number;
  byCategory: Record<MemoryTag, TagUsage>;
}

export interface MemoryInfo extends MemoryUsage {
  /**
   * The same per backend that has held a buffer ("wasm" and "js" in host memory, "webgpu" in GPU memory,
   * "meta" for dry runs): each device's own live bytes and peaks. The devices' live figures add up to the
   * totals; their peaks need not (devices peak at different moments).
   */
  devices: Record<string, MemoryUsage>;
}

function usageOf(counters: DeviceCounters): MemoryUsage {
  const usage = (c: Counter): TagUsage => ({ tensors: c.count, bytes: c.bytes, peakBytes: c.peakBytes });
  return {
    ...usage(counters.total),
    byCategory: Object.fromEntries(MEMORY_TAGS.map((t) => [t, usage(counters.byTag[t])])) as Record<
      MemoryTag,
      TagUsage
    >,
  };
}

/** Live buffers and bytes now, and the peaks since the last resetPeak(), in all and per device. */
export function memory(): MemoryInfo {
  return {
    ...usageOf({ total, byTag }),
    devices: Object.fromEntries([...devices].map(([name, counters]) => [name, usageOf(counters)])),
  };
}

/** Starts a new peak measurement from the bytes live now (in all and on every device). */
export function resetPeak(): void {
  for (const counters of [{ total, byTag }, ...devices.values()]) {
    for (const c of [counters.total, ...Object.values(counters.byTag)]) c.peakBytes = c.bytes;
  }
}

/** Bytes in total and per tag. */
export interface TagBytes {
  total: number;
  byTag: Record<MemoryTag, number>;
}

/** One point of a memory timeline: the live bytes right after an allocation, a release or a retag. */
export interface MemorySample extends TagBytes {
  /** Position in the run's sequence of memory events (0-based), kept when the timeline is thinned. */
  step: number;
  event: MemoryEvent;
  /** The most recent primitive started when the event happened ("" before any). */
  op: string;
}

export interface MemoryReport<T> {
  result: T;
  /** Live bytes when fn started and when it returned. */
  start: TagBytes;
  end: TagBytes;
  /** The highest live bytes during fn (each tag's own peak, so the tags need not peak together). */
  peak: TagBytes;
  /** peak − start: what fn needed on top of what was already live. */
  peakIncrease: TagBytes;
  /** Live bytes after each memory event, thinned evenly to at most `maxSamples` points. */
  timeline: MemorySample[];
  /** Memory events during fn (the timeline holds every `stride`-th one, plus the last). */
  events: number;
  stride: number;
}

export interface MemoryReportOptions {
  /** Longest timeline kept (default 2000); longer runs keep every 2nd, 4th, ... event. */
  maxSamples?: number;
}

const snapshot = (pick: (c: Counter) => number): TagBytes => ({
  total: pick(total),
  byTag: Object.fromEntries(MEMORY_TAGS.map((t) => [t, pick(byTag[t])])) as Record<MemoryTag, number>,
});

const minus = (a: TagBytes, b: TagBytes): TagBytes => ({
  total: a.total - b.total,
  byTag: Object.fromEntries(MEMORY_TAGS.map((t) => [t, a.byTag[t] - b.byTag[t]])) as Record<
    MemoryTag,
    number
  >,
});

/**
 * Runs fn and reports the ledger during it: peak bytes per tag (absolute and above the start; the peaks are
 * reset when fn starts) and a bounded timeline of live bytes, one sample per allocation, release or retag.
 */
export function memoryReport<T>(fn: () => T, options: MemoryReportOptions = {}): MemoryReport<T> {
  const maxSamples = Math.max(2, options.maxSamples ?? 2000);
  resetPeak();
  const start = snapshot((c) => c.bytes);
  const timeline: MemorySample[] = [];
  let events = 0;
  let stride = 1;
  let last: MemorySample | null = null;
  const listener = (event: MemoryEvent): void => {
    const sample: MemorySample = { step: events, event, op: currentOp, ...snapshot((c) => c.bytes) };
    if (events % stride === 0) {
      timeline.push(sample);
      if (timeline.length > maxSamples) {
        // Keep every other sample and sample half as often from now on.
        stride *= 2;
        const kept = timeline.filter((s) => s.step % stride === 0);
        timeline.length = 0;
        timeline.push(...kept);
      }
      last = null;
    } else {
      last = sample;
    }
    events++;
  };
  const unwatch = watchLedger(listener);
  let result: T;
  try {
    result = fn();
  } finally {
    unwatch();
  }
  const tail = last as MemorySample | null;
  if (tail) {
    if (timeline.length >= maxSamples) timeline.pop();
    timeline.push(tail);
  }
  const peak = snapshot((c) => c.peakBytes);
  return {
    result,
    start,
    end: snapshot((c) => c.bytes),
    peak,
    peakIncrease: minus(peak, start),
    timeline,
    events,
    stride,
  };
}

/** Where moved bytes went or came from: another device, or the host (the main thread that drives the devices). */
export type TransferPeer = "device" | "host";

/** Bytes this ledger's device has sent and received, by peer, since the last resetTransfers(). */
export interface TransferInfo {
  sentToDevices: number;
  receivedFromDevices: number;
  sentToHost: number;
  receivedFromHost: number;
}

const moved: TransferInfo = { sentToDevices: 0, receivedFromDevices: 0, sentToHost: 0, receivedFromHost: 0 };

/** Counts bytes copied out of (sent) or into (received) this device's memory, to or from `peer`. */
export function noteTransfer(direction: "sent" | "received", peer: TransferPeer, bytes: number): void {
  if (direction === "sent") moved[peer === "device" ? "sentToDevices" : "sentToHost"] += bytes;
  else moved[peer === "device" ? "receivedFromDevices" : "receivedFromHost"] += bytes;
}

/** Bytes moved since the last resetTransfers() (or the start). */
export function transfers(): TransferInfo {
  return { ...moved };
}

export function resetTransfers(): void {
  moved.sentToDevices = moved.receivedFromDevices = moved.sentToHost = moved.receivedFromHost = 0;
}
