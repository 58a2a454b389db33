// Opt-in leak tracking: with trackLeaks(true) (or CHAINRULE_TRACK_LEAKS=1) every new tensor records the
// stack that made it, and leakReport() lists those still alive with the op and the user's call site.
// Weak references only: tracking never keeps a tensor alive.
import { fmt } from "../shape.js";

/** What leak tracking needs of a tensor (an interface, so tensor.ts can import this file). */
export interface Trackable {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly isDisposed: boolean;
  readonly label: string | undefined;
  readonly node: { readonly prim: string } | null;
  readonly storage: { readonly bytes: number; readonly effectiveTag: string };
}

interface Entry {
  ref: WeakRef<Trackable>;
  stack: string;
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let tracking = env?.CHAINRULE_TRACK_LEAKS === "1";
const live = new Map<number, Entry>();

/** Turns creation-stack capture on or off (off by default: a stack per tensor is expensive). Returns the old setting. */
export function trackLeaks(on = true): boolean {
  const before = tracking;
  tracking = on;
  if (!on) live.clear();
  return before;
}

export function isTrackingLeaks(): boolean {
  return tracking;
}

/** Called by the Tensor constructor. */
export function noteCreated(t: Trackable): void {
  if (!tracking) return;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error("created here").stack ?? "";
  Error.stackTraceLimit = limit;
  live.set(t.id, { ref: new WeakRef(t), stack });
}

/** Called by Tensor.dispose(). */
export function noteDisposed(t: Trackable): void {
  if (live.size > 0) live.delete(t.id);
}

export interface LeakEntry {
  id: number;
  /** `tensor #12 "z" [2,3] float32` */
  tensor: string;
  shape: readonly number[];
  dtype: string;
  /** The buffer's bytes; 0 for a view whose buffer an older live tensor in the report already counts. */
  bytes: number;
  /** The ledger category: parameter, gradient, saved, optimizer, data or temporary. */
  tag: string;
  /** The recorded op, else the library function called from user code (randn, add, matmul...). */
  op: string;
  /** The first stack frame outside the library: `file:line:column`, with the function when known. */
  site: string;
  /** The whole creation stack, library frames included. */
  stack: string;
}

export interface LeakReport {
  tensors: LeakEntry[];
  bytes: number;
  /** One line per tensor, largest first. */
  text: string;
}

// Not `new URL("..", import.meta.url)` written out: bundlers would take that for an asset to emit.
const here = import.meta.url;
const SRC_DIR = new URL("..", here);
const srcMarkers = [SRC_DIR.href, decodeURIComponent(SRC_DIR.pathname)];

function isLibraryFrame(frame: string): boolean {
  return (
    srcMarkers.some((m) => frame.includes(m)) || frame.includes("node:") || frame.includes("/node_modules/")
  );
}

/** [op, site] from a creation stack: the last library function before the first user frame. */
function callSite(stack: string): [string, string] {
  const frames = stack
    .split("\n")
    .slice(1)
    .map((l) => l.trim().replace(/^at /, ""));
  const user = frames.findIndex((f) => !isLibraryFrame(f));
  if (user < 0) return ["?", "(no frame outside the library)"];
  // The library function nearest the user frame that has a name (Tensor methods are anonymous wrappers).
  let op = "?";
  for (let i = user - 1; i >= 0; i--) {
    const name = /^(?:new |async )?([\w$.<>]+) \(/.exec(frames[i])?.[1] ?? "";
    const bare = name.replace(/^(?:Object|Module|Tensor)\./, "");
    if (bare !== "" && !bare.includes("<anonymous>")) {
      op = bare;
      break;
    }
  }
  return [op, frames[user]];
}

/**
 * Tensors made while tracking was on that are still alive (not disposed, not garbage-collected), each
 * with the op that made it and the user frame that called it, largest first.
 */
export function leakReport(): LeakReport {
  const tensors: LeakEntry[] = [];
  // Views share a buffer: the oldest live tensor over it (`live` is in creation order) counts its bytes.
  const counted = new Set<object>();
  for (const [id, { ref, stack }] of live) {
    const t = ref.deref();
    if (t === undefined || t.isDisposed) {
      live.delete(id);
      continue;
    }
    const [guess, site] = callSite(stack);
    const name = t.label ? ` "${t.label}"` : "";
    tensors.push({
      id,
      tensor: `tensor #${id}${name} ${fmt(t.shape)} ${t.dtype}`,
      shape: t.shape,
      dtype: t.dtype,
      bytes: counted.has(t.storage) ? 0 : t.storage.bytes,
      tag: t.storage.effectiveTag,
      op: t.node?.prim ?? guess,
      site,
      stack,
    });
    counted.add(t.storage);
  }
  tensors.sort((a, b) => b.bytes - a.bytes || a.id - b.id);
  const bytes = tensors.reduce((n, e) => n + e.bytes, 0);
  const lines = tensors.map((e) => `${e.tensor} ${e.bytes} B ${e.tag}, made by ${e.op} at ${e.site}`);
  const text = `${tensors.length} live tensor(s), ${bytes} bytes${tracking ? "" : " (tracking is off: trackLeaks(true))"}\n${lines.join("\n")}`;
  return { tensors, bytes, text };
}
