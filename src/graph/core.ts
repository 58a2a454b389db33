// The graph namespace where it runs anywhere (the browser entry's): trace a computation, derive its backward
// graph, and draw either as DOT, Mermaid or SVG (squares for variables, circles for operators, as in D2L Fig. 5.3.1).
export { backwardGraph, combinedGraph, gradId, isSavedEdge, type SavedEdge } from "./backward-graph.js";
export { bookName } from "./book.js";
export { bookBackwardGraph, bookOrder, operandsOf } from "./book-backward.js";
export { collapseModules } from "./collapse-modules.js";
export { dotString, mermaidString } from "./escape.js";
export { explain } from "./explain.js";
export { chapterNames, latexName, withChapterNames } from "./explain-names.js";
export * from "./explain-steps.js";
export { escapeHtml, type HtmlOptions, scriptJson, toHtml } from "./html.js";
export { type DrawOptions, toDot, toMermaid } from "./render.js";
export { type SavedByOperator, type SavedMemory, savedMemory } from "./saved-memory.js";
export { type SecondOrderReport, secondOrderReport } from "./second-order.js";
export { dotToSvg, toSvg } from "./svg.js";
export {
  type ChainRule,
  DETAILS,
  type Detail,
  type Graph,
  type GraphEdge,
  type GraphOperator,
  type GraphVariable,
  type TraceOptions,
  trace,
  type VariableKind,
} from "./trace.js";
