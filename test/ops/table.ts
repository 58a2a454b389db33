// The op table: every op of the public API with its float64 reference and seeded cases. The forward,
// gradcheck and gradgradcheck tests iterate it; see row.ts for what a row holds.
import type { OpRow } from "./row.js";
import { elementwiseRows } from "./rows-elementwise.js";
import { indexingRows } from "./rows-indexing.js";
import { reduceRows } from "./rows-reduce.js";
import { shapeRows } from "./rows-shape.js";

export const table: OpRow[] = [...elementwiseRows, ...reduceRows, ...shapeRows, ...indexingRows];

/** The ops the table must cover (gelu twice: exact and tanh approximation). */
export const REQUIRED_OPS = [
  "add sub mul div pow neg exp log log1p sqrt abs sign sin cos tanh sigmoid relu leakyRelu gelu gelu(tanh)",
  "softplus erf maximum minimum clamp where equal notEqual less lessEqual greater greaterEqual cast",
  "sum mean max min var std argmax argmin logsumexp softmax logSoftmax matmul dot outer",
  "reshape flatten transpose permute expand squeeze unsqueeze slice gather index scatterAdd concat stack split pad",
]
  .join(" ")
  .split(" ");
