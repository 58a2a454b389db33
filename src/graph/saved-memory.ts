// savedMemory(J): the bytes kept for backward, per book-level operator (the loss l, φ, each ×, the penalty):
// each saved buffer counted once, for the first operator that saves it, as the ledger counts "saved".
import type { Tensor } from "../tensor/tensor.js";
import { type Graph, type TraceOptions, trace } from "./trace.js";

export interface SavedByOperator {
  /** The book-level operator's id, symbol and title ("g7", "l", "softmax cross-entropy"). */
  id: string;
  op: string;
  title: string;
  /** Bytes of the buffers it keeps for backward that the ledger counts as saved (temporaries). */
  bytes: number;
  /** The names of those buffers; a value hidden inside a group is named "op#id" by its primitive. */
  values: string[];
}

export interface SavedMemory {
  operators: SavedByOperator[];
  /** The sum over operators: the bytes the ledger counts as "saved" for this graph. */
  total: number;
}

/** Saved bytes per operator at the book's level (or per primitive with { detail: "ops" }). */
export function savedMemory(J: Tensor, options: TraceOptions = {}): SavedMemory {
  const ops = trace(J, { ...options, detail: "ops" });
  const book: Graph = options.detail === "ops" ? ops : trace(J, options);
  const vars = new Map(ops.variables.map((v) => [v.id, v]));
  const bookOf = new Map<string, string>();
  for (const op of book.operators) for (const m of op.members ?? [op.id]) bookOf.set(m, op.id);
  const names = new Map(book.variables.map((v) => [v.id, v.name]));
  const rows = new Map<string, SavedByOperator>(
    book.operators.map((o) => [o.id, { id: o.id, op: o.op, title: o.title ?? o.op, bytes: 0, values: [] }]),
  );
  const counted = new Set<string>();
  for (const op of [...ops.operators].sort((a, b) => a.nodeId - b.nodeId)) {
    const row = rows.get(bookOf.get(op.id) ?? op.id);
    for (const id of op.saves) {
      const v = vars.get(id);
      if (!row || !v || v.tag !== "temporary" || counted.has(id)) continue;
      counted.add(id);
      row.bytes += v.bytes;
      row.values.push(names.get(id) ?? v.name);
    }
  }
  const operators = [...rows.values()];
  return { operators, total: operators.reduce((n, r) => n + r.bytes, 0) };
}
