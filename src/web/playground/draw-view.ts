// Panel 3: a drawing pad (mouse, touch or pen through pointer events). For an MNIST model the strokes are cropped,
// scaled to 20×20 and centred by mass in 28×28 as MNIST's digits are; for a Fashion-MNIST model, scaled to fill
// 28×28 and centred, as its clothes are. The trained model predicts under noGrad, with its classes' names.
import * as cr from "../index.js";
import { classNames, type DataSetName } from "./data-web.js";
import type { TrainState } from "./train-view.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The pad's ink as 784 values in [0, 1], in the data set's style; null when nothing is drawn. */
export function padPixels(pad: HTMLCanvasElement, style: DataSetName = "mnist"): Float32Array | null {
  const { width, height } = pad;
  const ink = pad.getContext("2d")!.getImageData(0, 0, width, height).data;
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (ink[(y * width + x) * 4] > 20)
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) return null;
  const side = Math.max(x1 - x0, y1 - y0) + 1;
  const small = document.createElement("canvas");
  small.width = 28;
  small.height = 28;
  const ctx = small.getContext("2d", { willReadFrequently: true })!;
  const box = style === "mnist" ? 20 : 28;
  const w = (box * (x1 - x0 + 1)) / side;
  const h = (box * (y1 - y0 + 1)) / side;
  ctx.drawImage(pad, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (28 - w) / 2, (28 - h) / 2, w, h);
  const rgba = ctx.getImageData(0, 0, 28, 28).data;
  const px = new Float32Array(784);
  let [mass, mx, my] = [0, 0, 0];
  for (let i = 0; i < 784; i++) {
    px[i] = rgba[i * 4] / 255;
    mass += px[i];
    mx += px[i] * (i % 28);
    my += px[i] * Math.floor(i / 28);
  }
  if (style !== "mnist") return px;
  // Shift so the centre of mass sits at the middle, as in MNIST.
  const dx = Math.round(13.5 - mx / mass);
  const dy = Math.round(13.5 - my / mass);
  const shifted = new Float32Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) shifted[y * 28 + x] = px[sy * 28 + sx];
    }
  return shifted;
}

/** Class probabilities of the model for these pixels: softmax of its output, no graph recorded. */
export function predictDigit(model: cr.nn.Module, pixels: Float32Array): number[] {
  return cr.tidy(() =>
    cr.noGrad(() =>
      Array.from(cr.softmax(model.forward(cr.tensor(pixels, { shape: [1, 784] }))).dataSync(), Number),
    ),
  );
}

export function setUpDrawing(state: TrainState): void {
  const pad = $<HTMLCanvasElement>("pad");
  const ctx = pad.getContext("2d", { willReadFrequently: true })!;
  /** The panel's title and prompt name what the trained model knows: digits, or Fashion-MNIST's clothes. */
  const thing = () => (state.dataSet === "mnist" ? "a digit" : "a piece of clothing");
  const clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, pad.width, pad.height);
    $("probs").replaceChildren();
    $("draw-title").textContent = `3. Draw ${thing()}`;
    $("prediction").textContent = state.model
      ? `Draw ${thing()}${state.dataSet === "mnist" ? "" : " (the model was trained on Fashion-MNIST)"}.`
      : "Train the model, then draw a digit.";
  };
  clear();
  let last: [number, number] | null = null;
  const point = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  const predict = () => {
    $("draw-title").textContent = `3. Draw ${thing()}`;
    const pixels = padPixels(pad, state.dataSet);
    if (!pixels) return;
    if (!state.model) {
      $("prediction").textContent =
        "Train the model first (section 2): there is nothing to predict with yet.";
      return;
    }
    const probs = predictDigit(state.model, pixels);
    const best = probs.indexOf(Math.max(...probs));
    const names = classNames(state.dataSet);
    const out = $("prediction");
    out.textContent = `Prediction: ${names[best]} (${(probs[best] * 100).toFixed(1)}%)`;
    out.dataset.class = String(best);
    out.dataset.label = names[best];
    // data-digit only where the classes are digits.
    if (state.dataSet === "mnist") out.dataset.digit = String(best);
    else delete out.dataset.digit;
    out.dataset.probs = JSON.stringify(probs);
    $("probs").replaceChildren(
      ...probs.flatMap((p, k) => {
        const label = document.createElement("span");
        label.textContent = names[k];
        const bar = document.createElement("div");
        bar.className = "p";
        bar.style.width = `${Math.max(1, p * 200)}px`;
        bar.setAttribute("role", "meter");
        bar.setAttribute("aria-valuenow", p.toFixed(3));
        bar.setAttribute("aria-label", `probability of ${names[k]}`);
        const text = document.createElement("span");
        text.textContent = `${(p * 100).toFixed(1)}%`;
        return [label, bar, text];
      }),
    );
  };
  pad.addEventListener("pointerdown", (e) => {
    pad.setPointerCapture(e.pointerId);
    last = point(e);
  });
  pad.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = point(e);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 20;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (last) predict();
    last = null;
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  $("pad-clear").addEventListener("click", clear);
  document.addEventListener("model-trained", () => (padPixels(pad) ? predict() : clear()));
}
