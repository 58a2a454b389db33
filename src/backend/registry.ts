// The current backend: set once at start-up or switched between computations with setBackend.
// In Node the wasm backend is made at start-up and is the default (CHAINRULE_BACKEND=js picks the reference;
// CHAINRULE_BACKEND=webgpu starts the GPU, asynchronously: ready() says when it is current).

import { ChainruleError, fail } from "../errors.js";
import type { Backend } from "./backend.js";
import { JsBackend } from "./js/index.js";
import { MetaBackend } from "./meta/index.js";
import type { WasmBackend } from "./wasm/index.js";
import { type KernelSource, nodeProcess } from "./wasm/module.js";
import { createWasmBackend, createWasmBackendSync } from "./wasm/setup.js";
import type { WebGpuBackend } from "./webgpu/index.js";
import { createWebGpuBackend } from "./webgpu/setup.js";

const backends = new Map<string, Backend>([
  ["js", new JsBackend()],
  ["meta", new MetaBackend()],
]);
let current: Backend = backends.get("js")!;
let wasm: WasmBackend | null = null;
let wasmProblem = "not loaded yet; call initWasm()";
let announced = false;
let webgpu: WebGpuBackend | null = null;
let webgpuProblem = "not started; call await initWebGPU()";

/** Says once, on the console, that the js backend runs because the wasm one could not be made. */
function announceFallback(): void {
  if (announced) return;
  announced = true;
  console.warn(
    `chainrule: the wasm backend is not available, so the js backend runs (about 15x slower): ${wasmProblem}`,
  );
}

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
if (nodeProcess() && (chosen === undefined || chosen === "wasm" || chosen === "webgpu")) {
  // For webgpu, wasm is current until the GPU has started (or for good, where it cannot).
  if (adoptWasm(createWasmBackendSync())) current = wasm!;
  else announceFallback();
} else if (nodeProcess()) {
  adoptWasm(createWasmBackendSync());
}
if (chosen !== undefined && chosen !== "wasm" && chosen !== "webgpu") setBackend(chosen);
/** The start of the backend CHAINRULE_BACKEND asked for: null once it is current, else why it is not. */
const startup: Promise<string | null> =
  nodeProcess() && chosen === "webgpu" ? startWebGpuAtStartUp() : Promise.resolve(null);

async function startWebGpuAtStartUp(): Promise<string | null> {
  if (await initWebGPU()) {
    current = webgpu!;
    return null;
  }
  const reason = webgpuProblem.replace(/\s*\n\s*/g, " ");
  return `CHAINRULE_BACKEND=webgpu: the webgpu backend cannot start (${reason}); set CHAINRULE_BACKEND=wasm or js, or unset it, to run on the CPU`;
}

/**
 * Resolves once the start-up backend is current: at once, unless CHAINRULE_BACKEND=webgpu asked Node for the
 * GPU, which starts asynchronously (the Node entry, `chainrule`, waits for it before user code runs). Rejects
 * with a ChainruleError naming the fallbacks where it could not start; the wasm backend stays current then.
 */
export async function ready(): Promise<void> {
  const problem = await startup;
  if (problem !== null) throw new ChainruleError(problem);
}

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
    const why =
      name === "wasm" ? ` (wasm: ${wasmProblem})` : name === "webgpu" ? ` (webgpu: ${webgpuProblem})` : "";
    fail("setBackend", `no backend named "${name}"; registered: ${[...backends.keys()].join(", ")}${why}`);
  }
  current = next;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

/** Every registered backend object (a capture watches them all: capture/recorder.ts). */
export function registeredBackends(): Backend[] {
  return [...backends.values()];
}

/** Options of initWasm. */
export interface InitWasmOptions {
  /**
   * Kernels to use instead of the ones embedded in the package: a URL of a `.wasm` build (`npm run build:wasm --
   * --wasm DIR` writes them) or its bytes. Only for unusual setups; ignored once the wasm backend exists.
   */
  kernels?: KernelSource;
}

/**
 * Browsers: compiles the embedded wasm kernels and makes wasm the current backend (threads where the page is
 * cross-origin isolated). Returns false where it cannot, with the reason in wasmStatus() and once on the
 * console; the js backend then stays current. In Node it is done already at start-up.
 */
export async function initWasm(options: InitWasmOptions = {}): Promise<boolean> {
  if (!wasm && !adoptWasm(await createWasmBackend(options.kernels))) {
    announceFallback();
    return false;
  }
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

/**
 * Starts the webgpu backend (navigator.gpu in a browser, the optional `webgpu` package in Node) and registers
 * it; then `setBackend("webgpu")` makes it current. Returns false, with the reason in webgpuStatus(), where
 * there is no adapter.
 */
export async function initWebGPU(): Promise<boolean> {
  if (webgpu) return true;
  let made: WebGpuBackend | { error: string };
  try {
    made = await createWebGpuBackend();
  } catch (error) {
    made = { error: error instanceof Error ? error.message : String(error) };
  }
  if ("error" in made) {
    webgpuProblem = made.error;
    return false;
  }
  webgpu = made;
  registerBackend(made);
  return true;
}

/** Whether the webgpu backend is there: its adapter, the limits it asked for, features and live GPU bytes. */
export function webgpuStatus(): {
  available: boolean;
  reason: string | null;
  adapter: string | null;
  featureLevel: string | null;
  limits: Record<string, number>;
  features: string[];
  /** Bytes of live GPU buffers (size classes, as allocated). */
  liveBytes: number;
} {
  const info = webgpu?.host.info;
  return {
    available: webgpu !== null,
    reason: webgpu ? null : webgpuProblem,
    adapter: info?.adapter ?? null,
    featureLevel: info?.featureLevel ?? null,
    limits: info?.limits ?? {},
    features: info?.features ?? [],
    liveBytes: webgpu?.liveBytes ?? 0,
  };
}
