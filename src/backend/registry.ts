// The current backend: set once at start-up or switched between computations with setBackend.
// In Node the wasm backend is made at start-up and is the default (CHAINRULE_BACKEND=js picks the reference).

import { fail } from "../errors.js";
import type { Backend } from "./backend.js";
import { JsBackend } from "./js/index.js";
import { MetaBackend } from "./meta/index.js";
import type { WasmBackend } from "./wasm/index.js";
import { nodeProcess } from "./wasm/module.js";
import { createWasmBackend, createWasmBackendSync } from "./wasm/setup.js";

const backends = new Map<string, Backend>([
  ["js", new JsBackend()],
  ["meta", new MetaBackend()],
]);
let current: Backend = backends.get("js")!;
let wasm: WasmBackend | null = null;
let wasmProblem = "not loaded yet; call initWasm()";

function adoptWasm(made: WasmBackend | { error: string }): boolean {
  if ("error" in made) {
    wasmProblem = made.error;
    return false;
  }
  wasm = made;
  backends.set(made.name, made);
  return true;
}

const chosen = nodeProcess()?.env.CHAINRULE_BACKEND;
if (nodeProcess() && adoptWasm(createWasmBackendSync()) && (chosen === undefined || chosen === "wasm")) {
  current = wasm!;
}
if (chosen !== undefined && chosen !== "wasm") setBackend(chosen);

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
    const why = name === "wasm" ? ` (wasm: ${wasmProblem})` : "";
    fail("setBackend", `no backend named "${name}"; registered: ${[...backends.keys()].join(", ")}${why}`);
  }
  current = next;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * Browsers: compiles the wasm kernels (fetching them next to this module) and makes wasm the current backend.
 * Returns false, with the reason in wasmStatus(), where WebAssembly SIMD is missing. In Node it is done already.
 */
export async function initWasm(): Promise<boolean> {
  if (!wasm && !adoptWasm(await createWasmBackend())) return false;
  current = wasm!;
  return true;
}

/** Whether the wasm backend is there, its build (relaxed SIMD or not), and its threads. */
export function wasmStatus(): {
  available: boolean;
  reason: string | null;
  relaxedSimd: boolean;
  sharedMemory: boolean;
  threads: number;
  threadsRunning: number;
  /** Bytes in live heap blocks (tensors and kernel scratch), and the size of the WebAssembly memory. */
  heapBytes: number;
  memoryBytes: number;
} {
  const heap = wasm?.heapStats();
  return {
    available: wasm !== null,
    reason: wasm ? null : wasmProblem,
    relaxedSimd: wasm?.kernels.relaxed ?? false,
    sharedMemory: wasm?.kernels.shared ?? false,
    threads: wasm?.threads ?? 1,
    threadsRunning: wasm?.kernels.available ?? 1,
    heapBytes: heap?.allocatedBytes ?? 0,
    memoryBytes: heap?.memoryBytes ?? 0,
  };
}

/** How many threads the wasm backend splits big kernels over (1 = none); at most 1 without shared memory. */
export function setThreads(n: number): void {
  if (!wasm) fail("setThreads", `the wasm backend is not available: ${wasmProblem}`);
  wasm.setThreads(n);
}
