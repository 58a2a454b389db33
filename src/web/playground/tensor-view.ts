// How the page shows a tensor's values: the numbers for a small one, a heat map (blue negative, red positive)
// for a matrix; the element carries every value at full precision in data-values, and a text alternative.

/** At most this many elements are written out as numbers (one column or a scalar). */
const MAX_NUMBERS = 8;

export function formatNumber(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toFixed(a >= 100 ? 1 : 3);
}

function heatColor(v: number, scale: number): string {
  const t = scale === 0 ? 0 : Math.max(-1, Math.min(1, v / scale));
  const fade = (c: number) => Math.round(255 - (255 - c) * Math.abs(t));
  return t >= 0 ? `rgb(255,${fade(40)},${fade(40)})` : `rgb(${fade(40)},${fade(90)},255)`;
}

/** An element showing `values` of `shape` (row-major): numbers, or a heat map with one cell per element. */
export function tensorView(values: ArrayLike<number>, shape: readonly number[], label: string): HTMLElement {
  const list = Array.from(values);
  const rows = shape.length === 0 ? 1 : shape[0];
  const cols = shape.length < 2 ? 1 : list.length / rows;
  let el: HTMLElement;
  if (list.length <= MAX_NUMBERS && (cols === 1 || rows === 1)) {
    el = document.createElement("div");
    el.className = "nums";
    el.textContent = list.map(formatNumber).join(cols === 1 && rows > 1 ? "\n" : "  ");
    el.style.whiteSpace = "pre";
  } else {
    const cell = Math.max(4, Math.min(12, Math.floor(96 / Math.max(rows, cols))));
    const canvas = document.createElement("canvas");
    canvas.className = "heat";
    canvas.width = cols * cell;
    canvas.height = rows * cell;
    const ctx = canvas.getContext("2d")!;
    const scale = Math.max(...list.map(Math.abs));
    list.forEach((v, i) => {
      ctx.fillStyle = heatColor(v, scale);
      ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell, cell);
    });
    canvas.setAttribute("role", "img");
    el = canvas;
  }
  el.dataset.values = JSON.stringify(list);
  el.setAttribute(
    "aria-label",
    `${label}: ${list.length <= 20 ? list.map(formatNumber).join(", ") : `${list.length} values`}`,
  );
  el.title = `${label}\n${list.slice(0, 40).map(formatNumber).join(", ")}${list.length > 40 ? ", …" : ""}`;
  return el;
}

/** "[5×4]", "scalar". */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? "scalar" : `[${shape.join("×")}]`;
}
