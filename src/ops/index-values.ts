// Range checks of int32 index values (gather, index, scatterAdd, crossEntropy's labels): on the host from the
// backend's host copy or a read, or, where the backend would rather not be read (a page's GPU), on the device.
import type { DataId, IndexReport } from "../backend/backend.js";
import { isMeta } from "../backend/meta/index.js";
import type { TypedArray } from "../dtype.js";
import { fail } from "../errors.js";
import { storageOf } from "../memory/ledger.js";
import { capturing } from "../tensor/capture-state.js";
import { knownWithin, storageWithin } from "../tensor/known-range.js";
import type { Tensor } from "../tensor/tensor.js";

/** The view's elements, row-major, picked out of its buffer's values by its strides and offset. */
function viewValues(stored: TypedArray, t: Tensor): number[] {
  const { shape, strides, offset } = t;
  const values = new Array<number>(t.size);
  for (let i = 0; i < values.length; i++) {
    let rest = i;
    let at = offset;
    for (let d = shape.length - 1; d >= 0; d--) {
      at += (rest % shape[d]) * strides[d];
      rest = Math.floor(rest / shape[d]);
    }
    values[i] = stored[at];
  }
  return values;
}

/**
 * Fails with `report(value, position)` in the name of `op` for the first value of `index` outside [0, bound).
 * A dry run (meta backend) has no values; values whose range the host knows (a DataLoader's labels) need no
 * check; a backend that checks on the device reports at its next read.
 */
export function checkIndexValues(op: string, index: Tensor, bound: number, report: IndexReport): void {
  if (isMeta(index.storage.backend) || index.size === 0) return;
  const sink = capturing();
  if (sink === null) {
    if (!knownWithin(index, bound)) checkBuffer(op, index, index.storage.id, bound, report);
    return;
  }
  // A captured step checks again on every replay, on that replay's buffer, unless its values are known.
  sink.check((buffer) => {
    const id = buffer(index.storage.id);
    if (!storageWithin(storageOf(id), bound)) checkBuffer(op, index, id, bound, report);
  });
}

/** The check of index's values as they are in buffer `id` (index's own, or a replay's in its layout). */
function checkBuffer(op: string, index: Tensor, id: DataId, bound: number, report: IndexReport): void {
  const backend = index.storage.backend;
  let stored = backend.hostValues?.(id);
  if (!stored) {
    const view = { id, strides: index.strides, offset: index.offset };
    if (backend.checkIndexRange?.(op, view, index.shape, bound, report)) return;
    // The buffer as the backend reads it synchronously (a live view on wasm and js: checked at once, no copy).
    stored = backend.readSync(id);
  }
  const values: ArrayLike<number> = index.isDense ? stored : viewValues(stored, index);
  for (let i = 0; i < index.size; i++) {
    const v = values[i];
    if (!(v >= 0 && v < bound)) fail(op, report(v, i));
  }
}
