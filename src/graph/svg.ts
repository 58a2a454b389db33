// toSvg: DOT laid out by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz, loaded lazily once,
// ~330 ms); runs in Node and browsers. PNG is in png.ts (Node only).
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
