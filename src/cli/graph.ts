// chainrule graph / chainrule explain: the chapter's model (d → h → q, J = L + s) on one minibatch of the
// bundled MNIST digits, drawn as DOT, Mermaid, SVG, PNG or an HTML page, or its backward pass explained.
import { writeFileSync } from "node:fs";
import { backward } from "../autograd/sweep.js";
import { loadMnistAll } from "../data/mnist.js";
import { explain } from "../graph/explain.js";
import { withChapterNames } from "../graph/explain-names.js";
import { toHtml } from "../graph/html.js";
import { toPng } from "../graph/png.js";
import { type DrawOptions, toDot, toMermaid } from "../graph/render.js";
import { secondOrderReport } from "../graph/second-order.js";
import { toSvg } from "../graph/svg.js";
import { DETAILS, type Detail, type Graph, trace } from "../graph/trace.js";
import { crossEntropy, l2Penalty } from "../nn/losses.js";
import type { Module } from "../nn/module.js";
import { add, mul } from "../ops/binary.js";
import { sum } from "../ops/reduce.js";
import { tensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { chapterMlp } from "../train/mlp.js";
import { type FlagSpec, flagHelp, parseFlags, RUNTIME_FLAGS, UsageError } from "./args.js";
import { applyRuntimeFlags } from "./runtime.js";

const FORMATS = ["dot", "svg", "png", "mermaid", "html"] as const;
type Format = (typeof FORMATS)[number];

const MODEL_FLAGS: FlagSpec[] = [
  { name: "hidden", type: "string", value: "N", help: "hidden units (h)", default: "256" },
  { name: "batch", type: "string", value: "N", help: "minibatch size (n)", default: "8" },
  { name: "bias", type: "boolean", help: "add biases (the chapter's model has none)", default: "off" },
  {
    name: "weight-decay",
    type: "string",
    value: "X",
    help: "λ of the penalty s = λ/2 Σ‖W‖²_F (0: J = L)",
    default: "0.0001",
  },
  ...RUNTIME_FLAGS,
];

const DETAIL_FLAG: FlagSpec = {
  name: "detail",
  type: "string",
  value: "LEVEL",
  help: "book: the chapter's operators, as in Fig. 5.3.1 (l, ‖·‖², ×, φ, +); ops: every primitive",
  default: "book",
};

/** The --detail flag's value, checked. */
function detailOf(raw: string | boolean | undefined): Detail {
  const detail = raw ?? "book";
  if (!DETAILS.includes(detail as Detail)) {
    throw new UsageError(`--detail must be one of ${DETAILS.join(", ")}, got "${raw}"`);
  }
  return detail as Detail;
}

const GRAPH_FLAGS: FlagSpec[] = [
  ...MODEL_FLAGS,
  DETAIL_FLAG,
  { name: "backward", type: "boolean", help: "draw the backward graph beside the forward one" },
  {
    name: "order",
    type: "string",
    value: "K",
    help: "2: the second-order graph a createGraph backward records",
    default: "1",
  },
  { name: "clusters", type: "boolean", help: "box each module's nodes" },
  { name: "format", type: "string", value: "FMT", help: FORMATS.join(" | "), default: "dot" },
  {
    name: "out",
    type: "string",
    value: "FILE",
    help: "output file (default: stdout for dot and mermaid, graph.svg/graph.png/graph.html otherwise)",
  },
];

const EXPLAIN_FLAGS: FlagSpec[] = [
  ...MODEL_FLAGS,
  DETAIL_FLAG,
  { name: "markdown", type: "boolean", help: "the steps as Markdown with the chapter's LaTeX equations" },
  { name: "out", type: "string", value: "FILE", help: "output file (default: stdout)" },
];

export const GRAPH_HELP = `Usage: chainrule graph [flags]

Draws the computational graph of the chapter's model, 784 → h → 10 with J = L + s, on one minibatch of the
bundled MNIST digits: by default at the book's level, as in D2L Fig. 5.3.1 (variables x, W(1), z, h, W(2), o,
y, L, s, J; operators ×, φ, l, ‖·‖², +); with --backward also its backward graph, each gradient with its formula.

${flagHelp(GRAPH_FLAGS)}`;

export const EXPLAIN_HELP = `Usage: chainrule explain [flags]

Prints the backward pass of the chapter's model step by step, one step per operator of the book's graph in the
order of the chapter's equations (5.3.8)-(5.3.14) (--detail ops: per primitive): each chain-rule product with
its shapes, the saved intermediates it reads, and when each is freed.

${flagHelp(EXPLAIN_FLAGS)}`;

function count(flag: string, raw: string | boolean | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== "string" || !/^\d+$/.test(raw.trim()) || Number(raw) < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

interface Built {
  model: Module;
  J: Tensor;
}

/** The chapter's model and objective on the first `batch` bundled digits. */
function build(values: Record<string, string | boolean | undefined>): Built {
  const hidden = count("hidden", values.hidden, 256, 1);
  const batch = count("batch", values.batch, 8, 1);
  const rawLambda = values["weight-decay"];
  const lambda = rawLambda === undefined ? 1e-4 : Number(rawLambda);
  if (typeof rawLambda === "string" && (rawLambda.trim() === "" || !(lambda >= 0))) {
    throw new UsageError(`--weight-decay must be a number >= 0, got "${rawLambda}"`);
  }
  const data = loadMnistAll();
  // Every 1000th digit: the bundle is sorted by digit, so this minibatch holds several classes.
  const rows = Array.from({ length: batch }, (_, i) => (i * 997) % data.count);
  const x = new Float32Array(batch * data.features);
  rows.forEach((r, i) => {
    for (let j = 0; j < data.features; j++)
      x[i * data.features + j] = data.x[r * data.features + j] * data.scale;
  });
  const model = chapterMlp({
    inputs: data.features,
    hidden,
    outputs: data.classes,
    bias: values.bias === true,
  });
  const X = tensor(x, { shape: [batch, data.features] }).named("x");
  const y = tensor(
    Int32Array.from(rows, (r) => data.y[r]),
    { dtype: "int32" },
  ).named("y");
  const L = crossEntropy(model.forward(X), y).named("L");
  const J = lambda > 0 ? add(L, l2Penalty(model.parameters(), lambda).named("s")) : L;
  return { model, J: J.named("J") };
}

function emit(text: string | Uint8Array, out: string | undefined): void {
  if (out === undefined) process.stdout.write(text);
  else writeFileSync(out, text);
}

export async function graphCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, GRAPH_FLAGS);
  const format = (values.format ?? "dot") as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${values.format}"`);
  }
  const order = count("order", values.order, 1, 1);
  if (order > 2) throw new UsageError(`--order must be 1 or 2, got "${values.order}"`);
  const detail = detailOf(values.detail);
  await applyRuntimeFlags(values);
  const { model, J } = build(values);
  let root = J;
  let graph: Graph;
  if (order === 2) {
    // ∂J/∂W recorded by a createGraph backward, then Σ‖∂J/∂W‖²: its graph holds both passes.
    backward(J, undefined, { createGraph: true });
    let penalty: Tensor | null = null;
    for (const p of model.parameters()) {
      const g = p.grad!;
      const term = sum(mul(g, g));
      penalty = penalty === null ? term : add(penalty, term);
    }
    root = penalty!.named("Σ‖∂J/∂W‖²");
    graph = withChapterNames(trace(root, { names: model, detail }));
    const report = secondOrderReport(withChapterNames(trace(root, { names: model, detail: "ops" })));
    process.stderr.write(
      `second order: the createGraph backward adds ${report.addedNodes} nodes ` +
        `(${report.addedOperators} operators, ${report.addedVariables} variables) ` +
        `and ${report.addedSavedBytes} saved bytes\n`,
    );
  } else {
    graph = withChapterNames(trace(root, { names: model, detail }));
  }
  const options: DrawOptions = {
    backward: values.backward === true ? "both" : false,
    clusters: values.clusters === true,
    maxNodes: 2000,
  };
  const out = values.out as string | undefined;
  if (format === "dot") emit(toDot(graph, options), out);
  else if (format === "mermaid") emit(toMermaid(graph, options), out);
  else if (format === "svg") emit(await toSvg(graph, options), out ?? "graph.svg");
  else if (format === "png") {
    // The book's graph is small: 1.5× keeps its side-by-side drawing under 1,400 px wide.
    emit(await toPng(graph, { ...options, scale: detail === "book" ? 1.5 : 2 }), out ?? "graph.png");
  } else emit(await toHtml(root, { ...options, names: model, detail }), out ?? "graph.html");
  if (out !== undefined || format === "svg" || format === "png" || format === "html") {
    process.stderr.write(`wrote ${out ?? `graph.${format}`}\n`);
  }
  return 0;
}

export async function explainCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, EXPLAIN_FLAGS);
  const detail = detailOf(values.detail);
  await applyRuntimeFlags(values);
  const { model, J } = build(values);
  const format = values.markdown === true ? "markdown" : "text";
  const text = explain(J, { names: model, format, detail });
  emit(text, values.out as string | undefined);
  return 0;
}
