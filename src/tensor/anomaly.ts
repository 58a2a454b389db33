// Anomaly mode (`detectAnomaly`): while on, nodes remember where they were recorded and every op's output,
// every VJP's output and every in-place update is checked; the first NaN or ±inf raises an AnomalyError.
import { isMeta } from "../backend/meta/index.js";
import { getBackend } from "../backend/registry.js";
import { isFloat } from "../dtype.js";
import { AnomalyError, fail } from "../errors.js";
import { allocate, release } from "../memory/ledger.js";
import { fmt } from "../shape.js";
import { captureSite, describeSite } from "./call-site.js";
import type { Node } from "./node.js";
import type { Tensor } from "./tensor.js";

/** How many detectAnomaly scopes are running (nested, or async ones still pending): on while > 0. */
let depth = 0;

/** Whether anomaly mode is on: the one check an op makes when it is off. */
export function isAnomalyEnabled(): boolean {
  return depth > 0;
}

/**
 * Runs fn with anomaly mode on: the first NaN or ±inf that an op, a VJP or an in-place update produces
 * throws an AnomalyError naming the op, its input shapes and the line that called it. Scopes nest; the mode
 * is off again when the outermost one ends, also on throw. An async fn keeps the mode on until its promise
 * settles; the mode is global, so other work running meanwhile is checked too.
 */
export function detectAnomaly<T>(fn: () => T): T {
  if (typeof fn !== "function") fail("detectAnomaly", "the argument must be a function");
  depth++;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    depth--;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      depth--;
    }) as T;
  }
  depth--;
  return result;
}

/** The node whose VJP is running (set by the sweep in anomaly mode), so an op inside it is reported as backward. */
interface Pulling {
  readonly node: Node;
  readonly g: Tensor;
  readonly stage: "vjp" | "deliver";
}
let pulling: Pulling | null = null;

/** Runs fn (a node's VJP, or the delivery of its input gradients) as the backward of `node`. */
export function pullingBack<T>(node: Node, g: Tensor, stage: Pulling["stage"], fn: () => T): T {
  const before = pulling;
  pulling = { node, g, stage };
  try {
    return fn();
  } finally {
    pulling = before;
  }
}

/** Where a tensor's values are not finite: how many, and the first one. */
interface NonFinite {
  readonly count: number;
  readonly index: number;
  readonly value: number;
}

/** Op outputs found finite, with the version checked, so the sweep does not scan a VJP's result twice. */
const checked = new WeakMap<Tensor, number>();

/** The index of the first NaN or ±inf among the first n values, or -1; one monomorphic loop per array type. */
function firstBad32(values: Float32Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // v − v is 0 for every finite v, NaN for NaN and ±inf.
    if (v - v !== 0) return i;
  }
  return -1;
}

function firstBad64(values: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Below this size a scan in JavaScript is as quick as a kernel call. */
const KERNEL_CHECK_SIZE = 4096;

/**
 * Whether the sum of t's values, one reduce kernel (SIMD on wasm), is finite: then every value is. A NaN or
 * ±inf makes the sum non-finite; so can finite values that overflow, which the exact scan then clears.
 */
function sumIsFinite(t: Tensor): boolean {
  const backend = t.storage.backend;
  if (backend !== getBackend() || t.size < KERNEL_CHECK_SIZE) return false;
  const sum = allocate(t.dtype, 1, "temporary", false);
  try {
    backend.reduce(
      "sum",
      t.storage.id,
      t.shape,
      t.shape.map((_, axis) => axis),
      sum.id,
    );
    const s = backend.readSync(sum.id)[0];
    return s - s === 0;
  } finally {
    release(sum);
  }
}

function nonFinite(t: Tensor): NonFinite | null {
  if (!isFloat(t.dtype) || t.isDisposed || isMeta(t.storage.backend) || checked.get(t) === t.version)
    return null;
  if (t.isDense && sumIsFinite(t)) return null;
  // A view (a slice, a transpose) is checked on its own elements only, read out row-major.
  const values = t.isDense ? t.storage.backend.readSync(t.storage.id) : t.dataSync();
  const n = t.size;
  const first =
    values instanceof Float32Array ? firstBad32(values, n) : firstBad64(values as Float64Array, n);
  if (first < 0) return null;
  let count = 0;
  for (let i = first; i < n; i++) if (values[i] - values[i] !== 0) count++;
  return { count, index: first, value: values[first] };
}

/** `NaN (2 of 6 elements, first at [1,0])`. */
function what(t: Tensor, bad: NonFinite): string {
  const at: number[] = [];
  let rest = bad.index;
  for (let axis = t.ndim - 1; axis >= 0; axis--) {
    at.unshift(rest % t.shape[axis]);
    rest = Math.floor(rest / t.shape[axis]);
  }
  return `${bad.value} (${bad.count} of ${t.size} elements, first at ${fmt(at)})`;
}

function shapeOf(t: Tensor): string {
  return `${fmt(t.shape)} ${t.dtype}`;
}

/** One line per input: its shape, and what is non-finite in it. */
function inputLines(prim: string, inputs: readonly Tensor[]): string {
  if (inputs.length === 0) return `  ${prim} had no inputs`;
  return inputs
    .map((t, i) => {
      const bad = nonFinite(t);
      return `  ${prim} input ${i}: ${shapeOf(t)}${bad ? `, non-finite: ${what(t, bad)}` : ""}`;
    })
    .join("\n");
}

/** The paragraph on the forward op that made a node, for a backward failure. */
function forwardLines(p: Pulling): string {
  const { node, g } = p;
  const gBad = nonFinite(g);
  return [
    `  forward op: ${node.prim} (node #${node.id}), inputs ${node.inputs.map(shapeOf).join(", ") || "none"}`,
    `  incoming gradient ${shapeOf(g)}: ${gBad ? `non-finite already, ${what(g, gBad)}` : "finite"}`,
    `  ${node.prim} was called at:`,
    describeSite(node.site),
  ].join("\n");
}

/** Called by apply() in anomaly mode: fails if the op's output holds a NaN or ±inf. */
export function checkOp(prim: string, inputs: readonly Tensor[], out: Tensor): void {
  const bad = nonFinite(out);
  if (bad === null) {
    checked.set(out, out.version);
    return;
  }
  const badInput = inputs.findIndex((t) => nonFinite(t) !== null);
  const p = pulling;
  // The op as the message names it: a forward op, or an op inside the backward of a node.
  const op =
    p === null
      ? `forward op ${prim}`
      : p.stage === "vjp"
        ? `its VJP's ${prim}`
        : `${prim} (summing gradients)`;
  const cause =
    badInput >= 0
      ? `input ${badInput} of ${op} was already non-finite: it was not made by an op under anomaly mode ` +
        "(it is data, a creation function's result, or was computed before anomaly mode was on)"
      : `${op} produced ${what(out, bad)} in its output ${shapeOf(out)}`;
  if (p === null) {
    throw new AnomalyError(
      `anomaly: ${cause}\n${inputLines(prim, inputs)}\n  called at:\n${describeSite(captureSite())}`,
    );
  }
  throw new AnomalyError(
    `anomaly: backward of ${p.node.prim}: ${cause}\n${inputLines(prim, inputs)}\n${forwardLines(p)}`,
  );
}

/** Called by the sweep in anomaly mode: fails if a VJP returned a NaN or ±inf for some input. */
export function checkVjp(node: Node, g: Tensor, grads: readonly (Tensor | null)[]): void {
  grads.forEach((gi, i) => {
    const bad = gi ? nonFinite(gi) : null;
    if (gi === null || bad === null) return;
    throw new AnomalyError(
      `anomaly: backward of ${node.prim} produced ${what(gi, bad)} in the gradient for its input ${i} ` +
        `${shapeOf(gi)}\n${forwardLines({ node, g, stage: "vjp" })}`,
    );
  });
}

/** Called by the in-place writes in anomaly mode: fails if `dst` now holds a NaN or ±inf. */
export function checkWrite(write: string, dst: Tensor, src: Tensor | null): void {
  const bad = nonFinite(dst);
  if (bad === null) return;
  const srcBad = src ? nonFinite(src) : null;
  const from = src
    ? `; what was written in, ${shapeOf(src)}, ${srcBad ? `held ${what(src, srcBad)}` : "was finite"}`
    : "";
  throw new AnomalyError(
    `anomaly: ${write} left ${what(dst, bad)} in ${dst.describe()}${from}\n  called at:\n${describeSite(captureSite())}`,
  );
}
