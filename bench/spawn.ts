// Runs one of the bench's scripts in its own Node process (with an engine's environment added), echoing its
// output less the peers' noise, with a time limit; the parent's only way of running anything measured.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "..");

/** Lines the peers print that say nothing about the run. */
const NOISE = [
  /^=+$/,
  /looks like you are running TensorFlow\.js in Node\.js/,
  /^\s*$/,
  // Dawn, for the GPU peers: the limits it chose, and the Vulkan loader it did not find before OpenGL ES.
  /^Warning: (maxDynamic|Couldn't load Vulkan)/,
  /^\s+at operator\(\)/,
];

export interface ChildOutcome {
  /** What went wrong, with the last lines printed; null when it exited 0. */
  failure: string | null;
  wallSeconds: number;
}

/** Runs bench/<script> with `env` added (CHAINRULE_BACKEND and CHAINRULE_THREADS come only from `env`). */
export function runChild(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutSeconds: number,
  echo = true,
): Promise<ChildOutcome> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.CHAINRULE_BACKEND;
  delete childEnv.CHAINRULE_THREADS;
  Object.assign(childEnv, env);
  const start = performance.now();
  return new Promise<ChildOutcome>((resolvePromise) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(here, script), ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail: string[] = [];
    const show = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (NOISE.some((re) => re.test(line))) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (echo) console.log(line);
      }
    };
    child.stdout.on("data", show);
    child.stderr.on("data", show);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const wallSeconds = (performance.now() - start) / 1000;
      const why = timedOut
        ? `timed out after ${timeoutSeconds} s`
        : `exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
      const failure = code === 0 && !timedOut ? null : `${why}\nlast output:\n${tail.join("\n")}`;
      resolvePromise({ failure, wallSeconds });
    });
  });
}
