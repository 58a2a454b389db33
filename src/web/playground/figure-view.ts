// Panel 1, the figure live: the settings, the Forward / Backward / Reset buttons (and keys f, b, r), the graph
// with each variable's values and ∂J/∂·, the text of the step just run, and the memory bars by tag.
import * as cr from "../index.js";
import { edgesSvg, FIGURE_HEIGHT, FIGURE_WIDTH, operatorBox, variableBox } from "./figure-layout.js";
import {
  type Activation,
  BACKWARD_ORDER,
  type BookOperator,
  DEFAULT_FIGURE,
  displayName,
  type FigureSettings,
} from "./figure-model.js";
import { FigureStepper, type MemoryBar, type StepInfo } from "./figure-stepper.js";
import { shapeText, tensorView } from "./tensor-view.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const KIND: Record<string, string> = { x: "input", y: "input", W1: "parameter", W2: "parameter" };

function readSettings(): FigureSettings {
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  return {
    ...DEFAULT_FIGURE,
    d: num("set-d"),
    h: num("set-h"),
    q: num("set-q"),
    batch: num("set-batch"),
    lambda: num("set-lambda"),
    activation: $<HTMLSelectElement>("set-activation").value as Activation,
    bias: $<HTMLInputElement>("set-bias").checked,
  };
}

const values = (t: cr.Tensor) => Array.from(t.dataSync(), Number);

export class FigureView {
  stepper: FigureStepper;
  private active: StepInfo | null = null;
  private everSaved = new Set<string>();
  private maxBytes = 1;

  constructor(private readonly onReset: (settings: FigureSettings) => void = () => {}) {
    this.stepper = new FigureStepper(readSettings());
    for (const input of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
      "#figure-settings input, #figure-settings select",
    )) {
      input.addEventListener("input", () => {
        const out = document.querySelector(`output[for="${input.id}"]`);
        if (out) out.textContent = input.value;
        this.reset();
      });
    }
    $("forward").addEventListener("click", () => this.forward());
    $("backward").addEventListener("click", () => this.backward());
    $("reset").addEventListener("click", () => this.reset());
    document.addEventListener("keydown", (e) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
      if (e.key === "f") this.forward();
      else if (e.key === "b") this.backward();
      else if (e.key === "r") this.reset();
    });
    this.render();
  }

  forward(): void {
    const before = this.savedNow();
    this.active = this.stepper.forward();
    if (!this.active) return;
    const op = this.active.operator;
    const newly = this.savedNow().filter((n) => !before.includes(n));
    for (const n of newly) this.everSaved.add(n);
    const out = this.stepper.values.get(op.output)!;
    this.say(
      `Forward ${this.stepper.forwardDone}/${this.stepper.operators.length}: ${op.equation}\n` +
        `${op.title}; ${displayName(op.output)} ${shapeText(out.shape)} from ${op.inputs.map((n) => `${displayName(n)} ${shapeText(this.stepper.values.get(n)!.shape)}`).join(", ")}\n` +
        `saved for backward now: ${this.savedNow().map(displayName).join(", ") || "nothing"}`,
    );
    this.render();
  }

  backward(): void {
    const before = this.savedNow();
    this.active = this.stepper.backward();
    if (!this.active) return;
    const op = this.active.operator;
    const freed = before.filter((n) => !this.stepper.isSaved(n));
    const lines = op.products.map((p) => {
      const shown = (o: string) => o.replace(/^(∂J\/∂)?(\w+)$/, (_, d = "", n: string) => d + displayName(n));
      const operands = p.operands.map((o) => `${shown(o)} ${this.shapeOf(o)}`).join(", ");
      const library = this.stepper.libraryFormula(p.target);
      const rule = library
        ? `\n      the library's book-level rule: ∂J/∂${cr.graph.bookName(p.target)} = ${library}`
        : "";
      return `  ${p.formula}${operands ? `    [${operands}]` : ""} → ${shapeText(this.stepper.grads.get(p.target)!.shape)}${rule}`;
    });
    this.say(
      `Backward ${this.stepper.backwardDone}/${this.stepper.operators.length}: through ${op.symbol} (${op.title})\n` +
        `${lines.join("\n")}\nno longer saved (released by the graph): ${freed.map(displayName).join(", ") || "nothing"}`,
    );
    this.render();
  }

  reset(): void {
    this.stepper.dispose();
    const settings = readSettings();
    this.stepper = new FigureStepper(settings);
    this.active = null;
    this.everSaved.clear();
    this.say("Press Forward to run the first operator.");
    this.render();
    this.onReset(settings);
  }

  private shapeOf(operand: string): string {
    const grad = /^∂J\/∂(.+)$/.exec(operand);
    const t = grad ? this.stepper.grads.get(grad[1]) : this.stepper.values.get(operand);
    return t ? shapeText(t.shape) : "?";
  }

  private savedNow(): string[] {
    return [...this.stepper.values.keys()].filter((n) => this.stepper.isSaved(n));
  }

  private say(text: string): void {
    $("step-text").textContent = text;
  }

  private render(): void {
    const canvas = $("graph-canvas");
    canvas.replaceChildren();
    canvas.style.width = `${FIGURE_WIDTH}px`;
    canvas.style.height = `${FIGURE_HEIGHT}px`;
    const ops = this.stepper.operators;
    canvas.append(edgesSvg(ops));
    const names = new Set(ops.flatMap((o) => [...o.inputs, o.output]));
    for (const name of names) canvas.append(this.variableNode(name));
    for (const op of ops) canvas.append(this.operatorNode(op));
    const book = this.stepper.book;
    if (book) {
      canvas.dataset.bookVariables = JSON.stringify(book.variables.map((v) => v.name));
      canvas.dataset.bookOperators = JSON.stringify(book.operators.map((o) => o.op));
    }
    $<HTMLButtonElement>("forward").disabled = !this.stepper.forwardLeft;
    $<HTMLButtonElement>("backward").disabled = !this.stepper.backwardLeft;
    this.renderBars();
  }

  private variableNode(name: string): HTMLElement {
    const el = document.createElement("div");
    const box = variableBox(name);
    Object.assign(el.style, { left: `${box.left}px`, top: `${box.top}px` });
    el.className = `var ${KIND[name] ?? (name.startsWith("b") ? "parameter" : "intermediate")}`;
    el.dataset.name = name;
    const t = this.stepper.values.get(name);
    const head = document.createElement("div");
    head.innerHTML = `<span class="name"></span> <span class="shape"></span>`;
    head.querySelector(".name")!.textContent = displayName(name);
    const shape = t?.shape ?? this.plannedShape(name);
    head.querySelector(".shape")!.textContent = shapeText(shape);
    el.append(head);
    const value = document.createElement("div");
    value.className = "value";
    if (t) value.append(tensorView(values(t), t.shape, displayName(name)));
    el.append(value);
    if (this.stepper.isSaved(name)) el.classList.add("saved");
    else if (this.everSaved.has(name) && !(name in KIND) && !/^b\d$/.test(name)) el.classList.add("freed");
    const g = this.stepper.grads.get(name);
    if (g) {
      const grad = document.createElement("div");
      grad.className = "grad";
      grad.dataset.grad = name;
      grad.append(`∂J/∂${displayName(name)}`, tensorView(values(g), g.shape, `∂J/∂${displayName(name)}`));
      el.append(grad);
    }
    el.setAttribute("aria-label", `variable ${displayName(name)} ${shapeText(shape)}`);
    return el;
  }

  private plannedShape(name: string): number[] {
    const s = this.stepper.settings;
    const shapes: Record<string, number[]> = {
      z: [s.h, s.batch],
      h: [s.h, s.batch],
      o: [s.q, s.batch],
      L: [],
      s: [],
      J: [],
    };
    return shapes[name] ?? [];
  }

  private operatorNode(op: BookOperator): HTMLElement {
    const el = document.createElement("div");
    const box = operatorBox(op.id);
    Object.assign(el.style, { left: `${box.left}px`, top: `${box.top}px` });
    el.className = "op";
    el.dataset.op = op.id;
    el.textContent = op.symbol;
    el.title = `${op.title}\n${op.equation}`;
    el.setAttribute("aria-label", `operator ${op.title}`);
    const index = this.stepper.operators.indexOf(op);
    if (this.active?.operator === op) el.classList.add("active");
    else if (BACKWARD_ORDER.indexOf(op.id) < this.stepper.backwardDone) el.classList.add("done-backward");
    else if (index < this.stepper.forwardDone) el.classList.add("done-forward");
    return el;
  }

  private renderBars(): void {
    const bar = this.stepper.bars.at(-1)!;
    const train = bar.parameter + bar.saved + bar.gradient + bar.other;
    const predictBar = [...this.stepper.bars].reverse().find((b) => b.prediction !== null);
    this.maxBytes = Math.max(this.maxBytes, train, predictBar?.prediction ?? 0);
    const fill = (id: string, parts: [string, number][]) => {
      const el = $(id);
      el.replaceChildren(
        ...parts.map(([tag, bytes]) => {
          const span = document.createElement("span");
          span.className = `t-${tag}`;
          span.style.width = `${(100 * bytes) / this.maxBytes}%`;
          span.title = `${tag}: ${bytes} B`;
          return span;
        }),
      );
      el.setAttribute("aria-label", parts.map(([t, b]) => `${t} ${b} bytes`).join(", "));
    };
    const tags = (b: MemoryBar): [string, number][] => [
      ["parameter", b.parameter],
      ["saved", b.saved],
      ["gradient", b.gradient],
      ["other", b.other],
    ];
    fill("bar-train", tags(bar));
    $("mem-train").textContent = `${train} (${bar.label})`;
    if (predictBar?.prediction != null) {
      fill("bar-predict", [
        ["parameter", bar.parameter],
        ["other", predictBar.prediction - bar.parameter],
      ]);
      $("mem-predict").textContent = String(predictBar.prediction);
    } else {
      $("bar-predict").replaceChildren();
      $("mem-predict").textContent = "–";
    }
  }
}
