// Shared by the fit tests: a small slice of the bundled digits, the loop fit ran before it read the loss
// lazily (a synchronous read per step and per evaluation batch), and a counter of a backend's reads.
import * as cr from "../../src/index.js";

const { train, test } = cr.data.loadMnist();
/** 1,200 training and 400 test digits: 19 batches of 64 per epoch. */
export const SMALL = {
  train: cr.data.subset(
    train,
    Array.from({ length: 1200 }, (_, i) => i),
  ),
  test: cr.data.subset(
    test,
    Array.from({ length: 400 }, (_, i) => i),
  ),
};

export const SMALL_CONFIG: cr.TrainConfig = { ...cr.DEFAULT_CONFIG, epochs: 2 };

export interface EpochFigures {
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  testLoss: number;
}

/** The loop as fit ran it with a read per step: trainStep's numbers, summed in float64 on the host. */
export function readEveryStepLoop(config: cr.TrainConfig, data: typeof SMALL): EpochFigures[] {
  const model = cr.chapter.mlp({ inputs: 784, hidden: config.hidden, outputs: 10, seed: config.seed });
  const optimizer = new cr.optim.SGD(model.parameters(), { lr: config.lr });
  const loader = new cr.data.DataLoader(data.train, { batchSize: config.batch, seed: config.seed });
  const figures: EpochFigures[] = [];
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (const { x, y } of loader) {
      const step = cr.trainStep(model, optimizer, x, y, config.weightDecay);
      lossSum += step.objective * x.shape[0];
      correct += step.correct;
      seen += x.shape[0];
    }
    let testLoss = 0;
    let testCorrect = 0;
    model.eval();
    for (const { x, y } of new cr.data.DataLoader(data.test, { batchSize: 1000, shuffle: false })) {
      cr.tidy(() =>
        cr.noGrad(() => {
          const logits = model.forward(x);
          testLoss += cr.nn.crossEntropy(logits, y, { reduction: "sum" }).item();
          const predicted = cr.argmax(logits, { axis: 1 }).dataSync();
          const labels = y.dataSync();
          for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) testCorrect++;
        }),
      );
    }
    model.train();
    figures.push({
      loss: lossSum / seen,
      trainAccuracy: correct / seen,
      testAccuracy: testCorrect / data.test.count,
      testLoss: testLoss / data.test.count,
    });
  }
  model.dispose();
  return figures;
}

/** Counts the current backend's reads (read and readSync) while fn runs. */
export async function countReads<T>(fn: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const backend = cr.getBackend();
  const { read, readSync } = backend;
  let reads = 0;
  backend.read = (id) => {
    reads++;
    return read.call(backend, id);
  };
  backend.readSync = (id) => {
    reads++;
    return readSync.call(backend, id);
  };
  try {
    return { result: await fn(), reads };
  } finally {
    backend.read = read;
    backend.readSync = readSync;
  }
}
