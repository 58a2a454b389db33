// jax-js 0.1.25 on its WebAssembly device, the way its README and MNIST demo use it: pure functions of a
// parameter tree, valueAndGrad, and jit around the whole training step (forward, loss, gradients, SGD update);
// reference counting (`.ref` when an array is used again, ownership passes on every call).
import { defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { type BenchData, type Engine, MLP, type Prepared, packageVersion, transpose2d } from "../common.js";

type Params = { w1: np.Array; w2: np.Array };

function params(data: BenchData): Params {
  // JAX's convention: W as [in, out], o = h·W; the same numbers as the others' [out, in] weights transposed.
  return {
    w1: np.array(transpose2d(data.w1, MLP.hidden, MLP.inputs)).reshape([MLP.inputs, MLP.hidden]),
    w2: np.array(transpose2d(data.w2, MLP.outputs, MLP.hidden)).reshape([MLP.hidden, MLP.outputs]),
  };
}

function predict(p: Params, x: np.Array): np.Array {
  const h = nn.relu(np.dot(x, p.w1)); // h = ReLU(x·W1ᵀ)
  return np.dot(h, p.w2); //             o = h·W2ᵀ
}

function batchOf(data: BenchData, batch: number): { x: np.Array; y: np.Array } {
  const x = np.array(data.x.slice(0, batch * MLP.inputs)).reshape([batch, MLP.inputs]);
  const labels = np.array(data.y.slice(0, batch), { dtype: np.int32 });
  return { x, y: nn.oneHot(labels, MLP.outputs).astype(np.float32) };
}

function objective(p: Params, x: np.Array, y: np.Array): np.Array {
  const batch = x.shape[0];
  const o = predict(tree.ref(p), x);
  const L = nn
    .logSoftmax(o)
    .mul(y)
    .sum()
    .mul(-1 / batch); //                L = mean cross-entropy
  const s = np
    .square(p.w1)
    .sum()
    .add(np.square(p.w2).sum())
    .mul(MLP.lambda / 2); // s = λ/2 Σ‖W‖²
  return L.add(s);
}

/** One SGD step, compiled as a whole. Takes ownership of p, x and y; returns the new parameters and J. */
const trainStep = jit((p: Params, x: np.Array, y: np.Array): [Params, np.Array] => {
  const [J, g] = valueAndGrad(objective)(tree.ref(p), x, y);
  const next = { w1: p.w1.sub(g.w1.mul(MLP.lr)), w2: p.w2.sub(g.w2.mul(MLP.lr)) };
  return [next, J];
});

const predictJit = jit(predict);
const matmulJit = jit((a: np.Array, b: np.Array) => np.matmul(a, b));

export async function create(): Promise<Engine> {
  const devices = await init("wasm");
  if (!devices.includes("wasm")) throw new Error(`jax-js: no wasm device (got ${devices.join(", ")})`);
  defaultDevice("wasm");
  const info: Engine["info"] = {
    library: "@jax-js/jax",
    version: packageVersion("@jax-js/jax"),
    device: defaultDevice(),
    jit: true,
    // Its wasm device starts worker threads only where a global Worker exists (browsers, Deno); Node 20 has none.
    threads: typeof (globalThis as { Worker?: unknown }).Worker === "undefined" ? 1 : "workers",
  };

  return {
    info,

    async sgemm(n, a, b): Promise<Prepared> {
      const A = np.array(a).reshape([n, n]);
      const B = np.array(b).reshape([n, n]);
      return {
        rep: () => {
          const C = matmulJit(A.ref, B.ref);
          const v = C.dataSync()[n * n - 1];
          return v;
        },
        dispose: () => {
          A.dispose();
          B.dispose();
        },
      };
    },

    async mlpTrain(batch, data): Promise<Prepared> {
      let p = params(data);
      const { x, y } = batchOf(data, batch);
      return {
        rep: () => {
          const [next, J] = trainStep(p, x.ref, y.ref);
          p = next;
          return J.dataSync()[0];
        },
        dispose: () => {
          tree.dispose(p);
          x.dispose();
          y.dispose();
        },
      };
    },

    async infer(batch, data): Promise<Prepared> {
      const p = params(data);
      const { x, y } = batchOf(data, batch);
      return {
        rep: () => {
          const values = predictJit(tree.ref(p), x.ref).dataSync();
          let first = 0;
          for (let k = 0; k < MLP.outputs; k++) first += values[k];
          return first;
        },
        dispose: () => {
          tree.dispose(p);
          x.dispose();
          y.dispose();
        },
      };
    },
  };
}
