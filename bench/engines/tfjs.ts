// TensorFlow.js 4.22 on its pure-JS "cpu" backend or its WebAssembly backend (XNNPACK), used the way its
// docs show: variables, tf.train.sgd and optimizer.minimize, tf.losses.softmaxCrossEntropy, tf.tidy.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type BenchData, type Engine, MLP, type Prepared } from "../common.js";

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

function weights(data: BenchData): { w1: tf.Variable<tf.Rank.R2>; w2: tf.Variable<tf.Rank.R2> } {
  // Stored as [out, in] like the other engines; the forward pass multiplies by the transpose.
  return {
    w1: tf.variable(tf.tensor2d(data.w1, [MLP.hidden, MLP.inputs])),
    w2: tf.variable(tf.tensor2d(data.w2, [MLP.outputs, MLP.hidden])),
  };
}

function forward(x: tf.Tensor2D, w1: tf.Tensor2D, w2: tf.Tensor2D): tf.Tensor2D {
  const h = tf.relu(tf.matMul(x, w1, false, true)); //  h = ReLU(x·W1ᵀ)
  return tf.matMul(h, w2, false, true); //               o = h·W2ᵀ
}

function batchOf(data: BenchData, batch: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.tensor2d(data.x.subarray(0, batch * MLP.inputs), [batch, MLP.inputs]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(data.y.subarray(0, batch), "int32"), MLP.outputs).toFloat());
  return { x, y: y as tf.Tensor2D };
}

export async function create(backend: "cpu" | "wasm"): Promise<Engine> {
  const info: Engine["info"] = { library: "@tensorflow/tfjs", version: tf.version.tfjs, backend };
  if (backend === "wasm") {
    await useWasm(info);
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
        rep: () => {
          const C = tf.matMul(A, B);
          const v = C.dataSync()[n * n - 1];
          C.dispose();
          return v;
        },
        dispose: () => {
          A.dispose();
          B.dispose();
        },
      };
    },

    async mlpTrain(batch, data): Promise<Prepared> {
      const { w1, w2 } = weights(data);
      const { x, y } = batchOf(data, batch);
      const opt = tf.train.sgd(MLP.lr);
      const objective = (): tf.Scalar => {
        const o = forward(x, w1, w2);
        const L = tf.losses.softmaxCrossEntropy(y, o); // mean over the batch
        const s = tf.mul(tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))), MLP.lambda / 2);
        return tf.add(L, s);
      };
      return {
        rep: () => {
          const J = opt.minimize(objective, true, [w1, w2]);
          if (!J) throw new Error("optimizer.minimize returned no cost");
          const v = J.dataSync()[0];
          J.dispose();
          return v;
        },
        dispose: () => {
          opt.dispose();
          tf.dispose([w1, w2, x, y]);
        },
      };
    },

    async infer(batch, data): Promise<Prepared> {
      const { w1, w2 } = weights(data);
      const { x, y } = batchOf(data, batch);
      return {
        rep: () => {
          const o = tf.tidy(() => forward(x, w1, w2));
          const values = o.dataSync();
          o.dispose();
          let first = 0;
          for (let k = 0; k < MLP.outputs; k++) first += values[k];
          return first;
        },
        dispose: () => tf.dispose([w1, w2, x, y]),
      };
    },
  };
}
