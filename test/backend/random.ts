// A tiny seeded generator for the kernel tests: the same seed gives the same floats in [0, 1) everywhere.
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
