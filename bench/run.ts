// npm run bench [-- --quick] [--only engine,...] [--cases id|kind,...] [--reps N] [--seconds S]
//                [--out FILE] [--no-docs] [--docs FILE] [--timeout SECONDS]
// Makes the synthetic data and initial weights once, runs every engine in its own child process, one after
// the other, then prints a table of medians and chainrule-wasm-2t's ratios to the JavaScript peers, writes
// the JSON report (bench/results/latest.json) and regenerates docs/performance.md.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  allCases,
  type BenchReport,
  type CaseResult,
  type CaseSpec,
  ENGINES,
  type EngineName,
  type EngineResult,
  engineEnv,
  FOCUS,
  LOSS_TOLERANCE,
  makeData,
  PEERS,
  packageVersion,
  parseCase,
  QUICK_THREAD_BATCHES,
  QUICK_THREAD_ROUNDS,
  THREAD_BATCHES,
  THREAD_ROUNDS,
  type ThreadsRow,
  timingOptions,
  VERIFY_STEPS,
  writeData,
} from "./common.js";
import { renderDocs } from "./docs.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

interface Options {
  quick: boolean;
  /** --render: rewrite the page from the JSON report (--out) without running anything. */
  render: boolean;
  engines: EngineName[];
  cases: CaseSpec[];
  reps?: number;
  seconds?: number;
  out: string;
  docs: string | null;
  /** --quick, --only or --cases: not the full run, so the page is left alone unless --docs names it. */
  partial: boolean;
  timeoutSeconds: number;
  /** The threads section: on unless --no-threads, --only leaves out chainrule-wasm-2t, or --cases omits it. */
  threads: boolean;
}

const USAGE = `usage: npm run bench -- [options]
  --quick               fewer sizes (sgemm 256, 512; MLP batch 64, 256), fewer and shorter reps
  --only a,b            engines: ${ENGINES.join(", ")}
  --cases a,b           case ids (sgemm256 … sgemm2048, mlp64 … mlp1024, infer256) or kinds (sgemm, mlp, infer),
                        and "threads": 1 against 2 wasm threads on the training step at several batches
  --no-threads          leave the threads section out
  --reps N              timed repetitions per case (at least)
  --seconds S           time spent timing each case (at least)
  --out FILE            the JSON report (default bench/results/latest.json)
  --docs FILE           the page to regenerate (default docs/performance.md, written only by a full run:
                        give --docs to write it after --quick, --only or --cases); --no-docs: leave it
  --timeout SECONDS     per engine (default 1800, 600 with --quick)
  --render              run nothing: rewrite the page from the JSON report (after editing bench/docs.ts)`;

function parseArgs(argv: string[]): Options {
  const value = (i: number): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${argv[i]} needs a value\n${USAGE}`);
    return v;
  };
  const quick = argv.includes("--quick");
  const options: Options = {
    quick,
    engines: [...ENGINES],
    cases: allCases(quick),
    out: join(root, "bench", "results", "latest.json"),
    docs: join(root, "docs", "performance.md"),
    partial: quick,
    render: false,
    timeoutSeconds: quick ? 600 : 1800,
    threads: true,
  };
  let docsAsked = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "--quick":
        break;
      case "--only": {
        const names = value(i++).split(",").filter(Boolean);
        for (const n of names)
          if (!ENGINES.includes(n as EngineName)) throw new Error(`unknown engine "${n}"\n${USAGE}`);
        options.engines = ENGINES.filter((e) => names.includes(e));
        options.partial = true;
        break;
      }
      case "--cases": {
        const wanted = value(i++).split(",").filter(Boolean);
        const cases: CaseSpec[] = [];
        options.threads = wanted.includes("threads");
        for (const w of wanted.filter((name) => name !== "threads")) {
          const ofKind = allCases(quick).filter((c) => c.kind === w);
          for (const c of ofKind.length ? ofKind : [parseCase(w)])
            if (!cases.some((d) => d.id === c.id)) cases.push(c);
        }
        options.cases = cases;
        options.partial = true;
        break;
      }
      case "--reps":
        options.reps = Number(value(i++));
        break;
      case "--seconds":
        options.seconds = Number(value(i++));
        break;
      case "--out":
        options.out = resolve(value(i++));
        break;
      case "--docs":
        options.docs = resolve(value(i++));
        docsAsked = true;
        break;
      case "--no-docs":
        options.docs = null;
        break;
      case "--no-threads":
        options.threads = false;
        break;
      case "--render":
        options.render = true;
        break;
      case "--timeout":
        options.timeoutSeconds = Number(value(i++));
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option "${a}"\n${USAGE}`);
    }
  }
  if (!options.engines.includes(FOCUS)) options.threads = false;
  if (options.partial && !docsAsked) options.docs = null;
  return options;
}

// ---------------------------------------------------------------------------------------------------------
// Children

/** Lines the peers print that say nothing about the run. */
const NOISE = [/^=+$/, /looks like you are running TensorFlow\.js in Node\.js/, /^\s*$/];

interface ChildOutcome {
  /** What went wrong, with the last lines printed; null when it exited 0. */
  failure: string | null;
  wallSeconds: number;
}

/** Runs a bench script in its own Node process with `env` added, echoing its output (less the peers' noise). */
function runChild(script: string, args: string[], env: Record<string, string>, timeoutSeconds: number) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.CHAINRULE_BACKEND;
  delete childEnv.CHAINRULE_THREADS;
  Object.assign(childEnv, env);
  const start = performance.now();
  return new Promise<ChildOutcome>((resolvePromise) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(here, script), ...args], {
      cwd: root,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail: string[] = [];
    const show = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (NOISE.some((re) => re.test(line))) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        console.log(line);
      }
    };
    child.stdout.on("data", show);
    child.stderr.on("data", show);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const wallSeconds = (performance.now() - start) / 1000;
      const why = timedOut
        ? `timed out after ${timeoutSeconds} s`
        : `exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
      const failure = code === 0 && !timedOut ? null : `${why}\nlast output:\n${tail.join("\n")}`;
      resolvePromise({ failure, wallSeconds });
    });
  });
}

async function runEngine(
  engine: EngineName,
  dataDir: string,
  options: Options,
  tmp: string,
): Promise<EngineResult> {
  const out = join(tmp, `${engine}.json`);
  const args = ["--engine", engine, "--data", dataDir, "--out", out];
  args.push("--cases", options.cases.map((c) => c.id).join(","));
  if (options.quick) args.push("--quick");
  if (options.reps !== undefined) args.push("--reps", String(options.reps));
  if (options.seconds !== undefined) args.push("--seconds", String(options.seconds));
  const { failure, wallSeconds } = await runChild(
    "child.ts",
    args,
    engineEnv(engine),
    options.timeoutSeconds,
  );
  if (existsSync(out)) {
    const result = JSON.parse(readFileSync(out, "utf8")) as EngineResult;
    result.wallSeconds = wallSeconds;
    return result;
  }
  return { engine, ok: false, error: failure ?? "wrote no result", info: {}, cases: [], wallSeconds };
}

/** The threads section (bench/threads.ts): 1 against 2 wasm threads on the training step, batch by batch. */
async function runThreads(dataDir: string, options: Options, tmp: string): Promise<ThreadsRow[] | string> {
  const out = join(tmp, "threads.json");
  const batches = options.quick ? QUICK_THREAD_BATCHES : THREAD_BATCHES;
  const rounds = options.quick ? QUICK_THREAD_ROUNDS : THREAD_ROUNDS;
  const args = ["--data", dataDir, "--out", out, "--batches", batches.join(","), "--rounds", String(rounds)];
  args.push("--warmup", options.quick ? "0.5" : "3");
  const env = engineEnv("chainrule-wasm-2t");
  const { failure } = await runChild("threads.ts", args, env, options.timeoutSeconds);
  if (failure !== null || !existsSync(out)) return failure ?? "wrote no result";
  return JSON.parse(readFileSync(out, "utf8")) as ThreadsRow[];
}

// ---------------------------------------------------------------------------------------------------------
// Checks, ratios, table

function caseOf(result: EngineResult | undefined, id: string): CaseResult | undefined {
  return result?.cases.find((c) => c.id === id);
}

function good(c: CaseResult | undefined): c is CaseResult {
  return c !== undefined && !c.error && Number.isFinite(c.value);
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function checkAgreement(
  engines: EngineResult[],
  id: string,
  pick: (c: CaseResult) => number | undefined,
  tolerance: number,
): BenchReport["lossCheck"][number] | null {
  const values: Record<string, number> = {};
  for (const e of engines) {
    const c = caseOf(e, id);
    const v = good(c) ? pick(c) : undefined;
    if (v !== undefined) values[e.engine] = v;
  }
  const names = Object.keys(values);
  if (names.length === 0) return null;
  const finite = names.filter((n) => Number.isFinite(values[n]));
  const reference =
    "chainrule-js" in values && Number.isFinite(values["chainrule-js"])
      ? "chainrule-js"
      : finite.length
        ? "median"
        : "none";
  const ref = reference === "chainrule-js" ? values["chainrule-js"] : medianOf(finite.map((n) => values[n]));
  const flagged = names.filter((n) => {
    const v = values[n];
    return !Number.isFinite(v) || Math.abs(v - ref) > tolerance * Math.max(Math.abs(ref), 1e-6);
  });
  return { case: id, reference, values, flagged };
}

function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  const mag = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - mag);
  return v.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function cell(e: EngineResult | undefined, id: string, flagged: Set<string>): string {
  if (!e) return "—";
  const c = caseOf(e, id);
  if (!e.ok && !c) return "failed";
  if (!c) return "—";
  if (c.error) return "failed";
  const mark = flagged.has(`${e.engine}:${id}`) || c.warning ? " ⚠" : "";
  return `${fmt(c.value)}${mark}`;
}

export function markdownTable(report: BenchReport): string {
  const engines = report.engines.map((e) => e.engine);
  const byName = new Map(report.engines.map((e) => [e.engine, e] as const));
  const peers = PEERS.filter((p) => byName.has(p)).filter(() => byName.has(FOCUS));
  const flagged = new Set(report.lossCheck.flatMap((l) => l.flagged.map((n) => `${n}:${l.case}`)));
  const ids = report.cases ?? [...new Set(report.engines.flatMap((e) => e.cases.map((c) => c.id)))];
  const unitOf = (id: string) => parseCase(id).unit;
  const header = ["case", "unit", ...engines, ...peers.map((p) => `2t ÷ ${p}`)];
  const rows = ids.map((id) => [
    id,
    unitOf(id),
    ...engines.map((n) => cell(byName.get(n), id, flagged)),
    ...peers.map((p) => {
      const r = report.ratios[id]?.[p];
      return r === null || r === undefined ? "—" : `${fmt(r, 2)}×`;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function lossTable(report: BenchReport): string {
  if (report.lossCheck.length === 0) return "";
  const engines = report.engines.map((e) => e.engine);
  const header = ["check", ...engines, "verdict"];
  const rows = report.lossCheck.map((l) => [
    l.case.startsWith("mlp") ? `${l.case}: J after ${VERIFY_STEPS} steps` : `${l.case}: Σ logits, example 0`,
    ...engines.map((n) => (n in l.values ? fmt(l.values[n], 6) : "—")),
    l.flagged.length ? `MISMATCH: ${l.flagged.join(", ")}` : "agree",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function threadsTable(rows: readonly ThreadsRow[]): string {
  const header = [
    "batch",
    "1 thread, ms/step",
    "2 threads, ms/step",
    "speedup (median)",
    "95% interval",
    "range",
  ];
  const body = rows.map((r) => [
    String(r.batch),
    r.ms1.toFixed(2),
    r.ms2.toFixed(2),
    `${r.speedup.toFixed(2)}×`,
    `${r.low.toFixed(2)}–${r.high.toFixed(2)}×`,
    `${r.min.toFixed(2)}–${r.max.toFixed(2)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(" | ")} |`;
  const rule = `|${widths.map((w) => `${"-".repeat(w + 1)}:`).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "wasm"], {
      cwd: root,
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
  const threads = report.threads ? threadsTable(report.threads) : "";
  writeFileSync(file, renderDocs(report, markdownTable(report), lossTable(report), threads));
  console.log(`wrote ${shortPath(file)}`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.render) {
    const report = JSON.parse(readFileSync(options.out, "utf8")) as BenchReport;
    writeDocs(report, options.docs ?? join(root, "docs", "performance.md"));
    return;
  }
  const nothing = (options.cases.length === 0 || options.engines.length === 0) && !options.threads;
  if (nothing) throw new Error(`nothing to run\n${USAGE}`);
  const timing = timingOptions(options.quick, { reps: options.reps, seconds: options.seconds });
  const batches = options.cases.filter((c) => c.kind !== "sgemm").map((c) => c.size);
  if (options.threads) batches.push(...(options.quick ? QUICK_THREAD_BATCHES : THREAD_BATCHES));
  const tmp = mkdtempSync(join(os.tmpdir(), "chainrule-bench-"));
  const started = new Date();
  try {
    const dataDir = join(tmp, "data");
    writeData(dataDir, makeData(Math.max(1, ...batches)));
    const m = machine();
    console.log(
      `Chainrule bench${options.quick ? " (quick)" : ""}: ${m.cpu}, ${m.cores} cores, Node ${m.node}, commit ${m.commit}`,
    );
    console.log(`cases: ${options.cases.map((c) => c.id).join(", ")}`);
    const engines: EngineResult[] = [];
    for (const engine of options.engines) {
      if (options.cases.length === 0) break;
      console.log(`\n[${engine}]`);
      const result = await runEngine(engine, dataDir, options, tmp);
      engines.push(result);
      console.log(
        `  (${result.wallSeconds.toFixed(1)} s${result.ok ? "" : `, FAILED: ${result.error?.split("\n")[0]}`})`,
      );
    }

    let threads: ThreadsRow[] | undefined;
    let threadsFailure: string | null = null;
    if (options.threads) {
      console.log("\n[threads: 1 against 2 wasm threads on the training step, interleaved in one process]");
      const result = await runThreads(dataDir, options, tmp);
      if (typeof result === "string") threadsFailure = result;
      else threads = result;
    }

    const ratios: BenchReport["ratios"] = {};
    const focus = engines.find((e) => e.engine === FOCUS);
    for (const c of options.cases) {
      ratios[c.id] = {};
      const f = caseOf(focus, c.id);
      for (const p of PEERS) {
        const peer = engines.find((e) => e.engine === p);
        if (!focus || !peer) continue;
        const q = caseOf(peer, c.id);
        ratios[c.id][p] = good(f) && good(q) ? f.value / q.value : null;
      }
    }

    const lossCheck: BenchReport["lossCheck"] = [];
    for (const c of options.cases) {
      const check =
        c.kind === "mlp"
          ? checkAgreement(engines, c.id, (r) => r.lossAfter, LOSS_TOLERANCE)
          : c.kind === "infer"
            ? checkAgreement(engines, c.id, (r) => r.checksum, 1e-3)
            : null;
      if (check) lossCheck.push(check);
    }

    const problems: string[] = [];
    for (const e of engines) {
      if (!e.ok) problems.push(`${e.engine}: failed: ${e.error?.split("\n")[0]}`);
      for (const c of e.cases) {
        if (c.error) problems.push(`${e.engine} ${c.id}: failed: ${c.error.split("\n")[0]}`);
        if (c.warning) problems.push(`${e.engine} ${c.id}: ${c.warning}`);
      }
    }
    if (threadsFailure !== null) problems.push(`threads section: failed: ${threadsFailure.split("\n")[0]}`);
    for (const row of threads ?? []) {
      if (row.high < 1) {
        problems.push(
          `threads, batch ${row.batch}: two threads are slower (speedup ${row.speedup.toFixed(2)}×, 95% interval ` +
            `${row.low.toFixed(2)}–${row.high.toFixed(2)}×)`,
        );
      }
    }
    for (const l of lossCheck) {
      for (const n of l.flagged) {
        problems.push(
          `${n} ${l.case}: ${l.case.startsWith("mlp") ? "loss" : "output"} ${l.values[n]} disagrees with ${l.reference} (${l.reference === "chainrule-js" ? l.values["chainrule-js"] : "median"})`,
        );
      }
    }

    const report: BenchReport = {
      date: started.toISOString(),
      quick: options.quick,
      cases: options.cases.map((c) => c.id),
      machine: m,
      options: timing,
      engines,
      ratios,
      ...(threads ? { threads } : {}),
      lossCheck,
      problems,
    };

    const ratioNote = focus ? `; ratios are ${FOCUS} ÷ peer (above 1: Chainrule is faster)` : "";
    console.log(`\nMedians (higher is faster)${ratioNote}\n`);
    console.log(markdownTable(report));
    const losses = lossTable(report);
    if (losses) console.log(`\n${losses}`);
    if (threads) console.log(`\n${threadsTable(threads)}`);
    if (problems.length) console.log(`\nProblems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    else console.log("\nNo problems: every engine ran every case; losses and outputs agree.");

    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${shortPath(options.out)}`);
    if (options.docs) writeDocs(report, options.docs);
    else if (options.partial) {
      console.log("docs/performance.md left alone (not a full run: --docs FILE writes it anyway)");
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
