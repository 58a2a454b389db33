// Does a second thread help the chapter's training step? Alternates 1 and 2 threads in one process, round after
// round (so the machine's slow drifts hit both alike), and prints the medians and the per-round speedups.
// Usage: node --import tsx scripts/threads-ab.ts [batch] [rounds]
import { chapterMlp, optim, setThreads, tensor, wasmStatus } from "../src/index.js";
import { trainStep } from "../src/train/fit.js";

const batch = Number(process.argv[2] ?? 64);
const rounds = Number(process.argv[3] ?? 16);
const model = chapterMlp({ inputs: 784, hidden: 256, outputs: 10, seed: 1 });
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
const x = tensor(
  new Float32Array(batch * 784).map(() => Math.random()),
  { shape: [batch, 784] },
);
const y = tensor(
  Int32Array.from({ length: batch }, () => Math.floor(Math.random() * 10)),
  { shape: [batch] },
);
const median = (a: readonly number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];

const perRound: Record<1 | 2, number[]> = { 1: [], 2: [] };
for (let round = 0; round < rounds; round++) {
  for (const threads of [1, 2] as const) {
    setThreads(threads);
    while (wasmStatus().threadsRunning < threads) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 10; i++) trainStep(model, optimizer, x, y, 1e-4);
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      trainStep(model, optimizer, x, y, 1e-4);
      times.push(performance.now() - t0);
    }
    perRound[threads].push(median(times));
  }
}
const speedups = perRound[1].map((t, i) => t / perRound[2][i]);
console.log(
  `batch ${batch}, ${rounds} rounds: 1 thread ${median(perRound[1]).toFixed(2)} ms, 2 threads ` +
    `${median(perRound[2]).toFixed(2)} ms per step; speedup per round: median ${median(speedups).toFixed(2)}x, ` +
    `range ${Math.min(...speedups).toFixed(2)}-${Math.max(...speedups).toFixed(2)}x`,
);
process.exit(0);
