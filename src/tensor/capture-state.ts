// Whether a step is being captured (capture/capture.ts), and the hooks the rest of the library calls then:
// guards (JavaScript values a replay depends on), replay effects (JavaScript state a replay must still change),
// refusals (what a replay could not reproduce) and range checks that must run again on every replay.
import { fail } from "../errors.js";

/** What a capture in progress collects from the library's own code. */
export interface CaptureSink {
  /** A value the recorded kernels depend on: the replay runs only while `read()` still returns it. */
  guard(what: string, read: () => unknown): void;
  /** JavaScript state the eager step changes (an optimizer's step count): run again after every replay. */
  onReplay(effect: () => void): void;
  /** A check of values that must run on every replay, on the buffers of that replay. */
  check(run: (buffer: (id: object) => object) => void): void;
}

let active: CaptureSink | null = null;

/** The capture in progress, or null (the hot paths test this and do nothing more when it is null). */
export function capturing(): CaptureSink | null {
  return active;
}

/** Makes `sink` the capture in progress for the duration of `fn`. */
export function withCapture<T>(sink: CaptureSink, fn: () => T): T {
  if (active !== null) fail("capture", "a captured step cannot call another one while it is being captured");
  active = sink;
  try {
    return fn();
  } finally {
    active = null;
  }
}

/** Fails in the name of `op` when a step is being captured: `why` says what a replay could not reproduce. */
export function refuseInCapture(op: string, why: string): void {
  if (active !== null) fail("capture", `${op} ${why}; a captured step replays its kernels only`);
}
