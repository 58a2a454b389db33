// The playground page's files: bundled from src/web/playground with esbuild at start where esbuild is installed
// (a checkout: npm ci installs it, nothing is built at install), else the prebuilt copy `npm run build:web` puts
// in dist/playground (the published package ships it). Everything is local: no CDN.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { failInput } from "../errors.js";

export interface Asset {
  body: Uint8Array;
  type: string;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".gz": "application/octet-stream",
  ".png": "image/png",
};

/** The package's root folder (two levels above this file, in src/ as in dist/). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGE_DIR = join(ROOT, "src/web/playground");
export const PREBUILT_DIR = join(ROOT, "dist/playground");
const DATA_FILE = "mnist-10k.u8.gz";

const asset = (name: string, body: Uint8Array): [string, Asset] => [
  `/${name}`,
  { body, type: TYPES[extname(name)] ?? "application/octet-stream" },
];

type Esbuild = typeof import("esbuild");

/** esbuild, or null where it is not installed (an installed package: it is a dev dependency). */
async function loadEsbuild(): Promise<Esbuild | null> {
  try {
    return await import("esbuild");
  } catch {
    return null;
  }
}

/** Bundles the page's script with esbuild. */
async function bundle(esbuild: Esbuild): Promise<Map<string, Asset>> {
  const result = await esbuild.build({
    entryPoints: [join(PAGE_DIR, "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    outfile: "playground.js",
    logLevel: "error",
  });
  const files = new Map<string, Asset>();
  for (const f of result.outputFiles) files.set(...asset(f.path.split(/[\\/]/).pop()!, f.contents));
  files.set(...asset("index.html", readFileSync(join(PAGE_DIR, "index.html"))));
  files.set(...asset(DATA_FILE, readFileSync(join(ROOT, "data", DATA_FILE))));
  return files;
}

function prebuilt(dir: string): Map<string, Asset> | null {
  if (!existsSync(join(dir, "index.html"))) return null;
  return new Map(readdirSync(dir).map((name) => asset(name, readFileSync(join(dir, name)))));
}

export interface AssetOptions {
  /** How esbuild is found (tests pass one that finds none). */
  esbuild?: () => Promise<Esbuild | null>;
  /** Where the prebuilt page is looked for (default dist/playground in the package). */
  prebuiltDir?: string;
}

/** The page's files by URL path ("/index.html"): bundled now if esbuild is here, else the prebuilt copy. */
export async function playgroundAssets(
  options: AssetOptions = {},
): Promise<{ files: Map<string, Asset>; source: string }> {
  const dir = options.prebuiltDir ?? PREBUILT_DIR;
  const esbuild = existsSync(join(PAGE_DIR, "main.ts")) ? await (options.esbuild ?? loadEsbuild)() : null;
  if (esbuild)
    return { files: await bundle(esbuild), source: "bundled from src/web/playground with esbuild" };
  const built = prebuilt(dir);
  if (built) return { files: built, source: `prebuilt in ${dir}` };
  return failInput(
    "playground",
    `no page to serve: esbuild is not installed and ${dir} is missing; run npm run build:web`,
  );
}
