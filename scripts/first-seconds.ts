// The chapter's step (batch 64, 2 threads unless CHAINRULE_THREADS says) through cr.capture in a new process: the
// median and mean step time in windows of its first seconds (docs/capture.md). node --import tsx scripts/first-seconds.ts
import { batchArrays, MLP, makeData } from "../bench/common.js";
import * as cr from "../src/index.js";

const batch = Number(process.argv[2] ?? 64);
const data = makeData(batch);
const net = cr.chapter.mlp({ inputs: MLP.inputs, hidden: MLP.hidden, outputs: MLP.outputs, seed: 0 });
const opt = new cr.optim.SGD(net.parameters(), { lr: MLP.lr });
const step = cr.capture((x: cr.Tensor, y: cr.Tensor) => {
  const J = cr.nn.crossEntropy(net.forward(x), y).add(cr.nn.l2Penalty(net.parameters(), MLP.lambda));
  opt.zeroGrad();
  J.backward();
  opt.step();
  return J;
});
const ends: number[] = [];
const open = performance.now();
for (let slot = 0; ends.length === 0 || ends[ends.length - 1] < 4000; slot++) {
  const a = batchArrays(data, batch, slot);
  cr.tidy(() =>
    step(cr.tensor(a.x, { shape: [batch, MLP.inputs] }), cr.tensor(a.y, { shape: [batch] })).item(),
  );
  ends.push(performance.now() - open);
}
console.log(`first step (the recording) ${ends[0].toFixed(1)} ms`);
for (const [from, to] of [
  [0, 100],
  [100, 300],
  [300, 500],
  [500, 1000],
  [1000, 2000],
  [2000, 3000],
  [3000, 4000],
]) {
  const times: number[] = [];
  for (let i = 1; i < ends.length; i++)
    if (ends[i - 1] >= from && ends[i] < to) times.push(ends[i] - ends[i - 1]);
  times.sort((p, q) => p - q);
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  const us = (ms: number) => `${Math.round(ms * 1000)} µs`;
  console.log(`${from}-${to} ms: median step ${us(times[times.length >> 1])}, mean ${us(mean)}`);
}
process.exit(0);
