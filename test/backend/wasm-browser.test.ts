// The wasm backend in a real browser (Debian's chromium via playwright-core): the bundled browser entry
// trains the chapter's MLP for a few steps, multi-threaded on a cross-origin-isolated page, single-threaded
// on a plain one, and both give the losses Node gives.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { after, before, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { chromiumMissing, launchChromium } from "../chromium.js";

const root = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "chainrule-web-"));

/** The page's program: a few SGD steps of a small chapter MLP on fixed data; the losses go to window.result. */
const PAGE_SCRIPT = `
import * as cr from "./chainrule.js";
window.result = (async () => {
  const ok = await cr.initWasm();
  const status0 = cr.wasmStatus();
  for (let i = 0; i < 100 && cr.wasmStatus().threadsRunning < status0.threads; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const losses = (${steps.toString()})(cr);
  return { ok, backend: cr.getBackend().name, status: cr.wasmStatus(), isolated: self.crossOriginIsolated, losses };
})().catch((e) => ({ error: String(e && e.stack || e) }));
`;

/** Runs in Node and in the page (serialised with toString): must only use its argument. */
function steps(lib: typeof cr): number[] {
  const net = lib.chapterMlp({ inputs: 64, hidden: 96, outputs: 10, seed: 3 });
  const opt = new lib.optim.SGD(net.parameters(), { lr: 0.2 });
  const x = lib.rand([128, 64], { seed: 4 });
  const y = lib.randint(0, 10, [128], { seed: 5, dtype: "int32" });
  const losses: number[] = [];
  for (let i = 0; i < 6; i++) {
    losses.push(
      lib.tidy(() => {
        opt.zeroGrad();
        const loss = lib.nn.crossEntropy(net.forward(x), y).add(lib.nn.l2Penalty(net.parameters(), 1e-4));
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  return losses;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".html": "text/html",
  ".wasm": "application/wasm",
};
let server: Server;
let base = "";

before(() => {
  const built = spawnSync(process.execPath, [join(root, "scripts/build-web.mjs"), work], {
    encoding: "utf8",
  });
  assert.equal(built.status, 0, built.stderr);
  writeFileSync(join(work, "index.html"), `<!doctype html><script type="module">${PAGE_SCRIPT}</script>`);
  // /isolated/... is served with COOP and COEP (cross-origin isolated: shared memory, threads); /plain/... without.
  server = createServer((req, res) => {
    const [, mode, ...rest] = (req.url ?? "/").split("?")[0].split("/");
    const file = normalize(join(work, rest.join("/") || "index.html"));
    if (!file.startsWith(work) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    };
    if (mode === "isolated") {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(readFileSync(file));
  });
  return new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
});
after(() => {
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface PageResult {
  ok: boolean;
  backend: string;
  isolated: boolean;
  losses: number[];
  status: ReturnType<typeof cr.wasmStatus>;
  error?: string;
}

async function inChromium(path: string): Promise<PageResult> {
  const browser = await launchChromium(work);
  try {
    const tab = await browser.newPage();
    await tab.goto(`${base}${path}`);
    // On a loaded machine the module script may still be loading when goto returns.
    await tab.waitForFunction("window.result !== undefined", undefined, { timeout: 60_000 });
    const result = (await tab.evaluate("window.result")) as PageResult;
    assert.equal(result.error, undefined, result.error);
    return result;
  } finally {
    await browser.close();
  }
}

describe("the wasm backend in chromium", {
  skip: chromiumMissing,
  timeout: 120_000,
}, () => {
  const nodeLosses = () => {
    const start = cr.getBackend().name;
    cr.setBackend("wasm");
    try {
      return steps(cr);
    } finally {
      cr.setBackend(start);
    }
  };
  const agree = (page: number[], node: number[]) => {
    assert.equal(page.length, node.length);
    page.forEach((v, i) => {
      assert.ok(
        Math.abs(v - node[i]) <= 1e-5 * Math.abs(node[i]),
        `step ${i}: ${v} in chromium, ${node[i]} in Node`,
      );
    });
    assert.ok(page[page.length - 1] < page[0], "the loss falls");
  };

  test("a cross-origin-isolated page gets shared memory and worker threads", async () => {
    const r = await inChromium("/isolated/");
    assert.equal(r.isolated, true);
    assert.equal(r.ok, true);
    assert.equal(r.backend, "wasm");
    assert.equal(r.status.sharedMemory, true);
    assert.ok(r.status.threads >= 2, `threads ${r.status.threads}`);
    assert.equal(r.status.threadsRunning, r.status.threads, "every worker started");
    agree(r.losses, nodeLosses());
  });

  test("a plain page runs single-threaded on unshared memory", async () => {
    const r = await inChromium("/plain/");
    assert.equal(r.isolated, false);
    assert.equal(r.backend, "wasm");
    assert.equal(r.status.sharedMemory, false);
    assert.equal(r.status.threads, 1);
    agree(r.losses, nodeLosses());
  });
});
