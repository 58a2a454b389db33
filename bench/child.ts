// One engine in its own process: node --import tsx bench/child.ts --engine NAME --data DIR --out FILE
//   --cases id,id,... [--quick] [--reps N] [--seconds S]
// Runs each case (warm-up, then timed reps), checks the training loss, writes an EngineResult as JSON to FILE.
// Progress goes to stderr; the parent shows it.
import { writeFileSync } from "node:fs";
import {
  type BenchData,
  type CaseResult,
  ENGINES,
  type Engine,
  type EngineName,
  type EngineResult,
  measure,
  median,
  parseCase,
  readData,
  sgemmOperands,
  timingOptions,
  VERIFY_STEPS,
  workPerRep,
} from "./common.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function makeEngine(name: EngineName): Promise<Engine> {
  switch (name) {
    case "chainrule-js":
    case "chainrule-wasm-1t":
    case "chainrule-wasm-2t":
      return (await import("./engines/chainrule.js")).create();
    case "tfjs-cpu":
      return (await import("./engines/tfjs.js")).create("cpu");
    case "tfjs-wasm":
      return (await import("./engines/tfjs.js")).create("wasm");
    case "jax-js":
      return (await import("./engines/jax.js")).create();
  }
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

async function runCase(engine: Engine, id: string, data: BenchData, quick: boolean): Promise<CaseResult> {
  const spec = parseCase(id);
  const timing = timingOptions(quick, {
    reps: arg("reps") === undefined ? undefined : Number(arg("reps")),
    seconds: arg("seconds") === undefined ? undefined : Number(arg("seconds")),
  });
  const result: CaseResult = {
    id,
    kind: spec.kind,
    size: spec.size,
    unit: spec.unit,
    medianSeconds: Number.NaN,
    value: Number.NaN,
    reps: 0,
    samples: [],
  };
  let prepared: Awaited<ReturnType<Engine["sgemm"]>> | null = null;
  try {
    if (spec.kind === "sgemm") {
      const { a, b } = sgemmOperands(spec.size);
      prepared = await engine.sgemm(spec.size, a, b);
    } else if (spec.kind === "mlp") {
      prepared = await engine.mlpTrain(spec.size, data);
      // From the shared initial weights: these steps are the same on every engine, and warm it up too.
      const losses: number[] = [];
      for (let i = 0; i < VERIFY_STEPS; i++) losses.push(await prepared.rep());
      result.losses = losses;
      result.lossAfter = await prepared.rep();
      const finite = [...losses, result.lossAfter].every(Number.isFinite);
      if (!finite) result.warning = `the loss is not finite: ${[...losses, result.lossAfter].join(", ")}`;
      else if (!(result.lossAfter < losses[0]))
        result.warning = `the loss did not decrease: ${losses[0]} → ${result.lossAfter}`;
    } else {
      prepared = await engine.infer(spec.size, data);
      result.checksum = await prepared.rep();
    }
    const { seconds, last } = await measure(prepared.rep, timing);
    if (!Number.isFinite(last)) result.warning = `the value read back is ${last}`;
    result.samples = seconds;
    result.reps = seconds.length;
    result.medianSeconds = median(seconds);
    result.value = workPerRep(spec) / result.medianSeconds;
    const loss = spec.kind === "mlp" ? `, J ${result.lossAfter?.toFixed(5)} after ${VERIFY_STEPS} steps` : "";
    log(`  ${id}: ${fmtValue(result.value)} ${spec.unit} (${result.reps} reps)${loss}`);
    if (spec.kind === "mlp") log(`  ${id}: final loss ${last.toFixed(5)}`);
    if (result.warning) log(`  ${id}: WARNING ${result.warning}`);
  } catch (e) {
    result.error = message(e);
    log(`  ${id}: FAILED ${result.error}`);
  } finally {
    try {
      prepared?.dispose();
    } catch (e) {
      log(`  ${id}: dispose failed: ${message(e)}`);
    }
  }
  return result;
}

async function main(): Promise<void> {
  const name = arg("engine") as EngineName;
  const dataDir = arg("data");
  const out = arg("out");
  const cases = (arg("cases") ?? "").split(",").filter(Boolean);
  const quick = process.argv.includes("--quick");
  if (!ENGINES.includes(name) || !dataDir || !out) {
    throw new Error("usage: child.ts --engine NAME --data DIR --out FILE --cases a,b,c [--quick]");
  }
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
    for (const id of cases) result.cases.push(await runCase(engine, id, data, quick));
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
