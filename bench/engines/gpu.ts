// navigator.gpu for the GPU peers in Node: Dawn (the optional `webgpu` package) on its default backend, the
// way a user of @tensorflow/tfjs-backend-webgpu or jax-js's webgpu device in Node would provide it.
import { create, globals } from "webgpu";

/** Installs Dawn's WebGPU as navigator.gpu (and its classes as globals); CHAINRULE_WEBGPU_FLAGS as for Chainrule. */
export function provideNavigatorGpu(): void {
  Object.assign(globalThis, globals);
  const flags = (process.env.CHAINRULE_WEBGPU_FLAGS ?? "").split(",").filter((f) => f.length > 0);
  const gpu = create(flags);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  // Kept reachable for the process's life: Dawn crashes if its instance is collected while a device lives.
  (globalThis as { __dawnInstance?: unknown }).__dawnInstance = gpu;
}
