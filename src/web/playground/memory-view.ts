// Panel 4, exercise 3: `chainrule memory` in the page. Peak bytes of one training step and of one prediction for
// the chapter's MLP by batch size and depth, from dry runs on the meta backend (nothing allocated), redrawn live.
import { type MemoryRow, memoryChart } from "../../plot/memory-chart.js";
import * as cr from "../index.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Rows for batches 16, 64, … up to 2^maxPower and depths 1, 2, 4, … up to maxLayers. */
export function memoryRows(hidden: number, maxPower: number, maxLayers: number, bias: boolean): MemoryRow[] {
  const batches: number[] = [];
  for (let p = Math.min(4, maxPower); p <= maxPower; p += 2) batches.push(2 ** p);
  if (batches.at(-1) !== 2 ** maxPower) batches.push(2 ** maxPower);
  const depths: number[] = [];
  for (let l = 1; l < maxLayers; l *= 2) depths.push(l);
  depths.push(maxLayers);
  return depths.flatMap((layers) =>
    batches.map((batch) => ({ layers, batch, ...cr.chapter.memory({ batch, layers, hidden, bias }) })),
  );
}

export function setUpMemory(): void {
  const ids = ["mem-hidden", "mem-batch", "mem-layers", "mem-bias"];
  const draw = () => {
    const hidden = Number($<HTMLInputElement>("mem-hidden").value);
    const power = Number($<HTMLInputElement>("mem-batch").value);
    const layers = Number($<HTMLInputElement>("mem-layers").value);
    const bias = $<HTMLInputElement>("mem-bias").checked;
    document.querySelector('output[for="mem-hidden"]')!.textContent = String(hidden);
    document.querySelector('output[for="mem-batch"]')!.textContent = String(2 ** power);
    document.querySelector('output[for="mem-layers"]')!.textContent = String(layers);
    $("memory-chart").innerHTML = memoryChart(memoryRows(hidden, power, layers, bias), hidden);
  };
  for (const id of ids) $(id).addEventListener("input", draw);
  draw();
}
