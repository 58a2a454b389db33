// The figure's stepper: runs the chapter's model one book-level operator at a time with the library, forward
// (recording the graph) and then backward (one backward sweep per operator, from its output to its inputs, which
// frees what that operator saved), and measures the ledger by tag after every step.
import { sweep } from "../../autograd/sweep.js";
import { clone } from "../../ops/detach.js";
import { onesLike } from "../../tensor/create.js";
import * as cr from "../index.js";
import {
  BACKWARD_ORDER,
  type BookOperator,
  bookOperators,
  type FigureLeaves,
  type FigureSettings,
  figureLeaves,
} from "./figure-model.js";

/** Bytes held by tag after a step (training), and what the same forward holds under noGrad (prediction). */
export interface MemoryBar {
  label: string;
  parameter: number;
  saved: number;
  gradient: number;
  /** data and temporaries: the values themselves. */
  other: number;
  /** Bytes the same forward holds under noGrad (no graph), parameters and data included; null in backward. */
  prediction: number | null;
}

export type Phase = "forward" | "backward";

export interface StepInfo {
  phase: Phase;
  operator: BookOperator;
}

const TAGS = ["parameter", "saved", "gradient", "data", "temporary", "optimizer"] as const;

function ledgerBytes(): Record<(typeof TAGS)[number], number> {
  const m = cr.memory().byCategory;
  return Object.fromEntries(TAGS.map((t) => [t, m[t].bytes])) as Record<(typeof TAGS)[number], number>;
}

export class FigureStepper {
  readonly operators: BookOperator[];
  readonly values = new Map<string, cr.Tensor>();
  readonly grads = new Map<string, cr.Tensor>();
  readonly bars: MemoryBar[] = [];
  forwardDone = 0;
  backwardDone = 0;
  private readonly leaves: FigureLeaves;
  /** The library's book-level trace of J and its backward graph, once the forward pass is done. */
  book: cr.graph.Graph | null = null;
  bookBackward: cr.graph.Graph | null = null;
  private held = { parameter: 0, saved: 0, gradient: 0, other: 0 };

  constructor(readonly settings: FigureSettings) {
    this.operators = bookOperators(settings);
    this.leaves = this.measure(() => figureLeaves(settings), "parameters and data");
    const { x, y, W1, W2, b1, b2 } = this.leaves;
    for (const [name, t] of Object.entries({ x, y, W1, W2, b1, b2 })) if (t) this.values.set(name, t);
  }

  get forwardLeft(): boolean {
    return this.forwardDone < this.operators.length;
  }

  get backwardLeft(): boolean {
    return !this.forwardLeft && this.backwardDone < this.operators.length;
  }

  /** The operator the next Forward (or Backward) press runs. */
  next(phase: Phase): BookOperator | null {
    if (phase === "forward") return this.forwardLeft ? this.operators[this.forwardDone] : null;
    if (!this.backwardLeft) return null;
    return this.operators.find((o) => o.id === BACKWARD_ORDER[this.backwardDone]) ?? null;
  }

  /** Runs the next operator forward, recording its ops; its intermediates inside are handed to the graph. */
  forward(): StepInfo | null {
    const op = this.next("forward");
    if (!op) return null;
    this.measure(
      () => {
        this.values.set(op.output, cr.tidy(() => op.run(this.values)).named(op.output));
      },
      `forward ${op.output}`,
      this.forwardDone + 1,
    );
    this.forwardDone++;
    if (!this.forwardLeft) {
      this.book = cr.graph.trace(this.values.get("J")!);
      this.bookBackward = cr.graph.bookBackwardGraph(this.book);
    }
    return { phase: "forward", operator: op };
  }

  /** Pulls ∂J/∂(output) back through the next operator to its inputs: one sweep, which frees what it saved. */
  backward(): StepInfo | null {
    const op = this.next("backward");
    if (!op) return null;
    this.measure(
      () =>
        cr.tidy(() => {
          const out = this.values.get(op.output)!;
          const seed = this.grads.get(op.output) ?? onesLike(out);
          const wanted = new Map<cr.Tensor, string>();
          for (const name of op.inputs) {
            const t = this.values.get(name)!;
            if (t.requiresGrad) wanted.set(t, name);
          }
          // Everything made in here but the accumulated gradients is freed when the tidy ends.
          for (const [t, g] of sweep([out], [seed], new Set(wanted.keys()))) {
            const name = wanted.get(t)!;
            const before = this.grads.get(name);
            this.grads.set(name, cr.keep(before ? before.add(g) : clone(g)).tagAs("gradient"));
            before?.dispose();
          }
        }),
      `backward ${op.symbol}`,
    );
    this.backwardDone++;
    return { phase: "backward", operator: op };
  }

  /** The library's chain-rule formula of ∂J/∂(name) at the book's level ("∂J/∂z · xᵀ + λ W(1)"). */
  libraryFormula(name: string): string | null {
    const wanted = `∂J/∂${cr.graph.bookName(name)}`;
    return this.bookBackward?.variables.find((v) => v.name === wanted)?.formula?.text ?? null;
  }

  /** Whether a graph node keeps this variable for backward now. */
  isSaved(name: string): boolean {
    const t = this.values.get(name);
    return t !== undefined && !t.isDisposed && t.storage.savedRefs > 0;
  }

  /** Frees every tensor the figure made. */
  dispose(): void {
    for (const t of [...this.values.values(), ...this.grads.values()]) if (!t.isDisposed) t.dispose();
    this.values.clear();
    this.grads.clear();
  }

  /** Runs fn and adds the ledger's change by tag to the running totals; pushes a bar. */
  private measure<T>(fn: () => T, label: string, predictUpTo?: number): T {
    const before = ledgerBytes();
    const result = fn();
    const after = ledgerBytes();
    const delta = (t: (typeof TAGS)[number]) => after[t] - before[t];
    this.held = {
      parameter: this.held.parameter + delta("parameter"),
      saved: this.held.saved + delta("saved"),
      gradient: this.held.gradient + delta("gradient"),
      other: this.held.other + delta("data") + delta("temporary") + delta("optimizer"),
    };
    const prediction = predictUpTo === undefined ? null : this.predictionBytes(predictUpTo);
    this.bars.push({ label, ...this.held, prediction });
    return result;
  }

  /**
   * Bytes held (parameters and data included) after the first k operators run under noGrad, each in its own
   * tidy as the training forward runs them, keeping the same outputs: training holds more by what it saves.
   */
  private predictionBytes(k: number): number {
    const outputs: cr.Tensor[] = [];
    const report = cr.memoryReport(() =>
      cr.noGrad(() => {
        const m = new Map<string, cr.Tensor>();
        for (const name of ["x", "y", "W1", "W2", "b1", "b2"]) {
          const t = this.values.get(name);
          if (t) m.set(name, t);
        }
        for (const op of this.operators.slice(0, k)) {
          const out = cr.tidy(() => op.run(m));
          outputs.push(out);
          m.set(op.output, out);
        }
      }),
    );
    for (const t of outputs) t.dispose();
    return this.leavesBytes() + report.end.total - report.start.total;
  }

  private leavesBytes(): number {
    let n = 0;
    for (const name of ["x", "y", "W1", "W2", "b1", "b2"]) {
      const t = this.values.get(name);
      if (t) n += t.storage.bytes;
    }
    return n;
  }
}
