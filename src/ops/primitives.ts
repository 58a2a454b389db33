// Every primitive, gathered from the family rule tables (each family module's default export): what the
// package root must export, what the op table must cover, and what must carry its derivative.
import binary from "./binary.js";
import indexing from "./indexing.js";
import matmul from "./matmul.js";
import movement from "./movement.js";
import reduce from "./reduce.js";
import softmaxRows from "./softmax-rows.js";
import unary from "./unary.js";

export const PRIMITIVES = {
  ...unary,
  ...binary,
  ...reduce,
  ...movement,
  ...indexing,
  ...matmul,
  ...softmaxRows,
};
export type Prim = keyof typeof PRIMITIVES;

/** The exemption list: primitives with no public function of their own name, each with the reason. */
export const INTERNAL_PRIMS = {
  unslice: "slice's adjoint: it runs as the gradient of slice (and pad), never called by name",
} as const satisfies Partial<Record<Prim, string>>;
export type InternalPrim = keyof typeof INTERNAL_PRIMS;
