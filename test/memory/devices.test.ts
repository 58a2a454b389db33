// memory().devices: the ledger per backend. A tensor's bytes count under the backend that holds it, with its
// tag, and leave on dispose; the devices add up to the totals; resetPeak resets each device's peaks.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "../../src/index.js";

const here = cr.getBackend().name;

test("a tensor's bytes count under its backend's device, with its tag, and leave on dispose", () => {
  const before = cr.memory().devices[here];
  const w = cr.zeros([20, 10], { tag: "parameter" });
  const during = cr.memory().devices[here];
  assert.equal(during.tensors, (before?.tensors ?? 0) + 1);
  assert.equal(during.byCategory.parameter.bytes - (before?.byCategory.parameter.bytes ?? 0), 20 * 10 * 4);
  w.dispose();
  assert.equal(cr.memory().devices[here].bytes, before?.bytes ?? 0);
});

test("the devices add up to the totals, tag by tag", () => {
  const keep = cr.ones([7], { tag: "data" });
  cr.setBackend("js");
  const onJs = cr.ones([5, 5], { tag: "optimizer" });
  cr.setBackend(here);
  const m = cr.memory();
  assert.ok(m.devices.js.byCategory.optimizer.bytes >= 100);
  const sum = (pick: (u: cr.MemoryUsage) => number) =>
    Object.values(m.devices).reduce((a, u) => a + pick(u), 0);
  assert.equal(
    sum((u) => u.bytes),
    m.bytes,
  );
  assert.equal(
    sum((u) => u.tensors),
    m.tensors,
  );
  for (const tag of ["parameter", "gradient", "saved", "optimizer", "data", "temporary"] as const) {
    assert.equal(
      sum((u) => u.byCategory[tag].bytes),
      m.byCategory[tag].bytes,
      tag,
    );
  }
  for (const t of [keep, onJs]) t.dispose();
});

test("resetPeak starts each device's peak from its live bytes", () => {
  cr.tidy(() => {
    cr.zeros([1000]);
  });
  const peaked = cr.memory().devices[here];
  assert.ok(peaked.peakBytes >= peaked.bytes + 4000);
  cr.resetPeak();
  const reset = cr.memory().devices[here];
  assert.equal(reset.peakBytes, reset.bytes);
  assert.equal(reset.byCategory.temporary.peakBytes, reset.byCategory.temporary.bytes);
});
