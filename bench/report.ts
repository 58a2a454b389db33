// From the children's results to the report's derived parts: each peer's best (over layouts) in steady state and
// in the short runs, chainrule-wasm-2t's ratios to them, the loss and output checks, and the list of problems.
import { type EngineName, FOCUS, LOSS_TOLERANCE, PEERS, parseCase } from "./common.js";
import { layoutsAgree } from "./layout.js";
import type { BenchReport, CaseResult, EngineResult, LayoutRow, ShortRun, ThreadsRow } from "./results.js";
import { median } from "./timing.js";

/** The table row of a short run beside its training case: "mlp256/short". */
export const shortId = (caseId: string): string => `${caseId}/short`;

export function caseOf(result: EngineResult | undefined, id: string): CaseResult | undefined {
  return result?.cases.find((c) => c.id === id);
}

export function good(c: CaseResult | undefined): c is CaseResult {
  return c !== undefined && !c.error && Number.isFinite(c.value);
}

/** The engine's short runs at a batch that finished (one per layout). */
export function shortRunsOf(runs: readonly ShortRun[] | undefined, engine: EngineName, batch: number) {
  return (runs ?? []).filter((r) => r.engine === engine && r.batch === batch && !r.error);
}

/** The best short run (highest examples/s over the whole window) of an engine at a batch. */
export function bestShort(runs: readonly ShortRun[] | undefined, engine: EngineName, batch: number) {
  const mine = shortRunsOf(runs, engine, batch).filter((r) => Number.isFinite(r.firstWindow));
  return mine.length ? mine.reduce((a, b) => (b.firstWindow > a.firstWindow ? b : a)) : undefined;
}

/** A row's value for an engine: a case's median, or for "mlpB/short" the best short run's first-window rate. */
export function rowValue(
  report: Pick<BenchReport, "engines" | "shortRuns">,
  engine: EngineName,
  row: string,
) {
  if (row.endsWith("/short")) {
    const batch = parseCase(row.slice(0, -"/short".length)).size;
    return bestShort(report.shortRuns, engine, batch)?.firstWindow ?? null;
  }
  const c = caseOf(
    report.engines.find((e) => e.engine === engine),
    row,
  );
  return good(c) ? c.value : null;
}

/** The table's rows: every case, and after each training case its short run when there is one. */
export function rowIds(report: Pick<BenchReport, "cases" | "shortRuns">): string[] {
  return report.cases.flatMap((id) => {
    const spec = parseCase(id);
    const short = spec.kind === "mlp" && (report.shortRuns ?? []).some((r) => r.batch === spec.size);
    return short ? [id, shortId(id)] : [id];
  });
}

export function computeRatios(report: Pick<BenchReport, "cases" | "engines" | "shortRuns">) {
  const ratios: BenchReport["ratios"] = {};
  const engines = new Set<string>([
    ...report.engines.map((e) => e.engine),
    ...(report.shortRuns ?? []).map((r) => r.engine),
  ]);
  if (!engines.has(FOCUS)) return ratios;
  for (const row of rowIds(report)) {
    ratios[row] = {};
    const f = rowValue(report, FOCUS, row);
    for (const p of PEERS.filter((peer) => engines.has(peer))) {
      const q = rowValue(report, p, row);
      ratios[row][p] = f !== null && q !== null && q > 0 ? f / q : null;
    }
  }
  return ratios;
}

function agreement(check: string, values: Record<string, number>, tolerance: number) {
  const names = Object.keys(values);
  if (names.length === 0) return null;
  const finite = names.filter((n) => Number.isFinite(values[n]));
  const useJs = "chainrule-js" in values && Number.isFinite(values["chainrule-js"]);
  const reference = useJs ? "chainrule-js" : finite.length ? "median" : "none";
  const ref = useJs ? values["chainrule-js"] : median(finite.map((n) => values[n]));
  const flagged = names.filter((n) => {
    const v = values[n];
    return !Number.isFinite(v) || Math.abs(v - ref) > tolerance * Math.max(Math.abs(ref), 1e-6);
  });
  return { check, reference, values, flagged };
}

/** Training: J after the check steps; inference: the checksum; short runs: J of their first step. */
export function lossChecks(report: Pick<BenchReport, "cases" | "engines" | "shortRuns">) {
  const checks: BenchReport["lossCheck"] = [];
  for (const id of report.cases) {
    const spec = parseCase(id);
    if (spec.kind === "sgemm") continue;
    const values: Record<string, number> = {};
    for (const e of report.engines) {
      const c = caseOf(e, id);
      const v = good(c) ? (spec.kind === "mlp" ? c.lossAfter : c.checksum) : undefined;
      if (v !== undefined) values[e.engine] = v;
    }
    const check = agreement(id, values, spec.kind === "mlp" ? LOSS_TOLERANCE : 1e-3);
    if (check) checks.push(check);
    if (spec.kind !== "mlp") continue;
    const first: Record<string, number> = {};
    for (const r of report.shortRuns ?? []) {
      if (r.batch === spec.size && !r.error && !(r.engine in first)) first[r.engine] = r.firstLoss;
    }
    const short = agreement(shortId(id), first, LOSS_TOLERANCE);
    if (short) checks.push(short);
  }
  return checks;
}

export function findProblems(
  report: Pick<BenchReport, "engines" | "shortRuns" | "lossCheck" | "threads" | "layouts">,
  failures: { threads: string | null; layouts: string | null; short: string[] },
): string[] {
  const problems: string[] = [];
  for (const e of report.engines) {
    if (!e.ok) problems.push(`${e.engine}: failed: ${e.error?.split("\n")[0]}`);
    for (const c of e.cases) {
      if (c.error) problems.push(`${e.engine} ${c.id}: failed: ${c.error.split("\n")[0]}`);
      if (c.warning) problems.push(`${e.engine} ${c.id}: ${c.warning}`);
    }
  }
  for (const f of failures.short) problems.push(`short run ${f.split("\n")[0]}`);
  for (const r of report.shortRuns ?? []) {
    if (!Number.isFinite(r.firstLoss) || !Number.isFinite(r.lastLoss))
      problems.push(`short run ${r.engine} batch ${r.batch} ${r.layout}: the loss is not finite`);
  }
  if (failures.threads !== null) problems.push(`threads section: failed: ${failures.threads.split("\n")[0]}`);
  for (const row of report.threads ?? []) problems.push(...threadsProblem(row));
  if (failures.layouts !== null) problems.push(`layout section: failed: ${failures.layouts.split("\n")[0]}`);
  for (const row of report.layouts ?? []) problems.push(...layoutProblem(row));
  for (const l of report.lossCheck) {
    for (const n of l.flagged) {
      const what = l.check.endsWith("/short") ? "first loss" : l.check.startsWith("mlp") ? "loss" : "output";
      const ref = l.reference === "chainrule-js" ? l.values["chainrule-js"] : "median";
      problems.push(`${n} ${l.check}: ${what} ${l.values[n]} disagrees with ${l.reference} (${ref})`);
    }
  }
  return problems;
}

function threadsProblem(row: ThreadsRow): string[] {
  if (row.high >= 1) return [];
  return [
    `threads, batch ${row.batch}: two threads are slower (speedup ${row.speedup.toFixed(2)}×, 95% interval ` +
      `${row.low.toFixed(2)}–${row.high.toFixed(2)}×)`,
  ];
}

function layoutProblem(row: LayoutRow): string[] {
  if (layoutsAgree(row)) return [];
  return [`layout, ${row.what}${row.batch}: [in, out] gives ${row.checkInOut}, [out, in] ${row.checkOutIn}`];
}
