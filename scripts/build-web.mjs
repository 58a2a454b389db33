// Bundles the browser entry (src/web/index.ts) into one ES module with the wasm kernels beside it:
// `node scripts/build-web.mjs [outDir]` (default dist/web). PNG rendering and Graphviz stay external.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Writes outDir/chainrule.js and outDir/build/kernels-*.wasm (where the bundle looks for them). */
export async function buildWeb(outDir) {
  await build({
    entryPoints: [join(root, "src/web/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(outDir, "chainrule.js"),
    external: ["@resvg/resvg-js", "@hpcc-js/wasm-graphviz"],
    logLevel: "error",
  });
  const kernels = join(root, "src/backend/wasm/build");
  mkdirSync(join(outDir, "build"), { recursive: true });
  for (const f of readdirSync(kernels).filter((name) => name.endsWith(".wasm"))) {
    copyFileSync(join(kernels, f), join(outDir, "build", f));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(root, "dist/web");
  await buildWeb(out);
  console.log(`build-web: wrote ${out}/chainrule.js and ${out}/build/`);
}
