// Node: compiles the kernel module eagerly. V8 otherwise compiles each wasm function at its first call and
// optimizes it only once it has run a while, both inside a user's first training steps; here every function is
// compiled before the module is returned, and optimized in the background at once.

/** What the loader uses of node:v8. */
export interface NodeV8 {
  setFlagsFromString(flags: string): void;
}

/** V8's flags for lazy compilation and for optimizing only what runs hot, as their defaults spell them. */
const FLAGS = ["wasm-lazy-compilation", "wasm-dynamic-tiering"] as const;

/** Whether the process was started with a V8 flag (on the command line or in NODE_OPTIONS), either way. */
export function givenByUser(flag: string, execArgv: readonly string[], nodeOptions: string): boolean {
  const forms = [
    `--${flag}`,
    `--no-${flag}`,
    `--${flag.replaceAll("-", "_")}`,
    `--no_${flag.replaceAll("-", "_")}`,
  ];
  const words = [...execArgv, ...nodeOptions.split(/\s+/)];
  return words.some((w) => forms.some((f) => w === f || w.startsWith(`${f}=`)));
}

/**
 * Compiles `bytes` with both flags off, then turns them back on, so that other modules compile as V8 would
 * have compiled them. A flag the user set is left alone.
 */
export function compileEagerly(
  bytes: Uint8Array<ArrayBuffer>,
  v8: NodeV8,
  execArgv: readonly string[],
  nodeOptions: string,
): WebAssembly.Module {
  const ours = FLAGS.filter((flag) => !givenByUser(flag, execArgv, nodeOptions));
  for (const flag of ours) v8.setFlagsFromString(`--no-${flag}`);
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    for (const flag of ours) v8.setFlagsFromString(`--${flag}`);
  }
}
