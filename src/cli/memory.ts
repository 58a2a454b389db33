// `chainrule memory`: peak memory of the chapter's step, training against prediction, by ledger tag, for a grid
// of batch sizes and depths, from dry runs (no real memory used); a plot against batch size; the largest batch
// that fits a budget.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { largestBatch } from "../memory/dry-run.js";
import { MEMORY_TAGS } from "../memory/ledger.js";
import { type MemoryRow, memoryChart } from "../plot/memory-chart.js";
import { svgToPng } from "../plot/png.js";
import { chapterMemory, chapterSavedByOperator, chapterStep } from "../train/footprint.js";
import { type FlagSpec, flagHelp, parseFlags, RUNTIME_FLAGS, UsageError } from "./args.js";
import { deviceTable, measuredStep } from "./memory-devices.js";
import { applyRuntimeFlags } from "./runtime.js";

const MEMORY_FLAGS: FlagSpec[] = [
  { name: "batch", type: "string", value: "N,N,...", help: "batch sizes (n)", default: "16,64,256,1024" },
  { name: "layers", type: "string", value: "N,N,...", help: "hidden layers (depths)", default: "1,2,4,8" },
  { name: "hidden", type: "string", value: "N", help: "hidden units per layer (h)", default: "256" },
  { name: "bias", type: "boolean", help: "add biases (the chapter's model has none)", default: "off" },
  {
    name: "budget",
    type: "string",
    value: "MB",
    help: "also print the largest training and prediction batch that fits in MB megabytes (2^20 bytes)",
  },
  { name: "out", type: "string", value: "DIR", help: "where memory.svg and memory.png go", default: "out" },
  ...RUNTIME_FLAGS,
];

export const MEMORY_HELP = `Usage: chainrule memory [flags]

Peak memory of one step of the chapter's MLP (784 → h → … → 10, float32, cross-entropy plus the L2 penalty, SGD),
training (forward, backward, update) against prediction (forward without recording), by ledger tag: parameters,
gradients, saved for backward, optimizer state, data, temporaries. Measured by dry runs on the meta backend, which
allocate nothing, so large batches are fast. Writes memory.svg and memory.png (peak against batch size, one line
per depth, training solid, prediction dashed). Then prints the bytes saved for backward per operator of the
chapter's graph at the book's level (×, φ, l, ‖·‖², +), one hidden layer, a column per batch size. Last, it runs
one training step for real (the first depth and batch) on the backend (--backend, or CHAINRULE_BACKEND) and prints
memory().devices: live and peak bytes by tag on each device it used (GPU memory for webgpu, host memory else).

${flagHelp(MEMORY_FLAGS)}`;

function integers(flag: string, raw: string | boolean | undefined, fallback: string): number[] {
  const text = typeof raw === "string" ? raw : fallback;
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(`--${flag} must be a comma-separated list of integers >= 1, got "${text}"`);
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

const MB = 2 ** 20;
const mb = (bytes: number): string => (bytes / MB).toFixed(2);

export function memoryTable(rows: readonly MemoryRow[]): string {
  const head = ["layers", "batch", "step", ...MEMORY_TAGS, "total"];
  const body = rows.flatMap((r) =>
    (["training", "prediction"] as const).map((mode) => [
      String(r.layers),
      String(r.batch),
      mode,
      ...MEMORY_TAGS.map((t) => mb(r[mode].byTag[t])),
      mb(r[mode].total),
    ]),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** Bytes saved for backward per book-level operator of the chapter's one-hidden-layer model, a column per batch. */
export function savedByOperatorTable(batches: readonly number[], hidden: number, bias: boolean): string {
  const runs = batches.map((batch) => chapterSavedByOperator({ batch, hidden, bias }));
  const labels = runs[0].operators.map((o) => `${o.op}  ${o.title}`);
  const head = ["operator", ...batches.map((n) => `n=${n}`)];
  const body = [
    ...labels.map((label, i) => [label, ...runs.map((r) => String(r.operators[i].bytes))]),
    ["total", ...runs.map((r) => String(r.total))],
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export async function memoryCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, MEMORY_FLAGS);
  const batches = integers("batch", values.batch, "16,64,256,1024");
  const depths = integers("layers", values.layers, "1,2,4,8");
  const [hidden] = integers("hidden", values.hidden, "256");
  const bias = values.bias === true;
  let budget: number | null = null;
  if (values.budget !== undefined) {
    budget = Number(values.budget);
    if (typeof values.budget !== "string" || !(budget > 0) || !Number.isFinite(budget)) {
      throw new UsageError(`--budget must be a number of megabytes > 0, got "${values.budget}"`);
    }
  }
  const out = (values.out as string | undefined) ?? "out";
  const runtime = await applyRuntimeFlags(values);

  const rows: MemoryRow[] = depths.flatMap((layers) =>
    batches.map((batch) => ({ layers, batch, ...chapterMemory({ batch, layers, hidden, bias }) })),
  );
  process.stdout.write(
    `Peak memory (MB) of one step of 784 → ${hidden} ×L → 10${bias ? " with biases" : ""}, float32, by ledger tag (dry runs):\n\n`,
  );
  process.stdout.write(`${memoryTable(rows)}\n`);
  process.stdout.write(
    `\nSaved for backward (bytes) per operator of the chapter's graph, 1 hidden layer, at the book's level (dry runs):\n\n`,
  );
  process.stdout.write(`${savedByOperatorTable(batches, hidden, bias)}\n`);

  if (budget !== null) {
    const bytes = budget * MB;
    process.stdout.write(`\nLargest batch within ${budget} MB (everything counted: model, data, step):\n`);
    for (const layers of depths) {
      const options = { layers, hidden, bias };
      const train = largestBatch((batch) => chapterStep({ ...options, batch }, "training"), bytes);
      const predict = largestBatch((batch) => chapterStep({ ...options, batch }, "prediction"), bytes);
      const say = (r: typeof train) => (r.batch === 0 ? "none fits" : `${r.batch} (${mb(r.peakBytes)} MB)`);
      process.stdout.write(`  L=${layers}: training ${say(train)}, prediction ${say(predict)}\n`);
    }
  }

  const measured = measuredStep({ batch: batches[0], layers: depths[0], hidden, bias });
  process.stdout.write(
    `\nOne real training step (L=${depths[0]}, batch ${batches[0]}) on ${runtime}: memory().devices, MB (tags: peak):\n\n`,
  );
  process.stdout.write(`${deviceTable(measured)}\n`);

  mkdirSync(out, { recursive: true });
  const svg = memoryChart(rows, hidden);
  writeFileSync(join(out, "memory.svg"), svg);
  writeFileSync(join(out, "memory.png"), await svgToPng(svg));
  process.stdout.write(`\nwrote ${join(out, "memory.svg")} and ${join(out, "memory.png")}\n`);
  return 0;
}
