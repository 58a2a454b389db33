// Chainrule, used the way a user would: every step makes its batch tensors from the loader's typed arrays, runs
// the chapter's MLP (chapter.mlp, nn.Linear's [out, in] weights) inside tidy and reads J back; backend from
// CHAINRULE_BACKEND / CHAINRULE_THREADS, and with CHAINRULE_BENCH_CAPTURE=1 the step and the forward pass written
// with cr.capture. Also x.matmul(W) with W as [in, out] (the layout section), and data in/out.
import * as cr from "../../src/index.js";
import {
  type BenchData,
  batchArrays,
  type Engine,
  type IoRow,
  type Layout,
  MLP,
  type Prepared,
  weightsIn,
} from "../common.js";
import { bytesPerSecond } from "../timing.js";

async function waitForThreads(wanted: number, timeoutMs = 20000): Promise<number> {
  const start = performance.now();
  while (cr.wasmStatus().threadsRunning < wanted && performance.now() - start < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return cr.wasmStatus().threadsRunning;
}

/** The model's parameters and forward pass in a layout: nn.Linear's [out, in], or [in, out] with x.matmul(W). */
interface Net {
  parameters(): cr.Tensor[];
  forward(x: cr.Tensor): cr.Tensor;
  dispose(): void;
}

function chapterNet(data: BenchData): Net {
  const net = cr.chapter.mlp({ inputs: MLP.inputs, hidden: MLP.hidden, outputs: MLP.outputs, seed: 0 });
  const w1 = cr.tensor(data.w1, { shape: [MLP.hidden, MLP.inputs] });
  const w2 = cr.tensor(data.w2, { shape: [MLP.outputs, MLP.hidden] });
  net.loadStateDict({ "0.weight": w1, "2.weight": w2 });
  w1.dispose();
  w2.dispose();
  return net;
}

function inOutNet(data: BenchData): Net {
  const w = weightsIn(data, "in-out");
  const w1 = cr.tensor(w.w1, { shape: [MLP.inputs, MLP.hidden], requiresGrad: true });
  const w2 = cr.tensor(w.w2, { shape: [MLP.hidden, MLP.outputs], requiresGrad: true });
  return {
    parameters: () => [w1, w2],
    forward: (x) => x.matmul(w1).relu().matmul(w2), // o = ReLU(x·W1)·W2
    dispose: () => {
      w1.dispose();
      w2.dispose();
    },
  };
}

function netIn(layout: Layout, data: BenchData): Net {
  return layout === "out-in" ? chapterNet(data) : inOutNet(data);
}

/** The loader's arrays for this step, made into tensors (inside the caller's tidy, so freed after the step). */
function batchTensors(data: BenchData, batch: number, slot: number): { x: cr.Tensor; y: cr.Tensor } {
  const arrays = batchArrays(data, batch, slot);
  return {
    x: cr.tensor(arrays.x, { shape: [batch, MLP.inputs] }),
    y: cr.tensor(arrays.y, { shape: [batch] }),
  };
}

async function io(bytes: number, seconds: number): Promise<IoRow> {
  const n = bytes / 4;
  const source = new Float32Array(n).map((_, i) => (i % 1000) / 1000);
  const target = new Float32Array(n);
  const shape = [n / 256, 256];
  const memcpy = await bytesPerSecond(() => target.set(source), bytes, seconds);
  const tensor = await bytesPerSecond(() => cr.tensor(source, { shape }).dispose(), bytes, seconds);
  const t = cr.tensor(source, { shape });
  try {
    const dataSync = await bytesPerSecond(() => t.dataSync(), bytes, seconds);
    const data = await bytesPerSecond(() => t.data(), bytes, seconds, true);
    const back = t.dataSync();
    if (back.length !== n || back[n - 1] !== source[n - 1]) throw new Error("io: the data read back differs");
    return { bytes, tensor: tensor / 1e9, dataSync: dataSync / 1e9, data: data / 1e9, memcpy: memcpy / 1e9 };
  } finally {
    t.dispose();
  }
}

/** waitForThreads: false for short runs, whose window opens without waiting for the workers to start. */
export async function create(options: { waitForThreads?: boolean } = {}): Promise<Engine> {
  if (process.env.CHAINRULE_BENCH_WEBGPU === "1") {
    if (!(await cr.initWebGPU())) throw new Error(`chainrule-webgpu: ${cr.webgpuStatus().reason}`);
    cr.setBackend("webgpu");
  }
  const backend = cr.getBackend().name;
  const info: Engine["info"] = { library: "chainrule", backend };
  if (backend === "wasm") {
    const wanted = cr.wasmStatus().threads;
    if (options.waitForThreads ?? true) {
      const running = await waitForThreads(wanted);
      if (running !== wanted) throw new Error(`only ${running} of ${wanted} wasm threads started`);
    }
    const status = cr.wasmStatus();
    info.threads = wanted;
    info.threadsRunningAtStart = status.threadsRunning;
    info.relaxedSimd = status.relaxedSimd;
    info.sharedMemory = status.sharedMemory;
  } else if (backend === "webgpu") {
    const status = cr.webgpuStatus();
    info.adapter = `${status.adapter ?? "unknown"} (${status.featureLevel ?? "unknown feature level"})`;
  } else {
    info.threads = 1;
  }

  const capture = process.env.CHAINRULE_BENCH_CAPTURE === "1";
  if (capture) info.capture = true;
  return {
    info,
    ...(capture ? {} : { io }),

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

    async mlpTrain(batch, data, layout): Promise<Prepared> {
      const net = netIn(layout, data);
      const opt = new cr.optim.SGD(net.parameters(), { lr: MLP.lr });
      const step = (x: cr.Tensor, y: cr.Tensor): cr.Tensor => {
        const o = net.forward(x); //                                      o = W2 φ(W1 x)
        const L = cr.nn.crossEntropy(o, y); //                           L = l(o, y)
        const s = cr.nn.l2Penalty(net.parameters(), MLP.lambda); //      s = λ/2 (‖W1‖² + ‖W2‖²)
        const J = L.add(s); //                                           J = L + s
        opt.zeroGrad();
        J.backward();
        opt.step();
        return J;
      };
      const captured = capture ? cr.capture(step) : null;
      const run = captured ?? step;
      return {
        rep: (slot) =>
          cr.tidy(() => {
            const { x, y } = batchTensors(data, batch, slot); // from the loader's typed arrays
            return run(x, y).item(); //                            read back every step
          }),
        dispose: () => {
          captured?.dispose();
          opt.zeroGrad();
          net.dispose();
        },
      };
    },

    async infer(batch, data, layout): Promise<Prepared> {
      const net = netIn(layout, data);
      const captured = capture ? cr.capture((x: cr.Tensor) => net.forward(x)) : null;
      const forward = captured ?? ((x: cr.Tensor) => net.forward(x));
      return {
        rep: (slot) =>
          cr.noGrad(() =>
            cr.tidy(() => {
              const x = cr.tensor(batchArrays(data, batch, slot).x, { shape: [batch, MLP.inputs] });
              const o = forward(x).dataSync(); // every output read back
              let first = 0;
              for (let k = 0; k < MLP.outputs; k++) first += o[k];
              return first;
            }),
          ),
        dispose: () => {
          captured?.dispose();
          net.dispose();
        },
      };
    },
  };
}
