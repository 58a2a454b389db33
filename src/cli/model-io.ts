// Loading a trained model file back into the chapter's MLP, using the configuration stored in its header.
import { fail } from "../errors.js";
import { loadTensors } from "../io/model-file.js";
import type { Module } from "../nn/module.js";
import { DEFAULT_CONFIG, type TrainConfig } from "../train/config.js";
import { chapterMlp } from "../train/mlp.js";

export function loadModel(path: string): { model: Module; config: TrainConfig } {
  const { tensors, metadata } = loadTensors(path);
  try {
    let config: TrainConfig;
    try {
      config = { ...DEFAULT_CONFIG, ...(JSON.parse(metadata.config ?? "") as Partial<TrainConfig>) };
    } catch {
      return fail(
        "load",
        `${path} has no training configuration in its header; was it written by chainrule train?`,
      );
    }
    const first = tensors["0.weight"];
    const last = Object.entries(tensors)
      .filter(([k]) => k.endsWith(".weight"))
      .sort(([a], [b]) => Number.parseInt(b, 10) - Number.parseInt(a, 10))[0]?.[1];
    if (!first || !last) fail("load", `${path} does not hold an MLP (no "0.weight")`);
    const model = chapterMlp({
      inputs: first.shape[1],
      hidden: config.hidden,
      outputs: last.shape[0],
      layers: config.layers,
      bias: config.bias,
      activation: config.activation,
    });
    model.loadStateDict(tensors);
    return { model, config };
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
