// Progress for long jobs: a live bar with loss and examples/s on a terminal, one line per epoch otherwise.
import type { BatchProgress, EpochMetrics } from "../train/fit.js";

export interface Progress {
  batch(p: BatchProgress): void;
  epoch(m: EpochMetrics, total: number): void;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export function epochLine(m: EpochMetrics, total: number): string {
  return (
    `epoch ${String(m.epoch).padStart(String(total).length)}/${total}  loss ${m.loss.toFixed(4)}  ` +
    `train acc ${pct(m.trainAccuracy)}  test acc ${pct(m.testAccuracy)}  ${m.seconds.toFixed(1)} s`
  );
}

export function makeProgress(stream: NodeJS.WriteStream, quiet: boolean): Progress {
  const live = stream.isTTY === true && !quiet;
  let lastDraw = 0;
  return {
    batch(p) {
      if (!live) return;
      const now = Date.now();
      if (now - lastDraw < 80 && p.batch !== p.batches) return;
      lastDraw = now;
      const width = 28;
      const filled = Math.round((p.batch / p.batches) * width);
      const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
      stream.write(
        `\r\x1b[2Kepoch ${p.epoch} ${bar} ${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  ${Math.round(p.examplesPerSecond)} ex/s`,
      );
    },
    epoch(m, total) {
      if (quiet) return;
      stream.write(`${live ? "\r\x1b[2K" : ""}${epochLine(m, total)}\n`);
    },
  };
}
