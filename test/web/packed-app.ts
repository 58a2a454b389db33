// A user's web app made from the packed package: `npm run build` and `npm pack` in a staging copy, installed
// into a temporary project (offline, from npm's cache, by a lockfile taken from this checkout's), then bundled
// with a bundler's command line and no configuration.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const root = new URL("../..", import.meta.url).pathname;

function run(command: string, args: string[], cwd: string): string {
  const done = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (done.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${done.stdout}\n${done.stderr}`);
  }
  return done.stdout;
}

/** `npm run build` and `npm pack` on a copy of the package's files in work/stage; the tarball's path. */
export function packChainrule(work: string): string {
  const stage = join(work, "stage");
  mkdirSync(stage, { recursive: true });
  for (const f of ["package.json", "README.md", "bin", "data", "src"])
    cpSync(join(root, f), join(stage, f), { recursive: true });
  run(
    process.execPath,
    [
      join(root, "node_modules/typescript/bin/tsc"),
      "-p",
      join(root, "tsconfig.build.json"),
      "--outDir",
      join(stage, "dist"),
    ],
    root,
  );
  const name = run("npm", ["pack", "--silent", "--pack-destination", work], stage).trim().split("\n").pop()!;
  return join(work, name);
}

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
}

/**
 * work/app: a project with the tarball installed by `npm ci`. Its lockfile pins chainrule's dependencies as
 * this checkout's lockfile does, so npm takes them from its cache (filled by this checkout's `npm ci`); only
 * where the cache lacks one does it ask the registry.
 */
export function installApp(work: string, tarball: string): string {
  const app = join(work, "app");
  cpSync(join(root, "test/web/app"), app, { recursive: true });
  const ours = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages as Record<
    string,
    LockEntry
  >;
  const packed = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    version: string;
    dependencies: Record<string, string>;
  };
  const dependencies = { chainrule: `file:${tarball}` };
  const packages: Record<string, object> = {
    "": { name: "app", dependencies },
    "node_modules/chainrule": {
      version: packed.version,
      resolved: `file:${tarball}`,
      dependencies: packed.dependencies,
    },
  };
  const todo = Object.keys(packed.dependencies);
  while (todo.length > 0) {
    const key = `node_modules/${todo.pop()}`;
    if (packages[key]) continue;
    if (!ours[key]) throw new Error(`package-lock.json has no ${key}`);
    const { dev: _, ...entry } = ours[key];
    packages[key] = entry;
    todo.push(...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }));
  }
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module", dependencies }),
  );
  writeFileSync(
    join(app, "package-lock.json"),
    JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages }),
  );
  const flags = ["ci", "--no-audit", "--no-fund", "--ignore-scripts"];
  const offline = spawnSync("npm", [...flags, "--offline"], { cwd: app, encoding: "utf8" });
  if (offline.status !== 0) {
    console.log(`# npm ci --offline failed (${offline.stderr.split("\n")[0]}); trying with the registry`);
    run("npm", [...flags, "--prefer-offline"], app);
  }
  return app;
}

export type Bundler = "esbuild" | "vite";

/** Bundles the app with the bundler's command line as a user would type it; the output folder. */
export function bundleApp(app: string, bundler: Bundler): string {
  const out = join(app, `out-${bundler}`);
  if (bundler === "esbuild") {
    const esbuild = join(root, "node_modules/esbuild/bin/esbuild");
    run(
      esbuild,
      ["main.js", "--bundle", "--format=esm", "--platform=browser", `--outdir=${out}`, "--log-level=error"],
      app,
    );
    cpSync(join(app, "index.html"), join(out, "index.html"));
  } else {
    run(
      process.execPath,
      [join(root, "node_modules/vite/bin/vite.js"), "build", "--outDir", out, "--logLevel", "error"],
      app,
    );
  }
  return out;
}

/** Bytes of the files under dir with the given extension. */
export function bytesOf(dir: string, extension: string): number {
  let total = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (f.endsWith(extension)) total += statSync(join(dir, f)).size;
  }
  return total;
}
