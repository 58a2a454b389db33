// Is nn.Linear's layout as fast as x·W? One process alternates Chainrule's step with W stored [in, out]
// (x.matmul(W)) and with nn.Linear's [out, in] (x·Wᵀ), round after round, and reports the median per-round ratio
// with a 95% interval. Alone: node --import tsx bench/layout.ts [--cases train64,infer256] [--rounds N] [--warmup S]
import { writeFileSync } from "node:fs";
import {
  type BenchData,
  LAYOUT_CASES,
  LAYOUT_ROUNDS,
  type Layout,
  LOSS_TOLERANCE,
  makeData,
  type Prepared,
  readData,
  VERIFY_SLOT,
  VERIFY_STEPS,
} from "./common.js";
import type { LayoutRow } from "./results.js";
import { median, medianInterval } from "./timing.js";

const WARMUP_STEPS = 5;
const TIMED_STEPS = 20;

export function parseLayoutCase(id: string): { what: "train" | "infer"; batch: number } {
  const m = /^(train|infer)(\d+)$/.exec(id);
  if (!m) throw new Error(`unknown layout case "${id}": use trainN or inferN, e.g. train256`);
  return { what: m[1] as "train" | "infer", batch: Number(m[2]) };
}

/** The check value: J after VERIFY_STEPS steps on one batch (training), or the logits' checksum (inference). */
async function check(what: "train" | "infer", step: Prepared): Promise<number> {
  if (what === "infer") return step.rep(VERIFY_SLOT);
  for (let i = 0; i < VERIFY_STEPS; i++) await step.rep(VERIFY_SLOT);
  return step.rep(VERIFY_SLOT);
}

async function compare(id: string, rounds: number, warmup: number, data: BenchData): Promise<LayoutRow> {
  const { what, batch } = parseLayoutCase(id);
  const engine = await (await import("./engines/chainrule.js")).create();
  const make = (layout: Layout) =>
    what === "train" ? engine.mlpTrain(batch, data, layout) : engine.infer(batch, data, layout);
  const steps: Record<Layout, Prepared> = { "in-out": await make("in-out"), "out-in": await make("out-in") };
  const perRound: Record<Layout, number[]> = { "in-out": [], "out-in": [] };
  let slot = 0;
  try {
    const checkInOut = await check(what, steps["in-out"]);
    const checkOutIn = await check(what, steps["out-in"]);
    for (const start = performance.now(); performance.now() - start < warmup * 1000; ) {
      for (const layout of ["in-out", "out-in"] as const) await steps[layout].rep(slot++);
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["in-out", "out-in"] as const) : (["out-in", "in-out"] as const);
      for (const layout of order) {
        const step = steps[layout];
        for (let i = 0; i < WARMUP_STEPS; i++) await step.rep(slot++);
        const times: number[] = [];
        for (let i = 0; i < TIMED_STEPS; i++) {
          const t0 = performance.now();
          await step.rep(slot++);
          times.push(performance.now() - t0);
        }
        perRound[layout].push(median(times));
      }
    }
    const ratios = perRound["in-out"].map((t, i) => t / perRound["out-in"][i]);
    return {
      what,
      batch,
      rounds,
      stepsPerRound: TIMED_STEPS,
      msInOut: median(perRound["in-out"]),
      msOutIn: median(perRound["out-in"]),
      ratio: median(ratios),
      ...medianInterval(ratios),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      checkInOut,
      checkOutIn,
    };
  } finally {
    steps["in-out"].dispose();
    steps["out-in"].dispose();
  }
}

export function layoutsAgree(row: LayoutRow): boolean {
  const scale = Math.max(Math.abs(row.checkOutIn), 1e-6);
  return Math.abs(row.checkInOut - row.checkOutIn) <= LOSS_TOLERANCE * scale;
}

export function describeLayoutRow(r: LayoutRow): string {
  return (
    `${r.what} batch ${r.batch}: [in, out] ${r.msInOut.toFixed(2)} ms, [out, in] ${r.msOutIn.toFixed(2)} ms; ` +
    `[out, in] speed ÷ [in, out] ${r.ratio.toFixed(3)} (95% interval ${r.low.toFixed(3)}–${r.high.toFixed(3)}, ` +
    `${r.rounds} rounds); check ${r.checkInOut.toFixed(5)} vs ${r.checkOutIn.toFixed(5)}`
  );
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const cases = (arg("cases") ?? LAYOUT_CASES.join(",")).split(",").filter(Boolean);
  const rounds = Number(arg("rounds") ?? LAYOUT_ROUNDS);
  const warmup = Number(arg("warmup") ?? 3);
  const batches = cases.map((c) => parseLayoutCase(c).batch);
  if (!(rounds >= 6) || !(warmup >= 0)) {
    throw new Error(
      "usage: layout.ts [--cases train64,infer256] [--rounds N (at least 6)] [--warmup S] [--out FILE]",
    );
  }
  const dir = arg("data");
  const data = dir ? readData(dir) : makeData(Math.max(...batches));
  const rows: LayoutRow[] = [];
  for (const id of cases) {
    const row = await compare(id, rounds, id === cases[0] ? warmup : 0, data);
    process.stderr.write(`  ${describeLayoutRow(row)}\n`);
    rows.push(row);
  }
  const out = arg("out");
  if (out) writeFileSync(out, JSON.stringify(rows));
}

if (process.argv[1]?.endsWith("layout.ts")) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
