// The bench's clocks: the steady-state loop (warm up by time, then timed repetitions rotating through the
// batch slots), medians and their sign-test interval, rates over the first seconds of a short run, and a
// bytes-per-second timer for the data-throughput section.

/** One repetition on a batch slot (see common.ts: Rep); kept here so the clocks need nothing else. */
type Rep = (slot: number) => number | Promise<number>;

export interface TimingOptions {
  /** Warm-up repetitions (at least), and at least this many seconds of them when the reps are short. */
  warmupReps: number;
  warmupSeconds: number;
  minReps: number;
  /** Keep repeating until this much time has been spent timing (and minReps are done). */
  minSeconds: number;
  /** Stop after this much time even if minReps are not done, once 3 reps are. */
  maxSeconds: number;
}

export function timingOptions(
  quick: boolean,
  overrides: { reps?: number; seconds?: number } = {},
): TimingOptions {
  const base: TimingOptions = quick
    ? { warmupReps: 1, warmupSeconds: 0.1, minReps: 3, minSeconds: 0.3, maxSeconds: 5 }
    : { warmupReps: 2, warmupSeconds: 3, minReps: 5, minSeconds: 1.5, maxSeconds: 30 };
  if (overrides.reps !== undefined) {
    base.minReps = overrides.reps;
    base.warmupReps = Math.min(base.warmupReps, overrides.reps);
  }
  if (overrides.seconds !== undefined) {
    base.minSeconds = overrides.seconds;
    base.warmupSeconds = Math.min(base.warmupSeconds, overrides.seconds);
  }
  return base;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs fn `reps` times back to back and returns the median milliseconds of one run (the scripts' quick timer). */
export function medianMsOf(fn: () => unknown, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Runs warm-up reps, then timed reps, on slots 0, 1, 2, … in turn (the engine takes them modulo the slot
 * count); returns each timed rep's seconds and the last value read back.
 */
export async function measure(rep: Rep, t: TimingOptions): Promise<{ seconds: number[]; last: number }> {
  let last = Number.NaN;
  let slot = 0;
  const warmStart = performance.now();
  // Warm up by time, not by count: with two threads busy, V8's background compilers (and concurrent GC) get
  // little CPU, and a fast step can take a couple of seconds to reach its steady speed. A slow rep (sgemm
  // 2048 on a JS engine takes seconds) needs only one once the time is up.
  for (let i = 0; ; i++) {
    const elapsed = (performance.now() - warmStart) / 1000;
    // Enough reps once the time is up, or a single rep that alone took longer than the warm-up time.
    if (elapsed >= t.warmupSeconds && (i >= t.warmupReps || (i >= 1 && elapsed / i > t.warmupSeconds))) break;
    last = await rep(slot++);
  }
  const seconds: number[] = [];
  const start = performance.now();
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    const enough = seconds.length >= t.minReps && elapsed >= t.minSeconds;
    const tooLong = seconds.length >= Math.min(3, t.minReps) && elapsed >= t.maxSeconds;
    if (enough || tooLong || seconds.length >= 10000) break;
    const t0 = performance.now();
    last = await rep(slot++);
    seconds.push((performance.now() - t0) / 1000);
  }
  return { seconds, last };
}

/**
 * A distribution-free interval for the median of n samples (n ≥ 6): the k-th smallest and k-th largest, for the
 * largest k whose sign-test tail P(Binomial(n, ½) < k) is at most 2.5%, so the coverage is at least 95%.
 */
export function medianInterval(values: readonly number[]): { low: number; high: number } {
  const n = values.length;
  if (n < 6) throw new RangeError(`medianInterval: needs at least 6 samples for 95%, got ${n}`);
  const s = [...values].sort((p, q) => p - q);
  // tail = P(X ≤ j) for X ~ Binomial(n, ½); keep the order statistic j + 1 while that tail stays ≤ 2.5%.
  let k = 0;
  let term = 0.5 ** n;
  let tail = term;
  for (let j = 0; tail <= 0.025; j++) {
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
    tail += term;
  }
  const index = Math.max(0, k - 1);
  return { low: s[index], high: s[n - 1 - index] };
}

/**
 * Examples per second over the first `seconds` of a run, from the times (seconds after the start) at which
 * each step of `batch` examples ended: the steps up to and including the first one to end at or after
 * `seconds`, over the time that step ended. NaN when no step got that far.
 */
export function rateWithin(stepEnds: readonly number[], batch: number, seconds: number): number {
  const k = stepEnds.findIndex((t) => t >= seconds);
  return k < 0 ? Number.NaN : ((k + 1) * batch) / stepEnds[k];
}

/**
 * Bytes per second of `op`, which moves `bytes` each call: calls are grouped so that one sample lasts at
 * least a millisecond (the grouping also warms up), then samples are taken for about `seconds`; the median.
 */
export async function bytesPerSecond(
  op: () => unknown,
  bytes: number,
  seconds: number,
  isAsync = false,
): Promise<number> {
  const run = async (count: number): Promise<number> => {
    const t0 = performance.now();
    if (isAsync) for (let i = 0; i < count; i++) await op();
    else for (let i = 0; i < count; i++) op();
    return (performance.now() - t0) / 1000;
  };
  let group = 1;
  while ((await run(group)) < 1e-3 && group < 1 << 20) group *= 2;
  const warmEnd = performance.now() + seconds * 250;
  while (performance.now() < warmEnd) await run(group);
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (samples.length < 5 || performance.now() < end) samples.push(await run(group));
  return (bytes * group) / median(samples);
}
