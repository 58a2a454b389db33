// The op-table agreement run inside a page (bundled by test/web/webgpu-browser.test.ts with the browser entry
// standing in for the package root): every float32 case on js and on webgpu, read with await data().
import * as cr from "../../src/index.js";
import type { Arr } from "../ops/nd.js";
import type { OpCase } from "../ops/row.js";
import { table } from "../ops/table.js";

/** The same float32 tolerance as in Node (test/backend/webgpu-agreement.test.ts). */
const RTOL = 1e-5;
const ATOL = 1e-6;

export interface PageOutcome {
  adapter: string | null;
  reason: string | null;
  compared: number;
  /** Cases whose op reads values back synchronously (index and label checks): not possible on a page's GPU. */
  needsSyncRead: string[];
  failures: string[];
  /** What a bad index does: host-written (thrown at once), then computed on the GPU (thrown at the next read). */
  badIndex: { hostWritten: string; computed: string; readAfter: number[] };
}

function input(a: Arr): cr.Tensor {
  if (a.kind === "int32") return cr.tensor(Int32Array.from(a.data), { shape: a.shape });
  if (a.kind === "bool") return cr.tensor(Uint8Array.from(a.data), { shape: a.shape, dtype: "bool" });
  return cr.tensor(Float32Array.from(a.data), { shape: a.shape });
}

function single(out: cr.Tensor | cr.Tensor[]): cr.Tensor {
  return Array.isArray(out) ? cr.concat(out.map((t) => cr.flatten(t))) : out;
}

/** Output and, for differentiable cases, the gradients of Σ out·sin(i + 1), read asynchronously. */
async function evaluate(c: OpCase, grads: boolean, backend: string): Promise<number[][]> {
  cr.setBackend(backend);
  const tensors = cr.tidy(() => {
    const xs = c.inputs.map(input);
    const floats = c.inputs.flatMap((a, i) => (a.kind === "float" ? [i] : []));
    const out = single(c.run(xs));
    if (!grads || floats.length === 0 || out.size === 0 || out.dtype !== "float32") return [out];
    const u = cr.tensor(Array.from({ length: out.size }, (_, i) => Math.sin(i + 1))).reshape(out.shape);
    const objective = (...ts: cr.Tensor[]) => single(c.run(ts)).mul(u).sum();
    return [out, ...cr.grad(objective, { argnums: floats })(...xs)];
  });
  const read: number[][] = [];
  for (const t of tensors) read.push(Array.from(await t.data()));
  // A gradient may be the same tensor as another result: dispose each once.
  for (const t of new Set(tensors)) t.dispose();
  return read;
}

function differs(want: number[], got: number[]): string | null {
  if (want.length !== got.length) return `length ${got.length}, want ${want.length}`;
  let scale = 1;
  for (const w of want) if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (
      (Number.isNaN(w) && Number.isNaN(g)) ||
      g === w ||
      Math.abs(g - w) <= RTOL * Math.abs(w) + ATOL * scale
    )
      continue;
    return `element ${i}: ${g} on webgpu, ${w} on js`;
  }
  return null;
}

/** The message of the error `fn` throws or rejects with. */
async function message(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return "no error";
  } catch (error) {
    return String(error);
  }
}

/** gather with index 5 into [10, 20, 30] on webgpu: from a host array, then computed on the GPU. */
async function badIndex(): Promise<PageOutcome["badIndex"]> {
  cr.setBackend("webgpu");
  try {
    const x = cr.tensor([10, 20, 30]);
    const hostWritten = await message(() => cr.gather(x, cr.tensor(Int32Array.of(1, 5)), 0));
    const index = cr.tensor(Int32Array.of(1, 5)).add(cr.zeros([2], { dtype: "int32" }));
    const computed = await message(() => cr.gather(x, index, 0).data());
    const readAfter = Array.from(await cr.gather(x, cr.tensor(Int32Array.of(2, 0)), 0).data());
    return { hostWritten, computed, readAfter };
  } finally {
    cr.setBackend("js");
  }
}

export async function runTable(): Promise<PageOutcome> {
  const ok = await cr.initWebGPU();
  const status = cr.webgpuStatus();
  const outcome: PageOutcome = {
    adapter: status.adapter,
    reason: status.reason,
    compared: 0,
    needsSyncRead: [],
    failures: [],
    badIndex: { hostWritten: "", computed: "", readAfter: [] },
  };
  if (!ok) return outcome;
  outcome.badIndex = await badIndex();
  for (const row of table) {
    for (const c of row.cases) {
      const what = `${row.name} ${c.label}`;
      if (c.label.includes("float64")) continue;
      const grads = row.differentiable && !c.forwardOnly;
      try {
        const want = await evaluate(c, grads, "js");
        const got = await evaluate(c, grads, "webgpu");
        outcome.compared++;
        if (got.length !== want.length)
          outcome.failures.push(`${what}: ${got.length} results, want ${want.length}`);
        want.forEach((w, i) => {
          const problem = differs(w, got[i] ?? []);
          if (problem) outcome.failures.push(`${what} result ${i}: ${problem}`);
        });
      } catch (error) {
        const message = String(error);
        if (message.includes("cannot be read synchronously")) outcome.needsSyncRead.push(what);
        else outcome.failures.push(`${what}: ${message}`);
      } finally {
        cr.setBackend("js");
      }
    }
  }
  return outcome;
}
