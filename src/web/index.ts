// The browser entry: everything that needs no file system. Call `await initWasm()` once to move onto the
// WebAssembly backend (multi-threaded where the page is cross-origin isolated).
export * from "../core.js";
export { type Batch, DataLoader, type LoaderOptions } from "../data/loader.js";
export * as graph from "../graph/core.js";
