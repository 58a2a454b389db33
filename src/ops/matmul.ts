// Matrix product with NumPy semantics (vectors, matrices, broadcast batches). The primitive reads
// transposed operands in place, so backward's Xᵀ·G and G·Wᵀ never materialise a transpose, and neither does
// a transposed view (x.transpose()) passed in.
import { fail } from "../errors.js";
import { noteOp } from "../memory/ledger.js";
import { broadcastShapes, fmt, runsContiguously, stridesOf } from "../shape.js";
import { outputTensor } from "../tensor/create.js";
import { FREED_BY_LIBRARY, type Tensor } from "../tensor/tensor.js";
import { apply, denseCopy, needsGrad, type PrimRule } from "./apply.js";
import { mul } from "./binary.js";
import { commonOperands } from "./convert.js";
import { reshape } from "./movement.js";
import { sum } from "./reduce.js";

export interface MatmulAttrs {
  matmul: { transA: boolean; transB: boolean };
}

/** Rows and columns of op(t): the last two axes, swapped when read transposed. */
function dims(t: Tensor, trans: boolean): [number, number] {
  const r = t.shape[t.ndim - 2];
  const c = t.shape[t.ndim - 1];
  return trans ? [c, r] : [r, c];
}

/** Per-batch element strides of t broadcast to batchShape (0 on broadcast axes). */
function batchStrides(t: Tensor, batchShape: readonly number[]): number[] {
  const own = t.shape.slice(0, -2);
  const matrix = t.shape[t.ndim - 2] * t.shape[t.ndim - 1];
  const strides = stridesOf(own).map((s) => s * matrix);
  const lead = batchShape.length - own.length;
  return batchShape.map((_, i) => (i < lead || own[i - lead] === 1 ? 0 : strides[i - lead]));
}

const swapLast = (dims: readonly number[]) => [
  ...dims.slice(0, -2),
  dims[dims.length - 1],
  dims[dims.length - 2],
];

/**
 * A matmul operand as the kernel reads it, a row-major buffer read transposed or not: a transposed view of a
 * row-major tensor (x.T) is read in place with the flag flipped, any other view is copied row-major first.
 */
function operand(t: Tensor, trans: boolean): [Tensor, boolean] {
  if (t.isDense) return [t, trans];
  if (t.offset === 0 && runsContiguously(swapLast(t.shape), swapLast(t.strides))) return [t, !trans];
  return [denseCopy(t), trans];
}

/** An operand as the derivative writes it, transposed or not (ᵀ in text, ^\\top in LaTeX). */
const t = (operand: string, transposed: boolean) => (transposed ? `${operand}ᵀ` : operand);
const tex = (operand: string, transposed: boolean) => (transposed ? `${operand}^\\top` : operand);

/** Runs op(x)·op(y) into `out` (out += it when `accumulate`), reading views in place where it can. */
function product(x: Tensor, y: Tensor, trans: [boolean, boolean], out: Tensor, accumulate: boolean): void {
  const [a, transA] = operand(x, trans[0]);
  const [b, transB] = operand(y, trans[1]);
  const [m, k] = dims(x, trans[0]);
  const [, n] = dims(y, trans[1]);
  const batchShape = out.shape.slice(0, -2);
  out.storage.backend.matmul(a.storage.id, b.storage.id, out.storage.id, {
    batchShape,
    aBatchStrides: batchStrides(x, batchShape),
    bBatchStrides: batchStrides(y, batchShape),
    m,
    k,
    n,
    transA,
    transB,
    accumulate,
  });
  if (a !== x) a.dispose(FREED_BY_LIBRARY);
  if (b !== y) b.dispose(FREED_BY_LIBRARY);
}

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const matmulRules: { matmul: PrimRule<MatmulAttrs["matmul"]> } = {
  matmul: {
    forward: ([x, y], { transA, transB }) => {
      const [m] = dims(x, transA);
      const [, n] = dims(y, transB);
      const batchShape = broadcastShapes("matmul", x.shape.slice(0, -2), y.shape.slice(0, -2));
      const out = outputTensor([...batchShape, m, n], x.dtype);
      product(x, y, [transA, transB], out, false);
      return out;
    },
    readsViews: true,
    save: ([a, b]) => [a, b],
    addsInto: true,
    // C = op(A)·op(B): dop(A) = G·op(B)ᵀ, dop(B) = op(A)ᵀ·G, each read through transposes, never copied
    vjp: (g, [a, b], { transA, transB }, n, into) => [
      needsGrad(n, 0)
        ? transA
          ? mmOr(into?.[0], b, g, transB, true)
          : mmOr(into?.[0], g, b, false, !transB)
        : null,
      needsGrad(n, 1)
        ? transB
          ? mmOr(into?.[1], g, a, true, transA)
          : mmOr(into?.[1], a, g, !transA, false)
        : null,
    ],
    derivative: ({ transA, transB }) => ({
      text: [
        transA ? `${t("{x1}", transB)} · {g}ᵀ` : `{g} · ${t("{x1}", !transB)}`,
        transB ? `{g}ᵀ · ${t("{x0}", transA)}` : `${t("{x0}", !transA)} · {g}`,
      ],
      latex: [
        transA ? `${tex("{x1}", transB)} ${tex("\\left({g}\\right)", true)}` : `{g} ${tex("{x1}", !transB)}`,
        transB ? `${tex("\\left({g}\\right)", true)} ${tex("{x0}", transA)}` : `${tex("{x0}", !transA)} {g}`,
      ],
    }),
  },
};

/**
 * op(a)·op(b) added into `sum` in place and `sum` returned, where the backward sweep offers its gradient so far
 * and all three are matrices of one dtype: the product is never made on its own, nor the sum of the two (the
 * chapter's ∂J/∂W = (∂J/∂o) hᵀ + λW is then one GEMM onto λW). Otherwise the product, recorded as usual.
 */
function mmOr(
  sum: Tensor | null | undefined,
  a: Tensor,
  b: Tensor,
  transA: boolean,
  transB: boolean,
): Tensor {
  if (!sum || a.ndim !== 2 || b.ndim !== 2 || sum.ndim !== 2 || !sum.isDense) return mm(a, b, transA, transB);
  const [m] = dims(a, transA);
  const [, n] = dims(b, transB);
  const backend = sum.storage.backend;
  const oneDType = a.dtype === sum.dtype && b.dtype === sum.dtype;
  const oneBackend = a.storage.backend === backend && b.storage.backend === backend;
  if (!oneDType || !oneBackend || sum.shape[0] !== m || sum.shape[1] !== n) return mm(a, b, transA, transB);
  noteOp("matmul");
  sum.ownBuffer();
  product(a, b, [transA, transB], sum, true);
  sum.bumpVersion();
  return sum;
}

/** The primitive on operands of rank >= 2: op(a)·op(b) with op a transpose of the last two axes when asked. */
export function mm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  const [, k] = dims(a, transA);
  const [k2] = dims(b, transB);
  if (k !== k2) {
    const ta = transA ? "ᵀ" : "";
    const tb = transB ? "ᵀ" : "";
    fail("matmul", `${fmt(a.shape)}${ta} @ ${fmt(b.shape)}${tb}: inner sizes ${k} and ${k2} differ`);
  }
  return apply(matmulRules, "matmul", [a, b], { transA, transB });
}

export interface MatmulOptions {
  /** Multiply by a's transpose (its last two axes swapped), read in place: nothing is copied. */
  transposeA?: boolean;
  /** Multiply by b's transpose, read in place: x·Wᵀ for W stored [out, in], as nn.Linear does. */
  transposeB?: boolean;
}

/**
 * NumPy matmul: 1-D operands are promoted to a row (left) or column (right) and the added axis removed.
 * `transposeA` / `transposeB` multiply by an operand's transpose without materialising it.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transposeA === true;
  const transB = options.transposeB === true;
  if (a.ndim === 0 || b.ndim === 0) {
    fail(
      "matmul",
      `${fmt(a.shape)} @ ${fmt(b.shape)}: both operands need at least one axis (use mul for scalars)`,
    );
  }
  if ((transA && a.ndim < 2) || (transB && b.ndim < 2)) {
    const which = transA && a.ndim < 2 ? `transposeA on ${fmt(a.shape)}` : `transposeB on ${fmt(b.shape)}`;
    fail("matmul", `${which}: only operands with at least two axes can be read transposed`);
  }
  const [x, y] = commonOperands("matmul", a, b);
  if (x.dtype === "bool")
    fail("matmul", `${fmt(a.shape)} @ ${fmt(b.shape)}: bool tensors cannot be multiplied`);
  const k1 = transA ? a.shape[a.ndim - 2] : a.shape[a.ndim - 1];
  const k2 = b.ndim === 1 ? b.shape[0] : transB ? b.shape[b.ndim - 1] : b.shape[b.ndim - 2];
  if (k1 !== k2) {
    const ta = transA ? "ᵀ" : "";
    const tb = transB ? "ᵀ" : "";
    fail("matmul", `${fmt(a.shape)}${ta} @ ${fmt(b.shape)}${tb}: inner sizes ${k1} and ${k2} differ`);
  }
  const left = x.ndim === 1 ? reshape(x, [1, x.shape[0]]) : x;
  const right = y.ndim === 1 ? reshape(y, [y.shape[0], 1]) : y;
  const out = mm(left, right, transA, transB);
  if (a.ndim === 1 && b.ndim === 1) return reshape(out, []);
  if (a.ndim === 1) return reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]]);
  if (b.ndim === 1) return reshape(out, out.shape.slice(0, -1));
  return out;
}

/** Inner product of two 1-D tensors. */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    fail("dot", `needs two 1-D tensors, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (a.size !== b.size)
    fail("dot", `${fmt(a.shape)} · ${fmt(b.shape)}: sizes ${a.size} and ${b.size} differ`);
  return sum(mul(a, b));
}

/** Outer product: out[i, j] = a[i] · b[j]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    fail("outer", `needs two 1-D tensors, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}

export default matmulRules;
