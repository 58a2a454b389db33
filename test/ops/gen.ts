// Seeded inputs for the op table: a small PRNG, random shapes (with broadcasting partners), and value
// generators that respect each op's domain (positive, away from kinks, distinct, integer-valued).
import { type Arr, arr, type Kind, sizeOf } from "./nd.js";

/** mulberry32: 32-bit state, the same sequence on every run. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** A stable seed per row name, so adding a row does not change the inputs of the others. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function randomShape(rng: Rng, minRank = 1, maxRank = 3, maxSize = 4): number[] {
  return Array.from({ length: rng.int(minRank, maxRank) }, () => rng.int(1, maxSize));
}

/** Two shapes that broadcast together: some axes become 1 on one side, leading axes may be dropped. */
export function broadcastPair(rng: Rng): [number[], number[]] {
  const full = randomShape(rng, 2, 3, 4).map((d) => Math.max(d, 2));
  const a = [...full];
  const b = [...full];
  full.forEach((_, i) => {
    const r = rng.next();
    if (r < 0.3) a[i] = 1;
    else if (r < 0.6) b[i] = 1;
  });
  if (rng.next() < 0.5) return [a, b.slice(rng.int(1, b.length - 1))];
  return [a.slice(rng.int(0, 1)), b];
}

/** A value generator: one number per element. */
export type Values = (rng: Rng) => number;

export const anyReal: Values = (rng) => rng.uniform(-2, 2);
export const positive: Values = (rng) => rng.uniform(0.5, 2);
/** |x| in [0.2, 2]: away from the kink at 0 (abs, relu, sign, division). */
export const awayFromZero: Values = (rng) => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.2, 2);
/** Small integers, so comparisons meet equal values. */
export const smallInt: Values = (rng) => rng.int(-2, 2);
/**
 * Points on a lattice of spacing 0.5 (even) or offset by 0.25 (odd), jittered by ±0.05: values of
 * different parity are at least 0.15 apart, so maximum/minimum/clamp never meet a tie.
 */
export const lattice =
  (parity: 0 | 1, lo = -4, hi = 3): Values =>
  (rng) =>
    rng.int(lo, hi) * 0.5 + parity * 0.25 + rng.uniform(-0.05, 0.05);

export function sample(
  rng: Rng,
  shape: readonly number[],
  values: Values = anyReal,
  kind: Kind = "float",
): Arr {
  return arr(
    shape,
    Array.from({ length: sizeOf(shape) }, () => values(rng)),
    kind,
  );
}

/** All elements distinct, at least 0.2 apart (max/min reductions, argmax). */
export function distinct(rng: Rng, shape: readonly number[]): Arr {
  const n = sizeOf(shape);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return arr(
    shape,
    order.map((v) => (v - n / 2) * 0.3 + rng.uniform(-0.05, 0.05)),
  );
}

export function bools(rng: Rng, shape: readonly number[]): Arr {
  return sample(rng, shape, (r) => (r.next() < 0.5 ? 1 : 0), "bool");
}

/** Valid int32 indices in [0, size) for gather and scatterAdd. */
export function indices(rng: Rng, shape: readonly number[], size: number): Arr {
  return sample(rng, shape, (r) => r.int(0, size - 1), "int32");
}

/** Unary cases: 0-d, empty, size one, and random shapes of rank 1 to 4. */
export function unaryShapes(rng: Rng): number[][] {
  const random = Array.from({ length: 5 }, () => randomShape(rng, 1, 4, 3));
  return [[], [0], [2, 0, 3], [1], ...random];
}

/** Binary cases: 0-d with 0-d and with a tensor, empty with broadcasting, and random broadcast pairs. */
export function binaryShapes(rng: Rng): [number[], number[]][] {
  const random = Array.from({ length: 4 }, () => broadcastPair(rng));
  return [
    [[], []],
    [[], [2, 3]],
    [[0, 3], [3]],
    [[2, 0], [1]],
    [
      [2, 1],
      [1, 3],
    ],
    [
      [3, 4],
      [3, 4],
    ],
    ...random,
  ];
}
