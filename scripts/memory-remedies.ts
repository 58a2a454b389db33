// The measurements in docs/memory-remedies.md: node --import tsx scripts/memory-remedies.ts
import * as cr from "../src/index.js";

const MB = (b: number) => (b / 2 ** 20).toFixed(2);
const x = cr.randn([64, 784], { seed: 1 }).tagAs("data");
const y = cr.randint(0, 10, [64], { seed: 2, dtype: "int32" }).tagAs("data");
function zero(net: cr.nn.Module) {
  for (const p of net.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
}
function wrap(net: cr.nn.Sequential, per: number): cr.nn.Module {
  if (per === 0) return net;
  const body = net.layers.slice(0, -1);
  const blocks: cr.nn.Module[] = [];
  for (let i = 0; i < body.length; i += 2 * per)
    blocks.push(new cr.Recompute(new cr.nn.Sequential(...body.slice(i, i + 2 * per))));
  return new cr.nn.Sequential(...blocks, net.layers[net.layers.length - 1]);
}
/** One training step; returns the bytes saved for backward when the forward pass has ended. */
function step(net: cr.nn.Module): number {
  let afterForward = 0;
  cr.tidy(() => {
    const loss = cr.nn.crossEntropy(net.forward(x), y);
    afterForward = cr.memory().byCategory.saved.bytes;
    loss.backward();
  });
  zero(net);
  return afterForward;
}
for (const activation of ["relu", "gelu"] as const) {
  const base = cr.chapter.mlp({ inputs: 784, hidden: 256, outputs: 10, layers: 8, activation });
  for (const per of [0, 1, 2, 4]) {
    const net = wrap(base, per);
    step(net);
    const live = cr.memory().bytes;
    cr.resetPeak();
    const keptForBackward = step(net);
    const m = cr.memory();
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      step(net);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${activation} ${per === 0 ? "plain" : `recompute every ${per}`}: saved after forward ${MB(keptForBackward)} MiB, saved peak ${MB(m.byCategory.saved.peakBytes)} MiB, step peak above live ${MB(m.peakBytes - live)} MiB, median step ${times[4].toFixed(1)} ms`,
    );
  }
}
// Micro-batching: the chapter model (784-256-10), batch 256 and 2048.
const net = cr.chapter.mlp({ inputs: 784, hidden: 256, outputs: 10 });
for (const n of [256, 2048])
  for (const k of [1, 2, 4, 8]) {
    const xb = cr.randn([n, 784], { seed: 3 }).tagAs("data");
    const yb = cr.randint(0, 10, [n], { seed: 4, dtype: "int32" }).tagAs("data");
    zero(net);
    const live = cr.memory().bytes;
    cr.resetPeak();
    cr.accumulateGradients(net, xb, yb, k, cr.nn.crossEntropy);
    const m = cr.memory();
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      zero(net);
      const t0 = performance.now();
      cr.accumulateGradients(net, xb, yb, k, cr.nn.crossEntropy);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    xb.dispose();
    yb.dispose();
    console.log(
      `micro-batching batch ${n} k=${k}: step peak above live ${MB(m.peakBytes - live)} MiB (saved ${MB(m.byCategory.saved.peakBytes)}), median ${times[4].toFixed(1)} ms`,
    );
  }
