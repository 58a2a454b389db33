// `chainrule memory`'s last table: one real training step of the chapter's MLP on the current backend, and
// memory().devices after it: live and peak bytes per device (host memory for wasm and js, GPU memory for webgpu).
import { MEMORY_TAGS, type MemoryUsage, memory, resetPeak } from "../memory/ledger.js";
import { type ChapterStepOptions, chapterSetup, sgdStep } from "../train/footprint.js";

/** Runs the step for real (peaks reset first) and returns memory().devices of the devices it used. */
export function measuredStep(options: ChapterStepOptions): Record<string, MemoryUsage> {
  const { model, x, y } = chapterSetup(options);
  try {
    resetPeak();
    const before = memory().devices;
    sgdStep(model, x, y, options);
    // The devices the step allocated on: their peak rose above what they held before it.
    const devices = Object.entries(memory().devices).filter(
      ([name, usage]) => usage.peakBytes > (before[name]?.bytes ?? 0),
    );
    return Object.fromEntries(devices);
  } finally {
    model.dispose();
    x.dispose();
    y.dispose();
  }
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);

/** A row per device: live and peak MB, then each tag's peak MB. */
export function deviceTable(devices: Record<string, MemoryUsage>): string {
  const head = ["device", "live", "peak", ...MEMORY_TAGS];
  const body = Object.entries(devices).map(([name, u]) => [
    name,
    mb(u.bytes),
    mb(u.peakBytes),
    ...MEMORY_TAGS.map((t) => mb(u.byCategory[t].peakBytes)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
