// Times the chapter MLP's training step (trainStep) and prediction at a batch size on the current backend.
// Usage: CHAINRULE_THREADS=2 node --import tsx scripts/time-step.ts [batch] [--profile]

import { medianMsOf } from "../bench/timing.js";
import { chapter, noGrad, optim, tidy, wasmStatus } from "../src/index.js";
import { trainStep } from "../src/train/step.js";
import { randomBatch, threadsReady } from "./chapter-batch.js";

const batch = Number(process.argv[2] ?? 256);
await threadsReady();
const model = chapter.mlp({ inputs: 784, hidden: 256, outputs: 10, seed: 1 });
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
const { x, y } = randomBatch(batch);
medianMsOf(() => trainStep(model, optimizer, x, y, 1e-4), 20);
const train = medianMsOf(() => trainStep(model, optimizer, x, y, 1e-4), 100);
const infer = medianMsOf(() => tidy(() => noGrad(() => model.forward(x).dataSync())), 100);
console.log(
  `${process.env.CHAINRULE_BACKEND ?? "default"} threads ${wasmStatus().threadsRunning} batch ${batch}: ` +
    `train ${train.toFixed(2)} ms (${Math.round((batch / train) * 1000)} ex/s), ` +
    `predict ${infer.toFixed(2)} ms (${Math.round((batch / infer) * 1000)} ex/s)`,
);
process.exit(0);
