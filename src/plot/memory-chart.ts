// The `chainrule memory` chart: peak memory of one step of the chapter's MLP against batch size, one line per
// depth, training solid and prediction dashed. Plain SVG text, so the CLI and the playground page both draw it.
import type { TagBytes } from "../memory/ledger.js";
import { lineChart, type Series } from "./line-chart.js";

export interface MemoryRow {
  layers: number;
  batch: number;
  training: TagBytes;
  prediction: TagBytes;
}

const MB = 2 ** 20;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

export function memoryChart(rows: readonly MemoryRow[], hidden: number): string {
  const depths = [...new Set(rows.map((r) => r.layers))];
  const series: Series[] = depths.flatMap((layers, i) => {
    const mine = rows.filter((r) => r.layers === layers);
    const color = COLORS[i % COLORS.length];
    return [
      {
        label: `L=${layers} train`,
        color,
        points: mine.map((r) => [r.batch, r.training.total / MB] as const),
      },
      {
        label: `L=${layers} predict`,
        color,
        dashed: true,
        points: mine.map((r) => [r.batch, r.prediction.total / MB] as const),
      },
    ];
  });
  return lineChart(series, {
    title: `Peak memory of one step, 784 → ${hidden} ×L → 10 (solid: training, dashed: prediction)`,
    xLabel: "batch size n (log scale)",
    yLabel: "peak memory (MB)",
    logX: true,
    width: Math.max(880, 130 * series.length + 100),
    height: 480,
  });
}
