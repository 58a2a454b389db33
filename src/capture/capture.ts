// cr.capture(step): the first call runs the step as usual and records its backend calls; later calls with
// inputs of the same layout replay those calls on the new inputs, without the step's JavaScript (tensors,
// graph, scopes): a training step's per-op cost paid once, not every step (what a CUDA graph does for PyTorch).
import type { Backend, DataId } from "../backend/backend.js";
import { getBackend } from "../backend/registry.js";
import { fail } from "../errors.js";
import { allocate } from "../memory/ledger.js";
import { viewOf } from "../ops/apply.js";
import { sizeOf } from "../shape.js";
import { isAnomalyEnabled } from "../tensor/anomaly.js";
import { capturing, withCapture } from "../tensor/capture-state.js";
import { isGradEnabled } from "../tensor/grad-mode.js";
import { tidyInternal } from "../tensor/scope.js";
import { Tensor } from "../tensor/tensor.js";
import { type OutputPlace, Recording } from "./recorder.js";

/** What a step returns: a tensor, an array of them, or nothing (a step that only updates parameters). */
export type StepResult = Tensor | readonly Tensor[] | undefined;

export interface CapturedStep<A extends Tensor[], R extends StepResult> {
  /** Runs the step: replays its recording where one holds for these inputs, else records one. */
  (...inputs: A): R;
  /** Recordings made so far: one per input layout, and a new one whenever a guarded value changed. */
  readonly recordings: number;
  /** Calls answered by a replay. */
  readonly replays: number;
  /**
   * Calls run as the plain step: for an input layout whose recording went stale STALE_LIMIT times in a row
   * (Adam's step count changes every step, say), the step stops recording and runs as written.
   */
  readonly eagerCalls: number;
  /** Bytes of the buffers the live recordings hold (counted as temporaries in cr.memory()). */
  heldBytes(): number;
  /** Lets go of every recording and the buffers it holds; a later call records again. */
  dispose(): void;
}

/** Consecutive stale recordings of one input layout after which its calls run the plain step. */
export const STALE_LIMIT = 3;

interface Entry {
  readonly recording: Recording;
  /** Recordings of this layout in a row that went stale at their first replay. */
  readonly staleInARow: number;
  readonly outputs: readonly (OutputPlace & { readonly input: number })[];
  readonly single: boolean;
  readonly none: boolean;
  /** Whether a replay used it. */
  replayed: boolean;
}

/**
 * Captures `step`, a function of tensors (a training step: forward, backward, optimizer update). The first
 * call runs it and records its backend calls; each later call with inputs of the same dtypes, shapes and
 * layout replays them on the new inputs. Every call returns new tensors holding the outputs' values (without
 * a graph). What the step reads from JavaScript (arrays it closes over, modes, numbers) is fixed at the
 * recording, except the optimizers' hyperparameters and state, which are checked on every call (a change
 * records again). Index values (labels) are checked on every replay. The step may not read tensor values
 * (item(), dataSync()) or draw random numbers: return what you want to read, and pass random tensors in.
 */
export function capture<A extends Tensor[], R extends StepResult>(
  step: (...inputs: A) => R,
): CapturedStep<A, R> {
  if (typeof step !== "function") throw new TypeError("capture: expected a function");
  const entries = new Map<string, Entry>();
  /** Input layouts whose recordings kept going stale: their calls run the plain step. */
  const plain = new Set<string>();
  let recordings = 0;
  let replays = 0;
  let eagerCalls = 0;

  const run = (...inputs: A): R => {
    if (capturing() !== null) fail("capture", "a captured step cannot run inside a capture");
    const backend = backendOf(inputs);
    const key = keyOf(backend, inputs);
    // Anomaly mode reads every result, which a replay cannot: the step runs as written while it is on.
    if (plain.has(key) || isAnomalyEnabled()) {
      eagerCalls++;
      return step(...inputs);
    }
    const entry = entries.get(key);
    let staleInARow = 0;
    if (entry !== undefined) {
      if (entry.recording.stale() === null) {
        entry.recording.replay(storageIds(inputs));
        entry.replayed = true;
        replays++;
        return results(entry, backend, inputs);
      }
      entry.recording.dispose();
      entries.delete(key);
      staleInARow = entry.replayed ? 1 : entry.staleInARow + 1;
      if (staleInARow >= STALE_LIMIT) {
        plain.add(key);
        eagerCalls++;
        return step(...inputs);
      }
    }
    const made = record(step, backend, inputs, staleInARow);
    entries.set(key, made.entry);
    recordings++;
    return made.result;
  };
  return Object.defineProperties(run, {
    recordings: { get: () => recordings },
    replays: { get: () => replays },
    eagerCalls: { get: () => eagerCalls },
    heldBytes: {
      value: () => [...entries.values()].reduce((sum, e) => sum + e.recording.heldBytes(), 0),
    },
    dispose: {
      value: () => {
        for (const e of entries.values()) e.recording.dispose();
        entries.clear();
        plain.clear();
      },
    },
  }) as CapturedStep<A, R>;
}

function backendOf(inputs: readonly Tensor[]): Backend {
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) fail("capture", `input ${i} is not a tensor`);
    if (t.isDisposed) fail("capture", `input ${i} ${t.describe()} has been disposed`);
  });
  const backend = inputs[0]?.storage.backend ?? getBackend();
  inputs.forEach((t, i) => {
    if (t.storage.backend !== backend)
      fail("capture", `input ${i} lives on ${t.storage.backend.name}, input 0 on ${backend.name}`);
  });
  return backend;
}

/**
 * The inputs' buffers, in an array made by push: V8's optimized Array.map makes a holey array where the
 * interpreter's is packed, and the replay's code, compiled for one, would be compiled again for the other.
 */
function storageIds(inputs: readonly Tensor[]): DataId[] {
  const ids: DataId[] = [];
  for (const t of inputs) ids.push(t.storage.id);
  return ids;
}

/** Recordings are kept per backend, grad mode and input layout (dtype, shape, strides, offset). */
function keyOf(backend: Backend, inputs: readonly Tensor[]): string {
  let key = `${backend.name}|${isGradEnabled() ? "grad" : "nograd"}`;
  for (const t of inputs) key += `|${t.dtype}[${t.shape.join(",")}]/${t.strides.join(",")}+${t.offset}`;
  return key;
}

/**
 * Records the step on this call's inputs. Its outputs are returned as copies, as a replay's are: the step's own
 * output buffers are the recording's, which the next replay overwrites. What the step made and did not keep
 * is freed when the call ends (buffers the recording holds wait for it).
 */
function record<A extends Tensor[], R extends StepResult>(
  step: (...inputs: A) => R,
  backend: Backend,
  inputs: A,
  staleInARow: number,
): { entry: Entry; result: R } {
  const ids = inputs.map((t) => t.storage.id);
  ids.forEach((id, i) => {
    const j = ids.indexOf(id);
    if (j !== i) fail("capture", `inputs ${j} and ${i} share a buffer; pass separate tensors`);
  });
  const recording = new Recording(backend, ids);
  let entry: Entry | undefined;
  try {
    const result = tidyInternal(
      "freed when a captured step's first call ended (its outputs were copied)",
      () => {
        const returned = recording.record(() => withCapture(recording, () => step(...inputs)));
        entry = { recording, ...outputsOf(returned, backend, ids), staleInARow, replayed: false };
        recording.finish(entry.outputs.filter((o) => o.input < 0));
        return results<R>(entry, backend, inputs);
      },
    );
    return { entry: entry as Entry, result };
  } catch (error) {
    recording.dispose();
    throw error;
  }
}

/** Where the step's outputs are, checked: tensors on the step's backend, or an array of them, or nothing. */
function outputsOf(
  result: StepResult,
  backend: Backend,
  ids: readonly DataId[],
): Pick<Entry, "outputs" | "single" | "none"> {
  const single = result instanceof Tensor;
  const none = result === undefined;
  if (!none && !single && !Array.isArray(result))
    fail("capture", "the step must return a tensor, an array of tensors, or nothing");
  const list: readonly unknown[] = none ? [] : single ? [result] : (result as readonly unknown[]);
  const outputs = list.map((t, i) => {
    if (!(t instanceof Tensor) || t.isDisposed) return fail("capture", `output ${i} is not a live tensor`);
    if (t.storage.backend !== backend)
      return fail("capture", `output ${i} lives on ${t.storage.backend.name}, the inputs on ${backend.name}`);
    return { view: viewOf(t), shape: [...t.shape], dtype: t.dtype, input: ids.indexOf(t.storage.id) };
  });
  return { outputs, single, none };
}

/** New tensors holding the outputs' values after a replay. */
function results<R extends StepResult>(entry: Entry, backend: Backend, inputs: readonly Tensor[]): R {
  const made = entry.outputs.map((o) => {
    const out = new Tensor(allocate(o.dtype, sizeOf(o.shape), "temporary", false, backend), o.shape);
    const id: DataId = o.input >= 0 ? inputs[o.input].storage.id : o.view.id;
    backend.copy({ ...o.view, id }, viewOf(out), o.shape);
    return out;
  });
  return (entry.none ? undefined : entry.single ? made[0] : made) as R;
}
