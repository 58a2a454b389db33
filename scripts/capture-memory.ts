// The chapter's step (784-256-10, SGD) eager and with cr.capture: the total live bytes at the step's peak, and what
// the recording holds (docs/capture.md's memory table). node --import tsx scripts/capture-memory.ts [batch ...]
import * as cr from "../src/index.js";

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const batches = process.argv.slice(2).map(Number);

console.log("| batch | eager step's peak | replay's peak | held by the recording |\n|---:|---:|---:|---:|");
for (const batch of batches.length ? batches : [16, 64, 256, 1024]) {
  const net = cr.chapter.mlp({ inputs: 784, hidden: 256, outputs: 10, seed: 0 });
  const opt = new cr.optim.SGD(net.parameters(), { lr: 0.1 });
  const body = (x: cr.Tensor, y: cr.Tensor) => {
    const J = cr.nn.crossEntropy(net.forward(x), y).add(cr.nn.l2Penalty(net.parameters(), 1e-4));
    opt.zeroGrad();
    J.backward();
    opt.step();
    return J;
  };
  const x = cr.rand([batch, 784]);
  const y = cr.tensor(
    new Int32Array(batch).map((_, i) => i % 10),
    { shape: [batch] },
  );
  const peakOf = (run: () => void) => {
    run(); // the first step makes the gradients (and records, for the captured step)
    cr.resetPeak();
    run();
    return cr.memory().peakBytes;
  };
  const eager = peakOf(() => cr.tidy(() => body(x, y).item()));
  const step = cr.capture(body);
  const replay = peakOf(() => cr.tidy(() => step(x, y).item()));
  console.log(`| ${batch} | ${MB(eager)} | ${MB(replay)} | ${MB(step.heldBytes())} |`);
  step.dispose();
  opt.zeroGrad();
  for (const t of [...net.parameters(), x, y]) t.dispose();
}
