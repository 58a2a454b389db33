// toSvg and toPng: DOT laid out by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz, loaded
// lazily once, ~330 ms), then rasterised by resvg for PNG.
import { svgToPng } from "../plot/png.js";
import type { Tensor } from "../tensor/tensor.js";
import { type DrawOptions, toDot } from "./render.js";
import type { Graph } from "./trace.js";

type GraphvizInstance = Awaited<ReturnType<typeof import("@hpcc-js/wasm-graphviz").Graphviz.load>>;
let graphviz: Promise<GraphvizInstance> | null = null;

function loadGraphviz(): Promise<GraphvizInstance> {
  graphviz ??= import("@hpcc-js/wasm-graphviz").then((m) => m.Graphviz.load());
  return graphviz;
}

/** Graphviz's layout of any DOT text as SVG. */
export async function dotToSvg(dot: string): Promise<string> {
  return (await loadGraphviz()).dot(dot, "svg");
}

/** The graph as SVG (labels escaped by Graphviz). */
export async function toSvg(source: Graph | Tensor, options: DrawOptions = {}): Promise<string> {
  return dotToSvg(toDot(source, options));
}

/** The graph as PNG bytes; `scale` zooms the SVG (default 1). */
export async function toPng(
  source: Graph | Tensor,
  options: DrawOptions & { scale?: number } = {},
): Promise<Uint8Array> {
  return svgToPng(await toSvg(source, options), { scale: options.scale });
}
