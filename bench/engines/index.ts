// Makes an engine by name, importing its library only then (so a child loads one library, and a short run's
// set-up time covers that import). Chainrule's backend and threads come from the environment (engineEnv).
import type { Engine, EngineName } from "../common.js";

/** waitForThreads (Chainrule, wasm): wait until the worker threads run before returning; short runs do not. */
export async function makeEngine(
  name: EngineName,
  options: { waitForThreads?: boolean } = {},
): Promise<Engine> {
  switch (name) {
    case "chainrule-js":
    case "chainrule-wasm-1t":
    case "chainrule-wasm-2t":
    case "chainrule-capture-2t":
    case "chainrule-webgpu":
      return (await import("./chainrule.js")).create(options);
    case "tfjs-cpu":
      return (await import("./tfjs.js")).create("cpu");
    case "tfjs-wasm":
      return (await import("./tfjs.js")).create("wasm");
    case "jax-js":
      return (await import("./jax.js")).create("wasm");
    case "tfjs-webgpu":
      return (await import("./tfjs.js")).create("webgpu");
    case "jax-js-webgpu":
      return (await import("./jax.js")).create("webgpu");
  }
}
