// toPng: a graph drawn by Graphviz (svg.ts), rasterised by resvg. Node only: resvg is a native package, so
// nothing the browser entry imports may reach this file.
import { svgToPng } from "../plot/png.js";
import type { Tensor } from "../tensor/tensor.js";
import type { DrawOptions } from "./render.js";
import { toSvg } from "./svg.js";
import type { Graph } from "./trace.js";

/** The graph as PNG bytes; `scale` zooms the SVG (default 1). */
export async function toPng(
  source: Graph | Tensor,
  options: DrawOptions & { scale?: number } = {},
): Promise<Uint8Array> {
  return svgToPng(await toSvg(source, options), { scale: options.scale });
}
