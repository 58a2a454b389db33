// Times the wasm backend's sgemm kernel alone (GFLOP/s, medians) and checks it against a float64 reference.
// Usage: node --import tsx scripts/bench-gemm.ts [--threads N] [--sizes 256,512,1024] [--trans nn,tn,nt]

import type { WasmBuffer } from "../src/backend/wasm/buffer.js";
import { matmulWasm } from "../src/backend/wasm/ops-matmul.js";
import { createWasmBackendSync } from "../src/backend/wasm/setup.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const threads = Number(arg("threads", "1"));
const sizes = arg("sizes", "256,512,1024,2048").split(",").map(Number);
const transes = arg("trans", "nn").split(",");
const made = createWasmBackendSync();
if ("error" in made) throw new Error(made.error);
const backend = made;
backend.setThreads(threads);
while (backend.kernels.available < threads) await new Promise((r) => setTimeout(r, 10));
console.log(`threads ${backend.kernels.available} relaxed ${backend.kernels.relaxed}`);

for (const n of sizes) {
  for (const t of transes) {
    const transA = t[0] === "t";
    const transB = t[1] === "t";
    const a = backend.alloc("float32", n * n) as WasmBuffer;
    const b = backend.alloc("float32", n * n) as WasmBuffer;
    const c = backend.alloc("float32", n * n) as WasmBuffer;
    const av = new Float32Array(n * n).map(() => Math.random() - 0.5);
    const bv = new Float32Array(n * n).map(() => Math.random() - 0.5);
    backend.write(a, av);
    backend.write(b, bv);
    const spec = { batchShape: [], aBatchStrides: [], bBatchStrides: [], m: n, n, k: n, transA, transB };
    const times: number[] = [];
    const budget = performance.now() + 1500;
    for (let rep = 0; rep < 3 || (performance.now() < budget && rep < 50); rep++) {
      const t0 = performance.now();
      matmulWasm(backend.kernels, a, b, c, spec);
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    const med = times[Math.floor(times.length / 2)];
    // Spot-check 200 random elements against a float64 dot product.
    const cv = backend.readSync(c) as Float32Array;
    let worst = 0;
    for (let s = 0; s < 200; s++) {
      const i = Math.floor(Math.random() * n);
      const j = Math.floor(Math.random() * n);
      let ref = 0;
      for (let p = 0; p < n; p++) {
        ref += (transA ? av[p * n + i] : av[i * n + p]) * (transB ? bv[j * n + p] : bv[p * n + j]);
      }
      worst = Math.max(worst, Math.abs(cv[i * n + j] - ref));
    }
    console.log(
      `${n} ${t}: ${((2 * n ** 3) / med / 1e6).toFixed(1)} GFLOP/s (median of ${times.length}, ${med.toFixed(2)} ms) max err ${worst.toExponential(1)}`,
    );
    backend.free(a);
    backend.free(b);
    backend.free(c);
  }
}
process.exit(0);
