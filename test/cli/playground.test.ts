// `chainrule playground` without a browser: its flags, --write (the static page: every asset local, no CDN),
// and the server's headers (COOP/COEP by default, none with isolation off; 404 for anything else).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { servePlayground } from "../../src/cli/playground.js";
import { playgroundAssets } from "../../src/cli/playground-assets.js";
import { InputError } from "../../src/errors.js";
import { cliSandbox } from "../cli-sandbox.js";

const { work, run } = cliSandbox("playground");

describe("chainrule playground", () => {
  test("--help says what it serves; a bad --port is a usage error (exit 2)", () => {
    const help = run("playground", "--help");
    assert.equal(help.code, 0);
    assert.match(help.out, /--port/);
    assert.match(help.out, /--open/);
    const bad = run("playground", "--port", "http");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--port must be an integer from 0 to 65535, got "http"/);
  });

  test("--write DIR writes the page, its script and the digits, with nothing from another origin", () => {
    const out = join(work, "site");
    const r = run("playground", "--write", out);
    assert.equal(r.code, 0, r.err);
    for (const f of ["index.html", "playground.js", "mnist-10k.u8.gz"])
      assert.ok(existsSync(join(out, f)), f);
    const html = readFileSync(join(out, "index.html"), "utf8");
    assert.match(html, /<script type="module" src="playground.js"><\/script>/);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
    const script = readFileSync(join(out, "playground.js"), "utf8");
    assert.doesNotMatch(script, /import\s*\(?\s*["']https?:/, "no import from another origin");
    assert.deepEqual(
      readFileSync(join(out, "mnist-10k.u8.gz")),
      readFileSync(new URL("../../data/mnist-10k.u8.gz", import.meta.url)),
    );
  });

  test("without esbuild it serves the prebuilt page, and without that it says to run npm run build:web", async () => {
    const site = join(work, "prebuilt");
    assert.equal(run("playground", "--write", site).code, 0);
    const none = async () => null;
    const { files, source } = await playgroundAssets({ esbuild: none, prebuiltDir: site });
    assert.match(source, /prebuilt/);
    assert.deepEqual([...files.keys()].sort(), ["/index.html", "/mnist-10k.u8.gz", "/playground.js"]);
    await assert.rejects(
      playgroundAssets({ esbuild: none, prebuiltDir: join(work, "missing") }),
      (e: Error) =>
        e instanceof InputError && /esbuild is not installed.*run npm run build:web/.test(e.message),
    );
  });

  test("the server sends COOP and COEP (or none with isolation off) and 404 for unknown paths", async () => {
    const { files } = await playgroundAssets();
    for (const isolated of [true, false]) {
      const served = await servePlayground(files, 0, isolated);
      try {
        const page = await fetch(served.url);
        assert.equal(page.status, 200);
        assert.match(page.headers.get("content-type") ?? "", /text\/html/);
        assert.equal(page.headers.get("cross-origin-opener-policy"), isolated ? "same-origin" : null);
        assert.equal(page.headers.get("cross-origin-embedder-policy"), isolated ? "require-corp" : null);
        const script = await fetch(`${served.url}playground.js`);
        assert.match(script.headers.get("content-type") ?? "", /javascript/);
        assert.equal((await fetch(`${served.url}../src/cli/main.ts`)).status, 404);
        assert.equal((await fetch(`${served.url}nothing.js`)).status, 404);
      } finally {
        await served.close();
      }
    }
  });
});
