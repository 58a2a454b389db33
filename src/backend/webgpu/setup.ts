// Making the webgpu backend: the page's navigator.gpu in a browser; in Node, Dawn (the optional `webgpu`
// package) in a worker thread, on the default backend first and on OpenGL ES in compatibility mode after.
/// <reference types="@webgpu/types" />
import { nodeProcess } from "../wasm/module.js";
import { DirectHost } from "./direct-host.js";
import { WebGpuBackend } from "./index.js";
import { NodeHost } from "./node-host.js";

/** Dawn's instance flags to try in order; CHAINRULE_WEBGPU_FLAGS (comma-separated) replaces the list. */
function dawnAttempts(): string[][] {
  const asked = nodeProcess()?.env.CHAINRULE_WEBGPU_FLAGS;
  if (asked !== undefined) return [asked.split(",").filter((f) => f.length > 0)];
  return [[], ["backend=opengles"]];
}

export async function createWebGpuBackend(): Promise<WebGpuBackend | { error: string }> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu) {
    const host = await DirectHost.start(gpu);
    return "error" in host ? host : new WebGpuBackend(host);
  }
  if (!nodeProcess()) return { error: "this runtime has no navigator.gpu" };
  const problems: string[] = [];
  for (const flags of dawnAttempts()) {
    const host = await NodeHost.start(flags);
    if (!("error" in host)) return new WebGpuBackend(host);
    problems.push(`[${flags.join(" ")}] ${host.error}`);
  }
  return { error: `Dawn found no usable adapter: ${problems.join("; ")}` };
}
