// Indexing primitives: gather along an axis by an int32 index tensor, and scatter-add, its adjoint.
import { fail } from "../errors.js";
import { fmt, normalizeAxis } from "../shape.js";
import { emptyTensor, outputTensor } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";
import { apply, type PrimRule } from "./apply.js";
import { checkIndexValues } from "./index-values.js";
import { expand, reshape } from "./movement.js";

export interface IndexingAttrs {
  gather: { axis: number };
  scatterAdd: { axis: number; shape: readonly number[] };
}

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const indexingRules: { [P in keyof IndexingAttrs]: PrimRule<IndexingAttrs[P]> } = {
  gather: {
    forward: ([x, index], { axis }) => {
      const out = outputTensor(index.shape, x.dtype); // gather writes every element
      x.storage.backend.gather(x.storage.id, x.shape, index.storage.id, index.shape, axis, out.storage.id);
      return out;
    },
    save: ([, index]) => [index],
    // d gather(x, i) = g scatter-added back to the gathered positions (none for the index)
    vjp: (g, [index], { axis }, n) => [scatterAdd(g, index, axis, n.inputs[0].shape), null],
    derivative: {
      text: ["scatterAdd({g}, {x1}) along axis {@axis} into {x0:shape}", null],
      latex: ["\\operatorname{scatterAdd}\\left({g}, {x1}\\right)", null],
    },
  },
  scatterAdd: {
    forward: ([src, index], { axis, shape }) => {
      const out = emptyTensor(shape, src.dtype);
      src.storage.backend.scatterAdd(
        src.storage.id,
        index.storage.id,
        index.shape,
        axis,
        out.storage.id,
        shape,
      );
      return out;
    },
    save: ([, index]) => [index],
    // d scatterAdd(src, i) = g gathered at the scattered positions
    vjp: (g, [index], { axis }) => [gather(g, index, axis), null],
    derivative: {
      text: ["gather({g}, {x1}) along axis {@axis}", null],
      latex: ["\\operatorname{gather}\\left({g}, {x1}\\right)", null],
    },
  },
};

/** An index tensor must hold integers: int32 only, so a float like 1.7 is never truncated into a position. */
function checkIndexDType(op: string, index: Tensor): void {
  if (index.dtype !== "int32") {
    fail(
      op,
      `index must be an int32 tensor, got ${index.dtype} ${fmt(index.shape)}; cast integer values with .cast("int32")`,
    );
  }
}

/**
 * Every index value in [0, size) of `axis` (a dry run on the meta backend has no values to check; an index
 * whose range the host knows, such as a DataLoader's labels, is not read back).
 */
function checkIndexRange(op: string, index: Tensor, target: readonly number[], axis: number): void {
  const size = target[axis];
  checkIndexValues(
    op,
    index,
    size,
    (v) => `index value ${v} is out of range for axis ${axis} of ${fmt(target)} (size ${size})`,
  );
}

function checkIndex(op: string, target: readonly number[], index: Tensor, axis: number): void {
  checkIndexDType(op, index);
  if (index.ndim !== target.length) {
    fail(op, `index ${fmt(index.shape)} must have the same rank as the tensor ${fmt(target)}`);
  }
  index.shape.forEach((d, i) => {
    if (i !== axis && d > target[i]) {
      fail(op, `index ${fmt(index.shape)} is larger than the tensor ${fmt(target)} on axis ${i}`);
    }
  });
  checkIndexRange(op, index, target, axis);
}

/** out[..., j, ...] = x[..., index[..., j, ...], ...] along `axis` (PyTorch's gather); index is int32. */
export function gather(x: Tensor, index: Tensor, axis: number): Tensor {
  const ax = normalizeAxis("gather", axis, x.shape);
  checkIndex("gather", x.shape, index, ax);
  return apply(indexingRules, "gather", [x, index], { axis: ax });
}

/** Zeros of `shape` with src added at the positions index names along `axis`. */
export function scatterAdd(src: Tensor, index: Tensor, axis: number, shape: readonly number[]): Tensor {
  const ax = normalizeAxis("scatterAdd", axis, shape);
  checkIndex("scatterAdd", shape, index, ax);
  if (!src.shape.every((d, i) => d === index.shape[i])) {
    fail("scatterAdd", `src ${fmt(src.shape)} must have the index's shape ${fmt(index.shape)}`);
  }
  return apply(indexingRules, "scatterAdd", [src, index], { axis: ax, shape });
}

/** The entries of x at `indices` (integers, or a 1-D int32 tensor) along `axis`, like index_select. */
export function index(x: Tensor, indices: Tensor | readonly number[], axis = 0): Tensor {
  const ax = normalizeAxis("index", axis, x.shape);
  if (!Array.isArray(indices) && !(indices instanceof Tensor)) {
    fail("index", `indices must be an array of integers or a 1-D int32 tensor, got ${typeof indices}`);
  }
  const list = Array.isArray(indices) ? indexTensor(x, indices, ax) : (indices as Tensor);
  checkIndexDType("index", list);
  if (list.ndim !== 1) fail("index", `indices must be 1-D, got ${fmt(list.shape)}`);
  checkIndexRange("index", list, x.shape, ax);
  const shape = x.shape.map((d, i) => (i === ax ? list.size : d));
  const along = reshape(
    list,
    x.shape.map((_, i) => (i === ax ? list.size : 1)),
  );
  return apply(indexingRules, "gather", [x, expand(along, shape)], { axis: ax });
}

/** An int32 tensor of `values`, which must be integers in range (checked here, before int32 could wrap them). */
function indexTensor(x: Tensor, values: readonly number[], axis: number): Tensor {
  const size = x.shape[axis];
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      fail(
        "index",
        `indices must be integers, got ${String(v)} at position ${i} (axis ${axis} of ${fmt(x.shape)})`,
      );
    }
    if (v < 0 || v >= size) {
      fail("index", `index value ${v} is out of range for axis ${axis} of ${fmt(x.shape)} (size ${size})`);
    }
  });
  const t = emptyTensor([values.length], "int32");
  t.storage.backend.write(t.storage.id, Int32Array.from(values));
  return t;
}

export default indexingRules;
