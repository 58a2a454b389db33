// Compiles wasm/assembly/*.ts to src/backend/wasm/build/kernels-{simd,relaxed}.wasm with AssemblyScript (npm only).
// Run by `npm run build:wasm`, and by `prepare` so a fresh `npm ci` has the kernels.
import { mkdirSync, readdirSync, renameSync } from "node:fs";
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
  "--noAssert",
  "--runtime",
  "stub",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "32",
  "--maximumMemory",
  "65536",
];
for (const [name, features] of [
  ["simd", "simd,threads"],
  ["relaxed", "simd,threads,relaxed-simd"],
]) {
  const target = join(outDir, `kernels-${name}.wasm`);
  const temp = `${target}.tmp`;
  const { error, stderr } = await asc.main([...common, "--enable", features, "--outFile", temp]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`build-wasm: ${name}: ${error.message}`);
  }
  renameSync(temp, target);
}
console.log(`build-wasm: wrote ${outDir}/kernels-{simd,relaxed}.wasm`);
