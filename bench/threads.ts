// Does a second thread help the chapter's training step, at every batch size? One process alternates 1 and 2
// wasm threads round after round on the bench's step (so the machine's drifts hit both alike) and reports the
// median per-round speedup with a 95% interval. Alone: node --import tsx bench/threads.ts [--batches 8,16] [--rounds N]
import { writeFileSync } from "node:fs";
import * as cr from "../src/index.js";
import { type BenchData, makeData, readData, THREAD_BATCHES, THREAD_ROUNDS } from "./common.js";
import type { ThreadsRow } from "./results.js";
import { median, medianInterval } from "./timing.js";

/** Steps before each timed run: a 2-thread run starts fresh workers (setThreads rebuilds the pool). */
const WARMUP_STEPS = 10;
const TIMED_STEPS = 25;

async function threadsRunning(wanted: number): Promise<void> {
  const start = performance.now();
  while (cr.wasmStatus().threadsRunning < wanted) {
    if (performance.now() - start > 20000)
      throw new Error(`only ${cr.wasmStatus().threadsRunning} threads started`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function compare(batch: number, rounds: number, warmup: number, data: BenchData): Promise<ThreadsRow> {
  const engine = await (await import("./engines/chainrule.js")).create();
  const step = await engine.mlpTrain(batch, data, "out-in");
  const perRound: Record<1 | 2, number[]> = { 1: [], 2: [] };
  let slot = 0;
  try {
    // Until V8 has compiled the step's code: with both threads busy its background compilers get little CPU.
    for (const start = performance.now(); performance.now() - start < warmup * 1000; ) step.rep(slot++);
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always runs right after the other has warmed the machine.
      for (const threads of round % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) {
        cr.setThreads(threads);
        await threadsRunning(threads);
        for (let i = 0; i < WARMUP_STEPS; i++) step.rep(slot++);
        const times: number[] = [];
        for (let i = 0; i < TIMED_STEPS; i++) {
          const t0 = performance.now();
          step.rep(slot++);
          times.push(performance.now() - t0);
        }
        perRound[threads].push(median(times));
      }
    }
  } finally {
    step.dispose();
  }
  const speedups = perRound[1].map((t, i) => t / perRound[2][i]);
  return {
    batch,
    rounds,
    stepsPerRound: TIMED_STEPS,
    ms1: median(perRound[1]),
    ms2: median(perRound[2]),
    speedup: median(speedups),
    ...medianInterval(speedups),
    min: Math.min(...speedups),
    max: Math.max(...speedups),
  };
}

/** One line per batch, for the console. */
export function describeRow(r: ThreadsRow): string {
  return (
    `batch ${r.batch}: 1 thread ${r.ms1.toFixed(2)} ms, 2 threads ${r.ms2.toFixed(2)} ms per step; ` +
    `speedup ${r.speedup.toFixed(2)}× (95% interval ${r.low.toFixed(2)}–${r.high.toFixed(2)}×, ` +
    `rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)}×, ${r.rounds} rounds)`
  );
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (cr.getBackend().name !== "wasm") throw new Error("bench/threads.ts needs the wasm backend");
  const batches = (arg("batches") ?? THREAD_BATCHES.join(",")).split(",").map(Number);
  const rounds = Number(arg("rounds") ?? THREAD_ROUNDS);
  const warmup = Number(arg("warmup") ?? 3);
  if (!batches.every((b) => Number.isInteger(b) && b > 0) || !(rounds >= 6) || !(warmup >= 0)) {
    throw new Error(
      "usage: threads.ts [--batches 8,16,64] [--rounds N (at least 6)] [--warmup S] [--data DIR] [--out FILE]",
    );
  }
  const dir = arg("data");
  const data = dir ? readData(dir) : makeData(Math.max(...batches));
  const rows: ThreadsRow[] = [];
  for (const batch of batches) {
    const row = await compare(batch, rounds, batch === batches[0] ? warmup : 0, data);
    process.stderr.write(`  ${describeRow(row)}\n`);
    rows.push(row);
  }
  const out = arg("out");
  if (out) writeFileSync(out, JSON.stringify(rows));
}

if (process.argv[1]?.endsWith("threads.ts")) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
