// TensorFlow.js 4.22 on its pure-JS "cpu" backend, its WebAssembly backend (XNNPACK) or webgpu, used the way
// its docs show: variables, tf.train.sgd and optimizer.minimize, tf.losses.softmaxCrossEntropy, tf.tidy. Each
// step makes x and the one-hot labels from the loader's typed arrays; W as [in, out] (matMul(x, W)) or
// [out, in] (transposeB).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  type BenchData,
  batchArrays,
  type Engine,
  type Layout,
  MLP,
  type Prepared,
  weightsIn,
} from "../common.js";

const require = createRequire(import.meta.url);

async function useWasm(info: Engine["info"]): Promise<void> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  // The .wasm binaries sit next to the package's entry point (dist/); give their folder, with a trailing slash.
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  wasm.setWasmPaths(`${join(dist, "/")}`);
  const ok = await tf.setBackend("wasm");
  await tf.ready();
  if (!ok || tf.getBackend() !== "wasm") throw new Error("tf.setBackend('wasm') failed");
  const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  const threads = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  info.simd = simd;
  info.multithreadSupport = threads;
  info.threads = wasm.getThreadsCount();
  info.variant =
    simd && threads
      ? "tfjs-backend-wasm-threaded-simd.wasm"
      : simd
        ? "tfjs-backend-wasm-simd.wasm"
        : "tfjs-backend-wasm.wasm";
  info.wasmVersion = wasm.version_wasm;
}

type Weights = { w1: tf.Variable<tf.Rank.R2>; w2: tf.Variable<tf.Rank.R2> };

function weights(data: BenchData, layout: Layout): Weights {
  const w = weightsIn(data, layout);
  const [s1, s2]: [number, number][] =
    layout === "in-out"
      ? [
          [MLP.inputs, MLP.hidden],
          [MLP.hidden, MLP.outputs],
        ]
      : [
          [MLP.hidden, MLP.inputs],
          [MLP.outputs, MLP.hidden],
        ];
  return { w1: tf.variable(tf.tensor2d(w.w1, s1)), w2: tf.variable(tf.tensor2d(w.w2, s2)) };
}

function forward(x: tf.Tensor2D, { w1, w2 }: Weights, layout: Layout): tf.Tensor2D {
  const t = layout === "out-in"; // [out, in]: multiply by the transpose, in place (transposeB)
  const h = tf.relu(tf.matMul(x, w1, false, t)); //  h = ReLU(x·W1) or ReLU(x·W1ᵀ)
  return tf.matMul(h, w2, false, t);
}

/** Inside a tidy: the step's x and one-hot labels from the loader's typed arrays. */
function batchTensors(data: BenchData, batch: number, slot: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const arrays = batchArrays(data, batch, slot);
  const x = tf.tensor2d(arrays.x, [batch, MLP.inputs]);
  const y = tf.oneHot(tf.tensor1d(arrays.y, "int32"), MLP.outputs).toFloat() as tf.Tensor2D;
  return { x, y };
}

/**
 * Reads a tensor's values, then disposes it: dataSync on cpu and wasm; await data() on webgpu, which tfjs reads
 * synchronously only through an OffscreenCanvas (Node has none).
 */
function readerFor(backend: "cpu" | "wasm" | "webgpu") {
  return (t: tf.Tensor, pick: (values: tf.TypedArray) => number): number | Promise<number> => {
    if (backend === "webgpu")
      return t.data().then((values) => {
        t.dispose();
        return pick(values as tf.TypedArray);
      });
    const v = pick(t.dataSync());
    t.dispose();
    return v;
  };
}

export async function create(backend: "cpu" | "wasm" | "webgpu"): Promise<Engine> {
  const info: Engine["info"] = { library: "@tensorflow/tfjs", version: tf.version.tfjs, backend };
  const read = readerFor(backend);
  if (backend === "wasm") {
    await useWasm(info);
  } else if (backend === "webgpu") {
    info.adapter = await (await import("./gpu.js")).provideNavigatorGpu();
    await import("@tensorflow/tfjs-backend-webgpu");
    const ok = await tf.setBackend("webgpu");
    await tf.ready();
    if (!ok || tf.getBackend() !== "webgpu") throw new Error("tf.setBackend('webgpu') failed");
  } else {
    await tf.setBackend("cpu");
    await tf.ready();
    info.threads = 1;
  }

  return {
    info,

    async sgemm(n, a, b): Promise<Prepared> {
      const A = tf.tensor2d(a, [n, n]);
      const B = tf.tensor2d(b, [n, n]);
      return {
        rep: () => read(tf.matMul(A, B), (c) => c[n * n - 1]),
        dispose: () => {
          A.dispose();
          B.dispose();
        },
      };
    },

    async mlpTrain(batch, data, layout): Promise<Prepared> {
      const w = weights(data, layout);
      const opt = tf.train.sgd(MLP.lr);
      return {
        rep: (slot) => {
          const J = tf.tidy(() => {
            const { x, y } = batchTensors(data, batch, slot);
            const objective = (): tf.Scalar => {
              const o = forward(x, w, layout);
              const L = tf.losses.softmaxCrossEntropy(y, o); // mean over the batch
              const s = tf.mul(tf.add(tf.sum(tf.square(w.w1)), tf.sum(tf.square(w.w2))), MLP.lambda / 2);
              return tf.add(L, s);
            };
            const cost = opt.minimize(objective, true, [w.w1, w.w2]);
            if (!cost) throw new Error("optimizer.minimize returned no cost");
            return cost;
          });
          return read(J, (j) => j[0]);
        },
        dispose: () => {
          opt.dispose();
          tf.dispose([w.w1, w.w2]);
        },
      };
    },

    async infer(batch, data, layout): Promise<Prepared> {
      const w = weights(data, layout);
      return {
        rep: (slot) => {
          const o = tf.tidy(() =>
            forward(tf.tensor2d(batchArrays(data, batch, slot).x, [batch, MLP.inputs]), w, layout),
          );
          // Every output read back.
          return read(o, (values) => {
            let first = 0;
            for (let k = 0; k < MLP.outputs; k++) first += values[k];
            return first;
          });
        },
        dispose: () => tf.dispose([w.w1, w.w2]),
      };
    },
  };
}
