// Bundles the browser entry (src/web/index.ts) into one ES module, as a user's bundler would with no
// configuration: `node scripts/build-web.mjs [outDir]` (default dist/web). The kernels are inside it.
// Graphviz (loaded only by graph.toSvg) stays external to keep the bundle small.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(fileURLToPath(import.meta.url), "../..");

/** Writes outDir/chainrule.js. */
export async function buildWeb(outDir) {
  await build({
    entryPoints: [join(root, "src/web/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(outDir, "chainrule.js"),
    external: ["@hpcc-js/wasm-graphviz"],
    logLevel: "error",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(root, "dist/web");
  await buildWeb(out);
  console.log(`build-web: wrote ${out}/chainrule.js`);
}
