// Loading a model file for eval and predict: from --arch, from the "architecture" in its header (files written by
// save() or by PyTorch), or from the training configuration chainrule train stores. Anything wrong with the file
// (missing, corrupt, of another model) is an InputError, a bad --arch a UsageError: the CLI exits 2 either way.
import { asInput, failInput } from "../errors.js";
import {
  ACTIVATION_LAYERS,
  type ActivationName,
  type Architecture,
  MAX_FEATURES,
  mlpArchitecture,
} from "../io/architecture.js";
import { loadTensors, sequentialFrom } from "../io/model-file.js";
import type { Module } from "../nn/module.js";
import { DEFAULT_CONFIG, type TrainConfig } from "../train/config.js";
import { chapterMlp } from "../train/mlp.js";
import { type FlagSpec, UsageError } from "./args.js";

const ACTIVATION_NAMES = Object.keys(ACTIVATION_LAYERS) as ActivationName[];

/** The flags that say what network a file holds when its header does not. */
export const ARCH_FLAGS: FlagSpec[] = [
  {
    name: "arch",
    type: "string",
    value: "SIZES",
    help: "Linear layers through these sizes, e.g. 784-256-10 (instead of the header's)",
  },
  {
    name: "activation",
    type: "string",
    value: "NAME",
    help: `with --arch: ${ACTIVATION_NAMES.join(" | ")}, between the Linear layers`,
    default: "relu",
  },
  { name: "bias", type: "boolean", help: "with --arch: every Linear layer has a bias", default: "off" },
];

/** The architecture --arch, --activation and --bias describe, or undefined without --arch. */
export function archFromFlags(
  values: Record<string, string | boolean | undefined>,
): Architecture | undefined {
  const arch = values.arch;
  if (arch === undefined) {
    if (values.activation !== undefined || values.bias !== undefined)
      throw new UsageError("--activation and --bias describe the layers of --arch; give --arch too");
    return undefined;
  }
  const parts = typeof arch === "string" ? arch.split("-") : [];
  const sizes = parts.map(Number);
  if (parts.length < 2 || parts.some((p, i) => !/^\d+$/.test(p) || sizes[i] < 1 || sizes[i] > MAX_FEATURES)) {
    throw new UsageError(
      `--arch must be layer sizes from 1 to ${MAX_FEATURES} joined by "-", inputs first (e.g. 784-256-10), got "${arch}"`,
    );
  }
  const activation = values.activation ?? "relu";
  if (!ACTIVATION_NAMES.includes(activation as ActivationName))
    throw new UsageError(`--activation must be one of ${ACTIVATION_NAMES.join(", ")}, got "${activation}"`);
  return mlpArchitecture(sizes, activation as ActivationName, values.bias === true);
}

/** The training configuration in the header, or undefined if there is none. */
function configOf(path: string, metadata: Record<string, string>): TrainConfig | undefined {
  if (metadata.config === undefined) return undefined;
  try {
    return { ...DEFAULT_CONFIG, ...(JSON.parse(metadata.config) as Partial<TrainConfig>) };
  } catch {
    return failInput("load", `${path}: the training configuration in its header is not valid JSON`);
  }
}

export function loadModel(path: string, arch?: Architecture): { model: Module; config: TrainConfig } {
  const { tensors, metadata } = loadTensors(path);
  try {
    const config = configOf(path, metadata);
    if (arch || metadata.architecture !== undefined)
      return { model: sequentialFrom(tensors, metadata, path, arch), config: config ?? DEFAULT_CONFIG };
    if (!config) {
      return failInput(
        "load",
        `${path} has no training configuration in its header and no "architecture" entry; ` +
          "give --arch (e.g. --arch 784-256-10 --activation relu --bias)",
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

/** Features in and classes out of a loaded MLP: the first weight's columns and the last weight's rows. */
export function modelSizes(model: Module): { inputs: number; outputs: number } {
  const weights = model.namedParameters().filter(([name, t]) => name.endsWith("weight") && t.ndim === 2);
  return { inputs: weights[0]?.[1].shape[1] ?? 0, outputs: weights[weights.length - 1]?.[1].shape[0] ?? 0 };
}
