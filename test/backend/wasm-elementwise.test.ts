// The wasm backend's elementwise, where, cast, copy and reduce kernels against the reference backend:
// random shapes (empty, scalar, broadcast, permuted and sliced views, in place), float32 and float64, sizes
// on both sides of the threading threshold; and a spy that proves the kernels (not the fallback) ran.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { BinaryOp, DataId, ReduceOp, UnaryOp, View } from "../../src/backend/backend.js";
import { JsBackend } from "../../src/backend/js/index.js";
import type { WasmBackend } from "../../src/backend/wasm/index.js";
import { PARALLEL_MIN } from "../../src/backend/wasm/ops-common.js";
import type { KernelName, KernelSignatures } from "../../src/backend/wasm/signatures.js";
import { type DType, newArray, type TypedArray } from "../../src/dtype.js";
import { expectWasm } from "./expect-wasm.js";

const wasm: WasmBackend = expectWasm();
const js = new JsBackend();

const TOL = { float64: { rtol: 1e-12, atol: 1e-13 }, float32: { rtol: 1e-5, atol: 1e-6 } } as const;
const FLOATS = ["float32", "float64"] as const;

/** Kernel names called on this thread or split over threads since the last reset, and the biggest split. */
const spy = { names: new Set<string>(), maxShares: 0 };
function reset(): void {
  spy.names.clear();
  spy.maxShares = 0;
}

let seed = 12345;
function rand(): number {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
}

const SPECIALS = [
  0,
  -0,
  1,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e-40,
  3e-310,
];

/** Random values: mostly in [-scale, scale], with some special ones when `specials`. */
function values(n: number, dtype: DType, scale = 4, specials = false): TypedArray {
  const v = newArray(dtype, n);
  for (let i = 0; i < n; i++) {
    if (dtype === "bool") v[i] = rand() < 0.5 ? 1 : 0;
    else if (dtype === "int32") v[i] = Math.floor((rand() - 0.5) * 200);
    else if (specials && rand() < 0.05) v[i] = SPECIALS[Math.floor(rand() * SPECIALS.length)];
    else v[i] = (rand() * 2 - 1) * scale;
  }
  return v;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The same values in a wasm buffer and a reference buffer. */
interface Pair {
  w: DataId;
  j: DataId;
  dtype: DType;
}
function pair(data: TypedArray, dtype: DType): Pair {
  const w = wasm!.alloc(dtype, data.length);
  wasm!.write(w, data);
  const j = js.alloc(dtype, data.length);
  js.write(j, data);
  return { w, j, dtype };
}
function empty(dtype: DType, n: number): Pair {
  return { w: wasm!.alloc(dtype, n), j: js.alloc(dtype, n), dtype };
}

/** An operand for `shape`: its buffer and a view over it of one of several layouts. */
type Layout = "contiguous" | "scalar" | "row" | "column" | "permuted" | "sliced" | "offset";
function operand(shape: number[], layout: Layout, dtype: DType, specials = false) {
  const n = sizeOf(shape);
  const rank = shape.length;
  let strides: number[];
  let offset = 0;
  let length: number;
  switch (layout) {
    case "contiguous":
      strides = contiguous(shape);
      length = n;
      break;
    case "offset":
      strides = contiguous(shape);
      offset = 3;
      length = n + 5;
      break;
    case "scalar":
      strides = shape.map(() => 0);
      offset = 1;
      length = 2;
      break;
    case "row": {
      // Broadcast over every axis but the last.
      strides = shape.map((_, i) => (i === rank - 1 ? 1 : 0));
      length = rank ? shape[rank - 1] : 1;
      break;
    }
    case "column": {
      // Broadcast along the last axis.
      const inner = contiguous(shape.slice(0, -1));
      strides = shape.map((_, i) => (i === rank - 1 ? 0 : inner[i]));
      length = rank ? sizeOf(shape.slice(0, -1)) : 1;
      break;
    }
    case "permuted": {
      // The shape read from a buffer stored with its axes reversed.
      const stored = contiguous([...shape].reverse()).reverse();
      strides = stored;
      length = n;
      break;
    }
    case "sliced": {
      // Every other element of the last axis, from a buffer twice as wide, starting at 1.
      const wide = shape.map((d, i) => (i === rank - 1 ? 2 * d + 1 : d));
      const s = contiguous(wide);
      strides = shape.map((_, i) => (i === rank - 1 ? 2 : s[i]));
      offset = 1;
      length = sizeOf(wide) + 1;
      break;
    }
  }
  const p = pair(values(Math.max(length, 1), dtype, 4, specials), dtype);
  const view = (id: DataId): View => ({ id, strides, offset });
  return { p, wv: view(p.w), jv: view(p.j) };
}

function close(
  want: TypedArray,
  got: TypedArray,
  dtype: DType,
  what: string,
  exact = false,
  terms = 1,
): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const base = dtype === "float64" ? TOL.float64 : dtype === "float32" ? TOL.float32 : { rtol: 0, atol: 0 };
  // A sum of `terms` positive values in another order may differ by up to (terms − 1) roundings (2⁻⁵³ each).
  const tol = dtype === "float64" ? { ...base, rtol: Math.max(base.rtol, terms * 2 ** -53) } : base;
  let scale = 1;
  for (let i = 0; i < want.length; i++)
    if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    const ok =
      (Number.isNaN(w) && Number.isNaN(g)) ||
      g === w ||
      (!exact && Math.abs(g - w) <= tol.rtol * Math.abs(w) + tol.atol * scale);
    if (!ok) assert.fail(`${what} element ${i}: ${g} on wasm, ${w} on js (difference ${g - w})`);
  }
}

function check(out: Pair, what: string, exact = false, terms = 1): void {
  close(js.readSync(out.j), wasm!.readSync(out.w), out.dtype, what, exact, terms);
}

describe("wasm elementwise kernels agree with the reference", () => {
  before(async () => {
    const k = wasm!.kernels;
    // Workers start asynchronously: give them a moment so the big cases really split.
    for (let i = 0; i < 200 && k.threads > 1 && k.available < k.threads; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const call = k.call.bind(k);
    const parallel = k.parallel.bind(k);
    k.call = <N extends KernelName>(name: N, ...args: KernelSignatures[N]) => {
      spy.names.add(name);
      return call(name, ...args);
    };
    k.parallel = <N extends KernelName>(name: N, shares: readonly KernelSignatures[N][]) => {
      spy.names.add(name);
      spy.maxShares = Math.max(spy.maxShares, shares.length);
      parallel(name, shares);
    };
  });

  const unaryOps: UnaryOp[] = [
    "neg",
    "exp",
    "log",
    "log1p",
    "sqrt",
    "abs",
    "sign",
    "tanh",
    "sigmoid",
    "relu",
    "softplus",
  ];
  const exactUnary = new Set<UnaryOp>(["neg", "abs", "sqrt", "relu", "sign"]);

  test("unary: every op, both dtypes, sizes across the threading threshold, in place", () => {
    for (const dtype of FLOATS) {
      for (const op of unaryOps) {
        for (const n of [0, 1, 3, 5, 8, 33, 1000, PARALLEL_MIN + 37]) {
          const scale = op === "exp" || op === "sigmoid" || op === "tanh" ? 30 : 8;
          const data = values(n, dtype, scale, true);
          if (op === "log" || op === "sqrt" || op === "log1p")
            for (let i = 0; i < n; i += 3) data[i] = Math.abs(data[i]);
          const x = pair(data, dtype);
          const out = empty(dtype, n);
          reset();
          wasm!.unary(op, x.w, out.w, n);
          js.unary(op, x.j, out.j, n);
          if (n > 0)
            assert.ok(spy.names.has(`ew_unary_${dtype === "float32" ? "f32" : "f64"}`), `${op} kernel`);
          check(out, `${op} ${dtype} n=${n}`, exactUnary.has(op));
          // In place: out is x.
          wasm!.unary(op, x.w, x.w, n);
          js.unary(op, x.j, x.j, n);
          check(x, `${op} ${dtype} n=${n} in place`, exactUnary.has(op));
        }
      }
    }
  });

  test("unary: wide arguments of the transcendentals (overflow, underflow, subnormals, tiny)", () => {
    const xs = [
      -800, -745.5, -740, -709, -700, -104, -88, -20, -1e-5, -1e-300, 0, 1e-300, 1e-10, 1e-5, 0.3, 0.34657,
      0.7, 1, 2, 19, 21, 88, 88.8, 100, 709, 709.7, 709.8, 720, 1e300, 4.9e-324, 2.2e-308, 2.3e-308,
      0.9999999, 1.0000001,
    ];
    for (const dtype of FLOATS) {
      for (const op of ["exp", "log", "log1p", "tanh", "sigmoid", "softplus"] as const) {
        const data = Float64Array.from([...xs, ...xs.map((v) => -v)]);
        const x = pair(dtype === "float32" ? Float32Array.from(data) : data, dtype);
        const out = empty(dtype, data.length);
        wasm!.unary(op, x.w, out.w, data.length);
        js.unary(op, x.j, out.j, data.length);
        check(out, `${op} ${dtype} edge arguments`);
      }
    }
  });

  const shapes: number[][] = [
    [],
    [1],
    [7],
    [5, 7],
    [3, 4, 5],
    [2, 3, 1, 6],
    [0, 3],
    [300, 301],
    [520, 513],
    [1, PARALLEL_MIN + 9],
  ];
  const layouts: Layout[] = ["contiguous", "offset", "scalar", "row", "column", "permuted", "sliced"];
  const binaryOps: BinaryOp[] = [
    "add",
    "sub",
    "mul",
    "div",
    "maximum",
    "minimum",
    "equal",
    "notEqual",
    "less",
    "lessEqual",
    "greater",
    "greaterEqual",
  ];

  test("binary: every op over broadcast, permuted, sliced and offset views; both dtypes", () => {
    for (const dtype of FLOATS) {
      for (const shape of shapes) {
        const big = sizeOf(shape) > 50_000;
        for (const la of layouts) {
          for (const lb of layouts) {
            if (big && la !== "contiguous" && lb !== "contiguous") continue;
            const a = operand(shape, la, dtype, true);
            const b = operand(shape, lb, dtype, true);
            // Some equal values so the comparisons and maximum/minimum ties are exercised.
            for (const op of binaryOps) {
              const compare = !["add", "sub", "mul", "div", "maximum", "minimum"].includes(op);
              const out = empty(compare ? "bool" : dtype, sizeOf(shape));
              reset();
              wasm!.binary(op, a.wv, b.wv, out.w, shape);
              js.binary(op, a.jv, b.jv, out.j, shape);
              if (sizeOf(shape) > 0) {
                const s = dtype === "float32" ? "f32" : "f64";
                assert.ok(spy.names.has(compare ? `ew_compare_${s}` : `ew_binary_${s}`), `${op} kernel`);
              }
              check(out, `${op} ${dtype} [${shape}] ${la}/${lb}`, true);
            }
          }
        }
      }
    }
  });

  test("binary: out aliasing a (in-place accumulation), contiguous and broadcast b", () => {
    for (const dtype of FLOATS) {
      for (const shape of [[9], [17, 33], [300, 301]]) {
        for (const lb of ["contiguous", "row", "column", "scalar", "permuted"] as const) {
          const n = sizeOf(shape);
          const a = pair(values(n, dtype), dtype);
          const b = operand(shape, lb, dtype);
          const av = (id: DataId): View => ({ id, strides: contiguous(shape), offset: 0 });
          wasm!.binary("add", av(a.w), b.wv, a.w, shape);
          js.binary("add", av(a.j), b.jv, a.j, shape);
          check(a, `addInto ${dtype} [${shape}] ${lb}`, true);
          wasm!.binary("mul", av(a.w), av(a.w), a.w, shape);
          js.binary("mul", av(a.j), av(a.j), a.j, shape);
          check(a, `x *= x ${dtype} [${shape}]`, true);
        }
      }
    }
  });

  test("where: broadcast and strided condition and branches", () => {
    for (const dtype of FLOATS) {
      for (const shape of shapes) {
        const big = sizeOf(shape) > 50_000;
        for (const lc of layouts) {
          for (const la of layouts) {
            for (const lb of ["contiguous", "scalar", "sliced", "column"] as const) {
              if (big && (la !== "contiguous" || lb === "sliced")) continue;
              const c = operand(shape, lc, "bool");
              const a = operand(shape, la, dtype, true);
              const b = operand(shape, lb, dtype, true);
              const out = empty(dtype, sizeOf(shape));
              reset();
              wasm!.where(c.wv, a.wv, b.wv, out.w, shape);
              js.where(c.jv, a.jv, b.jv, out.j, shape);
              if (sizeOf(shape) > 0)
                assert.ok(spy.names.has(`ew_where_${dtype === "float32" ? "f32" : "f64"}`));
              check(out, `where ${dtype} [${shape}] ${lc}/${la}/${lb}`, true);
            }
          }
        }
      }
    }
  });

  test("cast: between every pair of dtypes, with out-of-range and NaN values", () => {
    const all: DType[] = ["float32", "float64", "int32", "bool"];
    for (const from of all) {
      for (const to of all) {
        for (const n of [0, 1, 7, 64, 1001, PARALLEL_MIN + 3]) {
          const data = values(n, from, 50, true);
          if (from !== "bool" && from !== "int32") {
            for (let i = 0; i < n; i += 7) data[i] = [3e9, -3e9, 2 ** 31, -(2 ** 31), 1e20, -2.5, 2.5][i % 7];
          }
          const x = pair(data, from);
          const out = empty(to, n);
          reset();
          wasm!.cast(x.w, out.w, n);
          js.cast(x.j, out.j, n);
          if (n > 0)
            assert.ok(spy.names.has("ew_cast") || spy.names.has("ew_memcpy"), `${from} -> ${to} kernel`);
          check(out, `cast ${from} -> ${to} n=${n}`, true);
        }
      }
    }
  });

  test("copy: strided views to contiguous and strided destinations, every dtype", () => {
    const all: DType[] = ["float32", "float64", "int32", "bool"];
    for (const dtype of all) {
      for (const shape of [[], [7], [5, 7], [3, 4, 5], [0, 2], [300, 301], [520, 513]]) {
        for (const ls of layouts) {
          for (const ld of ["contiguous", "sliced", "permuted", "offset"] as const) {
            const src = operand(shape, ls, dtype);
            const dst = operand(shape, ld, dtype);
            reset();
            wasm!.copy(src.wv, dst.wv, shape);
            js.copy(src.jv, dst.jv, shape);
            if (sizeOf(shape) > 0) assert.ok(spy.names.has("ew_copy") || spy.names.has("ew_memcpy"));
            check(dst.p, `copy ${dtype} [${shape}] ${ls} -> ${ld}`, true);
          }
        }
      }
    }
  });

  test("reduce: sum/max/min/argmax/argmin over adjacent axes, NaN, empty axes, big sizes", () => {
    const cases: [number[], number[]][] = [
      [[], []],
      [[7], [0]],
      [[5, 7], [1]],
      [[5, 7], [0]],
      [
        [5, 7],
        [0, 1],
      ],
      [[3, 4, 5], [1]],
      [
        [3, 4, 5],
        [1, 2],
      ],
      [
        [3, 4, 5],
        [0, 1],
      ],
      [
        [3, 1, 4, 5],
        [1, 2],
      ],
      [
        [3, 4, 5],
        [0, 2],
      ],
      [[2, 3, 0], [1]],
      [[2, 0, 3], [1]],
      [[4, 37, 19], [1]],
      [[2, 50, 40], [1]],
      [[256, 256], [1]],
      [[256, 256], [0]],
      [[1_000_000], [0]],
      [[3, 100_000], [1]],
      [[100_000, 3], [0]],
      [[2, 300, 300], [1]],
      [[300, 2, 300], [1]],
      [[2, 400, 400], [1]],
      [[600, 600], [0]],
      [[600, 600], [1]],
    ];
    const ops: ReduceOp[] = ["sum", "sumSquares", "max", "min", "argmax", "argmin"];
    for (const dtype of FLOATS) {
      for (const [shape, axes] of cases) {
        for (const op of ops) {
          if ((op === "argmax" || op === "argmin") && axes.length !== 1) continue;
          for (const specials of [false, true]) {
            const n = sizeOf(shape);
            // Positive data too, where float32 summation order matters most.
            const data = values(n, dtype, 4, specials);
            if (!specials) for (let i = 0; i < n; i += 2) data[i] = Math.abs(data[i]);
            const summing = op === "sum" || op === "sumSquares";
            if (specials && summing) for (let i = 0; i < n; i++) if (!Number.isFinite(data[i])) data[i] = 1;
            const x = pair(data, dtype);
            const outShape = shape.filter((_, i) => !axes.includes(i));
            const outDType = op === "argmax" || op === "argmin" ? "int32" : dtype;
            const out = empty(outDType, sizeOf(outShape));
            reset();
            wasm!.reduce(op, x.w, shape, axes, out.w);
            js.reduce(op, x.j, shape, axes, out.j);
            const adjacent = !(shape.length === 3 && axes.join() === "0,2");
            const r = axes.reduce((a, i) => a * shape[i], 1);
            if (adjacent && sizeOf(outShape) > 0 && r > 0) {
              assert.ok(
                spy.names.has(`ew_reduce_${dtype === "float32" ? "f32" : "f64"}`) ||
                  spy.names.has(`ew_reduce_part_${dtype === "float32" ? "f32" : "f64"}`),
                `${op} [${shape}] kernel`,
              );
            }
            check(
              out,
              `${op} ${dtype} [${shape}] over [${axes}]${specials ? " with specials" : ""}`,
              !summing,
              summing ? r : 1,
            );
          }
        }
      }
    }
  });

  test("big jobs are split over the threads when more than one is running", (t) => {
    const k = wasm!.kernels;
    if (k.available < 2) {
      t.skip("one thread here");
      return;
    }
    const n = PARALLEL_MIN + 5;
    const x = pair(values(n, "float32"), "float32");
    const out = empty("float32", n);
    reset();
    wasm!.unary("exp", x.w, out.w, n);
    js.unary("exp", x.j, out.j, n);
    assert.ok(spy.maxShares >= 2, "unary split");
    check(out, "threaded exp");
    reset();
    const sum = empty("float32", 1);
    wasm!.reduce("sum", x.w, [n], [0], sum.w);
    js.reduce("sum", x.j, [n], [0], sum.j);
    assert.ok(spy.maxShares >= 2, "sum split");
    check(sum, "threaded sum");
    reset();
    wasm!.reduce("sumSquares", x.w, [n], [0], sum.w);
    js.reduce("sumSquares", x.j, [n], [0], sum.j);
    assert.ok(spy.maxShares >= 2, "sumSquares split");
    check(sum, "threaded sumSquares");
  });
});
