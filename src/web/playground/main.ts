// The playground page's entry (bundled to playground.js): loads the wasm kernels (threads where the page is
// cross-origin isolated, and a visible notice where it is not), then sets up the four panels.
import * as cr from "../index.js";
import { PageDataSets } from "./data-web.js";
import { setUpDrawing } from "./draw-view.js";
import { FigureView } from "./figure-view.js";
import { setUpMemory } from "./memory-view.js";
import { setUpSecondOrder } from "./second-order-view.js";
import { setUpTraining, type TrainState } from "./train-view.js";

async function start(): Promise<void> {
  const runtime = document.getElementById("runtime")!;
  const data = new PageDataSets();
  data.load("mnist").catch(() => {}); // started early; the Train panel reports a failure
  const ok = await cr.initWasm();
  const status = cr.wasmStatus();
  const isolated = globalThis.crossOriginIsolated === true;
  if (!ok) {
    runtime.textContent = `The WebAssembly kernels did not load (${status.reason}); the plain JavaScript backend runs.`;
    runtime.classList.add("warn");
  } else if (!isolated || !status.sharedMemory) {
    runtime.textContent =
      "This page is not cross-origin isolated (no COOP/COEP headers), so the wasm backend runs on one thread. " +
      "Serve it with `chainrule playground` to train on several.";
    runtime.classList.add("warn");
  } else {
    runtime.textContent = `wasm backend (${status.relaxedSimd ? "relaxed SIMD" : "SIMD"}), ${status.threads} threads, cross-origin isolated.`;
  }
  Object.assign(runtime.dataset, {
    backend: cr.getBackend().name,
    threads: String(status.threads),
    isolated: String(isolated),
  });
  const threads = document.getElementById("train-threads") as HTMLSelectElement;
  for (let n = 1; n <= status.threads; n++)
    threads.add(new Option(String(n), String(n), false, n === status.threads));

  let redrawSecondOrder = () => {};
  const figure = new FigureView(() => redrawSecondOrder());
  redrawSecondOrder = setUpSecondOrder(() => figure.stepper.settings);
  const state: TrainState = { model: null, dataSet: "mnist" };
  setUpTraining(data, state);
  setUpDrawing(state);
  setUpMemory();
  document.body.dataset.ready = "true";
}

start().catch((error: Error) => {
  const runtime = document.getElementById("runtime")!;
  runtime.textContent = `The playground failed to start: ${error.message}`;
  runtime.classList.add("warn");
  throw error;
});
