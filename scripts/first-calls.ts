// The first calls of two kernels a second after the import (docs/backends.md, "Compiled eagerly"): a 64 × 64
// float32 GEMM and a 4096-element add, in microseconds. node --import tsx scripts/first-calls.ts

import type { Kernels } from "../src/backend/wasm/kernels.js";
import * as cr from "../src/index.js";

await new Promise((resolve) => setTimeout(resolve, 1000));
const kernels = (cr.getBackend() as unknown as { kernels: Kernels }).kernels;
const micros = (run: () => void): string => {
  const start = performance.now();
  run();
  return ((performance.now() - start) * 1000).toFixed(1);
};
const n = 64;
const [a, b, c] = [0, 1, 2].map(() => kernels.heap.alloc(n * n * 4));
const scratch = kernels.heap.alloc(kernels.call("sgemmScratchBytes", n, n, n));
const gemm = () => kernels.call("sgemm", 0, 1, n, n, n, a, n, b, n, c, n, 0, scratch);
console.log("sgemm 64, calls 1-6 (µs):", Array.from({ length: 6 }, () => micros(gemm)).join(" "));
const size = 4096;
const [x, y, z] = [0, 1, 2].map(() => kernels.heap.alloc(size * 4));
const add = () => kernels.call("ew_binary_f32", 0, 1, size, x, 0, 1, y, 0, 1, z, 0, 1);
console.log("add of 4096, calls 1-4 (µs):", Array.from({ length: 4 }, () => micros(add)).join(" "));
process.exit(0);
