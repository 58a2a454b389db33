// npm run bench in tiny modes: Chainrule end to end (steady cases, short runs, data in/out, the page), the peers
// in both layouts, the threads and layout sections; and the pure parts: intervals, short-run rates, targets.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { GPU_CHECK_CASES, GPU_ENGINES, PEERS } from "../../bench/common.js";
import type { BenchReport, CaseResult, LayoutRow, ShortRun, ThreadsRow } from "../../bench/results.js";
import { computeTargets } from "../../bench/targets.js";
import { medianInterval, rateWithin } from "../../bench/timing.js";
import * as cr from "../../src/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs a bench script in a temporary folder; returns its output and the folder (removed by the caller). */
function bench(script: string, args: (dir: string) => string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-bench-test-"));
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...args(dir)], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  assert.equal(run.status, 0, `exit code ${run.status}\n${run.stdout}\n${run.stderr}`);
  return { run, dir };
}

function checkTraining(c: CaseResult | undefined, batch: number): void {
  assert.ok(c, "the case ran");
  assert.equal(c.error, undefined);
  assert.ok(c.reps >= 2 && c.samples.length === c.reps);
  assert.ok(c.samples.every((s) => Number.isFinite(s) && s > 0));
  assert.ok(Math.abs(c.value - batch / c.medianSeconds) < 1e-6 * c.value);
  assert.ok(c.losses && c.losses.length > 1 && c.losses.every(Number.isFinite));
  assert.ok(
    Number.isFinite(c.lossAfter) && c.lossAfter! < c.losses[0],
    `loss ${c.losses[0]} → ${c.lossAfter}`,
  );
}

function checkShort(r: ShortRun, window: number): void {
  assert.equal(r.error, undefined);
  assert.equal(r.windowSeconds, window);
  assert.ok(r.setupSeconds > 0 && r.stepEnds.length >= 1);
  assert.ok(r.stepEnds.every((t, i) => t > 0 && (i === 0 || t >= r.stepEnds[i - 1])));
  assert.ok(r.stepEnds.at(-1)! >= window && (r.stepEnds.length < 2 || r.stepEnds.at(-2)! < window));
  assert.equal(r.firstWindow, rateWithin(r.stepEnds, r.batch, window));
  assert.equal(r.firstHalf, rateWithin(r.stepEnds, r.batch, window / 2));
  assert.ok(Number.isFinite(r.firstLoss) && Number.isFinite(r.lastLoss));
}

test("bench/run.ts, Chainrule: steady cases, short runs, data in and out, checks, targets and the page", () => {
  const engines = "chainrule-js,chainrule-wasm-2t,chainrule-capture-2t";
  const args = ["--quick", "--only", engines, "--cases", "sgemm256,mlp16,infer16,io"];
  args.push("--reps", "2", "--seconds", "0", "--short-seconds", "0.4");
  const { run, dir } = bench("bench/run.ts", (d) => [
    ...args,
    "--out",
    join(d, "r.json"),
    "--docs",
    join(d, "p.md"),
  ]);
  try {
    assert.match(run.stdout, /\| mlp16 +\| examples\/s +\| +[\d,.]+ \| +[\d,.]+ \|/);
    assert.match(run.stdout, /\| mlp16, first 0\.4 s +\| examples\/s +\| +[\d,.]+ \| +[\d,.]+ \|/);
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as BenchReport;
    assert.equal(report.quick, true);
    assert.ok(!Number.isNaN(Date.parse(report.date)) && report.wallSeconds! > 0);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.engines.map((e) => [e.engine, e.ok, e.info.backend]),
      [
        ["chainrule-js", true, "js"],
        ["chainrule-wasm-2t", true, "wasm"],
        ["chainrule-capture-2t", true, "wasm"],
      ],
    );
    for (const e of report.engines) {
      const mlp = e.cases.find((c) => c.id === "mlp16");
      checkTraining(mlp, 16);
      assert.equal(mlp?.layout, "out-in"); // Chainrule runs nn.Linear only
      assert.equal(mlp?.byLayout, undefined);
      assert.ok(Number.isFinite(e.cases.find((c) => c.id === "infer16")?.checksum));
      // The captured engine runs the steps only: no sgemm, no data in and out.
      const captured = e.engine === "chainrule-capture-2t";
      assert.equal(e.info.capture, captured ? true : undefined);
      assert.equal(
        e.cases.some((c) => c.id === "sgemm256"),
        !captured,
      );
      assert.deepEqual(
        e.io?.map((r) => r.bytes),
        captured ? undefined : [64 * 1024, 2 ** 20],
      );
      for (const r of e.io ?? [])
        for (const v of [r.tensor, r.dataSync, r.data, r.memcpy]) assert.ok(Number.isFinite(v) && v > 0);
    }
    // The captured step's J agrees with the eager one's after the check steps and on the first step.
    const after = report.engines.map((e) => e.cases.find((c) => c.id === "mlp16")!.lossAfter!);
    assert.ok(Math.abs(after[2] - after[1]) <= 1e-4 * Math.abs(after[1]), `${after}`);
    const captureTarget = report.targets.find((t) => t.what.includes("cr.capture, batch 64"));
    assert.ok(captureTarget, "the first-second target names the captured step");
    assert.equal(report.shortRuns?.length, 3);
    for (const r of report.shortRuns ?? []) checkShort(r, 0.4);
    assert.deepEqual(
      report.lossCheck.map((l) => [l.check, l.flagged]),
      [
        ["mlp16", []],
        ["mlp16/short", []],
        ["infer16", []],
      ],
    );
    const io = report.targets.find((t) => t.unit === "GB/s");
    const wasmIo = report.engines[1].io?.[1];
    assert.equal(io?.measured, Math.min(wasmIo!.tensor, wasmIo!.dataSync, wasmIo!.data));
    assert.equal(io?.met, io!.measured! >= 5);
    const page = readFileSync(join(dir, "p.md"), "utf8");
    for (const heading of ["## What is measured", "### Targets (issue 12)", "### The first seconds"])
      assert.ok(page.includes(heading), heading);
    assert.match(page, /\| chainrule-wasm-2t \| 1 MiB +\| +[\d.]+ \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bench/run.ts, peers: both layouts measured, the faster kept, ratios against each peer's best", () => {
  const args = ["--quick", "--only", `chainrule-wasm-2t,${PEERS.join(",")}`, "--cases", "mlp8,infer8"];
  args.push("--reps", "2", "--seconds", "0", "--short-seconds", "0.3");
  const { dir } = bench("bench/run.ts", (d) => [...args, "--out", join(d, "r.json"), "--no-docs"]);
  try {
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as BenchReport;
    assert.deepEqual(report.problems, []);
    const focus = report.engines.find((e) => e.engine === "chainrule-wasm-2t")!;
    for (const peer of PEERS) {
      const e = report.engines.find((r) => r.engine === peer)!;
      assert.equal(e.ok, true, e.error);
      for (const id of ["mlp8", "infer8"]) {
        const c = e.cases.find((r) => r.id === id)!;
        const both = c.byLayout!;
        assert.ok(Number.isFinite(both["in-out"]) && Number.isFinite(both["out-in"]), `${peer} ${id}`);
        assert.equal(c.value, Math.max(both["in-out"]!, both["out-in"]!));
        assert.equal(c.value, both[c.layout!]);
        const mine = focus.cases.find((r) => r.id === id)!.value;
        assert.ok(Math.abs(report.ratios[id][peer]! - mine / c.value) < 1e-9 * (mine / c.value));
      }
      const short = report.shortRuns!.filter((r) => r.engine === peer);
      assert.deepEqual(short.map((r) => r.layout).sort(), ["in-out", "out-in"]);
      for (const r of short) checkShort(r, 0.3);
      const best = Math.max(...short.map((r) => r.firstWindow));
      const f = report.shortRuns!.find((r) => r.engine === "chainrule-wasm-2t")!.firstWindow;
      assert.ok(Math.abs(report.ratios["mlp8/short"][peer]! - f / best) < 1e-9 * (f / best));
    }
    assert.ok(report.lossCheck.length === 3 && report.lossCheck.every((l) => l.flagged.length === 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const gpu = (await cr.initWebGPU()) ? false : `no WebGPU adapter here: ${cr.webgpuStatus().reason}`;
if (gpu) console.log(`# bench --gpu-check skipped: ${gpu}`);

test("bench/run.ts --gpu-check: every GPU engine runs on the adapter there is, named, and agrees", {
  skip: gpu,
}, () => {
  const { run, dir } = bench("bench/run.ts", (d) => [
    "--gpu-check",
    "--reps",
    "2",
    "--seconds",
    "0",
    "--out",
    join(d, "r.json"),
  ]);
  try {
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as BenchReport;
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.engines.map((e) => [e.engine, e.ok, e.error]),
      GPU_ENGINES.map((e) => [e, true, undefined]),
    );
    for (const e of report.engines) {
      assert.match(String(e.info.adapter), /\(.*(core|compatibility)\)$/, `${e.engine} names its adapter`);
      assert.match(run.stdout, new RegExp(`\\| ${e.engine} +\\| ${literal(String(e.info.adapter))} +\\|`));
      for (const id of GPU_CHECK_CASES) {
        const c = e.cases.find((r) => r.id === id);
        assert.ok(c && c.error === undefined && Number.isFinite(c.value) && c.value > 0, `${e.engine} ${id}`);
      }
    }
    // The peers' J after 5 steps and Σ logits against Chainrule's (within the bench's own tolerance).
    assert.deepEqual(
      report.lossCheck.map((l) => [l.check, Object.keys(l.values).sort(), l.flagged]),
      ["mlp64", "infer64"].map((id) => [id, [...GPU_ENGINES].sort(), []]),
    );
    console.log(`# GPU engines ran on: ${report.engines.map((e) => e.info.adapter).join("; ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("medianInterval: the widest order statistics whose sign-test coverage is still at least 95%", () => {
  // Coverage of [k-th smallest, k-th largest] is 1 − 2·P(Binomial(n, ½) ≤ k − 1), counted here from scratch.
  const below = (n: number, k: number) => {
    let count = 0;
    for (let j = 0; j < k; j++) {
      let c = 1;
      for (let i = 0; i < j; i++) c = (c * (n - i)) / (i + 1);
      count += c;
    }
    return count / 2 ** n;
  };
  for (const n of [6, 7, 8, 9, 14, 16, 30, 60]) {
    const values = Array.from({ length: n }, (_, i) => n - i); // n, n − 1, …, 1: the k-th smallest is k
    const { low, high } = medianInterval(values);
    assert.equal(high, n + 1 - low, `n ${n}: symmetric`);
    assert.ok(1 - 2 * below(n, low) >= 0.95, `n ${n}: interval [${low}, ${high}] covers less than 95%`);
    assert.ok(1 - 2 * below(n, low + 1) < 0.95, `n ${n}: [${low + 1}, ${high - 1}] would still cover 95%`);
  }
  assert.deepEqual(medianInterval(Array.from({ length: 30 }, (_, i) => 30 - i)), { low: 10, high: 21 });
  assert.throws(() => medianInterval([3, 1, 2, 5, 4]), /medianInterval: needs at least 6 samples/);
});

test("rateWithin: the steps up to the first that ends at or after the mark, over the time it ended", () => {
  const ends = [0.5, 0.9, 1.2, 1.6, 2.1];
  assert.equal(rateWithin(ends, 10, 1), 30 / 1.2);
  assert.equal(rateWithin(ends, 10, 2), 50 / 2.1);
  assert.equal(rateWithin(ends, 10, 0.5), 10 / 0.5);
  assert.ok(Number.isNaN(rateWithin(ends, 10, 3)));
});

test("computeTargets: met, not met, and not measured, from ratios, short runs, io and layouts", () => {
  const mlp = (id: string, value: number) => ({ id, value }) as unknown as CaseResult;
  const short = (engine: string, batch: number, firstHalf: number) =>
    ({ engine, batch, firstHalf, firstWindow: firstHalf, windowSeconds: 2 }) as unknown as ShortRun;
  const report = {
    engines: [
      {
        engine: "chainrule-wasm-2t",
        cases: [mlp("mlp64", 1000), mlp("mlp256", 2000), mlp("sgemm1024", 80)],
        io: [
          { bytes: 65536, tensor: 1, dataSync: 1, data: 1, memcpy: 40 },
          { bytes: 2 ** 20, tensor: 6, dataSync: 7, data: 5.5, memcpy: 40 },
        ],
      },
      { engine: "chainrule-wasm-1t", cases: [mlp("sgemm1024", 44)] },
      { engine: "chainrule-capture-2t", cases: [mlp("mlp64", 1200), mlp("mlp256", 2000)] },
    ],
    // The first-second targets are the captured engine's: the eager engine's short runs do not count there.
    shortRuns: [
      short("chainrule-wasm-2t", 64, 1000),
      short("chainrule-wasm-2t", 256, 2000),
      short("chainrule-capture-2t", 64, 1020),
      short("chainrule-capture-2t", 256, 1000),
    ],
    ratios: { mlp256: { "jax-js": 4.2, "tfjs-wasm": 14 }, "mlp256/short": { "jax-js": 3 } },
    layouts: [{ ratio: 0.97 }, { ratio: 0.94 }],
  } as unknown as BenchReport;
  const verdicts = Object.fromEntries(computeTargets(report).map((t) => [t.what, [t.measured, t.met]]));
  assert.deepEqual(verdicts, {
    "training, batch 256, steady state: ÷ jax-js": [4.2, true],
    "training, batch 256, steady state: ÷ tfjs-wasm": [14, false],
    "training, batch 256, first 2 s: ÷ jax-js": [3, true],
    "inference, batch 256: ÷ tfjs-wasm": [null, null],
    "sgemm 1024, 1 thread (chainrule-wasm-1t)": [44, false],
    "sgemm 1024, 2 threads": [80, true],
    "training with cr.capture, batch 64 (the chapter's): first 1 s ÷ steady state (chainrule-capture-2t)": [
      85,
      true,
    ],
    "training with cr.capture, batch 256: first 1 s ÷ steady state (chainrule-capture-2t)": [50, false],
    "tensor(), dataSync(), data() at ≥ 1 MiB: the slowest": [5.5, true],
    "nn.Linear's [out, in] step ÷ [in, out] (x·W), slowest case": [94, false],
  });
});

test("bench/threads.ts: 1 against 2 threads, interleaved, gives finite times and a speedup inside its interval", () => {
  const args = (d: string) => [
    "--batches",
    "4,32",
    "--rounds",
    "6",
    "--warmup",
    "0",
    "--out",
    join(d, "t.json"),
  ];
  const env = { CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "2" };
  const { run, dir } = bench("bench/threads.ts", args, env);
  try {
    const rows = JSON.parse(readFileSync(join(dir, "t.json"), "utf8")) as ThreadsRow[];
    assert.deepEqual(
      rows.map((r) => r.batch),
      [4, 32],
    );
    for (const r of rows) {
      assert.equal(r.rounds, 6);
      for (const v of [r.ms1, r.ms2, r.speedup, r.low, r.high, r.min, r.max])
        assert.ok(Number.isFinite(v) && v > 0);
      assert.ok(r.min <= r.low && r.low <= r.speedup && r.speedup <= r.high && r.high <= r.max);
    }
    assert.match(run.stderr, /batch 32: 1 thread [\d.]+ ms, 2 threads [\d.]+ ms per step/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bench/layout.ts: x·W against nn.Linear, interleaved: the same J and output, a ratio inside its interval", () => {
  const args = (d: string) => [
    "--cases",
    "train8,infer8",
    "--rounds",
    "6",
    "--warmup",
    "0",
    "--out",
    join(d, "l.json"),
  ];
  const env = { CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "2" };
  const { dir } = bench("bench/layout.ts", args, env);
  try {
    const rows = JSON.parse(readFileSync(join(dir, "l.json"), "utf8")) as LayoutRow[];
    assert.deepEqual(
      rows.map((r) => [r.what, r.batch, r.rounds]),
      [
        ["train", 8, 6],
        ["infer", 8, 6],
      ],
    );
    for (const r of rows) {
      for (const v of [r.msInOut, r.msOutIn, r.ratio, r.low, r.high]) assert.ok(Number.isFinite(v) && v > 0);
      assert.ok(r.min <= r.low && r.low <= r.ratio && r.ratio <= r.high && r.high <= r.max);
      assert.ok(Math.abs(r.checkInOut - r.checkOutIn) <= 1e-4 * Math.abs(r.checkOutIn), JSON.stringify(r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
