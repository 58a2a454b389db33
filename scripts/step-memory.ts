// The chapter's training step as a user writes it (tensors from typed arrays, forward, crossEntropy + l2Penalty,
// backward, SGD, J read back): memory() peak above live, bytes and allocations in one step, median step time.
// Usage: node --import tsx scripts/step-memory.ts ROOT BATCH [REPS]; ROOT is a checkout (compare two commits).
import { medianMsOf } from "../bench/timing.js";

const [root = ".", batchArg = "256", repsArg = "300"] = process.argv.slice(2);
const batch = Number(batchArg);
const reps = Number(repsArg);
const base = new URL(`${root.replace(/\/$/, "")}/`, `file://${process.cwd()}/`);
const cr = await import(new URL("src/index.js", base).href);
const { watchLedger } = await import(new URL("src/memory/ledger.js", base).href);
while (cr.wasmStatus().threadsRunning < cr.wasmStatus().threads) await new Promise((r) => setTimeout(r, 10));
// chapter.mlp today; chapterMlp before the chapter namespace.
const mlp = cr.chapter?.mlp ?? cr.chapterMlp;
const model = mlp({ inputs: 784, hidden: 256, outputs: 10, seed: 1 });
const opt = new cr.optim.SGD(model.parameters(), { lr: 0.1 });
const xs = new Float32Array(batch * 784).map(() => Math.random());
const ys = Int32Array.from({ length: batch }, () => Math.floor(Math.random() * 10));
const step = () =>
  cr.tidy(() => {
    const x = cr.tensor(xs, { shape: [batch, 784] });
    const y = cr.tensor(ys, { shape: [batch] });
    const J = cr.nn.crossEntropy(model.forward(x), y).add(cr.nn.l2Penalty(model.parameters(), 1e-4));
    opt.zeroGrad();
    J.backward();
    opt.step();
    return J.item();
  });
for (let i = 0; i < 100; i++) step();
const live = cr.memory().bytes;
cr.resetPeak();
let allocations = 0;
let bytes = 0;
const stop = watchLedger((event: string, s: { bytes: number }) => {
  if (event === "allocate") {
    allocations++;
    bytes += s.bytes;
  }
});
step();
stop();
const peakAboveLive = cr.memory().peakBytes - live;
const medianMs = medianMsOf(step, reps);
console.log(
  JSON.stringify({ batch, peakAboveLive, bytesPerStep: bytes, allocationsPerStep: allocations, medianMs }),
);
process.exit(0);
