// Float64 reference implementations for the op table: flat Float64Arrays with explicit index math and
// Math.* functions only. Deliberately independent of src/, so a bug there cannot hide in its own oracle.

/**
 * How a reference array's values are to be read: "float" follows the inputs' float dtype (float64 in,
 * float64 out; float32 in, float32 out); the others name the result's dtype exactly.
 */
export type Kind = "float" | "float32" | "float64" | "int32" | "bool";

export interface Arr {
  readonly shape: readonly number[];
  readonly data: Float64Array;
  readonly kind: Kind;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function arr(shape: readonly number[], values: ArrayLike<number>, kind: Kind = "float"): Arr {
  if (values.length !== sizeOf(shape)) throw new Error(`arr: ${values.length} values for [${shape}]`);
  return { shape: [...shape], data: Float64Array.from(values), kind };
}

export function fromFn(shape: readonly number[], f: (idx: number[]) => number, kind: Kind = "float"): Arr {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = f(unravel(i, shape));
  return { shape: [...shape], data, kind };
}

export function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** The multi-index of row-major position `flat`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
  return flat;
}

export function get(a: Arr, idx: readonly number[]): number {
  return a.data[ravel(idx, a.shape)];
}

/** NumPy broadcasting of several shapes. */
export function broadcast(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v !== 1) {
        if (d !== 1 && d !== v) throw new Error(`broadcast: [${shapes.join("] [")}]`);
        d = v;
      }
    }
    out.push(d);
  }
  return out;
}

/** Element of `a` seen at index `idx` of a larger broadcast shape. */
export function bget(a: Arr, idx: readonly number[]): number {
  const lead = idx.length - a.shape.length;
  let flat = 0;
  for (let i = 0; i < a.shape.length; i++) flat = flat * a.shape[i] + (a.shape[i] === 1 ? 0 : idx[lead + i]);
  return a.data[flat];
}

/** f applied elementwise to broadcast operands. */
export function zip(kind: Kind, f: (...v: number[]) => number, ...xs: Arr[]): Arr {
  const shape = broadcast(...xs.map((x) => x.shape));
  return fromFn(shape, (idx) => f(...xs.map((x) => bget(x, idx))), kind);
}

export const map = (x: Arr, f: (v: number) => number): Arr => zip("float", f, x);

export function normAxes(axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  return list.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** Reduces the given axes: each output element is f of the values along them (in row-major order). */
export function reduce(
  x: Arr,
  axis: number | readonly number[] | undefined,
  keepdims: boolean,
  f: (values: number[]) => number,
  kind: Kind = "float",
): Arr {
  const axes = normAxes(axis, x.shape.length);
  const keptShape = x.shape.filter((_, i) => !axes.includes(i));
  const buckets: number[][] = Array.from({ length: sizeOf(keptShape) }, () => []);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).filter((_, k) => !axes.includes(k));
    buckets[ravel(idx, keptShape)].push(x.data[i]);
  }
  const shape = keepdims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keptShape;
  return arr(shape, buckets.map(f), kind);
}

export const total = (v: number[]): number => v.reduce((a, b) => a + b, 0);
export const average = (v: number[]): number => total(v) / v.length;
export function variance(v: number[], correction: number): number {
  const m = average(v);
  return total(v.map((x) => (x - m) ** 2)) / Math.max(v.length - correction, 0);
}
export const argFirst = (v: number[], better: (a: number, b: number) => boolean): number =>
  v.reduce((best, x, i) => (better(x, v[best]) ? i : best), 0);

export function reshape(x: Arr, shape: readonly number[]): Arr {
  const known = sizeOf(shape.filter((d) => d !== -1));
  const target = shape.map((d) => (d === -1 ? x.data.length / known : d));
  return arr(target, x.data, x.kind);
}

export function permute(x: Arr, perm: readonly number[]): Arr {
  const shape = perm.map((p) => x.shape[p]);
  return fromFn(
    shape,
    (idx) => {
      const src = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        src[p] = idx[i];
      });
      return get(x, src);
    },
    x.kind,
  );
}

export const expandTo = (x: Arr, shape: readonly number[]): Arr =>
  fromFn(shape, (idx) => bget(x, idx), x.kind);

/** NumPy matmul: 1-D operands become a row (left) or a column (right), batch axes broadcast. */
export function matmul(a: Arr, b: Arr): Arr {
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const [m, k] = a2.shape.slice(-2);
  const n = b2.shape[b2.shape.length - 1];
  const batch = broadcast(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const out = fromFn([...batch, m, n], (idx) => {
    const bi = idx.slice(0, -2);
    const [i, j] = idx.slice(-2);
    let s = 0;
    for (let p = 0; p < k; p++) s += bget(a2, [...bi, i, p]) * bget(b2, [...bi, p, j]);
    return s;
  });
  let shape = out.shape;
  if (a.shape.length === 1) shape = [...shape.slice(0, -2), shape[shape.length - 1]];
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  return arr(shape, out.data);
}

/** The indices that Python's range(start, stop, step) slicing selects from a sequence of length n. */
export function sliceIndices(n: number, start: number | null, stop: number | null, step: number): number[] {
  const lower = step > 0 ? 0 : -1;
  const upper = step > 0 ? n : n - 1;
  const adjust = (v: number | null, dflt: number) =>
    v === null ? dflt : v < 0 ? Math.max(v + n, lower) : Math.min(v, upper);
  const from = adjust(start, step > 0 ? lower : upper);
  const to = adjust(stop, step > 0 ? upper : lower);
  const out: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) out.push(i);
  return out;
}

export type RefSpec = number | null | readonly [number | null, number | null, number];

/** x[specs]: an integer picks (and drops) an axis, a triple slices, null keeps all. */
export function slice(x: Arr, specs: readonly RefSpec[]): Arr {
  const picks = x.shape.map((n, i) => {
    const s = specs[i] ?? null;
    if (typeof s === "number") return [s < 0 ? s + n : s];
    if (s === null) return sliceIndices(n, null, null, 1);
    return sliceIndices(n, s[0], s[1], s[2]);
  });
  const full = picks.map((p) => p.length);
  const res = fromFn(
    full,
    (idx) =>
      get(
        x,
        idx.map((v, i) => picks[i][v]),
      ),
    x.kind,
  );
  return reshape(
    res,
    full.filter((_, i) => typeof specs[i] !== "number"),
  );
}

/** x padded with `value`, which is first converted to x's kind (truncated for int32, 0/1 for bool). */
export function pad(x: Arr, widths: readonly (readonly [number, number])[], value: number): Arr {
  if (x.kind === "int32") value = Math.trunc(value);
  if (x.kind === "bool") value = value !== 0 ? 1 : 0;
  const w = x.shape.map((_, i) => widths[i] ?? [0, 0]);
  const shape = x.shape.map((d, i) => d + w[i][0] + w[i][1]);
  return fromFn(
    shape,
    (idx) => {
      const src = idx.map((v, i) => v - w[i][0]);
      return src.every((v, i) => v >= 0 && v < x.shape[i]) ? get(x, src) : value;
    },
    x.kind,
  );
}

export function concat(xs: readonly Arr[], axis: number): Arr {
  const ax = axis < 0 ? axis + xs[0].shape.length : axis;
  const shape = [...xs[0].shape];
  shape[ax] = xs.reduce((s, x) => s + x.shape[ax], 0);
  return fromFn(shape, (idx) => {
    let i = idx[ax];
    for (const x of xs) {
      if (i < x.shape[ax])
        return get(
          x,
          idx.map((v, k) => (k === ax ? i : v)),
        );
      i -= x.shape[ax];
    }
    throw new Error("concat: out of range");
  });
}

export function stack(xs: readonly Arr[], axis: number): Arr {
  const ax = axis < 0 ? axis + xs[0].shape.length + 1 : axis;
  const shape = [...xs[0].shape];
  shape.splice(ax, 0, xs.length);
  return fromFn(shape, (idx) => {
    const inner = [...idx];
    const [which] = inner.splice(ax, 1);
    return get(xs[which], inner);
  });
}

export function split(x: Arr, sizes: readonly number[], axis: number): Arr[] {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  let start = 0;
  return sizes.map((n) => {
    const from = start;
    start += n;
    const shape = x.shape.map((d, i) => (i === ax ? n : d));
    return fromFn(shape, (idx) =>
      get(
        x,
        idx.map((v, i) => (i === ax ? v + from : v)),
      ),
    );
  });
}

/** out[idx] = x[idx with the axis coordinate replaced by index[idx]]. */
export function gather(x: Arr, index: Arr, axis: number): Arr {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  return fromFn(index.shape, (idx) =>
    get(
      x,
      idx.map((v, i) => (i === ax ? get(index, idx) : v)),
    ),
  );
}

export function scatterAdd(src: Arr, index: Arr, axis: number, shape: readonly number[]): Arr {
  const ax = axis < 0 ? axis + shape.length : axis;
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < src.data.length; i++) {
    const idx = unravel(i, src.shape);
    idx[ax] = index.data[i];
    out[ravel(idx, shape)] += src.data[i];
  }
  return arr(shape, out);
}

/** erf: its Maclaurin series below |x| = 3 (error ~1e-14), erfc's continued fraction above. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 3) {
    let t = ax;
    for (let k = 80; k >= 1; k--) t = ax + k / 2 / t;
    return Math.sign(x) * (1 - Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * t));
  }
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
