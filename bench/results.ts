// The JSON shapes the children write and the parent gathers into bench/results/latest.json: per-case results,
// short runs, the data-throughput rows, the threads and layout sections, targets and the whole report.
import type { CaseKind, EngineName, IoRow, Layout } from "./common.js";
import type { TimingOptions } from "./timing.js";

export interface CaseResult {
  id: string;
  kind: CaseKind;
  size: number;
  unit: string;
  /** The layout kept (the faster where the engine was measured in two); absent for sgemm. */
  layout?: Layout;
  /** Training and inference: the median value in each layout measured. */
  byLayout?: Partial<Record<Layout, number>>;
  /** Median seconds per repetition. */
  medianSeconds: number;
  /** GFLOP/s or examples/s at the median. */
  value: number;
  reps: number;
  samples: number[];
  /** Training: J at each of VERIFY_STEPS steps on VERIFY_SLOT from the shared initial weights, then after them. */
  losses?: number[];
  lossAfter?: number;
  /** Inference: the sum of the logits of VERIFY_SLOT's first example (a check that engines agree). */
  checksum?: number;
  error?: string;
  warning?: string;
}

export interface EngineResult {
  engine: EngineName;
  ok: boolean;
  error?: string;
  info: Record<string, string | number | boolean>;
  cases: CaseResult[];
  /** Data in and out, Chainrule engines only (absent when not asked for). */
  io?: IoRow[];
  wallSeconds: number;
}

/** The first seconds of training in a new process, without warm-up. */
export interface ShortRun {
  engine: EngineName;
  batch: number;
  layout: Layout;
  /** The engine's description when the window opened (Chainrule: threadsRunningAtStart). */
  info: Record<string, string | number | boolean>;
  /** Seconds after the process started: data read, library imported and initialised, weights set up. */
  setupSeconds: number;
  /** The length of the timed window asked for (the run goes on until a step ends at or after it). */
  windowSeconds: number;
  /** When each step ended, in seconds after the window opened. */
  stepEnds: number[];
  /** Examples/s over the first half of the window and over all of it (see timing.ts: rateWithin). */
  firstHalf: number;
  firstWindow: number;
  /** J of the first step (slot 0, the shared initial weights) and of the last one. */
  firstLoss: number;
  lastLoss: number;
  error?: string;
}

/** The threads section: 1 against 2 wasm threads on the training step, interleaved in one process. */
export interface ThreadsRow {
  batch: number;
  rounds: number;
  /** Timed steps per thread count per round (after a warm-up); each round keeps the median step. */
  stepsPerRound: number;
  /** The medians over rounds of the per-round median step time, in milliseconds. */
  ms1: number;
  ms2: number;
  /** The median over rounds of (1-thread time ÷ 2-thread time): above 1, two threads are faster. */
  speedup: number;
  /** A 95% interval for that median (sign-test order statistics), and the range over rounds. */
  low: number;
  high: number;
  min: number;
  max: number;
}

/** The layout section: Chainrule's step with W as [in, out] (x.matmul(W)) against nn.Linear's [out, in]. */
export interface LayoutRow {
  what: "train" | "infer";
  batch: number;
  rounds: number;
  stepsPerRound: number;
  /** Medians over rounds of the per-round median step time, in milliseconds. */
  msInOut: number;
  msOutIn: number;
  /** Median over rounds of ([in, out] time ÷ [out, in] time): nn.Linear's speed relative to x·W; 1 = equal. */
  ratio: number;
  low: number;
  high: number;
  min: number;
  max: number;
  /** Training: J after VERIFY_STEPS steps in each layout; inference: the checksum. They must agree. */
  checkInOut: number;
  checkOutIn: number;
}

export interface Target {
  what: string;
  /** The measured figure, null when this run did not measure it. */
  measured: number | null;
  /** The figure needed (at least). */
  needed: number;
  unit: "×" | "GFLOP/s" | "%" | "GB/s";
  /** null: not measured in this run. */
  met: boolean | null;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  /** The case ids asked for, in order. */
  cases: string[];
  machine: Record<string, string | number>;
  options: TimingOptions;
  engines: EngineResult[];
  /** The first seconds of training, one new process per engine, batch and layout (absent when not run). */
  shortRuns?: ShortRun[];
  /** value(FOCUS) / best value(peer) by row id (a case id, or "mlpB/first2s") and peer. */
  ratios: Record<string, Record<string, number | null>>;
  /** 1 against 2 threads at each batch (absent when the section was not run). */
  threads?: ThreadsRow[];
  layouts?: LayoutRow[];
  targets: Target[];
  lossCheck: { check: string; reference: string; values: Record<string, number>; flagged: string[] }[];
  problems: string[];
  /** How long the whole run took. */
  wallSeconds?: number;
}
