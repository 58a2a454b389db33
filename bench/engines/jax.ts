// jax-js 0.1.25 on its WebAssembly device (or webgpu), the way its README and MNIST demo use it: pure functions
// of a parameter tree, valueAndGrad, jit around the whole training step (one-hot, forward, loss, gradients,
// SGD) and reference counting. Each step makes x and the labels with np.array from the loader's typed arrays.
import { defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import {
  type BenchData,
  batchArrays,
  type Engine,
  type Layout,
  MLP,
  type Prepared,
  packageVersion,
  weightsIn,
} from "../common.js";

type Params = { w1: np.Array; w2: np.Array };

function params(data: BenchData, layout: Layout): Params {
  const w = weightsIn(data, layout);
  const inOut = layout === "in-out";
  return {
    w1: np.array(w.w1).reshape(inOut ? [MLP.inputs, MLP.hidden] : [MLP.hidden, MLP.inputs]),
    w2: np.array(w.w2).reshape(inOut ? [MLP.hidden, MLP.outputs] : [MLP.outputs, MLP.hidden]),
  };
}

/** JAX's habit is W as [in, out] and x @ W; with [out, in] it is x @ W.T. */
function predictIn(layout: Layout) {
  const times = layout === "in-out" ? (w: np.Array) => w : (w: np.Array) => w.transpose();
  return (p: Params, x: np.Array): np.Array => {
    const h = nn.relu(np.dot(x, times(p.w1))); // h = ReLU(x·W1)
    return np.dot(h, times(p.w2)); //             o = h·W2
  };
}

function objectiveIn(layout: Layout) {
  const predict = predictIn(layout);
  return (p: Params, x: np.Array, labels: np.Array): np.Array => {
    const batch = x.shape[0];
    const y = nn.oneHot(labels, MLP.outputs).astype(np.float32);
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
  };
}

/** One SGD step, compiled as a whole. Takes ownership of p, x and labels; returns the new parameters and J. */
function trainStepIn(layout: Layout) {
  const objective = objectiveIn(layout);
  return jit((p: Params, x: np.Array, labels: np.Array): [Params, np.Array] => {
    const [J, g] = valueAndGrad(objective)(tree.ref(p), x, labels);
    const next = { w1: p.w1.sub(g.w1.mul(MLP.lr)), w2: p.w2.sub(g.w2.mul(MLP.lr)) };
    return [next, J];
  });
}

type Values = Awaited<ReturnType<np.Array["data"]>>;

/**
 * Reads an array's values and frees it (as jax-js's reads do): dataSync on wasm; await data() on webgpu, which
 * jax-js reads synchronously only through an OffscreenCanvas (Node has none).
 */
function readerFor(device: "wasm" | "webgpu") {
  return (a: np.Array, pick: (values: Values) => number): number | Promise<number> =>
    device === "webgpu" ? a.data().then(pick) : pick(a.dataSync());
}

const matmulJit = jit((a: np.Array, b: np.Array) => np.matmul(a, b));

export async function create(device: "wasm" | "webgpu"): Promise<Engine> {
  const adapter = device === "webgpu" ? await (await import("./gpu.js")).provideNavigatorGpu() : null;
  const read = readerFor(device);
  const devices = await init(device);
  if (!devices.includes(device)) throw new Error(`jax-js: no ${device} device (got ${devices.join(", ")})`);
  defaultDevice(device);
  const info: Engine["info"] = {
    library: "@jax-js/jax",
    version: packageVersion("@jax-js/jax"),
    device: defaultDevice(),
    jit: true,
    // Its wasm device starts worker threads only where a global Worker exists (browsers, Deno); Node 20 has none.
    threads: typeof (globalThis as { Worker?: unknown }).Worker === "undefined" ? 1 : "workers",
    ...(adapter ? { adapter } : {}),
  };

  return {
    info,

    async sgemm(n, a, b): Promise<Prepared> {
      const A = np.array(a).reshape([n, n]);
      const B = np.array(b).reshape([n, n]);
      return {
        rep: () => read(matmulJit(A.ref, B.ref), (c) => c[n * n - 1]), // the read takes ownership: C is freed
        dispose: () => {
          A.dispose();
          B.dispose();
        },
      };
    },

    async mlpTrain(batch, data, layout): Promise<Prepared> {
      const trainStep = trainStepIn(layout);
      let p = params(data, layout);
      return {
        rep: (slot) => {
          const arrays = batchArrays(data, batch, slot);
          const x = np.array(arrays.x).reshape([batch, MLP.inputs]);
          const labels = np.array(arrays.y, { dtype: np.int32 });
          const [next, J] = trainStep(p, x, labels); // x and labels are handed over and freed
          p = next;
          return read(J, (j) => j[0]);
        },
        dispose: () => tree.dispose(p),
      };
    },

    async infer(batch, data, layout): Promise<Prepared> {
      const predict = jit(predictIn(layout));
      const p = params(data, layout);
      return {
        rep: (slot) => {
          const x = np.array(batchArrays(data, batch, slot).x).reshape([batch, MLP.inputs]);
          // Every output read back.
          return read(predict(tree.ref(p), x), (values) => {
            let first = 0;
            for (let k = 0; k < MLP.outputs; k++) first += values[k];
            return first;
          });
        },
        dispose: () => tree.dispose(p),
      };
    },
  };
}
