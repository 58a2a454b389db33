// A hand-written SVG schedule (Gantt) chart: one row per device, one bar per piece of work, white gaps where the
// device waited. Shows a pipeline's fill and drain (the bubble) at a glance.
import { escapeXml, ticks } from "./line-chart.js";

export interface ScheduleBar {
  start: number;
  end: number;
  /** Drawn inside the bar when it is wide enough ("F0", "B3", "update"). */
  label: string;
}

export interface ScheduleRow {
  label: string;
  bars: readonly ScheduleBar[];
}

export interface ScheduleOptions {
  title: string;
  xLabel: string;
  width?: number;
}

/** Forward work blue, backward orange, updates and all-reduces green, anything else grey. */
function colorOf(label: string): string {
  if (/^F\d|^F\+B|×\(F\+B\)/.test(label))
    return label.includes("B") && !/^F\d/.test(label) ? "#8c6bb1" : "#1f77b4";
  if (/^B\d/.test(label)) return "#ff7f0e";
  if (/update|reduce/.test(label)) return "#2ca02c";
  return "#999999";
}

export function scheduleChart(rows: readonly ScheduleRow[], options: ScheduleOptions): string {
  const W = options.width ?? 900;
  const rowH = 26;
  const m = { left: 170, right: 24, top: 48, bottom: 50 };
  const H = m.top + rows.length * rowH + m.bottom;
  const end = Math.max(1e-9, ...rows.flatMap((r) => r.bars.map((b) => b.end)));
  const px = (t: number) => m.left + (t / end) * (W - m.left - m.right);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  for (const t of ticks(0, end).filter((v) => v <= end)) {
    const x = px(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${H - m.bottom}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x}" y="${H - m.bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  rows.forEach((row, i) => {
    const y = m.top + i * rowH;
    parts.push(
      `<text x="${m.left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${escapeXml(row.label)}</text>`,
    );
    parts.push(
      `<rect x="${m.left}" y="${y + 3}" width="${W - m.left - m.right}" height="${rowH - 6}" fill="#f7f7f7"/>`,
    );
    for (const bar of row.bars) {
      const x0 = px(bar.start);
      const width = Math.max(0.5, px(bar.end) - x0);
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowH - 6}" fill="${colorOf(bar.label)}" stroke="white" stroke-width="0.5"><title>${escapeXml(`${bar.label}: ${bar.start.toFixed(1)}–${bar.end.toFixed(1)}`)}</title></rect>`,
      );
      if (width > 7 * bar.label.length)
        parts.push(
          `<text x="${(x0 + width / 2).toFixed(1)}" y="${y + rowH / 2 + 4}" text-anchor="middle" fill="white" font-size="10">${escapeXml(bar.label)}</text>`,
        );
    }
  });
  parts.push(
    `<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="black"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    "</svg>",
  );
  return parts.join("\n");
}
