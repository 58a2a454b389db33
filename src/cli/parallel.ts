// `chainrule parallel`: exercise 5 measured. Trains the MLP 784 → h ×L → 10 on bundled MNIST for a few steps
// with each strategy (single device, micro-batches, pipeline, data parallel) on devices that are worker threads,
// prints each device's peak memory by tag, bytes moved, the pipeline bubble and examples/s, and draws the schedule.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMnist } from "../data/mnist.js";
import { MEMORY_TAGS } from "../memory/ledger.js";
import { compareStrategies, STRATEGIES, type Strategy, type StrategyResult } from "../parallel/compare.js";
import { svgToPng } from "../plot/png.js";
import { type ScheduleRow, scheduleChart } from "../plot/schedule-chart.js";
import { type FlagSpec, flagHelp, parseFlags, UsageError } from "./args.js";

const PARALLEL_FLAGS: FlagSpec[] = [
  {
    name: "devices",
    type: "string",
    value: "K",
    help: "devices (worker threads) for pipeline and data",
    default: "2",
  },
  {
    name: "strategy",
    type: "string",
    value: "S,S,...",
    help: "pipeline | data | microbatch, comma-separated (a single-device baseline always runs first)",
    default: "pipeline,data,microbatch",
  },
  {
    name: "micro-batches",
    type: "string",
    value: "M",
    help: "micro-batches per batch (pipeline, microbatch)",
    default: "4",
  },
  { name: "layers", type: "string", value: "L", help: "hidden layers", default: "8" },
  { name: "hidden", type: "string", value: "H", help: "hidden units per layer", default: "256" },
  {
    name: "batch",
    type: "string",
    value: "B",
    help: "examples per step (the effective batch)",
    default: "256",
  },
  {
    name: "steps",
    type: "string",
    value: "N",
    help: "measured steps (after one warm-up step)",
    default: "5",
  },
  { name: "threads", type: "string", value: "N", help: "wasm threads inside each device", default: "1" },
  {
    name: "out",
    type: "string",
    value: "DIR",
    help: "where parallel.svg and parallel.png go",
    default: "out",
  },
];

export const PARALLEL_HELP = `Usage: chainrule parallel [flags]

Exercise 5 of D2L §5.3: a model too big for one device can be split across devices or trained on smaller
minibatches. Trains the MLP 784 → H ×L → 10 (ReLU, no biases, cross-entropy, λ = 1e-4, SGD lr 0.1) on bundled
MNIST with each strategy on devices that are worker threads, each with its own wasm heap and memory ledger:
  single      one device, the whole batch (the baseline)
  microbatch  one device, the batch in M micro-batches, gradients accumulated
  pipeline    the layers cut into K stages on K devices, M micro-batches in GPipe order (fill, then drain)
  data        K replicas, each on B/K examples, gradients summed over shared memory (all-reduce)
Prints per strategy and device the peak memory by ledger tag, the bytes moved between devices and from the host
per step, the idle share of the devices (for the pipeline against (K−1)/(M+K−1)) and examples/s. Writes
parallel.svg and parallel.png: each device's work in the last step.

${flagHelp(PARALLEL_FLAGS)}`;

function integer(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
  min = 1,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || !/^\d+$/.test(raw) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function strategies(raw: string | boolean | undefined): Strategy[] {
  const text = typeof raw === "string" ? raw : "pipeline,data,microbatch";
  const asked = text.split(",").map((s) => s.trim());
  const known = ["pipeline", "data", "microbatch"];
  const bad = asked.find((s) => !known.includes(s));
  if (bad !== undefined)
    throw new UsageError(`--strategy must be ${known.join(", ")} or a comma-separated list, got "${bad}"`);
  return STRATEGIES.filter((s) => s === "single" || asked.includes(s));
}

const MB = 2 ** 20;
const mb = (bytes: number): string => (bytes / MB).toFixed(2);
const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** One line per strategy and device: peak MB by tag and in total, then the strategy's per-step figures. */
export function parallelTable(results: readonly StrategyResult[]): string {
  const head = [
    "strategy",
    "K",
    "M",
    "device",
    ...MEMORY_TAGS,
    "peak",
    "vs single",
    "moved/step",
    "host/step",
    "idle",
    "(K−1)/(M+K−1)",
    "examples/s",
  ];
  const single = results.find((r) => r.strategy === "single")?.figures.devices[0].peakBytes ?? null;
  const body = results.flatMap((r) =>
    r.figures.devices.map((d, i) => [
      i === 0 ? r.strategy : "",
      i === 0 ? String(r.devices) : "",
      i === 0 ? String(r.microBatches) : "",
      String(d.device),
      ...MEMORY_TAGS.map((t) => mb(d.peakByTag[t])),
      mb(d.peakBytes),
      single ? percent(d.peakBytes / single) : "",
      i === 0 ? mb(r.figures.bytesBetweenDevices) : "",
      i === 0 ? mb(r.figures.bytesFromHost) : "",
      i === 0 ? percent(r.figures.idleFraction) : "",
      i === 0 && r.bubbleFormula !== null ? percent(r.bubbleFormula) : "",
      i === 0 ? r.figures.examplesPerSecond.toFixed(0) : "",
    ]),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** The last measured step of every strategy, one row per device, on a common time axis (ms from its start). */
export function parallelChart(results: readonly StrategyResult[], title: string): string {
  const rows: ScheduleRow[] = results.flatMap((r) =>
    r.figures.schedule.map((bars, i) => ({ label: `${r.strategy} · device ${i}`, bars })),
  );
  return scheduleChart(rows, { title, xLabel: "time within the step (ms); white: the device waits" });
}

export async function parallelCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, PARALLEL_FLAGS);
  const options = {
    strategies: strategies(values.strategy),
    devices: integer(values, "devices", 2),
    microBatches: integer(values, "micro-batches", 4),
    layers: integer(values, "layers", 8),
    hidden: integer(values, "hidden", 256),
    batch: integer(values, "batch", 256),
    steps: integer(values, "steps", 5),
    threads: integer(values, "threads", 1),
    lr: 0.1,
    lambda: 1e-4,
  };
  if (options.devices > options.layers + 1)
    throw new UsageError(
      `--devices ${options.devices} is more than the ${options.layers + 1} Linear layers to split`,
    );
  if (options.microBatches > options.batch || options.devices > options.batch)
    throw new UsageError(`--batch ${options.batch} is smaller than --micro-batches or --devices`);
  const out = (values.out as string | undefined) ?? "out";
  const { train } = loadMnist();
  const shape = `784 → ${options.hidden} ×${options.layers} → 10`;
  process.stdout.write(
    `Training ${shape} on MNIST, batch ${options.batch}, ${options.steps} measured steps per strategy; ` +
      `each device a worker thread with ${options.threads} wasm thread(s).\n\n`,
  );
  const results = await compareStrategies(options, train);
  process.stdout.write(
    `Peak memory per device by ledger tag (MB), bytes moved per step (MB), idle share, speed:\n\n`,
  );
  process.stdout.write(`${parallelTable(results)}\n`);
  mkdirSync(out, { recursive: true });
  const svg = parallelChart(
    results,
    `One training step of ${shape}, batch ${options.batch}: what each device does`,
  );
  writeFileSync(join(out, "parallel.svg"), svg);
  writeFileSync(join(out, "parallel.png"), await svgToPng(svg));
  process.stdout.write(`\nwrote ${join(out, "parallel.svg")} and ${join(out, "parallel.png")}\n`);
  return 0;
}
