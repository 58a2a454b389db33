// Exercise 4 in the page: the chapter's J differentiated with createGraph, so backward itself is recorded; the
// second-order graph (of ‖∂J/∂W⁽¹⁾‖² + ‖∂J/∂W⁽²⁾‖², which reads the gradients) drawn by Graphviz, with its counts.
import { sweep } from "../../autograd/sweep.js";
import { dotToSvg } from "../../graph/svg.js";
import { onesLike } from "../../tensor/create.js";
import * as cr from "../index.js";
import { activate, chapterLoss, chapterPenalty, type FigureSettings, figureLeaves } from "./figure-model.js";

export interface SecondOrder {
  report: cr.graph.SecondOrderReport;
  /** Operators + variables of the first-order graph of J, for comparison. */
  firstOrderNodes: number;
  dot: string;
}

/** Records J's backward with createGraph on fresh leaves; everything made is freed before it returns. */
export function secondOrder(s: FigureSettings): SecondOrder {
  return cr.tidy(() => {
    const { x, y, W1, W2, b1, b2 } = figureLeaves(s);
    W1.named("W1");
    W2.named("W2");
    let z = W1.matmul(x);
    if (b1) z = z.add(b1);
    let o = W2.matmul(activate(z.named("z"), s.activation).named("h"));
    if (b2) o = o.add(b2);
    const J = chapterLoss(o.named("o"), y)
      .named("L")
      .add(chapterPenalty(W1, W2, s.lambda).named("s"))
      .named("J");
    const first = cr.graph.trace(J, { detail: "ops" });
    const grads = sweep([J], [onesLike(J)], new Set([W1, W2]), { createGraph: true });
    const g1 = grads.get(W1)!.named("∂J/∂W1");
    const g2 = grads.get(W2)!.named("∂J/∂W2");
    const root = g1.pow(2).sum().add(g2.pow(2).sum()).named("‖∂J/∂W‖²");
    const graph = cr.graph.trace(root, { detail: "ops" });
    return {
      report: cr.graph.secondOrderReport(graph),
      firstOrderNodes: first.variables.length + first.operators.length,
      dot: cr.graph.toDot(graph, { maxNodes: 2000 }),
    };
  });
}

/** Wires the toggle: when on, computes and draws; when off, hides the drawing. */
export function setUpSecondOrder(settings: () => FigureSettings): () => void {
  const toggle = document.getElementById("second-order") as HTMLInputElement;
  const report = document.getElementById("second-order-report")!;
  const box = document.getElementById("second-order-graph")!;
  const update = async () => {
    if (!toggle.checked) {
      box.hidden = true;
      report.textContent = "";
      return;
    }
    const r = secondOrder(settings());
    report.textContent =
      `Backward recorded with createGraph adds ${r.report.addedNodes} nodes ` +
      `(${r.report.addedOperators} operators, ${r.report.addedVariables} variables) to the ${r.firstOrderNodes} ` +
      `of the first-order graph, and they save ${r.report.addedSavedBytes} bytes for a further backward.`;
    report.dataset.addedNodes = String(r.report.addedNodes);
    report.dataset.addedSavedBytes = String(r.report.addedSavedBytes);
    box.innerHTML = await dotToSvg(r.dot);
    box.hidden = false;
  };
  toggle.addEventListener("change", () => void update());
  return () => void update();
}
