// `chainrule eval` and `chainrule predict`: load a model file and answer.
import { extname } from "node:path";
import { parseCsv } from "../data/csv.js";
import { failInput } from "../errors.js";
import { readInputText } from "../io/read.js";
import { softmax } from "../ops/composite/activations.js";
import { tensor } from "../tensor/create.js";
import { noGrad } from "../tensor/grad-mode.js";
import { tidy } from "../tensor/scope.js";
import { evaluate } from "../train/evaluate.js";
import { type FlagSpec, flagHelp, parseFlags, RUNTIME_FLAGS, UsageError } from "./args.js";
import { loadData } from "./data.js";
import { readDigitPng } from "./image.js";
import { ARCH_FLAGS, archFromFlags, loadModel, modelSizes } from "./model-io.js";
import { applyRuntimeFlags } from "./runtime.js";

const MODEL_FILES = `The model file is one written by chainrule train, by Chainrule's save() or by PyTorch (a state dict of an
nn.Sequential of Linear layers and activations; docs/interop.md). The network is rebuilt from --arch if given,
else from the "architecture" entry of the file's header, else from chainrule train's configuration there.`;

const EVAL_FLAGS: FlagSpec[] = [
  { name: "model", type: "string", value: "FILE", help: "the .safetensors model file (required)" },
  {
    name: "dataset",
    type: "string",
    value: "NAME",
    help: "mnist | fashion-mnist | csv:PATH (default: the model's own, else mnist)",
  },
  ...ARCH_FLAGS,
  ...RUNTIME_FLAGS,
];

const PREDICT_FLAGS: FlagSpec[] = [
  { name: "model", type: "string", value: "FILE", help: "the .safetensors model file (required)" },
  { name: "input", type: "string", value: "FILE", help: "a PNG digit or a CSV row (required)" },
  ...ARCH_FLAGS,
  ...RUNTIME_FLAGS,
];

export const EVAL_HELP = `Usage: chainrule eval --model FILE [--dataset NAME] [--arch SIZES [--activation NAME] [--bias]]

Prints the model's accuracy and loss on the test split of its data set (or of --dataset).
${MODEL_FILES}

${flagHelp(EVAL_FLAGS)}

Example: chainrule eval --model torch-model.safetensors --arch 784-256-10 --activation relu --bias`;

export const PREDICT_HELP = `Usage: chainrule predict --model FILE --input FILE [--arch SIZES [--activation NAME] [--bias]]

Classifies one example: a PNG picture of a digit (any size; scaled to 28×28) or a CSV file whose first row
holds the feature values (a label column, if present, is ignored when the row is one value too long).
${MODEL_FILES}

${flagHelp(PREDICT_FLAGS)}`;

function required(values: Record<string, string | boolean | undefined>, flag: string): string {
  const v = values[flag];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${flag} FILE is required`);
  return v;
}

export async function evalCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, EVAL_FLAGS);
  const path = required(values, "model");
  await applyRuntimeFlags(values);
  const { model, config } = loadModel(path, archFromFlags(values));
  const data = loadData((values.dataset as string | undefined) ?? config.dataset, config.seed);
  const { inputs, outputs } = modelSizes(model);
  if (inputs !== data.test.features || outputs < data.test.classes) {
    failInput(
      "dataset",
      `${data.test.name} has ${data.test.features} features and ${data.test.classes} classes; ${path} maps ${inputs} features to ${outputs} classes (another --dataset?)`,
    );
  }
  const result = evaluate(model, data.test);
  process.stdout.write(
    `${data.test.name}: accuracy ${(result.accuracy * 100).toFixed(2)}% (${Math.round(result.accuracy * data.test.count)}/${data.test.count}), loss ${result.loss.toFixed(4)}\n`,
  );
  return 0;
}

export async function predictCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, PREDICT_FLAGS);
  await applyRuntimeFlags(values);
  const { model } = loadModel(required(values, "model"), archFromFlags(values));
  const input = required(values, "input");
  const features = modelSizes(model).inputs;
  let row: Float32Array;
  if (extname(input).toLowerCase() === ".png") row = readDigitPng(input);
  else {
    const ds = parseCsv(`${readInputText("predict", input).split(/\r?\n/)[0]},0`, { header: false }, input);
    row = Float32Array.from(ds.x.subarray(0, ds.features));
    if (row.length === features + 1) row = row.subarray(0, features);
  }
  if (row.length !== features)
    throw new UsageError(`--input has ${row.length} values; the model expects ${features}`);
  const probs = tidy(() =>
    noGrad(() => softmax(model.eval().forward(tensor(row, { shape: [1, features] }))).dataSync()),
  );
  const ranked = [...probs].map((p, k) => [k, p] as const).sort((a, b) => b[1] - a[1]);
  process.stdout.write(`prediction: ${ranked[0][0]}\n`);
  for (const [k, p] of ranked.slice(0, 3)) process.stdout.write(`  class ${k}: ${(p * 100).toFixed(2)}%\n`);
  return 0;
}
