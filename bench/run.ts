// npm run bench [-- --quick] [--only engine,...] [--cases id|kind|section,...] [--help for the rest]
// Makes the synthetic data and initial weights once; runs every engine in its own child process (steady state,
// then data in and out), then each short run in a new process, the threads and layout sections; prints the
// tables, writes the JSON report (bench/results/latest.json) and regenerates docs/performance.md.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import {
  type EngineName,
  engineEnv,
  engineLayouts,
  FOCUS,
  IO_SIZES,
  LAYOUT_CASES,
  LAYOUT_ROUNDS,
  makeData,
  packageVersion,
  QUICK_IO_SIZES,
  QUICK_LAYOUT_CASES,
  QUICK_LAYOUT_ROUNDS,
  QUICK_THREAD_BATCHES,
  QUICK_THREAD_ROUNDS,
  THREAD_BATCHES,
  THREAD_ROUNDS,
  writeData,
} from "./common.js";
import { renderDocs } from "./docs.js";
import { parseLayoutCase } from "./layout.js";
import { type Options, parseArgs, USAGE } from "./options.js";
import { computeRatios, findProblems, lossChecks } from "./report.js";
import type { BenchReport, EngineResult, LayoutRow, ShortRun, ThreadsRow } from "./results.js";
import { ROOT, runChild } from "./spawn.js";
import { markdownTable } from "./tables.js";
import { computeTargets } from "./targets.js";
import { timingOptions } from "./timing.js";

// ---------------------------------------------------------------------------------------------------------
// Children

async function runEngine(
  engine: EngineName,
  dataDir: string,
  o: Options,
  tmp: string,
): Promise<EngineResult> {
  const out = join(tmp, `${engine}.json`);
  const args = ["--engine", engine, "--data", dataDir, "--out", out];
  args.push("--cases", o.cases.map((c) => c.id).join(","));
  if (o.quick) args.push("--quick");
  if (o.reps !== undefined) args.push("--reps", String(o.reps));
  if (o.seconds !== undefined) args.push("--seconds", String(o.seconds));
  if (o.sections.has("io")) {
    args.push(
      "--io",
      (o.quick ? QUICK_IO_SIZES : IO_SIZES).join(","),
      "--io-seconds",
      o.quick ? "0.2" : "0.5",
    );
  }
  const { failure, wallSeconds } = await runChild("child.ts", args, engineEnv(engine), o.timeoutSeconds);
  if (existsSync(out)) {
    const result = JSON.parse(readFileSync(out, "utf8")) as EngineResult;
    result.wallSeconds = wallSeconds;
    return result;
  }
  return { engine, ok: false, error: failure ?? "wrote no result", info: {}, cases: [], wallSeconds };
}

/** Every training case's first seconds, in a new process per engine and layout. */
async function runShort(dataDir: string, o: Options, tmp: string) {
  const runs: ShortRun[] = [];
  const failures: string[] = [];
  for (const spec of o.cases.filter((c) => c.kind === "mlp")) {
    for (const engine of o.engines) {
      for (const layout of engineLayouts(engine)) {
        const out = join(tmp, `short-${engine}-${spec.size}-${layout}.json`);
        const args = [
          "--engine",
          engine,
          "--data",
          dataDir,
          "--batch",
          String(spec.size),
          "--layout",
          layout,
        ];
        args.push("--seconds", String(o.shortSeconds), "--out", out);
        const timeout = Math.min(o.timeoutSeconds, 300);
        const { failure } = await runChild("short.ts", args, engineEnv(engine), timeout);
        if (failure === null && existsSync(out)) runs.push(JSON.parse(readFileSync(out, "utf8")) as ShortRun);
        else failures.push(`${engine} batch ${spec.size} ${layout}: ${failure ?? "wrote no result"}`);
      }
    }
  }
  return { runs, failures };
}

/** A section script (threads.ts, layout.ts) on chainrule-wasm-2t; its rows, or why it failed. */
async function runSection<Row>(
  script: string,
  args: string[],
  o: Options,
  tmp: string,
): Promise<Row[] | string> {
  const out = join(tmp, `${script}.json`);
  const env = engineEnv(FOCUS);
  const { failure } = await runChild(script, [...args, "--out", out], env, o.timeoutSeconds);
  if (failure !== null || !existsSync(out)) return failure ?? "wrote no result";
  return JSON.parse(readFileSync(out, "utf8")) as Row[];
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "wasm"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (dirty.trim()) commit += " (with uncommitted changes in src/ or wasm/)";
  } catch {
    // not a checkout
  }
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    tfjs: packageVersion("@tensorflow/tfjs"),
    "tfjs-backend-wasm": packageVersion("@tensorflow/tfjs-backend-wasm"),
    "jax-js": packageVersion("@jax-js/jax"),
  };
}

// ---------------------------------------------------------------------------------------------------------

function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

function writeDocs(report: BenchReport, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderDocs(report));
  console.log(`wrote ${shortPath(file)}`);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.render) {
    const report = JSON.parse(readFileSync(o.out, "utf8")) as BenchReport;
    writeDocs(report, o.docs ?? join(ROOT, "docs", "performance.md"));
    return;
  }
  const steady = o.cases.length > 0 || o.sections.has("io");
  if (!o.sections.has("short") || !o.cases.some((c) => c.kind === "mlp")) o.sections.delete("short");
  if ((!steady || o.engines.length === 0) && !o.sections.has("threads") && !o.sections.has("layout"))
    throw new Error(`nothing to run\n${USAGE}`);
  const threadBatches = o.quick ? QUICK_THREAD_BATCHES : THREAD_BATCHES;
  const layoutCases = o.quick ? QUICK_LAYOUT_CASES : LAYOUT_CASES;
  const batches = o.cases.filter((c) => c.kind !== "sgemm").map((c) => c.size);
  if (o.sections.has("threads")) batches.push(...threadBatches);
  if (o.sections.has("layout")) batches.push(...layoutCases.map((c) => parseLayoutCase(c).batch));
  const tmp = mkdtempSync(join(os.tmpdir(), "chainrule-bench-"));
  const started = new Date();
  try {
    const dataDir = join(tmp, "data");
    writeData(dataDir, makeData(Math.max(1, ...batches)));
    const m = machine();
    console.log(
      `Chainrule bench${o.quick ? " (quick)" : ""}: ${m.cpu}, ${m.cores} cores, Node ${m.node}, commit ${m.commit}`,
    );
    console.log(
      `cases: ${o.cases.map((c) => c.id).join(", ") || "none"}; sections: ${[...o.sections].join(", ")}`,
    );
    const engines: EngineResult[] = [];
    for (const engine of steady ? o.engines : []) {
      console.log(`\n[${engine}]`);
      const result = await runEngine(engine, dataDir, o, tmp);
      engines.push(result);
      console.log(
        `  (${result.wallSeconds.toFixed(1)} s${result.ok ? "" : `, FAILED: ${result.error?.split("\n")[0]}`})`,
      );
    }
    let short: { runs: ShortRun[]; failures: string[] } = { runs: [], failures: [] };
    if (o.sections.has("short")) {
      console.log(
        `\n[short runs: the first ${o.shortSeconds} s of training, each in a new process, no warm-up]`,
      );
      short = await runShort(dataDir, o, tmp);
    }
    let threads: ThreadsRow[] | string | undefined;
    if (o.sections.has("threads")) {
      console.log("\n[threads: 1 against 2 wasm threads on the training step, interleaved in one process]");
      const rounds = String(o.quick ? QUICK_THREAD_ROUNDS : THREAD_ROUNDS);
      const args = ["--data", dataDir, "--batches", threadBatches.join(","), "--rounds", rounds];
      threads = await runSection<ThreadsRow>(
        "threads.ts",
        [...args, "--warmup", o.quick ? "0.5" : "3"],
        o,
        tmp,
      );
    }
    let layouts: LayoutRow[] | string | undefined;
    if (o.sections.has("layout")) {
      console.log(
        "\n[layout: W as [in, out] (x.matmul(W)) against nn.Linear's [out, in], interleaved in one process]",
      );
      const rounds = String(o.quick ? QUICK_LAYOUT_ROUNDS : LAYOUT_ROUNDS);
      const args = ["--data", dataDir, "--cases", layoutCases.join(","), "--rounds", rounds];
      layouts = await runSection<LayoutRow>(
        "layout.ts",
        [...args, "--warmup", o.quick ? "0.5" : "3"],
        o,
        tmp,
      );
    }

    const report: BenchReport = {
      date: started.toISOString(),
      quick: o.quick,
      cases: o.cases.map((c) => c.id),
      machine: m,
      options: timingOptions(o.quick, { reps: o.reps, seconds: o.seconds }),
      engines,
      ...(o.sections.has("short") ? { shortRuns: short.runs } : {}),
      ratios: {},
      ...(Array.isArray(threads) ? { threads } : {}),
      ...(Array.isArray(layouts) ? { layouts } : {}),
      targets: [],
      lossCheck: [],
      problems: [],
    };
    report.ratios = computeRatios(report);
    report.lossCheck = lossChecks(report);
    report.targets = computeTargets(report);
    report.problems = findProblems(report, {
      threads: typeof threads === "string" ? threads : null,
      layouts: typeof layouts === "string" ? layouts : null,
      short: short.failures,
    });
    report.wallSeconds = (Date.now() - started.getTime()) / 1000;

    const ratioNote = engines.some((e) => e.engine === FOCUS)
      ? `; ratios are ${FOCUS} ÷ the peer's best layout (above 1: Chainrule is faster)`
      : "";
    console.log(`\nMedians (higher is faster)${ratioNote}\n`);
    console.log(markdownTable(report));
    console.log(`\n${renderDocs(report, { tablesOnly: true })}`);
    if (report.problems.length)
      console.log(`\nProblems:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`);
    else console.log("\nNo problems: every engine ran every case; losses and outputs agree.");
    console.log(`\ntotal ${report.wallSeconds.toFixed(0)} s`);

    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${shortPath(o.out)}`);
    if (o.docs) writeDocs(report, o.docs);
    else if (o.partial)
      console.log("docs/performance.md left alone (not a full run: --docs FILE writes it anyway)");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
