// Times the wasm backend's elementwise and reduce kernels against the reference kernels running on the same
// wasm memory (what the backend falls back to), and prints median microseconds per call and the ratio.
// Usage: node --import tsx scripts/bench-elementwise.ts [threads]
import type { DataId, View } from "../src/backend/backend.js";
import { JsBackend } from "../src/backend/js/index.js";
import { createWasmBackendSync } from "../src/backend/wasm/setup.js";

const made = createWasmBackendSync();
if ("error" in made) throw new Error(made.error);
const wasm = made;
const threads = Number(process.argv[2] ?? wasm.threads);
wasm.setThreads(threads);
// Let the workers start.
for (let i = 0; i < 200 && wasm.kernels.available < threads; i++) await new Promise((r) => setTimeout(r, 10));
const js = new JsBackend();
const ref = (id: DataId): DataId => ({ values: wasm.readSync(id) });
const refView = (v: View): View => ({ ...v, id: ref(v.id) });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
/** Median µs per call over `reps` timed batches. */
function time(fn: () => void, reps = 31): number {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    if (performance.now() - t0 > 5) break;
    calls *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / calls);
  }
  return median(samples);
}

function filled(n: number, dtype: "float32" | "float64" = "float32"): DataId {
  const id = wasm.alloc(dtype, n);
  const v = wasm.readSync(id);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i) * 3;
  return id;
}

const rows: string[][] = [["case", "wasm µs", "reference µs", "speedup"]];
function report(name: string, fast: () => void, slow: () => void): void {
  time(fast, 3);
  const f = time(fast);
  const s = time(slow);
  rows.push([name, f.toFixed(1), s.toFixed(1), `${(s / f).toFixed(1)}x`]);
}

const N = 200_000;
for (const dtype of ["float32", "float64"] as const) {
  const a = filled(N, dtype);
  const b = filled(N, dtype);
  const out = wasm.alloc(dtype, N);
  const view = (id: DataId): View => ({ id, strides: [1], offset: 0 });
  for (const op of ["add", "mul"] as const) {
    report(
      `${op} ${dtype} [${N}]`,
      () => wasm.binary(op, view(a), view(b), out, [N]),
      () => js.binary(op, refView(view(a)), refView(view(b)), ref(out), [N]),
    );
  }
  for (const op of ["relu", "exp", "tanh"] as const) {
    report(
      `${op} ${dtype} [${N}]`,
      () => wasm.unary(op, a, out, N),
      () => js.unary(op, ref(a), ref(out), N),
    );
  }
  const m = filled(256 * 256, dtype);
  const bias = filled(256, dtype);
  const mo = wasm.alloc(dtype, 256 * 256);
  report(
    `bias add ${dtype} [256,256]+[256]`,
    () =>
      wasm.binary(
        "add",
        { id: m, strides: [256, 1], offset: 0 },
        { id: bias, strides: [0, 1], offset: 0 },
        mo,
        [256, 256],
      ),
    () =>
      js.binary(
        "add",
        refView({ id: m, strides: [256, 1], offset: 0 }),
        refView({ id: bias, strides: [0, 1], offset: 0 }),
        ref(mo),
        [256, 256],
      ),
  );
  const rs = wasm.alloc(dtype, 256);
  report(
    `row sum ${dtype} [256,256] axis 1`,
    () => wasm.reduce("sum", m, [256, 256], [1], rs),
    () => js.reduce("sum", ref(m), [256, 256], [1], ref(rs)),
  );
  report(
    `column sum ${dtype} [256,256] axis 0`,
    () => wasm.reduce("sum", m, [256, 256], [0], rs),
    () => js.reduce("sum", ref(m), [256, 256], [0], ref(rs)),
  );
  const t = wasm.alloc(dtype, 256 * 256);
  report(
    `transpose copy ${dtype} [256,256]`,
    () =>
      wasm.copy({ id: m, strides: [1, 256], offset: 0 }, { id: t, strides: [256, 1], offset: 0 }, [256, 256]),
    () =>
      js.copy(
        refView({ id: m, strides: [1, 256], offset: 0 }),
        refView({ id: t, strides: [256, 1], offset: 0 }),
        [256, 256],
      ),
  );
}

// Small jobs: what dispatch costs.
for (const [n, label] of [
  [64, "add float32 [64]"],
  [4096, "add float32 [4096]"],
] as const) {
  const a = filled(n);
  const b = filled(n);
  const out = wasm.alloc("float32", n);
  const view = (id: DataId): View => ({ id, strides: [1], offset: 0 });
  report(
    label,
    () => wasm.binary("add", view(a), view(b), out, [n]),
    () => js.binary("add", refView(view(a)), refView(view(b)), ref(out), [n]),
  );
}
{
  const m = filled(320);
  const bias = filled(10);
  const mo = wasm.alloc("float32", 320);
  const rs = wasm.alloc("float32", 32);
  report(
    "bias add float32 [32,10]+[10]",
    () =>
      wasm.binary(
        "add",
        { id: m, strides: [10, 1], offset: 0 },
        { id: bias, strides: [0, 1], offset: 0 },
        mo,
        [32, 10],
      ),
    () =>
      js.binary(
        "add",
        refView({ id: m, strides: [10, 1], offset: 0 }),
        refView({ id: bias, strides: [0, 1], offset: 0 }),
        ref(mo),
        [32, 10],
      ),
  );
  report(
    "row sum float32 [32,10] axis 1",
    () => wasm.reduce("sum", m, [32, 10], [1], rs),
    () => js.reduce("sum", ref(m), [32, 10], [1], ref(rs)),
  );
  report(
    "relu float32 [320]",
    () => wasm.unary("relu", m, mo, 320),
    () => js.unary("relu", ref(m), ref(mo), 320),
  );
}

console.log(`threads: ${wasm.kernels.available} running, relaxed SIMD: ${wasm.kernels.relaxed}`);
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(36) : c.padStart(14))).join(""));
wasm.setThreads(1);
