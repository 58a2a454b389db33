// navigator.gpu for the GPU peers in Node: Dawn (the optional `webgpu` package) on the bench child's main
// thread, the way a user of @tensorflow/tfjs-backend-webgpu or jax-js's webgpu device in Node would provide it.
// Dawn's default backend first; where that has no adapter (Mesa's lavapipe), OpenGL ES in compatibility mode,
// as Chainrule's own backend does (src/backend/webgpu/setup.ts).
import { create, globals } from "webgpu";

/** Dawn instances made, kept reachable for the process's life (Dawn crashes if one is collected in use). */
const instances: GPU[] = [];

/** Limits compatibility mode starts low on (128 invocations, 4 storage buffers…): raised to the adapter's. */
const RAISED_LIMITS = [
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeWorkgroupStorageSize",
  "maxStorageBuffersPerShaderStage",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
] as const;

/** Dawn's instance flags to try, in order; CHAINRULE_WEBGPU_FLAGS (comma-separated) replaces the list. */
function attempts(): string[][] {
  const asked = process.env.CHAINRULE_WEBGPU_FLAGS;
  if (asked !== undefined) return [asked.split(",").filter((f) => f.length > 0)];
  return [[], ["backend=opengles"]];
}

function describe(adapter: GPUAdapter, flags: string[], featureLevel: string): string {
  const a = adapter.info;
  const name = [a.vendor, a.architecture, a.device, a.description].filter((s) => s).join(" / ") || "unnamed";
  return `${name} (Dawn${flags.length ? ` ${flags.join(" ")}` : ""}, ${featureLevel})`;
}

/**
 * In compatibility mode only: every adapter request asks for that feature level, and every device for the
 * adapter's limits above (unless the library asks for a value itself), so the peers' kernels fit.
 */
function compatibilityShim(gpu: GPU): void {
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (options?: GPURequestAdapterOptions) => {
    const adapter = await requestAdapter({ ...options, featureLevel: "compatibility" });
    if (!adapter) return adapter;
    const requestDevice = adapter.requestDevice.bind(adapter);
    adapter.requestDevice = (descriptor?: GPUDeviceDescriptor) => {
      const limits: Record<string, number> = {};
      for (const name of RAISED_LIMITS) limits[name] = adapter.limits[name];
      return requestDevice({
        ...descriptor,
        requiredLimits: { ...limits, ...descriptor?.requiredLimits },
      });
    };
    return adapter;
  };
}

/**
 * Installs the first Dawn instance that gives an adapter as navigator.gpu (and Dawn's classes as globals);
 * returns that adapter's description, for the bench's rows. Throws, with every attempt, where none does.
 */
export async function provideNavigatorGpu(): Promise<string> {
  Object.assign(globalThis, globals);
  // Mesa's EGL needs the surfaceless platform where there is no display.
  process.env.EGL_PLATFORM ??= "surfaceless";
  const tried: string[] = [];
  for (const flags of attempts()) {
    const gpu = create(flags);
    instances.push(gpu);
    for (const featureLevel of ["core", "compatibility"] as const) {
      const adapter = await gpu.requestAdapter({ featureLevel });
      tried.push(`[${flags.join(" ")}] ${featureLevel}`);
      if (!adapter) continue;
      if (featureLevel === "compatibility") compatibilityShim(gpu);
      const nav = (globalThis as { navigator?: object }).navigator;
      if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
      else {
        // Node 20 has no navigator; Node 21+ has one whose userAgent jax-js reads: the same, with gpu.
        const userAgent = `Node.js/${process.versions.node.split(".")[0]}`;
        Object.defineProperty(globalThis, "navigator", { value: { gpu, userAgent }, configurable: true });
      }
      return describe(adapter, flags, featureLevel);
    }
  }
  throw new Error(`Dawn found no WebGPU adapter (tried ${tried.join("; ")})`);
}
