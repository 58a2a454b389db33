// Scopes: tidy(fn) frees every tensor made inside except what fn returns or keep() marks.
// A tensor that a live graph still needs for backward is handed to that graph and freed when backward is done;
// graphs that nothing returned or kept can reach any more are let go of when the scope ends.

/** Which scope was innermost when a tensor was made; marks link outwards, so nesting can be asked of them. */
export interface ScopeMark {
  readonly parent: ScopeMark | null;
  readonly depth: number;
}

/** What a scope needs of a tensor; implemented by Tensor (kept as an interface to avoid an import cycle). */
export interface Scoped {
  /** The scope that was innermost when it was made (null: made outside every scope). */
  readonly madeIn: ScopeMark | null;
  readonly isDisposed: boolean;
  dispose(): void;
  /** Called when a scope ends without keeping it: freed, or handed to a graph that saved it for backward. */
  releaseFromScope(at?: Error | string): void;
  /** The inputs of the recorded op that made it (none for a leaf). */
  graphInputs(): readonly Scoped[];
  /** Lets go of what the recorded op that made it saved for backward. */
  releaseGraph(): void;
}

interface Scope {
  /** Tensors made inside (or returned by inner scopes) that the scope frees when it ends. */
  made: Set<Scoped>;
  /** Tensors keep() took out while the scope was open: their graphs stay alive. */
  kept: Set<Scoped>;
  /** Recorded tensors it let go of early (tidyOwning): it still lets go of their graphs if nothing reaches them. */
  releasedEarly: Set<Scoped>;
  /** What tensors made inside (in it or in a scope it opened) carry as their madeIn. */
  mark: ScopeMark;
}

let scopes: Scope[] = [];

/** A new tensor joins the innermost scope, which holds its first reference; returns that scope's mark. */
export function track(t: Scoped): ScopeMark | null {
  const scope = scopes[scopes.length - 1];
  if (scope === undefined) return null;
  scope.made.add(t);
  return scope.mark;
}

/** Whether t was made while `scope` was open (in it, or in a scope opened inside it). */
function madeDuring(scope: Scope, t: Scoped): boolean {
  let mark = t.madeIn;
  while (mark !== null && mark.depth > scope.mark.depth) mark = mark.parent;
  return mark === scope.mark;
}

/** Removes t from every open scope: it lives until disposed by hand (or by its owner, e.g. a parameter's .grad). */
export function keep<T extends Scoped>(t: T): T {
  for (const s of scopes) {
    s.made.delete(t);
    s.kept.add(t);
  }
  return t;
}

/** Tensors made during the scope that `roots` reach through recorded ops, added to `seen`. */
function reach(scope: Scope, roots: Iterable<Scoped>, seen: Set<Scoped>): Set<Scoped> {
  const stack = [...roots];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || !madeDuring(scope, t)) continue;
    seen.add(t);
    for (const input of t.graphInputs()) stack.push(input);
  }
  return seen;
}

/** An Error whose stack holds only the few frames messages show: capturing a deep stack costs microseconds. */
function shortStack(message: string): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 7;
  const error = new Error(message);
  Error.stackTraceLimit = limit;
  return error;
}

/** Whether a tensor the scope made was recorded (only then can a graph made inside need letting go). */
function madeAGraph(scope: Scope): boolean {
  for (const t of scope.made) if (t.graphInputs().length > 0) return true;
  return false;
}

/**
 * Ends a scope: first lets go of graph nodes made inside that no returned or kept tensor can reach
 * (no backward can run through them any more), then frees or hands over the tensors it made.
 */
function close(scope: Scope, returned: ReadonlySet<unknown>, reason?: string): void {
  if (scopes[scopes.length - 1] === scope) scopes.pop();
  else scopes = scopes.filter((s) => s !== scope);
  if (scope.made.size === 0 && scope.releasedEarly.size === 0) return;
  if (scope.releasedEarly.size > 0 || madeAGraph(scope)) {
    const roots = [...scope.made].filter((t) => returned.has(t));
    const live = reach(scope, [...roots, ...scope.kept], new Set());
    const dead = reach(scope, [...scope.made, ...scope.releasedEarly], new Set(live));
    for (const t of dead) if (!live.has(t)) t.releaseGraph();
  }
  const parent = scopes[scopes.length - 1];
  // One stack for the whole scope: where the tidy() that freed these tensors ended.
  let at: Error | string | undefined = reason;
  for (const t of scope.made) {
    if (returned.has(t)) parent?.made.add(t);
    else {
      at ??= shortStack("disposed when its tidy() ended");
      t.releaseFromScope(at);
    }
  }
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
  return scoped(() => fn());
}

/**
 * tidy() for the library's own hot loops (each VJP of a backward sweep, each optimizer step): what it frees
 * says `reason` instead of carrying a captured stack, which costs microseconds per scope.
 */
export function tidyInternal<T>(reason: string, fn: () => T): T {
  return scoped(() => fn(), reason);
}

/**
 * tidy() whose fn may ask which tensors were made while the scope was open (recompute checks that its
 * segment used no tensor from outside that it was not given).
 */
export function tidyWatching<T>(fn: (madeInside: (t: Scoped) => boolean) => T): T {
  return scoped((scope) => fn((t) => madeDuring(scope, t)));
}

/** What the library's own loops (the backward sweep) may do with the tensors their scope made. */
export interface Owner {
  /** Whether this scope holds t: it made t (t is not the caller's) and has not let go of it or kept it. */
  holds(t: Scoped): boolean;
  /**
   * Frees t now, or hands it to a graph that saved it, if this scope holds it; any other tensor is left alone.
   * A recorded t's own graph is let go of when the scope ends, unless what the scope returns reaches it.
   */
  release(t: Scoped): void;
}

/**
 * tidyInternal() whose fn may free what it made before the scope ends (the sweep frees each gradient once it
 * has been passed on), and only that: tensors it did not make belong to someone else.
 */
export function tidyOwning<T>(reason: string, fn: (owner: Owner) => T): T {
  return scoped((scope) => {
    const owner: Owner = {
      holds: (t) => scope.made.has(t),
      release: (t) => {
        if (!scope.made.delete(t)) return;
        if (t.graphInputs().length > 0) scope.releasedEarly.add(t);
        t.releaseFromScope(reason);
      },
    };
    return fn(owner);
  }, reason);
}

/** Runs fn in a new scope (which fn may look into), then ends the scope keeping what fn returned. */
function scoped<T>(fn: (scope: Scope) => T, reason?: string): T {
  const parent = scopes[scopes.length - 1]?.mark ?? null;
  const scope: Scope = {
    made: new Set(),
    kept: new Set(),
    releasedEarly: new Set(),
    mark: { parent, depth: parent === null ? 0 : parent.depth + 1 },
  };
  scopes.push(scope);
  let result: T;
  try {
    result = fn(scope);
  } catch (error) {
    close(scope, new Set(), reason);
    throw error;
  }
  const returned = new Set<unknown>();
  collect(result, returned);
  close(scope, returned, reason);
  return result;
}
