// One engine in its own process: node --import tsx bench/child.ts --engine NAME --data DIR --out FILE
//   --cases id,id,... [--quick] [--reps N] [--seconds S] [--io bytes,bytes,... --io-seconds S]
// Steady state: each case (in each of the engine's layouts, keeping the faster) checked, warmed up, timed; then
// data in and out. Writes an EngineResult as JSON to FILE. Progress goes to stderr; the parent shows it.
import { writeFileSync } from "node:fs";
import {
  type BenchData,
  bytesLabel,
  type CaseSpec,
  ENGINES,
  type Engine,
  type EngineName,
  engineKinds,
  engineLayouts,
  LAYOUT_LABEL,
  type Layout,
  LOSS_TOLERANCE,
  type Prepared,
  parseCase,
  readData,
  sgemmOperands,
  VERIFY_SLOT,
  VERIFY_STEPS,
  workPerRep,
} from "./common.js";
import { makeEngine } from "./engines/index.js";
import type { CaseResult, EngineResult } from "./results.js";
import { measure, median, type TimingOptions, timingOptions } from "./timing.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function fmtValue(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

async function prepare(engine: Engine, spec: CaseSpec, data: BenchData, layout: Layout, r: CaseResult) {
  if (spec.kind === "sgemm") {
    const { a, b } = sgemmOperands(spec.size);
    return engine.sgemm(spec.size, a, b);
  }
  if (spec.kind === "infer") {
    const prepared = await engine.infer(spec.size, data, layout);
    r.checksum = await prepared.rep(VERIFY_SLOT);
    return prepared;
  }
  const prepared = await engine.mlpTrain(spec.size, data, layout);
  // From the shared initial weights, on one batch: the same on every engine (and a start on the warm-up).
  const losses: number[] = [];
  for (let i = 0; i < VERIFY_STEPS; i++) losses.push(await prepared.rep(VERIFY_SLOT));
  r.losses = losses;
  r.lossAfter = await prepared.rep(VERIFY_SLOT);
  const all = [...losses, r.lossAfter];
  if (!all.every(Number.isFinite)) r.warning = `the loss is not finite: ${all.join(", ")}`;
  else if (!(r.lossAfter < losses[0])) r.warning = `the loss did not decrease: ${losses[0]} → ${r.lossAfter}`;
  return prepared;
}

async function runOne(
  engine: Engine,
  spec: CaseSpec,
  data: BenchData,
  timing: TimingOptions,
  layout?: Layout,
) {
  const r: CaseResult = {
    id: spec.id,
    kind: spec.kind,
    size: spec.size,
    unit: spec.unit,
    ...(layout ? { layout } : {}),
    medianSeconds: Number.NaN,
    value: Number.NaN,
    reps: 0,
    samples: [],
  };
  const label = layout && spec.kind !== "sgemm" ? ` ${LAYOUT_LABEL[layout]}` : "";
  let prepared: Prepared | null = null;
  try {
    prepared = await prepare(engine, spec, data, layout ?? "out-in", r);
    const { seconds, last } = await measure(prepared.rep, timing);
    if (!Number.isFinite(last)) r.warning = `the value read back is ${last}`;
    r.samples = seconds;
    r.reps = seconds.length;
    r.medianSeconds = median(seconds);
    r.value = workPerRep(spec) / r.medianSeconds;
    const loss = spec.kind === "mlp" ? `, J ${r.lossAfter?.toFixed(5)} after ${VERIFY_STEPS} steps` : "";
    log(`  ${spec.id}${label}: ${fmtValue(r.value)} ${spec.unit} (${r.reps} reps)${loss}`);
    if (r.warning) log(`  ${spec.id}${label}: WARNING ${r.warning}`);
  } catch (e) {
    r.error = message(e);
    log(`  ${spec.id}${label}: FAILED ${r.error}`);
  } finally {
    try {
      prepared?.dispose();
    } catch (e) {
      log(`  ${spec.id}: dispose failed: ${message(e)}`);
    }
  }
  return r;
}

/** A case in each of the engine's layouts: the faster is kept, and both values are recorded. */
async function runCase(name: EngineName, engine: Engine, id: string, data: BenchData, timing: TimingOptions) {
  const spec = parseCase(id);
  if (spec.kind === "sgemm") return runOne(engine, spec, data, timing);
  const runs: CaseResult[] = [];
  for (const layout of engineLayouts(name)) runs.push(await runOne(engine, spec, data, timing, layout));
  const ok = runs.filter((r) => !r.error && Number.isFinite(r.value));
  const best = ok.length ? ok.reduce((a, b) => (b.value > a.value ? b : a)) : runs[0];
  if (runs.length > 1) {
    best.byLayout = Object.fromEntries(runs.map((r) => [r.layout, r.value]));
    const check = (r: CaseResult) => (spec.kind === "mlp" ? r.lossAfter : r.checksum);
    const values = ok.map(check).filter((v): v is number => v !== undefined);
    const spread = Math.max(...values) - Math.min(...values);
    if (values.length > 1 && spread > LOSS_TOLERANCE * Math.max(Math.abs(values[0]), 1e-6))
      best.warning = `the layouts disagree: ${values.join(" vs ")}`;
    log(`  ${id}: kept ${LAYOUT_LABEL[best.layout ?? "out-in"]}`);
  }
  return best;
}

async function main(): Promise<void> {
  const name = arg("engine") as EngineName;
  const dataDir = arg("data");
  const out = arg("out");
  const cases = (arg("cases") ?? "").split(",").filter(Boolean);
  const ioSizes = (arg("io") ?? "").split(",").filter(Boolean).map(Number);
  const quick = process.argv.includes("--quick");
  if (!ENGINES.includes(name) || !dataDir || !out) {
    throw new Error(
      "usage: child.ts --engine NAME --data DIR --out FILE --cases a,b,c [--quick] [--io sizes]",
    );
  }
  const timing = timingOptions(quick, {
    reps: arg("reps") === undefined ? undefined : Number(arg("reps")),
    seconds: arg("seconds") === undefined ? undefined : Number(arg("seconds")),
  });
  const start = performance.now();
  const data = readData(dataDir);
  const result: EngineResult = { engine: name, ok: true, info: {}, cases: [], wallSeconds: 0 };
  try {
    const engine = await makeEngine(name);
    result.info = engine.info;
    log(
      `  ${Object.entries(engine.info)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
    const kinds = engineKinds(name);
    for (const id of cases.filter((c) => kinds.includes(parseCase(c).kind)))
      result.cases.push(await runCase(name, engine, id, data, timing));
    if (ioSizes.length && engine.io) {
      result.io = [];
      const seconds = Number(arg("io-seconds") ?? 0.5);
      for (const bytes of ioSizes) {
        const row = await engine.io(bytes, seconds);
        result.io.push(row);
        log(
          `  data in/out ${bytesLabel(bytes)}: tensor() ${row.tensor.toFixed(2)}, dataSync() ${row.dataSync.toFixed(2)}, ` +
            `data() ${row.data.toFixed(2)}, memcpy ${row.memcpy.toFixed(2)} GB/s`,
        );
      }
    }
  } catch (e) {
    result.ok = false;
    result.error = message(e);
    log(`  FAILED: ${result.error}`);
  }
  result.wallSeconds = (performance.now() - start) / 1000;
  writeFileSync(out, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (e) => {
    log(message(e));
    process.exit(1);
  },
);
