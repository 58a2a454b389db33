// The op table: every op of the public API with its float64 reference and seeded cases. The forward,
// gradcheck and gradgradcheck tests iterate it; see row.ts for what a row holds.
import { INTERNAL_PRIMS, PRIMITIVES } from "../../src/ops/primitives.js";
import type { OpRow } from "./row.js";
import { elementwiseRows } from "./rows-elementwise.js";
import { indexingRows } from "./rows-indexing.js";
import { reduceRows } from "./rows-reduce.js";
import { shapeRows } from "./rows-shape.js";

export const table: OpRow[] = [...elementwiseRows, ...reduceRows, ...shapeRows, ...indexingRows];

/** Ops that are not primitives: composites, kernels with no gradient, and variants that get a row of their own. */
const NOT_PRIMITIVES = [
  ..."leakyRelu gelu gelu(tanh) clamp isfinite logicalNot logsumexp softmax mean".split(" "),
  ..."var std dot outer flatten transpose broadcastTo squeeze unsqueeze index stack split pad".split(" "),
  "matmul transposed",
];

/**
 * The ops the table must cover: every primitive in the rule tables (less INTERNAL_PRIMS, the one exemption
 * list), then the ops above. A new primitive without a row is a red test.
 */
export const REQUIRED_OPS = [
  ...Object.keys(PRIMITIVES).filter((p) => !(p in INTERNAL_PRIMS)),
  ...NOT_PRIMITIVES,
];
