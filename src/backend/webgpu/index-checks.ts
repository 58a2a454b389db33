// Index checks on the GPU, as CUDA's device-side asserts: a kernel flags values outside [0, bound) into a small
// error buffer (the first failing check, its lowest position, that value); the next read reports it by name.
import { fail } from "../../errors.js";
import type { Shape } from "../../shape.js";
import type { DataId, IndexReport, View } from "../backend.js";
import type { GpuHost } from "./protocol.js";
import { binding, entry, PARAMS, STRIDED, stridedParams } from "./wgsl-common.js";

/** Error words: [id of the first failing check (0: none), its lowest failing position, the value there, 0]. */
const CLEAR = Uint32Array.of(0, 0xffffffff, 0, 0);

/** Parameter words: stridedParams of the index view, then the bound and the check's id. */
const WORDS = `
fn viewStart() -> u32 { return 2u + p[1]; }
fn bound() -> u32 { return 3u + 2u * p[1]; }
fn checkId() -> u32 { return p[4u + 2u * p[1]]; }`;

/** One thread per value: one out of range marks its check (unless an earlier check failed) and its position. */
export const INDEX_CHECK_KERNEL = `${PARAMS}
${binding(1, "index", "i32", false)}
${binding(2, "err", "atomic<u32>", true)}
${STRIDED}
${WORDS}
${entry(`  let v = index[offsetOf(i, viewStart())];
  if (v >= 0 && u32(v) < p[bound()]) { return; }
  let first = atomicLoad(&err[0]);
  if (first != 0u && first != checkId()) { return; }
  atomicStore(&err[0], checkId());
  atomicMin(&err[1], i);`)}`;

/** One thread, after the check: the value at the lowest failing position, if this check failed first. */
export const INDEX_RECORD_KERNEL = `${PARAMS}
${binding(1, "index", "i32", false)}
${binding(2, "err", "atomic<u32>", true)}
${STRIDED}
${WORDS}
${entry(`  if (i != 0u || atomicLoad(&err[0]) != checkId()) { return; }
  atomicStore(&err[2], bitcast<u32>(index[offsetOf(atomicLoad(&err[1]), viewStart())]));`)}`;

interface PendingCheck {
  op: string;
  report: IndexReport;
}

/** How the backend runs a 1-D kernel: key, WGSL, buffers (the last one written), parameter words, threads. */
export type RunKernel = (
  key: string,
  code: () => string,
  ids: DataId[],
  params: Uint32Array,
  threads: number,
) => void;

export class DeviceIndexChecks {
  /** The error buffer, made at the first check (not counted in the backend's live bytes). */
  private errors: { gid: number; dtype: "int32"; size: number; bytes: number } | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCheck>();

  constructor(
    private readonly host: GpuHost,
    private readonly newGid: () => number,
    private readonly run: RunKernel,
  ) {}

  /** Queues the check of `index` (a view over `shape`) against [0, bound). */
  queue(op: string, index: View, shape: Shape, bound: number, report: IndexReport): void {
    const errors = this.errorBuffer();
    const id = this.nextId++;
    this.pending.set(id, { op, report });
    const total = shape.reduce((n, d) => n * d, 1);
    const view = stridedParams(total, shape, [index]);
    const params = Uint32Array.of(...view, bound >>> 0, id);
    this.run("indexCheck", () => INDEX_CHECK_KERNEL, [index.id, errors], params, total);
    this.run("indexRecord", () => INDEX_RECORD_KERNEL, [index.id, errors], params, 1);
  }

  /** The error buffer's id and the last check it answers for, where a read must look at it; null if none. */
  before(): { gid: number; upTo: number } | null {
    if (this.errors === null || this.pending.size === 0) return null;
    return { gid: this.errors.gid, upTo: this.nextId - 1 };
  }

  /** With the error words read alongside data: throws the first failed check up to `upTo`, forgets them all. */
  after(words: ArrayBuffer, upTo: number): void {
    const [first, position, value] = new Uint32Array(words);
    const failed = first !== 0 ? this.pending.get(first) : undefined;
    for (const id of this.pending.keys()) if (id <= upTo) this.pending.delete(id);
    if (!failed || this.errors === null) return;
    this.host.send({ kind: "write", id: this.errors.gid, data: CLEAR.slice().buffer });
    fail(
      failed.op,
      `${failed.report(value | 0, position)} (found by a check on the GPU, reported at the next read of any tensor)`,
    );
  }

  private errorBuffer(): DataId {
    if (this.errors === null) {
      this.errors = { gid: this.newGid(), dtype: "int32", size: 4, bytes: 16 };
      this.host.send({ kind: "create", id: this.errors.gid, bytes: 16 });
      this.host.send({ kind: "write", id: this.errors.gid, data: CLEAR.slice().buffer });
    }
    return this.errors;
  }
}
