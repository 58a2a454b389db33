// Renders the chapter's graphs to docs/graph-*.png: forward, backward and side by side at the book's level
// (Fig. 5.3.1), and the forward graph of primitives (run: node --import tsx scripts/render-graph-docs.ts).
import { writeFileSync } from "node:fs";
import { toPng } from "../src/graph/index.js";
import { chapterModel } from "../test/graph/chapter-model.js";

const { J } = chapterModel();
writeFileSync("docs/graph-forward.png", await toPng(J, { scale: 1.4 }));
writeFileSync("docs/graph-backward.png", await toPng(J, { backward: true, scale: 1.2 }));
writeFileSync("docs/graph-both.png", await toPng(J, { backward: "both", scale: 1 }));
writeFileSync("docs/graph-ops.png", await toPng(J, { detail: "ops", scale: 1 }));
