// The README's training-loop example runs end to end at a small size (1 epoch on 2,000 digits) and learns.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

test("examples/train-mlp.ts trains the chapter's MLP", () => {
  const root = new URL("../..", import.meta.url).pathname;
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/train-mlp.ts", "1", "2000"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const match = /epoch 1: J (\d+\.\d+), test accuracy (\d+\.\d+)%/.exec(r.stdout);
  assert.ok(match, r.stdout);
  assert.ok(Number(match[2]) > 80, `test accuracy ${match[2]}%`);
});
