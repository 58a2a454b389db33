// Issue 12's targets, checked against one run: chainrule-wasm-2t against each peer's best (steady state, first
// seconds, inference), sgemm 1024 on 1 and 2 threads, the first second against steady state (the step written
// with cr.capture, chainrule-capture-2t), data in and out, and nn.Linear's layout against x·W. A target this run
// did not measure reads "not measured".
import { CAPTURED, FOCUS } from "./common.js";
import { bestShort, caseOf, good, shortId } from "./report.js";
import type { BenchReport, Target } from "./results.js";

function target(what: string, measured: number | null, needed: number, unit: Target["unit"]): Target {
  const m = measured !== null && Number.isFinite(measured) ? measured : null;
  return { what, measured: m, needed, unit, met: m === null ? null : m >= needed };
}

type Source = Pick<BenchReport, "engines" | "shortRuns" | "ratios" | "layouts">;

function value(report: Source, engine: string, id: string): number | null {
  const c = caseOf(
    report.engines.find((e) => e.engine === engine),
    id,
  );
  return good(c) ? c.value : null;
}

export function computeTargets(report: Source): Target[] {
  const ratio = (row: string, peer: string) => report.ratios[row]?.[peer] ?? null;
  const window = report.shortRuns?.[0]?.windowSeconds ?? 2;
  const targets = [
    target("training, batch 256, steady state: ÷ jax-js", ratio("mlp256", "jax-js"), 4, "×"),
    target("training, batch 256, steady state: ÷ tfjs-wasm", ratio("mlp256", "tfjs-wasm"), 15, "×"),
    target(`training, batch 256, first ${window} s: ÷ jax-js`, ratio(shortId("mlp256"), "jax-js"), 3, "×"),
    target("inference, batch 256: ÷ tfjs-wasm", ratio("infer256", "tfjs-wasm"), 2, "×"),
    target(
      "sgemm 1024, 1 thread (chainrule-wasm-1t)",
      value(report, "chainrule-wasm-1t", "sgemm1024"),
      45,
      "GFLOP/s",
    ),
    target("sgemm 1024, 2 threads", value(report, FOCUS, "sgemm1024"), 75, "GFLOP/s"),
  ];
  // The first second (half the window) against the same engine's steady state, for the step as the docs write
  // it (cr.capture): batch 64 is the chapter's, 256 the one above. The eager step's shares are in the short-run table.
  for (const batch of [64, 256]) {
    const steady = value(report, CAPTURED, `mlp${batch}`);
    const short = bestShort(report.shortRuns, CAPTURED, batch);
    const fraction = steady !== null && short ? (100 * short.firstHalf) / steady : null;
    const name = `training with cr.capture, batch ${batch}${batch === 64 ? " (the chapter's)" : ""}`;
    targets.push(target(`${name}: first ${window / 2} s ÷ steady state (${CAPTURED})`, fraction, 80, "%"));
  }
  const io = report.engines.find((e) => e.engine === FOCUS)?.io?.filter((r) => r.bytes >= 2 ** 20);
  const slowest = io?.length ? Math.min(...io.flatMap((r) => [r.tensor, r.dataSync, r.data])) : null;
  targets.push(target("tensor(), dataSync(), data() at ≥ 1 MiB: the slowest", slowest, 5, "GB/s"));
  const layouts = report.layouts?.length ? Math.min(...report.layouts.map((r) => 100 * r.ratio)) : null;
  targets.push(target("nn.Linear's [out, in] step ÷ [in, out] (x·W), slowest case", layouts, 95, "%"));
  return targets;
}
