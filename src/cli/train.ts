// `chainrule train`: trains the chapter's MLP, shows progress, and writes the model, metrics and plots.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { architectureOf } from "../io/architecture.js";
import { saveTensors } from "../io/model-file.js";
import { lineChart } from "../plot/line-chart.js";
import { svgToPng } from "../plot/png.js";
import { detectAnomaly } from "../tensor/anomaly.js";
import type { TrainConfig } from "../train/config.js";
import { type EpochMetrics, fit } from "../train/fit.js";
import { flagHelp, parseFlags, TRAIN_FLAGS, trainConfigFrom } from "./args.js";
import { loadData } from "./data.js";
import { makeProgress } from "./progress.js";
import { applyRuntimeFlags } from "./runtime.js";

export const TRAIN_HELP = `Usage: chainrule train [flags]

Trains the chapter's MLP (z = W1 x, h = φ(z), o = W2 h, J = L + λ/2(‖W1‖² + ‖W2‖²)) with minibatch SGD
and writes model.safetensors, metrics.json, training.svg and training.png into the output folder.

${flagHelp(TRAIN_FLAGS)}

With --detect-anomaly the first NaN or ±inf stops training with exit code 1 and a message naming the op
(forward, or the backward of which forward op), its input shapes, and the epoch and batch; the checkpoint
of the last finished epoch stays in the output folder, ready for --resume.`;

export function trainingChart(metrics: readonly EpochMetrics[], config: TrainConfig): string {
  return lineChart(
    [
      { label: "training objective J", points: metrics.map((m) => [m.epoch, m.loss]) },
      { label: "test loss", points: metrics.map((m) => [m.epoch, m.testLoss]) },
      { label: "train accuracy", points: metrics.map((m) => [m.epoch, m.trainAccuracy]), right: true },
      { label: "test accuracy", points: metrics.map((m) => [m.epoch, m.testAccuracy]), right: true },
    ],
    {
      title: `${config.dataset}: ${config.hidden}-unit MLP, ${config.optimizer}, lr ${config.lr}, batch ${config.batch}`,
      xLabel: "epoch",
      yLabel: "loss",
      rightLabel: "accuracy",
    },
  );
}

export async function trainCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, TRAIN_FLAGS);
  const config = trainConfigFrom(values);
  const runtime = await applyRuntimeFlags(values);
  const out = (values.out as string | undefined) ?? "out";
  const quiet = values.quiet === true;
  mkdirSync(out, { recursive: true });
  const data = loadData(config.dataset, config.seed);
  const log = (line: string) => quiet || process.stdout.write(`${line}\n`);
  log(
    `training ${config.dataset}: ${data.train.count} train / ${data.test.count} test examples, ${config.epochs} epochs, ${runtime}`,
  );
  const progress = makeProgress(process.stderr, quiet);
  const started = performance.now();
  const train = () =>
    fit(config, data, {
      checkpoint: join(out, "checkpoint.safetensors"),
      resume: values.resume as string | undefined,
      onBatch: (p) => progress.batch(p),
      onEpoch: (m) => progress.epoch(m, config.epochs),
    });
  const { model, metrics } = await (values["detect-anomaly"] === true ? detectAnomaly(train) : train());
  const seconds = (performance.now() - started) / 1000;
  // The architecture entry lets PyTorch users rebuild the network from the file alone (docs/interop.md).
  const architecture = architectureOf(model);
  saveTensors(model.stateDict(), join(out, "model.safetensors"), {
    metadata: {
      config: JSON.stringify(config),
      ...(architecture ? { format: "pt", architecture: JSON.stringify(architecture) } : {}),
    },
  });
  writeFileSync(
    join(out, "metrics.json"),
    `${JSON.stringify({ config, epochs: metrics, seconds }, null, 2)}\n`,
  );
  const svg = trainingChart(metrics, config);
  writeFileSync(join(out, "training.svg"), svg);
  writeFileSync(join(out, "training.png"), await svgToPng(svg));
  const last = metrics[metrics.length - 1];
  process.stdout.write(
    `test accuracy ${(last.testAccuracy * 100).toFixed(2)}% after ${metrics.length} epochs (${seconds.toFixed(1)} s); ` +
      `wrote ${join(out, "model.safetensors")}, metrics.json, training.svg, training.png\n`,
  );
  return 0;
}
