// npm run bench, in a tiny mode: one engine, one training case, two reps. The harness must run end to end
// (parent, child process, checks) and write a report with the expected fields and finite numbers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { BenchReport, ThreadsRow } from "../../bench/common.js";
import { medianInterval } from "../../bench/threads.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

test("bench/run.ts --quick --only chainrule-js --cases mlp64: a report with finite medians and a falling loss", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-bench-test-"));
  try {
    const out = join(dir, "report.json");
    const args = ["--quick", "--only", "chainrule-js", "--cases", "mlp64", "--reps", "2", "--seconds", "0"];
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", ...args, "--out", out, "--no-docs"],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(run.status, 0, `exit code ${run.status}\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /\| mlp64 +\| examples\/s +\| +[\d,.]+ \|/);

    const report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
    assert.equal(report.quick, true);
    assert.ok(!Number.isNaN(Date.parse(report.date)));
    assert.equal(typeof report.machine.cpu, "string");
    assert.ok(Number(report.machine.cores) >= 1);
    assert.deepEqual(report.problems, []);
    assert.equal(report.engines.length, 1);

    const [engine] = report.engines;
    assert.equal(engine.engine, "chainrule-js");
    assert.equal(engine.ok, true, engine.error);
    assert.equal(engine.info.backend, "js");
    assert.equal(engine.cases.length, 1);

    const [c] = engine.cases;
    assert.equal(c.id, "mlp64");
    assert.equal(c.unit, "examples/s");
    assert.equal(c.error, undefined);
    assert.ok(c.reps >= 2 && c.samples.length === c.reps);
    assert.ok(c.samples.every((s) => Number.isFinite(s) && s > 0));
    assert.ok(Number.isFinite(c.medianSeconds) && c.medianSeconds > 0);
    assert.ok(Math.abs(c.value - 64 / c.medianSeconds) < 1e-6 * c.value);
    assert.ok(c.losses && c.losses.length > 1 && c.losses.every(Number.isFinite));
    assert.ok(
      Number.isFinite(c.lossAfter) && c.lossAfter! < c.losses[0],
      `loss ${c.losses[0]} → ${c.lossAfter}`,
    );

    assert.equal(report.lossCheck.length, 1);
    assert.equal(report.lossCheck[0].case, "mlp64");
    assert.deepEqual(report.lossCheck[0].flagged, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("medianInterval: the widest order statistics whose sign-test coverage is still at least 95%", () => {
  // Coverage of [k-th smallest, k-th largest] is 1 − 2·P(Binomial(n, ½) ≤ k − 1), counted here from scratch.
  const below = (n: number, k: number) => {
    let count = 0;
    for (let j = 0; j < k; j++) {
      let c = 1;
      for (let i = 0; i < j; i++) c = (c * (n - i)) / (i + 1);
      count += c;
    }
    return count / 2 ** n;
  };
  for (const n of [6, 7, 8, 9, 14, 16, 30, 60]) {
    const values = Array.from({ length: n }, (_, i) => n - i); // n, n − 1, …, 1: the k-th smallest is k
    const { low, high } = medianInterval(values);
    assert.equal(high, n + 1 - low, `n ${n}: symmetric`);
    assert.ok(1 - 2 * below(n, low) >= 0.95, `n ${n}: interval [${low}, ${high}] covers less than 95%`);
    assert.ok(1 - 2 * below(n, low + 1) < 0.95, `n ${n}: [${low + 1}, ${high - 1}] would still cover 95%`);
  }
  assert.deepEqual(medianInterval(Array.from({ length: 30 }, (_, i) => 30 - i)), { low: 10, high: 21 });
  assert.throws(() => medianInterval([3, 1, 2, 5, 4]), /medianInterval: needs at least 6 samples/);
});

test("bench/threads.ts: 1 against 2 threads, interleaved, gives finite times and a speedup inside its interval", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-threads-test-"));
  try {
    const out = join(dir, "threads.json");
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/threads.ts",
        "--batches",
        "4,32",
        "--rounds",
        "6",
        "--warmup",
        "0",
        "--out",
        out,
      ],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, CHAINRULE_BACKEND: "wasm", CHAINRULE_THREADS: "2" },
      },
    );
    assert.equal(run.status, 0, `exit code ${run.status}\n${run.stdout}\n${run.stderr}`);
    const rows = JSON.parse(readFileSync(out, "utf8")) as ThreadsRow[];
    assert.deepEqual(
      rows.map((r) => r.batch),
      [4, 32],
    );
    for (const r of rows) {
      assert.equal(r.rounds, 6);
      for (const v of [r.ms1, r.ms2, r.speedup, r.low, r.high, r.min, r.max])
        assert.ok(Number.isFinite(v) && v > 0);
      assert.ok(
        r.min <= r.low && r.low <= r.speedup && r.speedup <= r.high && r.high <= r.max,
        JSON.stringify(r),
      );
    }
    assert.match(run.stderr, /batch 32: 1 thread [\d.]+ ms, 2 threads [\d.]+ ms per step/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
