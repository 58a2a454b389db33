// The CLI tests' sandbox: a temporary working folder (removed after the file's tests) and a runner that
// starts bin/chainrule.js there and returns its exit code and output.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

const root = new URL("..", import.meta.url).pathname;

export function cliSandbox(prefix: string): {
  work: string;
  run: (...args: string[]) => CliResult;
  /** The same with these environment variables added (CHAINRULE_BACKEND, say). */
  runWith: (env: Record<string, string>, ...args: string[]) => CliResult;
} {
  const work = mkdtempSync(join(tmpdir(), `chainrule-${prefix}-`));
  after(() => rmSync(work, { recursive: true, force: true }));
  const runWith = (env: Record<string, string>, ...args: string[]): CliResult => {
    const r = spawnSync(process.execPath, [join(root, "bin", "chainrule.js"), ...args], {
      encoding: "utf8",
      cwd: work,
      env: { ...process.env, ...env },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { work, run: (...args) => runWith({}, ...args), runWith };
}
