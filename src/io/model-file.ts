// Saving and loading models and checkpoints as .safetensors files, written atomically. A Sequential of Linear
// layers and activations is saved as PyTorch lays it out, with its architecture in the header, and loads back.
import { asInput, failInput } from "../errors.js";
import type { Sequential } from "../nn/layers.js";
import { Module, type StateDict } from "../nn/module.js";
import { tensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  type Architecture,
  architectureOf,
  buildSequential,
  checkTensors,
  parseArchitecture,
} from "./architecture.js";
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

/**
 * Saves a module's parameters (or a state dict) to `path`. A Sequential of Linear layers and activations also
 * records `format: "pt"` and its `architecture` (JSON) in the header: the file loads into the matching
 * torch.nn.Sequential with load_state_dict(strict=True), and back with loadSequential.
 */
export async function save(
  model: Module | StateDict,
  path: string,
  options: SaveOptions = {},
): Promise<void> {
  if (!(model instanceof Module)) return saveTensors(model, path, options);
  const architecture = architectureOf(model);
  const described: Record<string, string> = architecture
    ? { format: "pt", architecture: JSON.stringify(architecture) }
    : {};
  saveTensors(model.stateDict(), path, { metadata: { ...described, ...options.metadata } });
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

/**
 * Rebuilds a Sequential from a file's "architecture" header entry (or from `options.architecture`, which wins)
 * and loads its parameters: files written by save() or by PyTorch (torch.nn.Linear names, float32, weight
 * [out, in]). A missing or malformed architecture, or tensors that do not match it, is an InputError.
 */
export async function loadSequential(
  path: string,
  options: { architecture?: Architecture } = {},
): Promise<Sequential> {
  const { tensors, metadata } = loadTensors(path);
  try {
    return sequentialFrom(tensors, metadata, path, options.architecture);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/** The Sequential that `tensors` (as loaded from `path`) fill, per `architecture` or the header's entry. */
export function sequentialFrom(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string>,
  path: string,
  architecture?: Architecture,
): Sequential {
  const text = architecture ? JSON.stringify(architecture) : metadata.architecture;
  if (text === undefined) {
    failInput(
      "load",
      `${path} has no "architecture" entry in its header; pass { architecture }, e.g. mlpArchitecture([784, 256, 10], "relu", true)`,
    );
  }
  // A given architecture is checked as strictly as one read from the file.
  const arch = parseArchitecture(text, path, architecture ? "the given architecture" : undefined);
  checkTensors(arch, tensors, path);
  const model = buildSequential(arch);
  try {
    asInput(() => model.loadStateDict(tensors));
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
