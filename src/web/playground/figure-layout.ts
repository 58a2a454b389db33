// Where each node of Fig. 5.3.1 goes on the page: the chain x → z → h → o → L → J along the middle row, the
// weights above their products, y and the biases below, the penalty s on the top row; edges as SVG curves.
import type { BookOperator } from "./figure-model.js";

export const COLUMN = 124;
export const VAR_WIDTH = 112;
export const OP_SIZE = 46;
const ROWS = [8, 150, 320, 500];
const VAR_HEIGHT = 110;

/** Column and row of each variable and operator. */
const PLACES: Record<string, [number, number]> = {
  x: [0, 2],
  product1: [1, 2],
  W1: [1, 1],
  b1: [1, 3],
  z: [2, 2],
  phi: [3, 2],
  h: [4, 2],
  product2: [5, 2],
  W2: [5, 1],
  b2: [5, 3],
  o: [6, 2],
  loss: [7, 2],
  y: [7, 3],
  L: [8, 2],
  penalty: [7, 0],
  s: [8, 0],
  plus: [9, 2],
  J: [10, 2],
};

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function variableBox(name: string): Box {
  const [c, r] = PLACES[name];
  return { left: c * COLUMN + (COLUMN - VAR_WIDTH) / 2, top: ROWS[r], width: VAR_WIDTH, height: VAR_HEIGHT };
}

export function operatorBox(id: string): Box {
  const [c, r] = PLACES[id];
  return { left: c * COLUMN + (COLUMN - OP_SIZE) / 2, top: ROWS[r] + 32, width: OP_SIZE, height: OP_SIZE };
}

export const FIGURE_WIDTH = 11 * COLUMN;
export const FIGURE_HEIGHT = ROWS[3] + VAR_HEIGHT + 20;

const center = (b: Box) => ({ x: b.left + b.width / 2, y: b.top + Math.min(b.height, 60) / 2 });

/** The edges (input → operator → output) as one SVG element, drawn under the boxes; data flows left to right. */
export function edgesSvg(operators: readonly BookOperator[]): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.classList.add("edges");
  svg.setAttribute("width", String(FIGURE_WIDTH));
  svg.setAttribute("height", String(FIGURE_HEIGHT));
  svg.setAttribute("aria-hidden", "true");
  const curve = (from: Box, to: Box) => {
    const a = center(from);
    const b = center(to);
    const path = document.createElementNS(ns, "path");
    const dx = Math.max(30, Math.abs(b.x - a.x) / 2);
    path.setAttribute("d", `M${a.x},${a.y} C${a.x + dx},${a.y} ${b.x - dx},${b.y} ${b.x},${b.y}`);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "#777");
    path.setAttribute("stroke-width", "1.5");
    svg.append(path);
  };
  for (const op of operators) {
    for (const input of op.inputs) curve(variableBox(input), operatorBox(op.id));
    curve(operatorBox(op.id), variableBox(op.output));
  }
  return svg;
}
