// Making the wasm backend: synchronously in Node at start-up, asynchronously in browsers (initWasm),
// with the thread count from CHAINRULE_THREADS or the machine's cores.
import { WasmBackend } from "./index.js";
import { type KernelModule, loadKernels, loadKernelsSync, nodeProcess } from "./module.js";

interface NodeOs {
  availableParallelism(): number;
}

/** Threads to start with: CHAINRULE_THREADS, else the cores this process may use (at most 8). */
export function defaultThreads(): number {
  const node = nodeProcess();
  const asked = Number(node?.env.CHAINRULE_THREADS ?? "");
  if (Number.isInteger(asked) && asked >= 1) return asked;
  const cores = node
    ? (node.getBuiltinModule!("node:os") as NodeOs).availableParallelism()
    : ((globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(8, cores));
}

function make(loaded: KernelModule | { error: string }): WasmBackend | { error: string } {
  if ("error" in loaded) return loaded;
  return new WasmBackend(loaded, defaultThreads());
}

/** Node: the wasm backend, or why it cannot be made here. */
export function createWasmBackendSync(): WasmBackend | { error: string } {
  return make(loadKernelsSync());
}

/** Any runtime: the wasm backend, or why it cannot be made here. */
export async function createWasmBackend(): Promise<WasmBackend | { error: string }> {
  return make(await loadKernels());
}
