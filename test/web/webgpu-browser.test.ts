// The webgpu backend in Debian's Chromium on SwiftShader (--enable-unsafe-webgpu --enable-unsafe-swiftshader,
// via playwright-core): the op-table agreement page, bundled with the browser entry, every float32 case
// against js with asynchronous reads.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { build } from "esbuild";
import { CHROMIUM, chromiumMissing } from "../chromium.js";
import type { PageOutcome } from "./webgpu-page.js";

const root = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "chainrule-webgpu-page-"));
after(() => rmSync(work, { recursive: true, force: true }));

async function bundlePage(): Promise<string> {
  const entry = join(work, "entry.ts");
  writeFileSync(
    entry,
    `import { runTable } from ${JSON.stringify(join(root, "test/web/webgpu-page.ts"))};\n(window as unknown as { result: unknown }).result = runTable().catch((e) => ({ error: String(e) }));\n`,
  );
  const out = join(work, "page.js");
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    outfile: out,
    logLevel: "error",
    // The page gets the browser entry where the test files import the package root.
    plugins: [
      {
        name: "browser-entry",
        setup(b) {
          b.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: join(root, "src/web/index.ts") }));
        },
      },
    ],
  });
  return out;
}

test("the op table agrees with js on webgpu in chromium (SwiftShader)", {
  skip: chromiumMissing,
  timeout: 600_000,
}, async () => {
  const script = await bundlePage();
  const server = createServer((req, res) => {
    if (req.url === "/page.js")
      res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(script));
    else
      res
        .writeHead(200, { "content-type": "text/html" })
        .end('<!doctype html><script type="module" src="/page.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(work, "profile-")), {
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--enable-unsafe-webgpu",
      "--enable-unsafe-swiftshader",
    ],
  });
  try {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await tab.waitForFunction("window.result !== undefined", undefined, { timeout: 60_000 });
    const outcome = (await tab.evaluate("window.result")) as PageOutcome & { error?: string };
    assert.equal(outcome.error, undefined, outcome.error);
    assert.ok(outcome.adapter, `no WebGPU adapter in chromium: ${outcome.reason}`);
    console.log(
      `# chromium webgpu adapter: ${outcome.adapter}; ${outcome.compared} cases agree, ${outcome.needsSyncRead.length} need a synchronous read`,
    );
    assert.deepEqual(outcome.failures, []);
    // Index and label checks need no synchronous read: host copies, or a check on the GPU.
    assert.deepEqual(outcome.needsSyncRead, []);
    assert.ok(outcome.compared >= 175, `only ${outcome.compared} cases compared`);
    const gather = "ChainruleError: gather: index value 5 is out of range for axis 0 of [3] (size 3)";
    assert.equal(outcome.badIndex.hostWritten, gather);
    assert.equal(
      outcome.badIndex.computed,
      `${gather} (found by a check on the GPU, reported at the next read of any tensor)`,
    );
    assert.deepEqual(outcome.badIndex.readAfter, [30, 10]);
  } finally {
    await browser.close();
    server.close();
  }
});
