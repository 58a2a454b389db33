// The current backend: set once at start-up or switched between computations with setBackend.

import { fail } from "../errors.js";
import type { Backend } from "./backend.js";
import { JsBackend } from "./js/index.js";
import { MetaBackend } from "./meta/index.js";

const backends = new Map<string, Backend>([
  ["js", new JsBackend()],
  ["meta", new MetaBackend()],
]);
let current: Backend = backends.get("js")!;

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function getBackend(): Backend {
  return current;
}

/** Chooses the backend new tensors are made on. Tensors already made keep the backend that made them. */
export function setBackend(name: string): void {
  const next = backends.get(name);
  if (!next) {
    fail("setBackend", `no backend named "${name}"; registered: ${[...backends.keys()].join(", ")}`);
  }
  current = next;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}
