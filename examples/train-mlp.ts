// The chapter's training loop in plain TypeScript: forward, J = L + s, backward, SGD step, on bundled MNIST.
// Run: node --import tsx examples/train-mlp.ts [epochs] [trainExamples]
import * as cr from "../src/index.js";

const epochs = Number(process.argv[2] ?? 5);
const limit = Number(process.argv[3] ?? 8000);
const { train, test } = cr.data.loadMnist();
const trainSet = cr.data.subset(
  train,
  Array.from({ length: Math.min(limit, train.count) }, (_, i) => i),
);

const net = new cr.nn.Sequential(
  new cr.nn.Linear(784, 256, { bias: false, init: "he", seed: 0 }), // W1 (h × d)
  new cr.nn.ReLU(), //                                                  φ
  new cr.nn.Linear(256, 10, { bias: false, seed: 1 }), //              W2 (q × h)
);
const opt = new cr.optim.SGD(net.parameters(), { lr: 0.3 });
const loader = new cr.data.DataLoader(trainSet, { batchSize: 64, shuffle: true, seed: 0 });
const lambda = 1e-4;

// One step. cr.capture records it on the first batch and replays its kernels after (docs/capture.md).
const step = cr.capture((x: cr.Tensor, y: cr.Tensor) => {
  const o = net.forward(x); //                                     o = W2 φ(W1 x)
  const L = cr.nn.crossEntropy(o, y); //                          L = l(o, y)
  const s = cr.nn.l2Penalty(net.parameters(), lambda); //         s = λ/2 (‖W1‖² + ‖W2‖²)
  const J = L.add(s); //                                          J = L + s
  opt.zeroGrad();
  J.backward(); //                                                ∂J/∂W1, ∂J/∂W2
  opt.step();
  return J;
});

for (let epoch = 1; epoch <= epochs; epoch++) {
  let total = 0;
  for (const { x, y } of loader) total += cr.tidy(() => step(x, y).item() * x.shape[0]);
  const { accuracy } = cr.evaluate(net, test);
  console.log(
    `epoch ${epoch}: J ${(total / trainSet.count).toFixed(4)}, test accuracy ${(accuracy * 100).toFixed(2)}%`,
  );
}
