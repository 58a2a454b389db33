// Saving and loading models and checkpoints as .safetensors files, written atomically.
import { asInput } from "../errors.js";
import { Module, type StateDict } from "../nn/module.js";
import { tensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { writeFileAtomic } from "./atomic.js";
import { readInput } from "./read.js";
import { decodeSafetensors, encodeSafetensors, type RawTensor } from "./safetensors.js";

export interface SaveOptions {
  /** String key/value pairs stored in the header's __metadata__. */
  metadata?: Record<string, string>;
}

/** Writes named tensors to `path` atomically (a temporary file, flushed, then renamed). */
export function saveTensors(tensors: Record<string, Tensor>, path: string, options: SaveOptions = {}): void {
  const raw = new Map<string, RawTensor>();
  for (const [name, t] of Object.entries(tensors)) {
    raw.set(name, { dtype: t.dtype, shape: [...t.shape], data: t.dataSync() });
  }
  writeFileAtomic(path, encodeSafetensors(raw, { format: "chainrule", ...options.metadata }));
}

/**
 * Reads and validates a .safetensors file into tensors (tagged "parameter") and its metadata. A file that is
 * missing, unreadable or corrupt throws an InputError.
 */
export function loadTensors(path: string): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
} {
  const bytes = readInput("load", path);
  const decoded = asInput(() => decodeSafetensors(bytes, path));
  const tensors: Record<string, Tensor> = Object.create(null);
  for (const [name, t] of decoded.tensors)
    tensors[name] = tensor(t.data, { shape: t.shape, dtype: t.dtype, tag: "parameter" }).keep();
  return { tensors, metadata: decoded.metadata };
}

/** Saves a module's parameters (or a state dict) to `path`. */
export async function save(
  model: Module | StateDict,
  path: string,
  options: SaveOptions = {},
): Promise<void> {
  saveTensors(model instanceof Module ? model.stateDict() : model, path, options);
}

/** Loads parameters saved by `save` into `model`; names and shapes must match. Returns the file's metadata. */
export async function load(model: Module, path: string): Promise<Record<string, string>> {
  const { tensors, metadata } = loadTensors(path);
  try {
    model.loadStateDict(tensors);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  return metadata;
}
