// Chainrule, used the way a user would: tensors from typed arrays, the chapter's MLP (chapterMlp) with the
// shared weights loaded through loadStateDict, SGD, and the README's training step inside tidy.
// The backend (js, or wasm with 1 or 2 threads) comes from CHAINRULE_BACKEND / CHAINRULE_THREADS.
import * as cr from "../../src/index.js";
import { type BenchData, type Engine, MLP, type Prepared } from "../common.js";

async function waitForThreads(wanted: number, timeoutMs = 20000): Promise<number> {
  const start = performance.now();
  while (cr.wasmStatus().threadsRunning < wanted && performance.now() - start < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return cr.wasmStatus().threadsRunning;
}

function model(data: BenchData): cr.nn.Sequential {
  const net = cr.chapterMlp({ inputs: MLP.inputs, hidden: MLP.hidden, outputs: MLP.outputs, seed: 0 });
  const w1 = cr.tensor(data.w1, { shape: [MLP.hidden, MLP.inputs] });
  const w2 = cr.tensor(data.w2, { shape: [MLP.outputs, MLP.hidden] });
  net.loadStateDict({ "0.weight": w1, "2.weight": w2 });
  w1.dispose();
  w2.dispose();
  return net;
}

function batchOf(data: BenchData, batch: number): { x: cr.Tensor; y: cr.Tensor } {
  if (batch > data.maxBatch) throw new Error(`batch ${batch} is larger than the data (${data.maxBatch})`);
  const x = cr.tensor(data.x.subarray(0, batch * MLP.inputs), { shape: [batch, MLP.inputs] }).keep();
  const y = cr.tensor(data.y.subarray(0, batch), { shape: [batch], dtype: "int32" }).keep();
  return { x, y };
}

export async function create(): Promise<Engine> {
  const backend = cr.getBackend().name;
  const info: Engine["info"] = { library: "chainrule", backend };
  if (backend === "wasm") {
    const wanted = cr.wasmStatus().threads;
    const running = await waitForThreads(wanted);
    if (running !== wanted) throw new Error(`only ${running} of ${wanted} wasm threads started`);
    const status = cr.wasmStatus();
    info.threads = status.threadsRunning;
    info.relaxedSimd = status.relaxedSimd;
    info.sharedMemory = status.sharedMemory;
  } else {
    info.threads = 1;
  }

  return {
    info,

    async sgemm(n, a, b): Promise<Prepared> {
      const A = cr.tensor(a, { shape: [n, n] }).keep();
      const B = cr.tensor(b, { shape: [n, n] }).keep();
      return {
        rep: () =>
          cr.tidy(() => {
            const C = cr.matmul(A, B);
            return C.dataSync()[n * n - 1];
          }),
        dispose: () => {
          A.dispose();
          B.dispose();
        },
      };
    },

    async mlpTrain(batch, data): Promise<Prepared> {
      const net = model(data);
      const opt = new cr.optim.SGD(net.parameters(), { lr: MLP.lr });
      const { x, y } = batchOf(data, batch);
      return {
        rep: () =>
          cr.tidy(() => {
            const o = net.forward(x); //                                    o = W2 φ(W1 x)
            const L = cr.nn.crossEntropy(o, y); //                         L = l(o, y)
            const s = cr.nn.l2Penalty(net.parameters(), MLP.lambda); //    s = λ/2 (‖W1‖² + ‖W2‖²)
            const J = L.add(s); //                                         J = L + s
            opt.zeroGrad();
            J.backward();
            opt.step();
            return J.item();
          }),
        dispose: () => {
          opt.zeroGrad();
          net.dispose();
          x.dispose();
          y.dispose();
        },
      };
    },

    async infer(batch, data): Promise<Prepared> {
      const net = model(data);
      const { x, y } = batchOf(data, batch);
      return {
        rep: () =>
          cr.noGrad(() =>
            cr.tidy(() => {
              const o = net.forward(x).dataSync();
              let first = 0;
              for (let k = 0; k < MLP.outputs; k++) first += o[k];
              return first;
            }),
          ),
        dispose: () => {
          net.dispose();
          x.dispose();
          y.dispose();
        },
      };
    },
  };
}
