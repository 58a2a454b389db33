// Command-line flags: parsed with node:util's parseArgs, validated into a TrainConfig. Every mistake becomes a
// UsageError (exit code 2) that says which flag and what is wrong.
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG, OPTIMIZERS, type OptimizerName, type TrainConfig } from "../train/config.js";
import { ACTIVATIONS, type Activation } from "../train/mlp.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface FlagSpec {
  name: string;
  type: "string" | "boolean";
  value?: string;
  help: string;
  default?: string;
}

/** The flags every compute-heavy command takes: which backend runs it and on how many threads. */
export const RUNTIME_FLAGS: FlagSpec[] = [
  {
    name: "backend",
    type: "string",
    value: "NAME",
    help: "wasm | js | webgpu (default: wasm where it loads)",
  },
  { name: "threads", type: "string", value: "N", help: "threads for the wasm backend (default: the cores)" },
];

export const TRAIN_FLAGS: FlagSpec[] = [
  {
    name: "dataset",
    type: "string",
    value: "NAME",
    help: "mnist | fashion-mnist | csv:PATH",
    default: DEFAULT_CONFIG.dataset,
  },
  {
    name: "hidden",
    type: "string",
    value: "N",
    help: "hidden units per layer (h)",
    default: String(DEFAULT_CONFIG.hidden),
  },
  {
    name: "layers",
    type: "string",
    value: "N",
    help: "hidden layers",
    default: String(DEFAULT_CONFIG.layers),
  },
  { name: "bias", type: "boolean", help: "add biases (the chapter's model has none)", default: "off" },
  {
    name: "activation",
    type: "string",
    value: "NAME",
    help: ACTIVATIONS.join(" | "),
    default: DEFAULT_CONFIG.activation,
  },
  {
    name: "optimizer",
    type: "string",
    value: "NAME",
    help: OPTIMIZERS.join(" | "),
    default: DEFAULT_CONFIG.optimizer,
  },
  { name: "lr", type: "string", value: "X", help: "learning rate", default: String(DEFAULT_CONFIG.lr) },
  {
    name: "batch",
    type: "string",
    value: "N",
    help: "minibatch size",
    default: String(DEFAULT_CONFIG.batch),
  },
  {
    name: "epochs",
    type: "string",
    value: "N",
    help: "passes over the training set",
    default: String(DEFAULT_CONFIG.epochs),
  },
  {
    name: "weight-decay",
    type: "string",
    value: "X",
    help: "λ of the penalty s = λ/2 Σ‖W‖²_F",
    default: String(DEFAULT_CONFIG.weightDecay),
  },
  {
    name: "seed",
    type: "string",
    value: "N",
    help: "seed for initialisation and shuffling",
    default: String(DEFAULT_CONFIG.seed),
  },
  { name: "out", type: "string", value: "DIR", help: "output folder", default: "out" },
  {
    name: "resume",
    type: "string",
    value: "FILE",
    help: "continue from a checkpoint (e.g. out/checkpoint.safetensors)",
  },
  { name: "quiet", type: "boolean", help: "print only the final result" },
  {
    name: "detect-anomaly",
    type: "boolean",
    help: "check every op, gradient and update for NaN/±inf; stop at the first, naming the op, epoch and batch (slower)",
  },
  ...RUNTIME_FLAGS,
];

/** Parses argv against the specs; unknown flags and stray arguments are usage errors. */
export function parseFlags(argv: string[], specs: FlagSpec[]): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: Object.fromEntries(specs.map((s) => [s.name, { type: s.type }])),
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.replace(/^.*?: /, "").split(". ")[0]);
  }
}

function integer(flag: string, raw: string | boolean | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (typeof raw !== "string" || !/^-?\d+$/.test(raw.trim()) || v < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${raw}"`);
  }
  return v;
}

function positive(
  flag: string,
  raw: string | boolean | undefined,
  fallback: number,
  allowZero = false,
): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (
    typeof raw !== "string" ||
    raw.trim() === "" ||
    !Number.isFinite(v) ||
    v < 0 ||
    (!allowZero && v === 0)
  ) {
    throw new UsageError(`--${flag} must be a number ${allowZero ? ">= 0" : "> 0"}, got "${raw}"`);
  }
  return v;
}

function choice<T extends string>(
  flag: string,
  raw: string | boolean | undefined,
  options: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if (!options.includes(raw as T))
    throw new UsageError(`--${flag} must be one of ${options.join(", ")}, got "${raw}"`);
  return raw as T;
}

export function trainConfigFrom(values: Record<string, string | boolean | undefined>): TrainConfig {
  const d = DEFAULT_CONFIG;
  const dataset = (values.dataset as string | undefined) ?? d.dataset;
  if (!["mnist", "fashion-mnist"].includes(dataset) && !(dataset.startsWith("csv:") && dataset.length > 4)) {
    throw new UsageError(`--dataset must be mnist, fashion-mnist or csv:PATH, got "${dataset}"`);
  }
  return {
    dataset,
    hidden: integer("hidden", values.hidden, d.hidden, 1),
    layers: integer("layers", values.layers, d.layers, 1),
    bias: values.bias === true,
    activation: choice<Activation>("activation", values.activation, ACTIVATIONS, d.activation),
    optimizer: choice<OptimizerName>("optimizer", values.optimizer, OPTIMIZERS, d.optimizer),
    lr: positive("lr", values.lr, d.lr),
    batch: integer("batch", values.batch, d.batch, 1),
    epochs: integer("epochs", values.epochs, d.epochs, 1),
    weightDecay: positive("weight-decay", values["weight-decay"], d.weightDecay, true),
    seed: integer("seed", values.seed, d.seed, 0),
  };
}

export function flagHelp(specs: FlagSpec[]): string {
  const rows = specs.map((s) => [
    `--${s.name}${s.value ? ` ${s.value}` : ""}`,
    s.help + (s.default ? ` (default: ${s.default})` : ""),
  ]);
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`).join("\n");
}
