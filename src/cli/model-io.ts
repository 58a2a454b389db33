// Loading a trained model file back into the chapter's MLP, using the configuration stored in its header.
// Anything wrong with the file (missing, corrupt, not a chainrule model) is an InputError: the CLI exits 2.
import { asInput, failInput } from "../errors.js";
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
      return failInput(
        "load",
        `${path} has no training configuration in its header; was it written by chainrule train?`,
      );
    }
    const size = (n: unknown) => Number.isInteger(n) && (n as number) >= 1;
    if (!size(config.hidden) || !size(config.layers))
      failInput("load", `${path}: the configuration in its header needs integer hidden and layers >= 1`);
    const first = tensors["0.weight"];
    const last = Object.entries(tensors)
      .filter(([k]) => k.endsWith(".weight"))
      .sort(([a], [b]) => Number.parseInt(b, 10) - Number.parseInt(a, 10))[0]?.[1];
    if (!first || !last || first.shape.length !== 2 || last.shape.length !== 2)
      failInput("load", `${path} does not hold an MLP (no 2-D "0.weight")`);
    const model = asInput(() => {
      const mlp = chapterMlp({
        inputs: first.shape[1],
        hidden: config.hidden,
        outputs: last.shape[0],
        layers: config.layers,
        bias: config.bias,
        activation: config.activation,
      });
      mlp.loadStateDict(tensors);
      return mlp;
    });
    return { model, config };
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
