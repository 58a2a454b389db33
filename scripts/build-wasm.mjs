// Compiles wasm/assembly/*.ts to src/backend/wasm/build/kernels-{simd,relaxed}{,-st}.wasm with AssemblyScript (npm only).
// Run by `npm run build:wasm`, and by `prepare` so a fresh `npm ci` has the kernels.
import { copyFileSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "src/backend/wasm/build");
mkdirSync(outDir, { recursive: true });

// Every file in wasm/assembly is an entry: each one's exports become the module's exports.
const sources = readdirSync(join(root, "wasm/assembly"))
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) => join(root, "wasm/assembly", f));
const common = [
  ...sources,
  "-O3",
  "--debug",
  "--noAssert",
  "--runtime",
  "stub",
  "--importMemory",
  "--initialMemory",
  "32",
  "--maximumMemory",
  "65536",
];
// The plain builds import shared memory (for worker threads); -st builds serve pages that are not
// cross-origin isolated, where there is no shared memory.
for (const [name, features, shared] of [
  ["simd", "simd,threads", true],
  ["relaxed", "simd,threads,relaxed-simd", true],
  ["simd-st", "simd", false],
  ["relaxed-st", "simd,relaxed-simd", false],
]) {
  const target = join(outDir, `kernels-${name}.wasm`);
  const temp = `${target}.tmp`;
  const { error, stderr } = await asc.main([
    ...common,
    ...(shared ? ["--sharedMemory"] : []),
    "--enable",
    features,
    "--outFile",
    temp,
  ]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`build-wasm: ${name}: ${error.message}`);
  }
  renameSync(temp, target);
}
console.log(`build-wasm: wrote ${outDir}/kernels-{simd,relaxed}{,-st}.wasm`);

// `--dist`: also place the kernels next to the compiled backend in dist/, where the published package loads them.
if (process.argv.includes("--dist")) {
  const distDir = join(root, "dist/backend/wasm/build");
  mkdirSync(distDir, { recursive: true });
  for (const f of readdirSync(outDir).filter((name) => name.endsWith(".wasm"))) {
    copyFileSync(join(outDir, f), join(distDir, f));
  }
  console.log(`build-wasm: copied the kernels to ${distDir}`);
}
