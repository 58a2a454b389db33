// Picks and compiles the kernel module: the relaxed-SIMD build where the runtime validates it, else plain SIMD.
// Both are embedded (kernel-bytes.ts), so every runtime and bundler finds them; Node compiles at start-up,
// browsers asynchronously (initWasm). The unshared variant for pages without isolation is derived here.
import { compileEagerly, type NodeV8 } from "./eager-compile.js";
import { RELAXED, SIMD } from "./kernel-bytes.js";
import { withSharedMemory } from "./memory-flag.js";

export interface KernelModule {
  readonly module: WebAssembly.Module;
  /** Whether it imports shared memory, so worker threads can run its kernels on the same buffers. */
  readonly shared: boolean;
}

/** Kernels to use instead of the embedded ones: a URL to fetch (a file URL or path in Node), or the bytes. */
export type KernelSource = string | URL | ArrayBuffer | Uint8Array<ArrayBuffer>;

interface NodeFs {
  readFileSync(path: URL | string): Uint8Array<ArrayBuffer>;
}
interface NodeZlib {
  gunzipSync(data: Uint8Array): Uint8Array<ArrayBuffer>;
}
interface NodeBuffer {
  Buffer: { from(text: string, encoding: "base64"): Uint8Array };
}
interface NodeProcess {
  getBuiltinModule?(id: string): unknown;
  env: Record<string, string | undefined>;
  execArgv?: readonly string[];
}

/** Node's process object when running in Node (never a static import, so browsers bundle this file as is). */
export function nodeProcess(): NodeProcess | null {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.getBuiltinModule ? p : null;
}

/** What to do when the embedded kernels are damaged, for both kinds of user. */
const REBUILD =
  "in a checkout of Chainrule run `npm run build:wasm` to regenerate src/backend/wasm/kernel-bytes.ts; " +
  "with the npm package, reinstall chainrule";
const NO_SIMD =
  "this runtime has no WebAssembly SIMD (it needs Chrome or Edge 91+, Firefox 89+, Safari 16.4+ or Node 20+)";

/** A module with one function returning a v128 constant: valid exactly where SIMD is. */
const SIMD_PROBE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  22,
  1,
  20,
  0,
  253,
  12,
  ...new Array<number>(16).fill(0),
  11,
]);

function base64(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (native) return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Node: an embedded build's wasm bytes. */
function unpackSync(node: NodeProcess, packed: string): Uint8Array<ArrayBuffer> {
  const { Buffer } = node.getBuiltinModule!("node:buffer") as NodeBuffer;
  return (node.getBuiltinModule!("node:zlib") as NodeZlib).gunzipSync(Buffer.from(packed, "base64"));
}

/** Any runtime with DecompressionStream (browsers since 2023, Node 18+): an embedded build's wasm bytes. */
async function unpack(packed: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([base64(packed)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Node 20's V8 has relaxed SIMD behind a flag (later versions ship it). Where the relaxed build does not
 * validate as is, the flag is turned on before compiling, unless CHAINRULE_RELAXED_SIMD=0 asks for plain SIMD.
 */
function enableRelaxedInNode(node: NodeProcess, relaxed: Uint8Array<ArrayBuffer>): void {
  if (WebAssembly.validate(relaxed)) return;
  (node.getBuiltinModule!("node:v8") as NodeV8).setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/** The bytes to compile, the memory made shared or not; or why there are none. */
function choose(
  relaxed: Uint8Array<ArrayBuffer> | null,
  simd: () => Uint8Array<ArrayBuffer>,
  shared: boolean,
): Uint8Array<ArrayBuffer> | { error: string } {
  if (typeof WebAssembly !== "object") return { error: "this runtime has no WebAssembly" };
  if (!WebAssembly.validate(SIMD_PROBE)) return { error: NO_SIMD };
  try {
    if (relaxed && WebAssembly.validate(relaxed)) return withSharedMemory(relaxed, shared);
    const plain = simd();
    if (!WebAssembly.validate(plain)) return { error: `the embedded kernels do not validate; ${REBUILD}` };
    return withSharedMemory(plain, shared);
  } catch (e) {
    return { error: `the embedded kernels could not be read (${(e as Error).message}); ${REBUILD}` };
  }
}

/** Where worker threads can share memory: Node, and pages that are cross-origin isolated. */
function canShare(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  return (
    nodeProcess() !== null || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
  );
}

/** Node: the compiled kernels, or why there are none. */
export function loadKernelsSync(): KernelModule | { error: string } {
  const node = nodeProcess();
  if (!node) return { error: "synchronous loading needs Node; in a browser call initWasm()" };
  const shared = canShare();
  let relaxed: Uint8Array<ArrayBuffer> | null = null;
  try {
    if (node.env.CHAINRULE_RELAXED_SIMD !== "0") {
      relaxed = unpackSync(node, RELAXED);
      enableRelaxedInNode(node, relaxed);
    }
    const chosen = choose(relaxed, () => unpackSync(node, SIMD), shared);
    if ("error" in chosen) return chosen;
    const v8 = node.getBuiltinModule!("node:v8") as NodeV8;
    const module = compileEagerly(chosen, v8, node.execArgv ?? [], node.env.NODE_OPTIONS ?? "");
    return { module, shared };
  } catch (e) {
    return { error: `the embedded kernels could not be loaded (${(e as Error).message}); ${REBUILD}` };
  }
}

/** Bytes from a KernelSource: fetched (read from disk for file URLs in Node), or as given. */
async function sourceBytes(source: KernelSource): Promise<Uint8Array<ArrayBuffer>> {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (source instanceof Uint8Array) return source;
  const node = nodeProcess();
  const url = new URL(source, (globalThis as { location?: { href: string } }).location?.href ?? "file:///");
  if (node && url.protocol === "file:")
    return (node.getBuiltinModule!("node:fs") as NodeFs).readFileSync(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.href} answered HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Compiles given kernels (any build, shared or not): the memory import is adapted to the runtime. */
async function loadGiven(source: KernelSource): Promise<KernelModule | { error: string }> {
  const shared = canShare();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = withSharedMemory(await sourceBytes(source), shared);
  } catch (e) {
    return {
      error: `the kernels passed to initWasm({ kernels }) could not be loaded: ${(e as Error).message}; pass the URL or bytes of a build from \`npm run build:wasm -- --wasm DIR\`, or leave \`kernels\` out to use the embedded ones`,
    };
  }
  if (!WebAssembly.validate(bytes)) {
    return {
      error: WebAssembly.validate(SIMD_PROBE)
        ? "the kernels passed to initWasm({ kernels }) do not validate here (a relaxed-SIMD build where relaxed SIMD is off?)"
        : NO_SIMD,
    };
  }
  return compile(bytes, shared);
}

async function compile(
  bytes: Uint8Array<ArrayBuffer>,
  shared: boolean,
): Promise<KernelModule | { error: string }> {
  try {
    // Asynchronously: a page's main thread may not compile a big module synchronously.
    return { module: await WebAssembly.compile(bytes), shared };
  } catch (e) {
    const why = (e as Error).message;
    const csp = /Content Security Policy|unsafe-eval/i.test(why)
      ? "; the page's Content-Security-Policy forbids WebAssembly: add 'wasm-unsafe-eval' to its script-src"
      : "";
    return { error: `WebAssembly.compile failed: ${why}${csp}` };
  }
}

/**
 * Any runtime: the embedded builds (or the given kernels), the best one the runtime validates, with shared
 * memory where the runtime has it (Node; pages that are cross-origin isolated).
 */
export async function loadKernels(source?: KernelSource): Promise<KernelModule | { error: string }> {
  if (source !== undefined) return loadGiven(source);
  if (nodeProcess()) return loadKernelsSync();
  if (typeof WebAssembly !== "object") return { error: "this runtime has no WebAssembly" };
  if (typeof DecompressionStream === "undefined") {
    return { error: "this browser has no DecompressionStream (Chrome 80+, Firefox 113+, Safari 16.4+)" };
  }
  const shared = canShare();
  let relaxed: Uint8Array<ArrayBuffer>;
  let simd: Uint8Array<ArrayBuffer> | null = null;
  try {
    relaxed = await unpack(RELAXED);
    if (!WebAssembly.validate(relaxed)) simd = await unpack(SIMD);
  } catch (e) {
    return { error: `the embedded kernels could not be unpacked (${(e as Error).message}); ${REBUILD}` };
  }
  const chosen = choose(relaxed, () => simd ?? relaxed, shared);
  if ("error" in chosen) return chosen;
  return compile(chosen, shared);
}
