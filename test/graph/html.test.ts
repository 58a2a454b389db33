// toHtml in a real browser: Debian's chromium driven by playwright-core. The page's SVG nodes, a hover
// tooltip with shape and gradient, and a hostile parameter name that must show as text, not run.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { toHtml } from "../../src/graph/html.js";
import * as cr from "../../src/index.js";
import { crossEntropy, l2Penalty } from "../../src/nn/losses.js";
import { chapterMlp } from "../../src/train/mlp.js";
import { chromiumMissing, launchChromium } from "../chromium.js";

const root = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "chainrule-html-"));
after(() => rmSync(work, { recursive: true, force: true }));

const HOSTILE = `</text><script>window.pwned=1</script><img src=x onerror="window.pwned=2">`;

async function page(): Promise<string> {
  const model = chapterMlp({ inputs: 6, hidden: 4, outputs: 3, seed: 2 });
  const x = cr.randn([5, 6]).named("x");
  const y = cr.tensor([0, 1, 2, 0, 1], { dtype: "int32" });
  const L = crossEntropy(model.forward(x), y).named("L");
  const extra = cr.ones([3]).requiresGrad_().named(HOSTILE);
  const s = cr.add(l2Penalty(model.parameters(), 0.1), cr.sum(cr.mul(extra, extra))).named("s");
  const J = cr.add(L, s).named("J");
  return toHtml(J, { names: model, title: HOSTILE, detail: "ops" });
}

test("the HTML page in chromium: nodes, hover tooltip with shape and gradient, escaped names", {
  skip: chromiumMissing,
  timeout: 60_000,
}, async () => {
  const html = await page();
  assert.ok(!html.includes("<script>window.pwned"), "the hostile name is escaped in the source");
  const file = join(work, "graph.html");
  writeFileSync(file, html);
  const started = performance.now();
  const browser = await launchChromium(work, { width: 1400, height: 700 });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(pathToFileURL(file).href);
    const nodes = await tab.locator("svg g.node").count();
    const withInfo = await tab.locator("svg g.node.has-info").count();
    assert.ok(nodes >= 20, `expected the chapter's nodes, got ${nodes}`);
    assert.equal(withInfo, nodes, "every node has its data");

    // Hover W2 (the second Linear's weight): the tooltip shows its shape and its gradient.
    const w2 = tab.locator("svg g.node", { hasText: "W2" }).first();
    await w2.hover();
    const tip = tab.locator("#tooltip");
    await tip.waitFor({ state: "visible" });
    const text = (await tip.textContent()) ?? "";
    assert.match(text, /W2 \(parameter\)/);
    assert.match(text, /shape \[3×4\], float32/);
    assert.match(text, /gradient \[3×4\] \[-?\d/);

    // The hostile name is shown as text in the title, the SVG and the tooltip; none of its scripts ran.
    assert.equal(await tab.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.equal(await tab.locator("h1").textContent(), HOSTILE);
    const hostile = tab.locator("svg g.node", { hasText: "window.pwned" }).first();
    await hostile.hover();
    assert.ok(((await tip.textContent()) ?? "").includes(HOSTILE));
    assert.match((await tip.textContent()) ?? "", /gradient \[3\] \[2, 2, 2\]/);
    assert.deepEqual(errors, []);

    await w2.hover();
    mkdirSync(join(root, "docs"), { recursive: true });
    await tab.screenshot({ path: join(root, "docs", "graph-page.png"), fullPage: true });
  } finally {
    await browser.close();
    process.stderr.write(`# browser test: ${Math.round(performance.now() - started)} ms in chromium\n`);
  }
});
