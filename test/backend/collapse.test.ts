// The wasm backend's layout collapsing: merged axes and slab offsets visit exactly the elements a plain
// strided walk visits, in the same order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { collapse, forEachSlab } from "../../src/backend/wasm/collapse.js";

/** Element offsets of each view in row-major order over `shape`, the plain way. */
function walk(shape: number[], strides: number[][], base: number[]): number[][] {
  const out: number[][] = strides.map(() => []);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < total; i++) {
    let rest = i;
    const offs = [...base];
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const c = rest % shape[axis];
      rest = Math.floor(rest / shape[axis]);
      strides.forEach((s, v) => {
        offs[v] += c * s[axis];
      });
    }
    offs.forEach((o, v) => {
      out[v].push(o);
    });
  }
  return out;
}

function viaSlabs(shape: number[], strides: number[][], base: number[]): number[][] {
  const out: number[][] = strides.map(() => []);
  forEachSlab(collapse(shape, strides), base, (offsets, outer, inner, os, is) => {
    for (let i = 0; i < outer; i++)
      for (let j = 0; j < inner; j++)
        offsets.forEach((o, v) => {
          out[v].push(o + i * os[v] + j * is[v]);
        });
  });
  return out;
}

const contiguous = (shape: number[]) => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
};

test("contiguous views collapse to one axis", () => {
  const c = collapse([2, 3, 4], [contiguous([2, 3, 4]), contiguous([2, 3, 4])]);
  assert.deepEqual(c.shape, [24]);
  assert.deepEqual(c.strides, [[1], [1]]);
});

test("a row broadcast keeps two axes; size-1 axes vanish", () => {
  const c = collapse([4, 1, 5], [contiguous([4, 1, 5]), [0, 0, 1]]);
  assert.deepEqual(c.shape, [4, 5]);
  assert.deepEqual(c.strides, [
    [5, 1],
    [0, 1],
  ]);
});

test("slabs visit the same offsets as a plain walk, for random shapes, broadcasts and transposes", () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let trial = 0; trial < 300; trial++) {
    const rank = rand(6);
    const shape = Array.from({ length: rank }, () => 1 + rand(4));
    const out = contiguous(shape);
    const broadcast = out.map((s) => (rand(3) === 0 ? 0 : s));
    const permuted = [...out].reverse();
    const strides = [out, broadcast, rank > 0 ? permuted : []];
    const base = [0, rand(5), rand(5)];
    assert.deepEqual(viaSlabs(shape, strides, base), walk(shape, strides, base), `shape [${shape}]`);
  }
});
