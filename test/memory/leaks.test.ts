// The leak report: with tracking on, tensors left alive are listed with the op that made them and the
// line of user code that called it; disposed tensors and tensors freed by tidy are not listed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as cr from "../../src/index.js";

const THIS_FILE = fileURLToPath(import.meta.url);

/** The 1-based line of this file that holds `marker`. */
function lineOf(marker: string): number {
  const lines = readFileSync(THIS_FILE, "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(marker) && !l.includes("lineOf("));
  assert.ok(i >= 0, `marker ${marker} not found`);
  return i + 1;
}

const held: cr.Tensor[] = [];

/** Makes a tensor outside any tidy and forgets to dispose it: the leak. */
function leakyHelper(): void {
  const t = cr.randn([3, 5], { seed: 1 }); // LEAK-RANDN
  held.push(t); // still referenced, so the garbage collector cannot quietly free it
}

function leakyOp(a: cr.Tensor): void {
  held.push(a.mul(2)); // LEAK-MUL
}

describe("leakReport", () => {
  let wasTracking = false;
  before(() => {
    wasTracking = cr.trackLeaks(true);
  });
  after(() => {
    cr.trackLeaks(wasTracking);
    for (const t of held) t.dispose();
  });

  test("names a leaked tensor with its op and the test file's line", () => {
    cr.tidy(() => {
      cr.ones([100]).add(1).sum(); // freed by tidy: not a leak
    });
    const disposed = cr.zeros([7]);
    disposed.dispose();
    leakyHelper();
    const report = cr.leakReport();
    const leaked = report.tensors.find((e) => e.id === held[0].id);
    assert.ok(leaked, `the leaked tensor is in the report:\n${report.text}`);
    assert.equal(leaked.op, "randn");
    assert.match(leaked.site, new RegExp(`leaks\\.test\\.ts:${lineOf("LEAK-RANDN")}:\\d+`));
    assert.match(leaked.site, /leakyHelper/);
    assert.equal(leaked.bytes, 3 * 5 * 4);
    assert.ok(report.text.includes(`made by randn at`), report.text);
    assert.ok(!report.tensors.some((e) => e.id === disposed.id), "a disposed tensor is not listed");
    assert.equal(report.tensors.length, 1, report.text);
  });

  test("names the op for method calls, and the recorded op for tensors in a graph", () => {
    const x = cr.randn([4], { seed: 2 });
    const w = cr.randn([4], { seed: 3, requiresGrad: true });
    leakyOp(x);
    leakyOp(w);
    const report = cr.leakReport();
    const byId = new Map(report.tensors.map((e) => [e.id, e]));
    for (const t of held.slice(-2)) {
      const e = byId.get(t.id);
      assert.ok(e, report.text);
      assert.equal(e.op, "mul");
      assert.match(e.site, new RegExp(`leaks\\.test\\.ts:${lineOf("LEAK-MUL")}:\\d+`));
    }
    x.dispose();
    w.dispose();
  });

  test("off: nothing is recorded", () => {
    cr.trackLeaks(false);
    const t = cr.ones([2]);
    assert.equal(cr.leakReport().tensors.length, 0);
    t.dispose();
    cr.trackLeaks(true);
  });
});

test("CHAINRULE_TRACK_LEAKS=1 turns tracking on from the start", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const script =
    'import * as cr from "./src/index.ts"; const t = cr.ones([2]); ' +
    "console.log(cr.isTrackingLeaks(), cr.leakReport().tensors.map((e) => e.op).join());";
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    env: { ...process.env, CHAINRULE_TRACK_LEAKS: "1" },
    encoding: "utf8",
  });
  assert.equal(out.trim(), "true ones");
});
