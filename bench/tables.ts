// The report as Markdown tables, for the console and docs/performance.md: results with ratios, the targets,
// short runs, the peers' layouts, data in and out, the checks, and the threads and layout sections.
import {
  bytesLabel,
  type EngineName,
  FOCUS,
  GPU_ENGINES,
  LAYOUT_LABEL,
  PEERS,
  parseCase,
  VERIFY_STEPS,
} from "./common.js";
import { bestShort, caseOf, rowIds, rowValue, shortRunsOf } from "./report.js";
import type { BenchReport, LayoutRow, ThreadsRow } from "./results.js";

export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  const mag = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - mag);
  return v.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A Markdown table; columns from `leftColumns` on are right-aligned. */
export function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => `${"-".repeat(w + 1)}${i < leftColumns ? "-" : ":"}`).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function rowLabel(report: BenchReport, row: string): string {
  if (!row.endsWith("/short")) return row;
  const window = report.shortRuns?.[0]?.windowSeconds ?? 2;
  return `${row.slice(0, -"/short".length)}, first ${window} s`;
}

export function markdownTable(report: BenchReport): string {
  const engines = report.engines.map((e) => e.engine);
  const peers = PEERS.filter((p) => engines.includes(p) && engines.includes(FOCUS));
  const flagged = new Set(report.lossCheck.flatMap((l) => l.flagged.map((n) => `${n}:${l.check}`)));
  const header = ["case", "unit", ...engines, ...peers.map((p) => `2t ÷ ${p}`)];
  const rows = rowIds(report).map((row) => {
    const id = row.replace("/short", "");
    const cells = engines.map((n) => {
      const e = report.engines.find((r) => r.engine === n);
      const c = caseOf(e, id);
      if (!row.endsWith("/short") && (c?.error || (e && !e.ok && !c))) return "failed";
      const v = rowValue(report, n, row);
      const mark = flagged.has(`${n}:${row}`) || (!row.endsWith("/short") && c?.warning) ? " ⚠" : "";
      return v === null ? "—" : `${fmt(v)}${mark}`;
    });
    const ratios = peers.map((p) => {
      const r = report.ratios[row]?.[p];
      return r === null || r === undefined ? "—" : `${fmt(r, 2)}×`;
    });
    return [rowLabel(report, row), parseCase(id).unit, ...cells, ...ratios];
  });
  return table(header, rows, 2);
}

export function targetsTable(report: BenchReport): string {
  const unit = (v: string, u: string) => (u === "×" || u === "%" ? `${v}${u}` : `${v} ${u}`);
  const rows = report.targets.map((t) => [
    t.what,
    t.measured === null ? "—" : unit(fmt(t.measured, t.unit === "×" ? 2 : 3), t.unit),
    `≥ ${unit(String(t.needed), t.unit)}`,
    t.met === null ? "not measured" : t.met ? "met" : "NOT MET",
  ]);
  return table(["target (chainrule-wasm-2t unless said)", "measured", "needed", "verdict"], rows, 1);
}

export function shortTable(report: BenchReport): string {
  const runs = report.shortRuns ?? [];
  if (runs.length === 0) return "";
  const window = runs[0].windowSeconds;
  const header = [
    "engine",
    "batch",
    "set-up, s",
    "first step, s",
    `first ${window / 2} s`,
    `first ${window} s`,
  ];
  header.push("steady", `${window / 2} s ÷ steady`, `${window} s ÷ steady`);
  const engines = [...new Set(runs.map((r) => r.engine))];
  const batches = [...new Set(runs.map((r) => r.batch))].sort((a, b) => a - b);
  const rows: string[][] = [];
  for (const batch of batches) {
    for (const engine of engines) {
      const best = bestShort(runs, engine, batch);
      if (!best) continue;
      const steady = rowValue(report, engine, `mlp${batch}`);
      const pct = (v: number) => (steady ? `${Math.round((100 * v) / steady)}%` : "—");
      rows.push([
        engine,
        String(batch),
        best.setupSeconds.toFixed(2),
        best.stepEnds[0].toFixed(3),
        fmt(best.firstHalf),
        fmt(best.firstWindow),
        fmt(steady),
        pct(best.firstHalf),
        pct(best.firstWindow),
      ]);
    }
  }
  return table(header, rows, 1);
}

/** Each peer's two layouts, steady and short, with the one kept marked. */
export function peerLayoutTable(report: BenchReport): string {
  const peers = PEERS.filter((p) => report.engines.some((e) => e.engine === p));
  const header = ["case", ...peers.flatMap((p) => [`${p} [in, out]`, `${p} [out, in]`])];
  const rows = rowIds(report)
    .filter((row) => parseCase(row.replace("/short", "")).kind !== "sgemm")
    .map((row) => {
      const cells = peers.flatMap((p) => {
        const values = row.endsWith("/short")
          ? Object.fromEntries(
              shortRunsOf(report.shortRuns, p, parseCase(row.replace("/short", "")).size).map((r) => [
                r.layout,
                r.firstWindow,
              ]),
            )
          : (caseOf(
              report.engines.find((e) => e.engine === p),
              row,
            )?.byLayout ?? {});
        const best = Math.max(...Object.values(values).filter(Number.isFinite));
        return (["in-out", "out-in"] as const).map((l) => {
          const v = values[l];
          return v === undefined ? "—" : `${fmt(v)}${v === best ? " ✓" : ""}`;
        });
      });
      return [rowLabel(report, row), ...cells];
    });
  return peers.length && rows.length ? table(header, rows, 1) : "";
}

export function ioTable(report: BenchReport): string {
  const rows: string[][] = [];
  for (const e of report.engines) {
    for (const r of e.io ?? []) {
      const slowest = Math.min(r.tensor, r.dataSync, r.data);
      rows.push([
        e.engine,
        bytesLabel(r.bytes),
        fmt(r.tensor),
        fmt(r.dataSync),
        fmt(r.data),
        fmt(r.memcpy),
        `${Math.round((100 * slowest) / r.memcpy)}%`,
      ]);
    }
  }
  const header = ["engine", "size", "tensor(f32, {shape})", "dataSync()", "await data()", "memcpy (set)"];
  return rows.length ? table([...header, "slowest ÷ memcpy"], rows, 2) : "";
}

/** Adapters whose "GPU" is the CPU: their speeds say nothing about a GPU's. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe|warp/i;

/** Each GPU engine that ran: the adapter it ran on, and whether that adapter is software (CPU emulation). */
export function adapterTable(report: BenchReport): string {
  const rows = report.engines
    .filter((e) => GPU_ENGINES.includes(e.engine))
    .map((e) => {
      const adapter =
        e.info.adapter === undefined ? `none (${e.error?.split("\n")[0]})` : String(e.info.adapter);
      const software = SOFTWARE_ADAPTER.test(adapter) ? "yes: CPU emulation, its speeds mean nothing" : "no";
      return [e.engine, adapter, e.info.adapter === undefined ? "—" : software];
    });
  return rows.length ? table(["GPU engine", "adapter", "software"], rows, 3) : "";
}

export function lossTable(report: BenchReport): string {
  if (report.lossCheck.length === 0) return "";
  const engines = [
    ...new Set([...report.engines.map((e) => e.engine), ...(report.shortRuns ?? []).map((r) => r.engine)]),
  ] as EngineName[];
  const label = (check: string) =>
    check.endsWith("/short")
      ? `${check.replace("/short", "")} short run: J of step 1`
      : check.startsWith("mlp")
        ? `${check}: J after ${VERIFY_STEPS} steps`
        : `${check}: Σ logits, example 0`;
  const rows = report.lossCheck.map((l) => [
    label(l.check),
    ...engines.map((n) => (n in l.values ? fmt(l.values[n], 6) : "—")),
    l.flagged.length ? `MISMATCH: ${l.flagged.join(", ")}` : "agree",
  ]);
  return table(["check", ...engines, "verdict"], rows, 1);
}

export function threadsTable(rows: readonly ThreadsRow[]): string {
  const header = ["batch", "1 thread, ms/step", "2 threads, ms/step", "speedup (median)", "95% interval"];
  const body = rows.map((r) => [
    String(r.batch),
    r.ms1.toFixed(2),
    r.ms2.toFixed(2),
    `${r.speedup.toFixed(2)}×`,
    `${r.low.toFixed(2)}–${r.high.toFixed(2)}×`,
    `${r.min.toFixed(2)}–${r.max.toFixed(2)}×`,
  ]);
  return table([...header, "range"], body, 0);
}

export function layoutTable(rows: readonly LayoutRow[]): string {
  const header = ["case", `${LAYOUT_LABEL["in-out"]} x·W, ms`, `${LAYOUT_LABEL["out-in"]} nn.Linear, ms`];
  header.push("nn.Linear speed ÷ x·W", "95% interval", "range");
  const body = rows.map((r) => [
    `${r.what === "train" ? "training step" : "forward pass"}, batch ${r.batch}`,
    r.msInOut.toFixed(2),
    r.msOutIn.toFixed(2),
    `${(100 * r.ratio).toFixed(1)}%`,
    `${(100 * r.low).toFixed(1)}–${(100 * r.high).toFixed(1)}%`,
    `${(100 * r.min).toFixed(1)}–${(100 * r.max).toFixed(1)}%`,
  ]);
  return table(header, body, 1);
}
