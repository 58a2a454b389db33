// Imports point down only (docs/architecture.md): every import between src/ files must go to the
// same layer or a lower one. Type-only imports are ignored: they vanish from the compiled code.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

/** Layers from the bottom up; a key is a top-level file or folder of src/. Same-layer imports are allowed. */
const LAYERS: readonly (readonly string[])[] = [
  ["dtype.ts", "shape.ts", "errors.ts"],
  ["backend"],
  ["memory"],
  ["tensor"],
  ["ops"],
  ["autograd", "capture"],
  ["nn", "optim", "graph", "plot", "data", "io"],
  ["train"],
  ["parallel"],
  ["cli", "web", "core.ts", "index.ts", "deprecated.ts"],
];

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

function layerOf(file: string): number {
  const key = file.split("/")[0];
  const layer = LAYERS.findIndex((names) => names.includes(key));
  if (layer < 0) {
    assert.fail(`src/${file}: "${key}" is in no layer; add it to LAYERS in test/layering.test.ts`);
  }
  return layer;
}

/** Every .ts file under dir, as a path relative to src/ with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path).split("\\").join("/")] : [];
  });
}

/** The specifiers a file imports or re-exports at run time: not `import type`, not `{ type A, type B }`. */
export function runtimeImports(source: string): string[] {
  const found: string[] = [];
  // `import x from "m"`, `import { a, type B } from "m"`, `export * from "m"`, over several lines.
  const statement = /^[ \t]*(?:import|export)\s+([\w\s{},*$]*?)\s*from\s*["']([^"']+)["']/gm;
  for (const [, clause, specifier] of source.matchAll(statement)) {
    const typeOnly =
      /^type\s/.test(clause) ||
      (/^\{[^}]*\}$/.test(clause.trim()) &&
        clause
          .trim()
          .slice(1, -1)
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
          .every((s) => s.startsWith("type ")));
    if (!typeOnly) found.push(specifier);
  }
  for (const [, specifier] of source.matchAll(/^[ \t]*import\s*["']([^"']+)["']/gm)) found.push(specifier);
  for (const [, specifier] of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(specifier);
  return found;
}

/** Imports that point up: `src/a.ts imports "./b.js" (src/b.ts): layer 3 (tensor) may not import layer 4 (ops)`. */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    const from = layerOf(file);
    for (const specifier of runtimeImports(source)) {
      if (!specifier.startsWith(".")) continue;
      const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
      if (target.startsWith("..")) {
        out.push(`src/${file} imports "${specifier}", which is outside src/`);
        continue;
      }
      const to = layerOf(target);
      if (to > from) {
        out.push(
          `src/${file} imports "${specifier}" (src/${target}): layer ${from} (${LAYERS[from].join(", ")}) ` +
            `may not import layer ${to} (${LAYERS[to].join(", ")})`,
        );
      }
    }
  }
  return out;
}

describe("layering", () => {
  const files = new Map(sourceFiles().map((f) => [f, readFileSync(join(SRC, f), "utf8")]));

  test("every src/ file belongs to a layer", () => {
    assert.ok(files.size > 20, `found only ${files.size} files under src/`);
    for (const file of files.keys()) layerOf(file);
  });

  test("src/ imports point down only", () => {
    const found = violations(files);
    assert.deepEqual(found, [], `imports that point up:\n  ${found.join("\n  ")}`);
  });

  test("the scanner sees the imports it has to see", () => {
    assert.ok(runtimeImports(files.get("ops/apply.ts")!).includes("../tensor/node.js"));
    assert.ok(
      runtimeImports(files.get("autograd/sweep.ts")!).includes("../ops/binary.js"),
      "the sweep's ops",
    );
    assert.ok(runtimeImports(files.get("core.ts")!).includes("./tensor/scope.js"), "re-export");
    const sample = [
      'import type { A } from "./type-only.js";',
      'import { type B, type C } from "./all-types.js";',
      'import { type D, e } from "./mixed.js";',
      "import {",
      "  f,",
      "  g,",
      '} from "./multi-line.js";',
      'export * from "./star.js";',
      'export type { H } from "./type-export.js";',
      'import "./side-effect.js";',
      'const lazy = () => import("./dynamic.js");',
      '// import { x } from "./commented.js";',
    ].join("\n");
    assert.deepEqual(runtimeImports(sample).sort(), [
      "./dynamic.js",
      "./mixed.js",
      "./multi-line.js",
      "./side-effect.js",
      "./star.js",
    ]);
  });

  test("no src/ file imports a module only for its side effects", () => {
    const bare = [...files].filter(([, source]) => /^[ \t]*import\s*["']/m.test(source)).map(([f]) => f);
    assert.deepEqual(bare, [], "an import with no bindings only runs the module; import what it provides");
  });

  test("an upward import is reported with the file, the import and both layers", () => {
    const bad = new Map([
      [
        "tensor/tensor.ts",
        'import { add } from "../ops/binary.js";\nimport type { Node } from "../autograd/sweep.js";',
      ],
      ["backend/js/index.ts", 'import { Tensor } from "../../tensor/tensor.js";'],
      ["ops/binary.ts", 'import { tensor } from "../tensor/create.js";'],
      ["ops/unary.ts", 'import { sweep } from "../autograd/sweep.js";'],
    ]);
    assert.deepEqual(violations(bad), [
      'src/tensor/tensor.ts imports "../ops/binary.js" (src/ops/binary.ts): layer 3 (tensor) may not import layer 4 (ops)',
      'src/backend/js/index.ts imports "../../tensor/tensor.js" (src/tensor/tensor.ts): layer 1 (backend) may not import layer 3 (tensor)',
      'src/ops/unary.ts imports "../autograd/sweep.js" (src/autograd/sweep.ts): layer 4 (ops) may not import layer 5 (autograd, capture)',
    ]);
  });
});
