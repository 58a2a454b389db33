// The flags every compute-heavy command takes: which backend runs it and on how many threads.
import {
  getBackend,
  initWebGPU,
  setBackend,
  setThreads,
  wasmStatus,
  webgpuStatus,
} from "../backend/registry.js";
import { UsageError } from "./args.js";

/** Applies --backend and --threads; returns a short description of what runs the work, for the log. */
export async function applyRuntimeFlags(
  values: Record<string, string | boolean | undefined>,
): Promise<string> {
  const backend = values.backend;
  if (typeof backend === "string") {
    if (backend !== "wasm" && backend !== "js" && backend !== "webgpu")
      throw new UsageError(`--backend must be wasm, js or webgpu, got "${backend}"`);
    if (backend === "wasm" && !wasmStatus().available) {
      throw new UsageError(`--backend wasm: ${wasmStatus().reason}`);
    }
    if (backend === "webgpu" && !(await initWebGPU())) {
      throw new UsageError(`--backend webgpu: ${webgpuStatus().reason}`);
    }
    setBackend(backend);
  }
  const threads = values.threads;
  if (threads !== undefined) {
    const n = Number(threads);
    if (typeof threads !== "string" || !/^\d+$/.test(threads) || n < 1 || n > 64) {
      throw new UsageError(`--threads must be an integer from 1 to 64, got "${threads}"`);
    }
    if (wasmStatus().available) setThreads(n);
  }
  if (getBackend().name === "webgpu") return `backend webgpu (${webgpuStatus().adapter})`;
  const status = wasmStatus();
  if (getBackend().name !== "wasm") return `backend ${getBackend().name}`;
  return `backend wasm (${status.relaxedSimd ? "relaxed SIMD" : "SIMD"}, ${status.threads} thread${status.threads === 1 ? "" : "s"})`;
}
