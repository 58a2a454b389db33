// A small hand-written SVG line chart (axes, ticks, grid, legend), stable output with no dependencies.

export interface Series {
  label: string;
  points: readonly (readonly [number, number])[];
  color?: string;
  /** Draw against the right-hand axis (dashed). */
  right?: boolean;
  /** Draw dashed (right-axis series always are). */
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  rightLabel?: string;
  width?: number;
  height?: number;
  /** Logarithmic x axis (e.g. batch sizes). */
  logX?: boolean;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About five round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

function extent(values: number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

const label = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(v);

export function lineChart(series: readonly Series[], options: ChartOptions): string {
  const W = options.width ?? 720;
  const H = options.height ?? 420;
  const m = { left: 70, right: options.rightLabel ? 70 : 24, top: 72, bottom: 56 };
  const fx = options.logX ? Math.log10 : (v: number) => v;
  const xs = series.flatMap((s) => s.points.map(([x]) => fx(x)));
  const [x0, x1] = options.logX ? [Math.min(...xs), Math.max(...xs)] : extent(xs);
  const left = series.filter((s) => !s.right);
  const right = series.filter((s) => s.right);
  const [y0, y1] = extent(left.flatMap((s) => s.points.map(([, y]) => y)));
  const [r0, r1] = extent(right.flatMap((s) => s.points.map(([, y]) => y)));
  const px = (x: number) => m.left + ((fx(x) - x0) / (x1 - x0 || 1)) * (W - m.left - m.right);
  const py = (y: number, lo: number, hi: number) =>
    H - m.bottom - ((y - lo) / (hi - lo)) * (H - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  for (const t of ticks(y0, y1)) {
    const y = py(t, y0, y1);
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${label(t)}</text>`);
  }
  if (right.length > 0) {
    for (const t of ticks(r0, r1)) {
      parts.push(`<text x="${W - m.right + 6}" y="${py(t, r0, r1) + 4}">${label(t)}</text>`);
    }
  }
  const xTicks = options.logX
    ? [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b)
    : ticks(x0, x1).filter((t) => t >= x0 && t <= x1);
  for (const t of xTicks) {
    parts.push(`<text x="${px(t)}" y="${H - m.bottom + 18}" text-anchor="middle">${label(t)}</text>`);
  }
  parts.push(
    `<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="black"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(18 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  if (options.rightLabel) {
    parts.push(
      `<line x1="${W - m.right}" x2="${W - m.right}" y1="${m.top}" y2="${H - m.bottom}" stroke="black"/>`,
    );
    parts.push(
      `<text transform="translate(${W - 14} ${(m.top + H - m.bottom) / 2}) rotate(90)" text-anchor="middle">${escapeXml(options.rightLabel)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const [lo, hi] = s.right ? [r0, r1] : [y0, y1];
    const d = s.points
      .map(([x, y], k) => `${k === 0 ? "M" : "L"}${px(x).toFixed(1)},${py(y, lo, hi).toFixed(1)}`)
      .join(" ");
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.right || s.dashed ? ' stroke-dasharray="6 3"' : ""}/>`,
    );
    for (const [x, y] of s.points)
      parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y, lo, hi).toFixed(1)}" r="3" fill="${color}"/>`);
    // Legend: one row under the title, outside the plotting area so it never hides a line.
    const slot = (W - m.left - m.right) / Math.max(series.length, 1);
    const ly = 46;
    const lx = m.left + i * slot;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.right || s.dashed ? ' stroke-dasharray="6 3"' : ""}/>`,
    );
    parts.push(`<text x="${lx + 28}" y="${ly + 4}">${escapeXml(s.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
