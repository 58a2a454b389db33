// Dry runs: a computation run on the meta backend, where buffers have sizes but no contents, so the ledger
// sees every allocation of the real run without the memory or the arithmetic. And the largest batch that fits.
import { isMeta, META_BACKEND } from "../backend/meta/index.js";
import { getBackend, setBackend } from "../backend/registry.js";
import { fail } from "../errors.js";
import {
  type MemoryReport,
  type MemoryReportOptions,
  memoryReport,
  release,
  type Storage,
  watchLedger,
} from "./ledger.js";

/**
 * Runs fn with new tensors made on the meta backend and reports the ledger as memoryReport does. Build the
 * model and data inside fn. Code that reads values (item(), dataSync(), printing) throws; value checks such
 * as label ranges are skipped. Buffers fn leaves live are released from the ledger when it returns.
 */
export function dryRun<T>(fn: () => T, options: MemoryReportOptions = {}): MemoryReport<T> {
  const previous = getBackend().name;
  const made = new Set<Storage>();
  const unwatch = watchLedger((event, storage) => {
    if (event === "allocate" && isMeta(storage.backend)) made.add(storage);
    else if (event === "release") made.delete(storage);
  });
  setBackend(META_BACKEND);
  try {
    return memoryReport(fn, options);
  } finally {
    setBackend(previous);
    unwatch();
    for (const storage of made) release(storage);
  }
}

export interface LargestBatch {
  /** The largest batch whose dry run peaks within the budget; 0 when even a batch of 1 does not fit. */
  batch: number;
  /** The dry run's peak at that batch (bytes above what was live before it; 0 when batch is 0). */
  peakBytes: number;
  budgetBytes: number;
  /** Dry runs it took. */
  runs: number;
}

/**
 * The largest batch n for which buildStep(n), run dry, peaks at no more than budgetBytes above what was
 * live before. buildStep must build everything it uses (model, data, optimizer) so that all of it is counted.
 * Memory is assumed to grow with n: doubling finds an upper bound, then a binary search narrows it.
 */
export function largestBatch(
  buildStep: (batch: number) => unknown,
  budgetBytes: number,
  options: { maxBatch?: number } = {},
): LargestBatch {
  if (!(budgetBytes >= 0))
    fail("largestBatch", `the budget must be a number of bytes >= 0, got ${budgetBytes}`);
  const maxBatch = options.maxBatch ?? 2 ** 24;
  let runs = 0;
  const peakAt = (n: number): number => {
    runs++;
    return dryRun(() => {
      buildStep(n);
    }).peakIncrease.total;
  };
  let fits = 0;
  let fitsPeak = 0;
  let tooBig = 0;
  for (let n = 1; n <= maxBatch; n = Math.min(n * 2, maxBatch)) {
    const peak = peakAt(n);
    if (peak > budgetBytes) {
      tooBig = n;
      break;
    }
    fits = n;
    fitsPeak = peak;
    if (n === maxBatch) break;
  }
  if (tooBig === 0) return { batch: fits, peakBytes: fitsPeak, budgetBytes, runs };
  while (tooBig - fits > 1) {
    const mid = Math.floor((fits + tooBig) / 2);
    const peak = peakAt(mid);
    if (peak > budgetBytes) tooBig = mid;
    else {
      fits = mid;
      fitsPeak = peak;
    }
  }
  return { batch: fits, peakBytes: fitsPeak, budgetBytes, runs };
}
