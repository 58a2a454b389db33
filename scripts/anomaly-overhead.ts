// Times the chapter MLP's training step at batch 64 (wasm) with anomaly mode off and on (detectAnomaly),
// in alternating rounds, and prints the medians and their ratio.
// Usage: node --import tsx scripts/anomaly-overhead.ts [batch] [rounds]
import { chapter, detectAnomaly, optim, wasmStatus } from "../src/index.js";
import { trainStep } from "../src/train/step.js";
import { randomBatch, threadsReady } from "./chapter-batch.js";

const batch = Number(process.argv[2] ?? 64);
const rounds = Number(process.argv[3] ?? 10);
await threadsReady();
const model = chapter.mlp({ seed: 1 });
// A tiny learning rate keeps the weights (and the timings) the same from step to step.
const optimizer = new optim.SGD(model.parameters(), { lr: 1e-6 });
const { x, y } = randomBatch(batch);
const step = () => trainStep(model, optimizer, x, y, 1e-4);
const times: Record<"off" | "on", number[]> = { off: [], on: [] };
const time = (mode: "off" | "on", reps: number) => {
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    if (mode === "on") detectAnomaly(step);
    else step();
    times[mode].push(performance.now() - t0);
  }
};
time("off", 30);
time("on", 30);
times.off = [];
times.on = [];
for (let r = 0; r < rounds; r++) {
  time("off", 20);
  time("on", 20);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const off = median(times.off);
const on = median(times.on);
console.log(
  `${wasmStatus().available ? "wasm" : "js"} ${wasmStatus().threadsRunning} threads, batch ${batch}: ` +
    `off ${off.toFixed(3)} ms, on ${on.toFixed(3)} ms, on/off ${(on / off).toFixed(2)}`,
);
process.exit(0);
