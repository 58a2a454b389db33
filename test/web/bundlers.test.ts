// chainrule/web in a user's own app, zero configuration: the packed package installed into a temporary
// project, bundled by esbuild and by Vite, served from 127.0.0.1 and run in Debian's Chromium. On an isolated
// page: wasm, 2 threads, the loss of 20 SGD steps falls, no request fails; on a plain page: wasm, 1 thread.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type * as cr from "../../src/index.js";
import { chromiumMissing, launchChromium } from "../chromium.js";
import { type Bundler, bundleApp, bytesOf, installApp, packChainrule } from "./packed-app.js";
import { serve } from "./serve.js";

interface PageResult {
  ok: boolean;
  backend: string;
  isolated: boolean;
  losses: number[];
  examplesPerSecond: number;
  initMilliseconds: number;
  warnings: string[];
  /** What the page's wasmStatus() returned (the type only: the page runs the packed package, not src/). */
  status: ReturnType<typeof cr.wasmStatus>;
  error?: string;
}

const work = mkdtempSync(join(tmpdir(), "chainrule-bundlers-"));
let app = "";

async function openPage(
  dir: string,
  isolated: boolean,
  query = "",
): Promise<PageResult & { failed: string[] }> {
  const server = await serve(dir, isolated);
  const browser = await launchChromium(work);
  try {
    const tab = await browser.newPage();
    const failed: string[] = [];
    tab.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    tab.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.url()}: HTTP ${r.status()}`);
    });
    tab.on("pageerror", (e) => failed.push(`page error: ${e}`));
    await tab.goto(`${server.url}${query}`);
    await tab.waitForFunction("window.result !== undefined", undefined, { timeout: 60_000 });
    const result = (await tab.evaluate("window.result")) as PageResult;
    assert.equal(result.error, undefined, result.error);
    return { ...result, failed };
  } finally {
    await browser.close();
    await server.close();
  }
}

describe("chainrule/web bundled by a user's bundler, in chromium", {
  skip: chromiumMissing,
  timeout: 240_000,
}, () => {
  before(() => {
    app = installApp(work, packChainrule(work));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const bundler of ["esbuild", "vite"] as Bundler[]) {
    describe(bundler, () => {
      let out = "";
      before(() => {
        out = bundleApp(app, bundler);
        console.log(
          `# ${bundler}: ${bytesOf(out, ".js")} bytes of JavaScript, ${bytesOf(out, ".wasm")} of .wasm files`,
        );
      });

      test("isolated page: wasm loaded, 2 threads running, the loss falls, no request failed", async () => {
        const r = await openPage(out, true);
        assert.deepEqual(r.failed, []);
        assert.equal(r.isolated, true);
        assert.equal(r.ok, true, "initWasm() succeeded");
        assert.equal(r.backend, "wasm");
        assert.equal(r.status.sharedMemory, true);
        assert.equal(r.status.threads, 2);
        assert.equal(r.status.threadsRunning, 2, "both threads running");
        assert.equal(r.losses.length, 20);
        assert.ok(r.losses[19] < 0.9 * r.losses[0], `the loss falls: ${r.losses[0]} -> ${r.losses[19]}`);
        assert.deepEqual(r.warnings, []);
        console.log(
          `# ${bundler}, isolated: ${Math.round(r.examplesPerSecond)} examples/s, initWasm ${Math.round(r.initMilliseconds)} ms (relaxed SIMD: ${r.status.relaxedSimd})`,
        );
      });

      test("plain page: wasm loaded on one thread", async () => {
        const r = await openPage(out, false);
        assert.deepEqual(r.failed, []);
        assert.equal(r.isolated, false);
        assert.equal(r.ok, true, "initWasm() succeeded");
        assert.equal(r.backend, "wasm");
        assert.equal(r.status.sharedMemory, false);
        assert.equal(r.status.threads, 1);
        assert.ok(r.losses[19] < 0.9 * r.losses[0], `the loss falls: ${r.losses[0]} -> ${r.losses[19]}`);
        assert.deepEqual(r.warnings, []);
        console.log(
          `# ${bundler}, plain: ${Math.round(r.examplesPerSecond)} examples/s, initWasm ${Math.round(r.initMilliseconds)} ms`,
        );
      });

      if (bundler === "esbuild") {
        test("kernels that cannot be loaded: initWasm() says why, warns once, the js backend trains", async () => {
          const r = await openPage(out, true, "?kernels=/missing.wasm");
          assert.ok(r.failed.length > 0, "the page asked for the kernels");
          for (const f of r.failed) assert.match(f, /\/missing\.wasm: /);
          assert.equal(r.ok, false);
          assert.equal(r.backend, "js");
          assert.match(r.status.reason ?? "", /initWasm\(\{ kernels \}\).*HTTP 404.*leave `kernels` out/);
          assert.equal(r.warnings.length, 1, "announced once");
          assert.match(r.warnings[0], /wasm backend is not available, so the js backend runs/);
          assert.ok(r.losses[19] < r.losses[0], "the loss falls on the js backend too");
        });
      }
    });
  }
});
