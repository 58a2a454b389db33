// Panel 2: the chapter's MLP trained on MNIST (or Fashion-MNIST, where the server has it) in the page, one
// minibatch at a time between frames, with the loss and test-accuracy curves, examples per second (time inside
// the training steps), and W⁽¹⁾'s rows as images.
import { trainStep } from "../../train/step.js";
import * as cr from "../index.js";
import { DATA_SET_TITLES, type DataSetName, type PageData, type PageDataSets } from "./data-web.js";
import type { Activation } from "./figure-model.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface TrainState {
  model: cr.nn.Module | null;
  /** The data set the model was trained on (what its ten outputs mean). */
  dataSet: DataSetName;
}

interface Curves {
  /** [examples seen, mean J of the last 10 steps]. */
  losses: [number, number][];
  /** [examples seen, test accuracy] at the end of each epoch. */
  accuracies: [number, number][];
  totalExamples: number;
}

function drawCurves(c: Curves): void {
  const canvas = $<HTMLCanvasElement>("curves");
  const ctx = canvas.getContext("2d")!;
  const { width: w, height: hgt } = canvas;
  const [left, right, top, bottom] = [44, w - 50, 14, hgt - 30];
  ctx.clearRect(0, 0, w, hgt);
  ctx.strokeStyle = "#999";
  ctx.strokeRect(left, top, right - left, bottom - top);
  ctx.font = "11px sans-serif";
  const maxLoss = Math.max(0.5, ...c.losses.map(([, l]) => l));
  const px = (examples: number) => left + ((right - left) * examples) / c.totalExamples;
  ctx.fillStyle = "#1f77b4";
  ctx.fillText(`J ${maxLoss.toFixed(2)}`, 2, top + 8);
  ctx.fillText("0", left - 12, bottom);
  ctx.fillStyle = "#d62728";
  ctx.fillText("100%", right + 6, top + 8);
  ctx.fillText("0%", right + 6, bottom);
  ctx.fillStyle = "#333";
  ctx.fillText(`examples seen (${c.totalExamples})`, left, hgt - 10);
  ctx.strokeStyle = "#1f77b4";
  ctx.beginPath();
  c.losses.forEach(([e, l], i) => {
    const py = top + (bottom - top) * (1 - l / maxLoss);
    if (i === 0) ctx.moveTo(px(e), py);
    else ctx.lineTo(px(e), py);
  });
  ctx.stroke();
  ctx.fillStyle = "#d62728";
  for (const [e, a] of c.accuracies) {
    const py = top + (bottom - top) * (1 - a);
    ctx.beginPath();
    ctx.arc(px(e), py, 4, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillText(`${(a * 100).toFixed(1)}%`, px(e) - 40, py + 16);
  }
}

/** Draws W⁽¹⁾'s first rows, or what training added to them (minus `start`, the weights before training). */
function drawWeights(model: cr.nn.Module, start: Float32Array): void {
  const W = model.parameters()[0];
  const [rows, cols] = W.shape;
  if (cols !== 784) return;
  const change = $<HTMLSelectElement>("train-weights").value === "change";
  const data = Float32Array.from(W.dataSync(), (v, i) => (change ? v - start[i] : v));
  const box = $("weights");
  box.replaceChildren();
  for (let r = 0; r < Math.min(32, rows); r++) {
    const canvas = document.createElement("canvas");
    canvas.width = 28;
    canvas.height = 28;
    canvas.style.width = "42px";
    const row = data.subarray(r * cols, (r + 1) * cols);
    const scale = Math.max(1e-6, ...Array.from(row, Math.abs));
    const ctx = canvas.getContext("2d")!;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const t = row[i] / scale;
      img.data.set(
        t >= 0 ? [255, 255 * (1 - t), 255 * (1 - t), 255] : [255 * (1 + t), 255 * (1 + t), 255, 255],
        i * 4,
      );
    }
    ctx.putImageData(img, 0, 0);
    box.append(canvas);
  }
}

const frame = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The data-set select: Fashion-MNIST is disabled, with the install command beside it, where datasets.json says
 * the server lacks it. Calls `chosen` with the data set picked (MNIST first) once its file is loaded.
 */
function setUpDataSelect(
  sets: PageDataSets,
  chosen: (name: DataSetName, data: PageData | null) => void,
): void {
  const select = $<HTMLSelectElement>("train-data");
  const note = $("train-data-note");
  const fashion = select.querySelector<HTMLOptionElement>('option[value="fashion-mnist"]')!;
  fashion.disabled = true;
  sets.manifest.then((m) => {
    fashion.disabled = m.fashionMnist === null;
    note.textContent = m.fashionMnist
      ? ""
      : `Fashion-MNIST is not installed where the server runs: ${m.install}, then restart chainrule playground.`;
    select.dataset.fashion = m.fashionMnist ? "available" : "absent";
  });
  const status = $("train-status");
  const pick = () => {
    const name = select.value as DataSetName;
    const title = DATA_SET_TITLES[name];
    chosen(name, null);
    status.textContent = `Loading ${title}…`;
    sets.load(name).then(
      (d) => {
        if (select.value !== name) return;
        status.textContent = `${title} ready: ${d.train.count} training and ${d.test.count} test images. Press Train.`;
        status.dataset.loaded = name;
        chosen(name, d);
      },
      (e: Error) => {
        status.textContent = `Could not load ${title}: ${e.message}`;
      },
    );
  };
  select.addEventListener("change", pick);
  pick();
}

/** Wires the data-set select and the Train and Stop buttons; trains into state.model. */
export function setUpTraining(sets: PageDataSets, state: TrainState): void {
  const status = $("train-status");
  const start = $<HTMLButtonElement>("train-start");
  const stop = $<HTMLButtonElement>("train-stop");
  let stopping = false;
  let training = false;
  let ready: { name: DataSetName; data: PageData } | null = null;
  start.disabled = true;
  setUpDataSelect(sets, (name, data) => {
    ready = data ? { name, data } : null;
    if (!training) start.disabled = ready === null;
  });
  stop.addEventListener("click", () => {
    stopping = true;
  });
  start.addEventListener("click", async () => {
    if (!ready) return;
    const { name, data } = ready;
    const { train, test } = data;
    training = true;
    $<HTMLSelectElement>("train-data").disabled = true;
    const num = (id: string) => Number($<HTMLInputElement>(id).value);
    const [hidden, lr, batch, lambda, epochs] = ["hidden", "lr", "batch", "lambda", "epochs"].map((k) =>
      num(`train-${k}`),
    );
    const threads = num("train-threads");
    if (cr.wasmStatus().available && threads >= 1) cr.setThreads(threads);
    const activation = $<HTMLSelectElement>("train-activation").value as Activation;
    state.model = cr.chapter.mlp({ hidden, activation, seed: 0 });
    state.dataSet = name;
    const optimizer = new cr.optim.SGD(state.model.parameters(), { lr });
    const model = state.model;
    // Recorded on the first batch, replayed after: full speed from the first second (docs/capture.md).
    const step = cr.capture(
      (x: cr.Tensor, y: cr.Tensor) =>
        trainStep(model, optimizer, x, y, { lambda, readBack: "tensors" }).objective,
    );
    const initial = Float32Array.from(state.model.parameters()[0].dataSync());
    const weightsNow = () => drawWeights(state.model!, initial);
    $("train-weights").onchange = weightsNow;
    const loader = new cr.DataLoader(train, { batchSize: batch, shuffle: true, seed: 0 });
    const curves: Curves = { losses: [], accuracies: [], totalExamples: epochs * train.count };
    stopping = false;
    start.disabled = true;
    stop.disabled = false;
    let examples = 0;
    let slices = 0;
    let busy = 0;
    let recent: number[] = [];
    status.dataset.state = "training";
    for (let epoch = 1; epoch <= epochs && !stopping; epoch++) {
      let sliceStart = performance.now();
      for (const { x, y } of loader) {
        const t0 = performance.now();
        const objective = cr.tidy(() => step(x, y).item());
        busy += performance.now() - t0;
        examples += x.shape[0];
        recent.push(objective);
        if (recent.length === 10) {
          curves.losses.push([examples, recent.reduce((a, b) => a + b) / recent.length]);
          recent = [];
        }
        if (performance.now() - sliceStart > 40) {
          status.textContent = `epoch ${epoch}/${epochs}: ${examples} examples, ${Math.round((examples * 1000) / busy)} examples/s`;
          drawCurves(curves);
          if (++slices % 10 === 0) weightsNow();
          await frame();
          sliceStart = performance.now();
          if (stopping) break;
        }
      }
      if (stopping) break;
      const { accuracy } = cr.evaluate(state.model, test);
      curves.accuracies.push([examples, accuracy]);
      drawCurves(curves);
      weightsNow();
      const speed = Math.round((examples * 1000) / busy);
      status.textContent = `${DATA_SET_TITLES[name]}, epoch ${epoch}/${epochs}: test accuracy ${(accuracy * 100).toFixed(2)}%, ${speed} examples/s on ${cr.wasmStatus().threads} thread(s)`;
      Object.assign(status.dataset, {
        epoch: String(epoch),
        dataSet: name,
        accuracy: String(accuracy),
        speed: String(speed),
      });
      await frame();
    }
    step.dispose();
    status.dataset.state = stopping ? "stopped" : "done";
    if (stopping) status.textContent += " (stopped)";
    training = false;
    $<HTMLSelectElement>("train-data").disabled = false;
    start.disabled = ready === null;
    stop.disabled = true;
    document.dispatchEvent(new CustomEvent("model-trained"));
  });
}
