// What the timing scripts share: wait until the wasm threads run, and one random MNIST-shaped batch as tensors.
import { type Tensor, tensor, wasmStatus } from "../src/index.js";

/** Resolves once every wasm worker thread the backend wants is running. */
export async function threadsReady(): Promise<void> {
  const wanted = wasmStatus().threads;
  while (wasmStatus().threadsRunning < wanted) await new Promise((r) => setTimeout(r, 10));
}

/** A batch of `batch` random 784-pixel inputs and labels 0-9. */
export function randomBatch(batch: number): { x: Tensor; y: Tensor } {
  return {
    x: tensor(
      new Float32Array(batch * 784).map(() => Math.random()),
      { shape: [batch, 784] },
    ),
    y: tensor(
      Int32Array.from({ length: batch }, () => Math.floor(Math.random() * 10)),
      { shape: [batch] },
    ),
  };
}
