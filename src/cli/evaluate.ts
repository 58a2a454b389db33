// `chainrule eval` and `chainrule predict`: load a model file and answer.
import { extname } from "node:path";
import { parseCsv } from "../data/csv.js";
import { readInputText } from "../io/read.js";
import { softmax } from "../ops/composite/activations.js";
import { tensor } from "../tensor/create.js";
import { noGrad } from "../tensor/grad-mode.js";
import { tidy } from "../tensor/scope.js";
import { evaluate } from "../train/evaluate.js";
import { parseFlags, UsageError } from "./args.js";
import { loadData } from "./data.js";
import { readDigitPng } from "./image.js";
import { loadModel } from "./model-io.js";

export const EVAL_HELP = `Usage: chainrule eval --model FILE [--dataset NAME]

Loads a model written by chainrule train and prints its accuracy and loss on the test split of its data set
(or of --dataset).`;

export const PREDICT_HELP = `Usage: chainrule predict --model FILE --input FILE

Classifies one example: a PNG picture of a digit (any size; scaled to 28×28) or a CSV file whose first row
holds the feature values (a label column, if present, is ignored when the row is one value too long).`;

function required(values: Record<string, string | boolean | undefined>, flag: string): string {
  const v = values[flag];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${flag} FILE is required`);
  return v;
}

export function evalCommand(argv: string[]): number {
  const values = parseFlags(argv, [
    { name: "model", type: "string", help: "" },
    { name: "dataset", type: "string", help: "" },
  ]);
  const { model, config } = loadModel(required(values, "model"));
  const data = loadData((values.dataset as string | undefined) ?? config.dataset, config.seed);
  const result = evaluate(model, data.test);
  process.stdout.write(
    `${data.test.name}: accuracy ${(result.accuracy * 100).toFixed(2)}% (${Math.round(result.accuracy * data.test.count)}/${data.test.count}), loss ${result.loss.toFixed(4)}\n`,
  );
  return 0;
}

export function predictCommand(argv: string[]): number {
  const values = parseFlags(argv, [
    { name: "model", type: "string", help: "" },
    { name: "input", type: "string", help: "" },
  ]);
  const { model } = loadModel(required(values, "model"));
  const input = required(values, "input");
  const features = (model.parameters()[0]?.shape[1] ?? 0) as number;
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
