// Scopes: tidy(fn) frees every tensor made inside except what fn returns or keep() marks.
// A tensor that a live graph still needs for backward is handed to that graph and freed when backward is done.

/** What a scope needs of a tensor; implemented by Tensor (kept as an interface to avoid an import cycle). */
export interface Scoped {
  readonly isDisposed: boolean;
  dispose(): void;
  /** Called when a scope ends without keeping it; returns true if it was handed to a graph instead of freed. */
  releaseFromScope(): void;
}

let scopes: Set<Scoped>[] = [];

export function track(t: Scoped): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Removes t from every open scope: it lives until disposed by hand (or by its owner, e.g. a parameter's .grad). */
export function keep<T extends Scoped>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<unknown>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== "object") return;
  if ("releaseFromScope" in value) {
    out.add(value);
    return;
  }
  const items = Array.isArray(value)
    ? value
    : value instanceof Map
      ? [...value.values()]
      : Object.values(value);
  for (const item of items) collect(item, out, depth + 1);
}

/** Runs fn; frees the tensors it made except those in its result (searched through arrays, maps and objects). */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError("tidy: expected a function");
  const scope = new Set<Scoped>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes = scopes.filter((s) => s !== scope);
    for (const t of scope) t.releaseFromScope();
    throw error;
  }
  scopes = scopes.filter((s) => s !== scope);
  const kept = new Set<unknown>();
  collect(result, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.releaseFromScope();
  }
  return result;
}
