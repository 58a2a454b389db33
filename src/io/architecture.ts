// The architecture of an nn.Sequential of Linear layers and activations, in PyTorch's terms (class names, in_features,
// out_features, bias), as stored in a safetensors header: described from a model, parsed from untrusted text with
// every field checked, matched against a file's tensors and only then built.

import type { DType } from "../dtype.js";
import { fail, failInput } from "../errors.js";
import { Dropout, Flatten, GELU, Linear, ReLU, Sequential, Sigmoid, Tanh } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import { fmt } from "../shape.js";
import { type Json, parseStrictJson } from "./strict-json.js";

export interface LinearSpec {
  type: "Linear";
  in_features: number;
  out_features: number;
  bias: boolean;
}
export type LayerSpec =
  | LinearSpec
  | { type: "ReLU" }
  | { type: "Sigmoid" }
  | { type: "Tanh" }
  | { type: "GELU"; approximate: "none" | "tanh" }
  | { type: "Flatten" }
  | { type: "Dropout"; p: number };

/** A torch.nn.Sequential of the layers above, as stored in the header's "architecture" entry (a JSON string). */
export interface Architecture {
  type: "Sequential";
  layers: LayerSpec[];
}

/** Activation names for `--activation`, with the PyTorch class each one builds. */
export const ACTIVATION_LAYERS = { relu: "ReLU", sigmoid: "Sigmoid", tanh: "Tanh", gelu: "GELU" } as const;
export type ActivationName = keyof typeof ACTIVATION_LAYERS;

/** Largest in_features or out_features accepted (2^24); larger is refused before any tensor is compared. */
export const MAX_FEATURES = 16_777_216;
/** Most layers accepted in one Sequential. */
export const MAX_LAYERS = 1024;

const LAYER_FIELDS: Record<LayerSpec["type"], readonly string[]> = {
  Linear: ["in_features", "out_features", "bias"],
  ReLU: [],
  Sigmoid: [],
  Tanh: [],
  GELU: ["approximate"],
  Flatten: [],
  Dropout: ["p"],
};

/** The architecture of `model` if it is a Sequential of the layers above (exactly those classes), else null. */
export function architectureOf(model: Module): Architecture | null {
  if (model.constructor !== Sequential) return null;
  const layers: LayerSpec[] = [];
  for (const layer of (model as Sequential).layers) {
    const spec = layerOf(layer);
    if (!spec) return null;
    layers.push(spec);
  }
  return layers.length > 0 ? { type: "Sequential", layers } : null;
}

function layerOf(layer: Module): LayerSpec | null {
  switch (layer.constructor) {
    case Linear: {
      // torch.nn.Linear's parameters are float32; a float64 layer has no torch counterpart to promise.
      const l = layer as Linear;
      if (l.weight.dtype !== "float32" || (l.bias !== null && l.bias.dtype !== "float32")) return null;
      return {
        type: "Linear",
        in_features: l.inFeatures,
        out_features: l.outFeatures,
        bias: l.bias !== null,
      };
    }
    case ReLU:
      return { type: "ReLU" };
    case Sigmoid:
      return { type: "Sigmoid" };
    case Tanh:
      return { type: "Tanh" };
    case GELU:
      return { type: "GELU", approximate: (layer as GELU).approximate };
    case Flatten:
      return { type: "Flatten" };
    case Dropout:
      return { type: "Dropout", p: (layer as Dropout).p };
    default:
      return null;
  }
}

/**
 * An MLP: Linear layers through `sizes` (inputs first, at least two), `activation` between every two of them,
 * and biases in all or none. mlpArchitecture([784, 256, 10], "relu", true) is torch's
 * Sequential(Linear(784, 256), ReLU(), Linear(256, 10)).
 */
export function mlpArchitecture(
  sizes: readonly number[],
  activation: ActivationName,
  bias: boolean,
): Architecture {
  if (sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_FEATURES))
    fail(
      "mlpArchitecture",
      `sizes must be two or more integers from 1 to ${MAX_FEATURES}, got [${sizes.join(", ")}]`,
    );
  if (!Object.hasOwn(ACTIVATION_LAYERS, activation))
    fail(
      "mlpArchitecture",
      `activation must be one of ${Object.keys(ACTIVATION_LAYERS).join(", ")}, got "${activation}"`,
    );
  const layers: LayerSpec[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (i > 0) {
      const type = ACTIVATION_LAYERS[activation];
      layers.push(type === "GELU" ? { type, approximate: "none" } : { type });
    }
    layers.push({ type: "Linear", in_features: sizes[i], out_features: sizes[i + 1], bias });
  }
  return checked(layers, "architecture");
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const shown = (v: Json | undefined): string => {
  const text = JSON.stringify(v) ?? "nothing";
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

function features(v: Json | undefined, where: string, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_FEATURES)
    failInput("load", `${where}: ${field} must be an integer from 1 to ${MAX_FEATURES}, got ${shown(v)}`);
  return v;
}

function parseLayer(raw: Json, where: string): LayerSpec {
  if (!isObject(raw)) return failInput("load", `${where} is not an object`);
  const type = raw.type;
  if (typeof type !== "string" || !Object.hasOwn(LAYER_FIELDS, type)) {
    return failInput(
      "load",
      `${where} has unknown type ${shown(type)}; known: ${Object.keys(LAYER_FIELDS).join(", ")}`,
    );
  }
  const known = LAYER_FIELDS[type as LayerSpec["type"]];
  const extra = Object.keys(raw).find((k) => k !== "type" && !known.includes(k));
  if (extra !== undefined) failInput("load", `${where} (${type}) has an unknown field ${shown(extra)}`);
  switch (type) {
    case "Linear": {
      const bias = raw.bias;
      if (typeof bias !== "boolean")
        failInput("load", `${where}: bias must be true or false, got ${shown(bias)}`);
      return {
        type,
        in_features: features(raw.in_features, where, "in_features"),
        out_features: features(raw.out_features, where, "out_features"),
        bias: bias as boolean,
      };
    }
    case "GELU": {
      const approximate = raw.approximate ?? "none";
      if (approximate !== "none" && approximate !== "tanh")
        failInput("load", `${where}: approximate must be "none" or "tanh", got ${shown(approximate)}`);
      return { type, approximate: approximate as "none" | "tanh" };
    }
    case "Dropout": {
      const p = raw.p ?? 0.5;
      if (typeof p !== "number" || !(p >= 0 && p < 1))
        failInput("load", `${where}: p must be a number in [0, 1), got ${shown(p)}`);
      return { type, p: p as number };
    }
    default:
      return { type } as LayerSpec;
  }
}

/** The layers as an Architecture, once they chain: each Linear takes the features the one before it gives. */
function checked(layers: LayerSpec[], where: string): Architecture {
  if (layers.length === 0 || layers.length > MAX_LAYERS)
    failInput("load", `${where} must have 1 to ${MAX_LAYERS} layers, got ${layers.length}`);
  if (!layers.some((l) => l.type === "Linear")) failInput("load", `${where} has no Linear layer`);
  let width: number | null = null;
  layers.forEach((l, i) => {
    if (l.type === "Flatten") width = null;
    if (l.type !== "Linear") return;
    for (const [field, v] of [
      ["in_features", l.in_features],
      ["out_features", l.out_features],
    ] as const) {
      if (!Number.isInteger(v) || v < 1 || v > MAX_FEATURES)
        failInput(
          "load",
          `${where} layer ${i}: ${field} must be an integer from 1 to ${MAX_FEATURES}, got ${v}`,
        );
    }
    if (width !== null && l.in_features !== width)
      failInput("load", `${where} layer ${i} (Linear) takes ${l.in_features} features but receives ${width}`);
    width = l.out_features;
  });
  return { type: "Sequential", layers };
}

/**
 * Parses the header's "architecture" entry. Anything malformed (bad JSON, an unknown layer type or field, sizes
 * that are not integers from 1 to 2^24, layers that do not chain) is an InputError naming `source`.
 */
export function parseArchitecture(
  text: string,
  source: string,
  what = 'the "architecture" entry of __metadata__',
): Architecture {
  const where = `${source}: ${what}`;
  let raw: Json;
  try {
    raw = parseStrictJson("load", text);
  } catch (error) {
    return failInput(
      "load",
      `${where} is not valid JSON (${(error as Error).message.replace(/^load: invalid header JSON /, "")})`,
    );
  }
  if (!isObject(raw)) return failInput("load", `${where} is not a JSON object`);
  const extra = Object.keys(raw).find((k) => k !== "type" && k !== "layers");
  if (extra !== undefined) failInput("load", `${where} has an unknown field ${shown(extra)}`);
  if (raw.type !== "Sequential")
    failInput("load", `${where}: type must be "Sequential", got ${shown(raw.type)}`);
  const layers = raw.layers;
  if (!Array.isArray(layers)) return failInput("load", `${where}: layers must be an array`);
  if (layers.length === 0 || layers.length > MAX_LAYERS)
    failInput("load", `${where} must have 1 to ${MAX_LAYERS} layers, got ${layers.length}`);
  return checked(
    layers.map((l, i) => parseLayer(l, `${where}, layer ${i}`)),
    where,
  );
}

/** What a tensor in a file is: enough to check it against an architecture without reading its values. */
export interface TensorInfo {
  dtype: DType;
  shape: readonly number[];
}

/**
 * Checks that `tensors` are exactly the parameters `architecture` has, with torch.nn.Linear's names, float32
 * dtype and shapes ("i.weight" [out, in], "i.bias" [out]); anything else is an InputError naming `source`.
 */
export function checkTensors(
  architecture: Architecture,
  tensors: Readonly<Record<string, TensorInfo>>,
  source: string,
): void {
  const expected = new Map<string, number[]>();
  architecture.layers.forEach((l, i) => {
    if (l.type !== "Linear") return;
    expected.set(`${i}.weight`, [l.out_features, l.in_features]);
    if (l.bias) expected.set(`${i}.bias`, [l.out_features]);
  });
  const describe = (name: string) => {
    const i = Number.parseInt(name, 10);
    const l = architecture.layers[i];
    return l?.type === "Linear"
      ? `layer ${i} (Linear ${l.in_features}→${l.out_features}, ${l.bias ? "with" : "no"} bias)`
      : `the architecture (${l ? `layer ${i} is ${l.type}` : `it has ${architecture.layers.length} layers`})`;
  };
  for (const [name, shape] of expected) {
    const t = tensors[name];
    if (!t)
      failInput("load", `${source}: ${describe(name)} needs "${name}" ${fmt(shape)}; the file has none`);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k]))
      failInput(
        "load",
        `${source}: "${name}" is ${fmt(t.shape)} in the file but ${describe(name)} needs ${fmt(shape)}`,
      );
    if (t.dtype !== "float32")
      failInput(
        "load",
        `${source}: "${name}" is ${t.dtype}; Linear parameters are float32 (in PyTorch: model.float())`,
      );
  }
  const unexpected = Object.keys(tensors).find((name) => !expected.has(name));
  if (unexpected !== undefined)
    failInput(
      "load",
      `${source}: the file holds "${unexpected}", which ${describe(unexpected)} does not have`,
    );
}

/** A fresh Sequential of `architecture` (weights zero: load a state dict into it). */
export function buildSequential(architecture: Architecture): Sequential {
  return new Sequential(
    ...architecture.layers.map((l): Module => {
      switch (l.type) {
        case "Linear":
          return new Linear(l.in_features, l.out_features, { bias: l.bias, init: "zeros" });
        case "ReLU":
          return new ReLU();
        case "Sigmoid":
          return new Sigmoid();
        case "Tanh":
          return new Tanh();
        case "GELU":
          return new GELU(l.approximate);
        case "Flatten":
          return new Flatten();
        default:
          return new Dropout(l.p);
      }
    }),
  );
}
