// Making the wasm backend: synchronously in Node at start-up, asynchronously in browsers (initWasm),
// with the thread count from CHAINRULE_THREADS or the machine's cores.
import { WasmBackend } from "./index.js";
import { type KernelModule, type KernelSource, loadKernels, loadKernelsSync, nodeProcess } from "./module.js";

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
  try {
    return new WasmBackend(loaded, defaultThreads());
  } catch (e) {
    // Typically the memory: a shared one reserves its 4 GiB maximum of address space up front.
    return { error: `the kernels compiled but could not start: ${(e as Error).message}` };
  }
}

/** Node: the wasm backend, or why it cannot be made here. */
export function createWasmBackendSync(): WasmBackend | { error: string } {
  return make(loadKernelsSync());
}

/** Any runtime: the wasm backend (on the given kernels, else the embedded ones), or why it cannot be made here. */
export async function createWasmBackend(kernels?: KernelSource): Promise<WasmBackend | { error: string }> {
  return make(await loadKernels(kernels));
}
