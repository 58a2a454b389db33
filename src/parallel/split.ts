// Cutting an nn.Sequential into k pipeline stages of consecutive layers, balanced by the memory each stage will
// hold in training: weights and gradients (2·in·out per Linear) plus the activations it saves (about batch·out
// per Linear and per activation after it). A stage starts at a Linear; activations go with the Linear before them.
import { fail } from "../errors.js";
import { Linear, Sequential } from "../nn/layers.js";
import type { Module } from "../nn/module.js";

/** A stage: layers [start, end) of the network, as a Sequential sharing the network's parameters. */
export interface Stage {
  start: number;
  end: number;
  module: Sequential;
}

/** Bytes-to-be of layers [start, end) per unit of float32 (see the file header). */
function cost(layers: readonly Module[], start: number, end: number, batch: number): number {
  let total = 0;
  for (let i = start; i < end; i++) {
    const l = layers[i];
    if (l instanceof Linear) total += 2 * l.inFeatures * l.outFeatures + batch * l.outFeatures;
    else {
      const before = layers
        .slice(0, i)
        .reverse()
        .find((b) => b instanceof Linear) as Linear | undefined;
      total += batch * (before?.outFeatures ?? 0);
    }
  }
  return total;
}

/** Splits `model` into k stages of consecutive layers whose training memory is as even as a greedy cut makes it. */
export function splitStages(model: Sequential, k: number, batch: number): Stage[] {
  const layers = model.layers;
  const starts = layers.flatMap((l, i) => (l instanceof Linear ? [i] : []));
  if (!Number.isInteger(k) || k < 1 || k > starts.length)
    fail("splitStages", `k must be an integer from 1 to the ${starts.length} Linear layers, got ${k}`);
  if (starts[0] !== 0) fail("splitStages", "the network must start with a Linear layer");
  const whole = cost(layers, 0, layers.length, batch);
  const cuts = [0];
  for (let s = 1; s < k; s++) {
    // The first Linear at which the layers so far reach s/k of the total, leaving a Linear for each later stage.
    const target = (whole * s) / k;
    const open = starts.filter((i) => i > cuts[s - 1] && starts.indexOf(i) <= starts.length - (k - s));
    const best = open.reduce((a, b) =>
      Math.abs(cost(layers, 0, b, batch) - target) < Math.abs(cost(layers, 0, a, batch) - target) ? b : a,
    );
    cuts.push(best);
  }
  cuts.push(layers.length);
  return cuts.slice(0, k).map((start, s) => ({
    start,
    end: cuts[s + 1],
    module: new Sequential(...layers.slice(start, cuts[s + 1])),
  }));
}
