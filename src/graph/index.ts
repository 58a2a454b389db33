// The graph namespace in Node: everything in core.ts, plus PNG (rasterised by a native package, so never
// reachable from the browser entry).
export * from "./core.js";
export { toPng } from "./png.js";
