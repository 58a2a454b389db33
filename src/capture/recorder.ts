// One recording of a step: the backend calls it made, in order, with the buffers they used held (pinned) so
// that a replay can run the same calls again, the step's input buffers swapped for the replay's.
import type { Backend, DataId, MatmulSpec, RecordedCall, View } from "../backend/backend.js";
import { registeredBackends } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import { fail } from "../errors.js";
import { pinStorage, type Storage, storageOf } from "../memory/ledger.js";
import type { CaptureSink } from "../tensor/capture-state.js";

/** The backend methods a replay runs again: every one that computes or writes. */
type Replayed =
  | "write"
  | "fill"
  | "cast"
  | "axpy"
  | "unary"
  | "binary"
  | "where"
  | "reduce"
  | "matmul"
  | "copy"
  | "gather"
  | "scatterAdd"
  | "softmaxRows"
  | "crossEntropyRows"
  | "checkIndexRange";

/** What each argument of a replayed method is: a buffer id, a view of one, or anything else. */
type ArgKind = "id" | "view" | "-";
type KindsOf<T extends unknown[]> = { [I in keyof T]: ArgKind };
type Kinds<M extends Replayed> = KindsOf<Parameters<Required<Backend>[M]>>;

const ARG_KINDS: { [M in Replayed]: Kinds<M> } = {
  write: ["id", "-"],
  fill: ["id", "-"],
  cast: ["id", "id", "-"],
  axpy: ["-", "id", "id", "-"],
  unary: ["-", "id", "id", "-"],
  binary: ["-", "view", "view", "id", "-"],
  where: ["view", "view", "view", "id", "-"],
  reduce: ["-", "id", "-", "-", "id"],
  matmul: ["id", "id", "id", "-"],
  copy: ["view", "view", "-"],
  gather: ["id", "-", "id", "-", "-", "id"],
  scatterAdd: ["id", "id", "-", "-", "id", "-"],
  softmaxRows: ["-", "id", "id", "-", "-"],
  crossEntropyRows: ["id", "id", "id", "-", "-"],
  checkIndexRange: ["-", "view", "-", "-", "-"],
};

/** The argument each method writes (its output), where it has one. */
const WRITES: { [M in Replayed]?: number } = {
  write: 0,
  fill: 0,
  cast: 1,
  axpy: 2,
  unary: 2,
  binary: 3,
  where: 3,
  reduce: 4,
  matmul: 2,
  copy: 1,
  gather: 5,
  scatterAdd: 4,
  softmaxRows: 2,
  crossEntropyRows: 2,
};

/** Methods that keep part of what their output held: they add into it, or write a window of it. */
const KEEPS_OUTPUT = new Set<Replayed>(["axpy", "copy", "scatterAdd"]);

/** Reads of values: a replay could not feed them back into the JavaScript that made decisions from them. */
const READS = ["readSync", "read", "hostValues"] as const;

/** What a recording lets through unrecorded: allocation (noted), frees, and a fill of a new tensor's values. */
type PassedThrough = "name" | "alloc" | "free" | "writableView" | "recordCall";
/** Every Backend member is replayed, refused or passed through: a new one fails the type check until classified. */
const EVERY_MEMBER_CLASSIFIED: Exclude<
  keyof Backend,
  Replayed | (typeof READS)[number] | PassedThrough
> extends never
  ? true
  : never = true;
void EVERY_MEMBER_CLASSIFIED;

type Method = (...args: unknown[]) => unknown;

/**
 * One recorded call; `swaps` lists [argument, input] pairs where an argument names input `input`'s buffer.
 * `fast` is the backend's own replay of it (recordCall), given the replay's inputs.
 */
interface Call {
  readonly method: Method;
  readonly args: unknown[];
  readonly kinds: readonly ArgKind[];
  readonly swaps: readonly (readonly [number, number])[];
  readonly fast?: RecordedCall;
  /** Set on a write of a buffer's first contents (see firstContents): the buffer. */
  readonly restores?: DataId;
}

interface Guard {
  readonly what: string;
  readonly read: () => unknown;
  readonly value: unknown;
}

/** Where the step's outputs are: copied into new tensors after each replay. */
export interface OutputPlace {
  readonly view: View;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export class Recording implements CaptureSink {
  private calls: Call[] = [];
  /** The kept calls as functions of the replay's inputs, one type for all (made by finish). */
  private runs: ((inputs: readonly DataId[]) => void)[] = [];
  /** How many recorded calls write each buffer. */
  private readonly writes = new Map<DataId, number>();
  /**
   * fill() and write() calls that were the first use of a buffer made inside: constants, unless something
   * else writes the buffer too.
   */
  private readonly constants = new Map<DataId, Call>();
  private readonly guards: Guard[] = [];
  private readonly effects: (() => void)[] = [];
  private readonly checks: ((buffer: (id: object) => object) => void)[] = [];
  private readonly held = new Set<Storage>();
  /** Buffers that existed before the capture and that a recorded call used (see finish). */
  private readonly outside = new Set<Storage>();
  private readonly madeInside = new WeakSet<DataId>();
  /**
   * Buffers made inside whose first contents came from outside the recorded calls: zero-filled when
   * allocated, or filled from JavaScript (a tensor() inside the step). A replay writes those contents again
   * before the first call that uses the buffer.
   */
  private readonly firstContents = new Map<DataId, "zeros" | "filled">();
  /** The recorded backend's own methods, as they were before the recording patched them. */
  private readonly originals = new Map<string, Method>();
  /** Above 0 inside a backend method (its own nested calls are not recorded) or a check's first run. */
  private depth = 0;
  private disposed = false;

  constructor(
    readonly backend: Backend,
    private readonly inputs: readonly DataId[],
  ) {}

  guard(what: string, read: () => unknown): void {
    this.guards.push({ what, read, value: read() });
  }

  onReplay(effect: () => void): void {
    this.effects.push(effect);
  }

  check(run: (buffer: (id: object) => object) => void): void {
    this.depth++;
    try {
      run((id) => id);
    } finally {
      this.depth--;
    }
    this.checks.push(run);
  }

  /** Runs `fn` with every registered backend watched: calls on this one recorded, any other refused. */
  record<T>(fn: () => T): T {
    const undo: (() => void)[] = [];
    try {
      for (const b of registeredBackends()) undo.push(...this.watch(b));
      return fn();
    } finally {
      for (const u of undo.reverse()) u();
    }
  }

  /**
   * Ends the recording: holds the outputs' buffers too, and refuses a step that read a buffer from before the
   * capture and then let go of it (gradients summed onto those of an earlier step, say): a replay would read
   * the stale values again.
   */
  finish(outputs: readonly OutputPlace[]): void {
    for (const out of outputs) this.hold(out.view.id);
    // A buffer no call writes keeps its first contents, and one only filled once keeps what it was filled with:
    // writing them again on each replay would change nothing.
    const once = new Set<Call>();
    for (const [id, call] of this.constants) if (this.writes.get(id) === 1) once.add(call);
    const kept = (c: Call) => !once.has(c) && (c.restores === undefined || this.writes.has(c.restores));
    for (const c of this.calls) if (!kept(c)) c.fast?.release();
    this.calls = this.calls.filter(kept);
    const backend = this.backend;
    this.runs = this.calls.map((call) => {
      if (call.fast !== undefined) return call.fast.replay.bind(call.fast);
      return (inputs) => {
        call.method.apply(backend, call.swaps.length === 0 ? call.args : swapped(call, inputs));
      };
    });
    // What only the recording needed: let go of the buffer ids it kept.
    this.writes.clear();
    this.constants.clear();
    this.firstContents.clear();
    this.originals.clear();
    for (const s of this.outside) {
      if (s.releaseWaits) {
        this.dispose();
        fail(
          "capture",
          `the step used a ${s.tag} buffer of ${s.size} ${s.dtype} elements made before it and then let go ` +
            "of it, so a replay would read its old values again (gradients summed onto an earlier step's, " +
            "say): call opt.zeroGrad() inside the step, or make that tensor inside it",
        );
      }
    }
  }

  /** The first guard whose value changed since the recording, or null where the recording still holds. */
  stale(): string | null {
    for (const g of this.guards) if (!Object.is(g.read(), g.value)) return g.what;
    return null;
  }

  /** Runs the checks, the recorded calls on `inputs` (buffers laid out as at the capture), then the effects. */
  replay(inputs: readonly DataId[]): void {
    const swap = (id: object): object => {
      const at = this.inputs.indexOf(id);
      return at >= 0 ? inputs[at] : id;
    };
    for (const run of this.checks) run(swap);
    // One call site for every kind of call: V8 compiles this loop small, and never again for a new kind.
    for (const run of this.runs) run(inputs);
    for (const effect of this.effects) effect();
  }

  /** Bytes of the buffers this recording holds (live as long as it is). */
  heldBytes(): number {
    let bytes = 0;
    for (const s of this.held) bytes += s.bytes;
    return bytes;
  }

  /** Lets go of every held buffer (those released meanwhile are freed now). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const call of this.calls) call.fast?.release();
    for (const s of this.held) pinStorage(s, -1);
    this.held.clear();
  }

  /** Patches b's methods for the recording; returns the undo steps. */
  private watch(b: Backend): (() => void)[] {
    const own = b as unknown as Record<string, Method>;
    const undo: (() => void)[] = [];
    const patch = (name: string, make: (original: Method) => Method): void => {
      const original = own[name];
      if (typeof original !== "function") return;
      const hadOwn = Object.hasOwn(b, name);
      if (b === this.backend) this.originals.set(name, original);
      own[name] = make(original);
      undo.push(() => {
        if (hadOwn) own[name] = original;
        else delete own[name];
      });
    };
    for (const name of Object.keys(ARG_KINDS) as Replayed[]) {
      patch(name, (original) => (...args) => {
        if (this.depth > 0) return original.apply(b, args);
        if (b !== this.backend)
          fail("capture", `the step used the ${b.name} backend as well as ${this.backend.name}`);
        const swaps = this.swapsOf(name, args);
        this.firstUse(name, args);
        let result: unknown;
        let fast: RecordedCall | null = null;
        this.depth++;
        try {
          if (b.recordCall) {
            fast = b.recordCall(() => {
              result = original.apply(b, args);
            }, this.inputs);
          } else result = original.apply(b, args);
        } finally {
          this.depth--;
        }
        this.add(original, name, args, swaps, fast);
        return result;
      });
    }
    for (const name of READS) {
      patch(name, (original) => (...args) => {
        if (this.depth > 0) return original.apply(b, args);
        return fail(
          "capture",
          "the step read tensor values (item(), dataSync(), data(), or an anomaly check) while it was " +
            "being captured; a replay runs kernels only, so return what you want to read and read it after",
        );
      });
    }
    patch("alloc", (original) => (...args) => {
      const id = original.apply(b, args) as DataId;
      if (this.depth === 0) {
        this.madeInside.add(id);
        if (args[2] !== false) this.firstContents.set(id, "zeros");
      }
      return id;
    });
    patch("writableView", (original) => (...args) => {
      if (this.depth === 0) this.firstContents.set(args[0] as DataId, "filled");
      return original.apply(b, args);
    });
    return undo;
  }

  /** The [argument, input] pairs of a call whose arguments name input buffers. */
  private swapsOf(name: Replayed, args: unknown[]): [number, number][] {
    const swaps: [number, number][] = [];
    ARG_KINDS[name].forEach((kind: ArgKind, i: number) => {
      const input = kind === "-" ? -1 : this.inputs.indexOf(idOf(kind, args[i]) as DataId);
      if (input >= 0) swaps.push([i, input]);
    });
    return swaps;
  }

  /**
   * Before a call: buffers it writes in full need no first contents (a matmul's output unless it adds into
   * it); the first contents of the others it names are written again first.
   */
  private firstUse(name: Replayed, args: unknown[]): void {
    const at = WRITES[name];
    const keeps =
      KEEPS_OUTPUT.has(name) || (name === "matmul" && (args[3] as MatmulSpec).accumulate === true);
    const out = at === undefined || keeps ? undefined : (args[at] as DataId);
    // Written in full, and not read by the same call (an in-place add reads its output too).
    const kinds: readonly ArgKind[] = ARG_KINDS[name];
    if (out !== undefined && !kinds.some((kind, i) => i !== at && idOf(kind, args[i]) === out))
      this.firstContents.delete(out);
    this.forEachBuffer(name, args, (id) => this.restoreFirstContents(id));
  }

  /** Calls `fn` with each buffer a call names, other than the inputs'. */
  private forEachBuffer(name: Replayed, args: unknown[], fn: (id: DataId) => void): void {
    ARG_KINDS[name].forEach((kind: ArgKind, i: number) => {
      const id = idOf(kind, args[i]);
      if (id !== undefined && !this.inputs.includes(id)) fn(id);
    });
  }

  /** Adds a call that has just run, and holds the buffers it used. */
  private add(
    original: Method,
    name: Replayed,
    args: unknown[],
    swaps: [number, number][],
    fast: RecordedCall | null,
  ): void {
    const out = WRITES[name];
    const target = out === undefined ? undefined : idOf(ARG_KINDS[name][out] as ArgKind, args[out]);
    // A fill or write that is the first use of a buffer made inside (none holds it yet) may be a constant.
    const constant =
      (name === "fill" || name === "write") &&
      this.madeInside.has(target as DataId) &&
      !this.isHeld(target as DataId);
    this.forEachBuffer(name, args, (id) => this.hold(id));
    // write's values may be the caller's array, changed later: keep a copy.
    const kept = name === "write" ? [args[0], (args[1] as { slice(): unknown }).slice()] : args;
    const call: Call = {
      method: original,
      args: kept,
      kinds: ARG_KINDS[name],
      swaps,
      fast: fast ?? undefined,
    };
    this.calls.push(call);
    if (target !== undefined) this.writes.set(target, (this.writes.get(target) ?? 0) + 1);
    if (constant) this.constants.set(target as DataId, call);
  }

  /** Records the write of a buffer's first contents, before the first call that uses it (see firstContents). */
  private restoreFirstContents(id: DataId): void {
    const contents = this.firstContents.get(id);
    if (contents === undefined) return;
    this.firstContents.delete(id);
    const original = (name: string): Method => this.originals.get(name) as Method;
    if (contents === "zeros") {
      this.calls.push({
        method: original("fill"),
        args: [id, 0],
        kinds: ARG_KINDS.fill,
        swaps: [],
        restores: id,
      });
      return;
    }
    this.depth++;
    try {
      const values = (this.backend.readSync(id) as { slice(): unknown }).slice();
      this.calls.push({
        method: original("write"),
        args: [id, values],
        kinds: ARG_KINDS.write,
        swaps: [],
        restores: id,
      });
    } finally {
      this.depth--;
    }
  }

  private isHeld(id: DataId): boolean {
    const storage = storageOf(id);
    return storage !== undefined && this.held.has(storage);
  }

  private hold(id: DataId): void {
    const storage = storageOf(id);
    if (storage === undefined || this.held.has(storage)) return;
    this.held.add(storage);
    pinStorage(storage, 1);
    if (!this.madeInside.has(id)) this.outside.add(storage);
  }
}

/** The buffer an argument of kind `kind` names, if any. */
function idOf(kind: ArgKind, arg: unknown): DataId | undefined {
  return kind === "id" ? (arg as DataId) : kind === "view" ? (arg as View).id : undefined;
}

/** The call's arguments with the replay's input buffers in place of the capture's. */
function swapped(call: Call, inputs: readonly DataId[]): unknown[] {
  const args = call.args.slice();
  for (const [i, input] of call.swaps) {
    const id = inputs[input];
    args[i] = call.kinds[i] === "id" ? id : { ...(args[i] as View), id };
  }
  return args;
}
