// Grad mode: whether ops record graph nodes. noGrad(fn) runs prediction with no graph and nothing retained.

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn with recording switched on or off, restoring the previous mode afterwards (also on throw). */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const before = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = before;
  }
}

/** Runs fn without recording a graph: no nodes, no saved intermediates. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
