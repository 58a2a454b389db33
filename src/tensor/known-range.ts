// Bounds of a buffer's values known on the host because the host wrote them (the DataLoader's labels), so a
// range check (crossEntropy's labels, gather's index) needs no read back from a GPU. Every in-place write
// bumps the written tensor's version, which forgets its buffer's bounds (a shared buffer is never written:
// in-place ops copy it first).
import type { Storage } from "../memory/ledger.js";
import type { Tensor } from "./tensor.js";

const known = new WeakMap<Storage, { readonly min: number; readonly max: number }>();

/** Records that every value in `t`'s buffer lies in [min, max] (the caller has just written them all). */
export function noteValueRange(t: Tensor, min: number, max: number): void {
  known.set(t.storage, { min, max });
}

/** Forgets the bounds of a buffer whose values were just written in place. */
export function forgetValueRange(storage: Storage): void {
  known.delete(storage);
}

/** Whether every value `t` reads is known to lie in [0, size) without reading it back. */
export function knownWithin(t: Tensor, size: number): boolean {
  return storageWithin(t.storage, size);
}

/** Whether every value in a buffer is known to lie in [0, size) (a captured step's replay asks of its inputs). */
export function storageWithin(storage: Storage | undefined, size: number): boolean {
  const range = storage === undefined ? undefined : known.get(storage);
  return range !== undefined && range.min >= 0 && range.max < size;
}
