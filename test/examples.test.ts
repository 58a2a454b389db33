// The examples run as smoke tests: each script must exit 0 and print what it promises.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function runExample(file: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", file], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("examples/chapter.ts: the §5.3 forward and backward pass agrees with the chapter's formulas", () => {
  const { status, stdout, stderr } = runExample("examples/chapter.ts");
  assert.equal(status, 0, `exit code ${status}\n${stdout}\n${stderr}`);
  assert.match(stdout, /^J = \d+\.\d{6} {2}\(L = \d+\.\d{6}, s = \d+\.\d{6}\)$/m);
  assert.match(stdout, /∂J\/∂W1 has shape \[5,4\], ∂J\/∂W2 has shape \[3,5\]/);
  assert.match(stdout, /∂J\/∂W2 = \(∂J\/∂o\) hᵀ \+ λW2 +max \|autograd - formula\| = \S+ {2}ok/);
  assert.equal(stdout.match(/ ok$/gm)?.length, 6, stdout);
  assert.doesNotMatch(stdout, /MISMATCH/);
  assert.match(stdout, /gradcheck: backward matches finite differences {2}ok/);
});
