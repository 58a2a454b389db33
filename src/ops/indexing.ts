// Indexing primitives: gather along an axis by an int32 index tensor, and scatter-add, its adjoint.
import { isMeta } from "../backend/meta/index.js";
import { fail } from "../errors.js";
import { fmt, normalizeAxis } from "../shape.js";
import { emptyTensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { apply, type PrimRule } from "./apply.js";
import { cast } from "./binary.js";
import { expand, reshape } from "./movement.js";

export interface IndexingAttrs {
  gather: { axis: number };
  scatterAdd: { axis: number; shape: readonly number[] };
}

/** The rule table: this module's default export, so `export *` (the package root) leaves it out. */
const indexingRules: { [P in keyof IndexingAttrs]: PrimRule<IndexingAttrs[P]> } = {
  gather: {
    forward: ([x, index], { axis }) => {
      const out = emptyTensor(index.shape, x.dtype);
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

function checkIndex(op: string, target: readonly number[], index: Tensor, axis: number): Tensor {
  if (index.dtype !== "int32") {
    if (index.dtype === "bool") fail(op, `index must be int32, got bool`);
    index = cast(index, "int32");
  }
  if (index.ndim !== target.length) {
    fail(op, `index ${fmt(index.shape)} must have the same rank as the tensor ${fmt(target)}`);
  }
  index.shape.forEach((d, i) => {
    if (i !== axis && d > target[i]) {
      fail(op, `index ${fmt(index.shape)} is larger than the tensor ${fmt(target)} on axis ${i}`);
    }
  });
  // A dry run (meta backend) has no index values to check.
  const values = isMeta(index.storage.backend) ? [] : index.dataSync();
  const size = target[axis];
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= size) {
      fail(op, `index value ${values[i]} is out of range for axis ${axis} of ${fmt(target)} (size ${size})`);
    }
  }
  return index;
}

/** out[..., j, ...] = x[..., index[..., j, ...], ...] along `axis` (PyTorch's gather). */
export function gather(x: Tensor, index: Tensor, axis: number): Tensor {
  const ax = normalizeAxis("gather", axis, x.ndim);
  const idx = checkIndex("gather", x.shape, index, ax);
  return apply(indexingRules, "gather", [x, idx], { axis: ax });
}

/** Zeros of `shape` with src added at the positions index names along `axis`. */
export function scatterAdd(src: Tensor, index: Tensor, axis: number, shape: readonly number[]): Tensor {
  const ax = normalizeAxis("scatterAdd", axis, shape.length);
  const idx = checkIndex("scatterAdd", shape, index, ax);
  if (!src.shape.every((d, i) => d === idx.shape[i])) {
    fail("scatterAdd", `src ${fmt(src.shape)} must have the index's shape ${fmt(idx.shape)}`);
  }
  return apply(indexingRules, "scatterAdd", [src, idx], { axis: ax, shape });
}

/** The entries of x at `indices` (a 1-D int tensor or array) along `axis`, like index_select. */
export function index(x: Tensor, indices: Tensor | readonly number[], axis = 0): Tensor {
  const ax = normalizeAxis("index", axis, x.ndim);
  const idx = Array.isArray(indices) ? null : (indices as Tensor);
  const list = idx ?? indexTensor(indices as readonly number[]);
  if (list.ndim !== 1) fail("index", `indices must be 1-D, got ${fmt(list.shape)}`);
  const shape = x.shape.map((d, i) => (i === ax ? list.size : d));
  const along = reshape(
    list,
    x.shape.map((_, i) => (i === ax ? list.size : 1)),
  );
  return gather(x, expand(along, shape), ax);
}

function indexTensor(values: readonly number[]): Tensor {
  const t = emptyTensor([values.length], "int32");
  t.storage.backend.write(t.storage.id, Int32Array.from(values));
  return t;
}

export default indexingRules;
