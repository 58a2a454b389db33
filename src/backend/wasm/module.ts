// Finds and compiles the kernel module: the relaxed-SIMD build where the runtime validates it, else plain SIMD.
// Node reads the file synchronously at start-up; browsers fetch and compile it asynchronously (initWasm).

export interface KernelModule {
  readonly module: WebAssembly.Module;
  /** Whether this is the relaxed-SIMD build (fused multiply-add in the matmul and elementwise kernels). */
  readonly relaxed: boolean;
  /** Whether it imports shared memory, so worker threads can run its kernels on the same buffers. */
  readonly shared: boolean;
}

type Variant = "relaxed" | "simd";

function location(variant: Variant, shared: boolean): URL {
  return new URL(`./build/kernels-${variant}${shared ? "" : "-st"}.wasm`, import.meta.url);
}

interface NodeFs {
  readFileSync(path: URL): Uint8Array<ArrayBuffer>;
  existsSync(path: URL): boolean;
}
interface NodeV8 {
  setFlagsFromString(flags: string): void;
}
interface NodeProcess {
  getBuiltinModule?(id: string): unknown;
  env: Record<string, string | undefined>;
}

/** Node's process object when running in Node (never a static import, so browsers bundle this file as is). */
export function nodeProcess(): NodeProcess | null {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.getBuiltinModule ? p : null;
}

/**
 * Node 20's V8 has relaxed SIMD behind a flag (later versions ship it). Where the relaxed build does not
 * validate as is, the flag is turned on before compiling, unless CHAINRULE_RELAXED_SIMD=0 asks for plain SIMD.
 */
function enableRelaxedInNode(node: NodeProcess, relaxed: Uint8Array<ArrayBuffer> | null): void {
  if (node.env.CHAINRULE_RELAXED_SIMD === "0" || !relaxed || WebAssembly.validate(relaxed)) return;
  (node.getBuiltinModule!("node:v8") as NodeV8).setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/** The best build the runtime validates: its bytes and what it is, or why there is none. */
function pick(
  read: (variant: Variant) => Uint8Array<ArrayBuffer> | null,
  shared: boolean,
): { bytes: Uint8Array<ArrayBuffer>; relaxed: boolean; shared: boolean } | { error: string } {
  const relaxed = read("relaxed");
  if (relaxed && WebAssembly.validate(relaxed)) return { bytes: relaxed, relaxed: true, shared };
  const simd = read("simd");
  if (!simd) return { error: `${location("simd", shared).pathname} is missing; run \`npm run build:wasm\`` };
  if (!WebAssembly.validate(simd)) return { error: "this runtime has no WebAssembly SIMD" };
  return { bytes: simd, relaxed: false, shared };
}

/** Node: the compiled kernels, or why there are none. */
export function loadKernelsSync(): KernelModule | { error: string } {
  const node = nodeProcess();
  if (!node) return { error: "synchronous loading needs Node; in a browser call initWasm()" };
  if (typeof SharedArrayBuffer === "undefined") return { error: "SharedArrayBuffer is not available" };
  const fs = node.getBuiltinModule!("node:fs") as NodeFs;
  const read = (variant: Variant) => {
    if (variant === "relaxed" && node.env.CHAINRULE_RELAXED_SIMD === "0") return null;
    const url = location(variant, true);
    return fs.existsSync(url) ? fs.readFileSync(url) : null;
  };
  enableRelaxedInNode(node, read("relaxed"));
  const chosen = pick(read, true);
  if ("error" in chosen) return chosen;
  return { module: new WebAssembly.Module(chosen.bytes), relaxed: chosen.relaxed, shared: true };
}

/**
 * Browsers (and Node): fetches the builds and keeps the best one the runtime validates; the shared-memory
 * build only where the page is cross-origin isolated (elsewhere there is no SharedArrayBuffer).
 */
export async function loadKernels(): Promise<KernelModule | { error: string }> {
  if (nodeProcess()) return loadKernelsSync();
  const shared = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const bytes = new Map<Variant, Uint8Array<ArrayBuffer> | null>();
  for (const variant of ["relaxed", "simd"] as const) {
    const response = await fetch(location(variant, shared)).catch(() => null);
    bytes.set(variant, response?.ok ? new Uint8Array(await response.arrayBuffer()) : null);
  }
  const chosen = pick((variant) => bytes.get(variant) ?? null, shared);
  if ("error" in chosen) return chosen;
  // Compiled asynchronously: a page's main thread may not compile a big module synchronously.
  return { module: await WebAssembly.compile(chosen.bytes), relaxed: chosen.relaxed, shared };
}
