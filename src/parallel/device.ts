// Devices on the host side: a Device is a worker thread with its own backend instance, heap and ledger, driven
// by requests. Tensors move to it with t.to(device) and back with remote.to("host"); every byte moved is
// counted by the ledgers on both ends. The worker's backend is named, so other kinds (WebGPU) can slot in.
import { Worker } from "node:worker_threads";
import { ChainruleError, fail } from "../errors.js";
import { architectureOf } from "../io/architecture.js";
import { noteTransfer } from "../memory/ledger.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromPayload, toPayload } from "./payload.js";
import type { DeviceMemory, Payload, Reply, ReplyValue, Request, TensorMeta } from "./protocol.js";

export interface DeviceOptions {
  /** Threads the device's wasm backend splits big kernels over (default 1: one core per device). */
  threads?: number;
  /** The backend the device runs (default "wasm"). */
  backend?: string;
}

/** When a device worked on one request, in milliseconds since the epoch (the same clock on every thread). */
export interface BusyInterval {
  label: string;
  start: number;
  end: number;
}

let nextHandle = 1;

/**
 * The worker's code: the compiled device-worker.js next to this file, or, running from source, a two-line script
 * that registers tsx in the new thread and then imports device-worker.ts.
 */
function workerSource(): { code: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith(".ts"))
    return { code: new URL("./device-worker.js", import.meta.url), eval: false };
  const api = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const entry = JSON.stringify(new URL("./device-worker.ts", import.meta.url).href);
  return { code: `import(${api}).then((tsx) => { tsx.register(); return import(${entry}); });`, eval: true };
}

export class Device {
  /** What the device did, request by request, since the last takeBusy(). */
  private busy: BusyInterval[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (v: ReplyValue) => void; reject: (e: Error) => void; label: string }
  >();
  private nextId = 1;
  private closed = false;

  private constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on("message", (reply: Reply) => this.settle(reply));
    worker.on("error", (error: Error) => this.failAll(error));
    worker.on("exit", () => this.failAll(new Error(`device ${index} stopped`)));
    worker.unref();
  }

  /** Starts a device: a worker thread running its own backend (single-threaded unless `threads` says more). */
  static start(index: number, options: DeviceOptions = {}): Device {
    const source = workerSource();
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    env.CHAINRULE_THREADS = String(options.threads ?? 1);
    env.CHAINRULE_BACKEND = options.backend ?? "wasm";
    return new Device(index, new Worker(source.code, { eval: source.eval, env }));
  }

  get name(): string {
    return `device ${this.index}`;
  }

  /** Sends one request; resolves with the device's answer. `label` names it in the busy timeline. */
  request(request: Request, label: string = request.kind, transfer: ArrayBuffer[] = []): Promise<ReplyValue> {
    if (this.closed) fail("device", `${this.name} is closed`);
    const id = this.nextId++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, label });
      this.worker.postMessage({ id, request }, transfer);
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    // An idle device does not keep the process alive (a forgotten closeDevices does not hang it).
    if (this.waiting.size === 0) this.worker.unref();
    if (reply.ok) {
      this.busy.push({ label: waiter.label, start: reply.start, end: reply.end });
      waiter.resolve(reply.value);
    } else waiter.reject(new ChainruleError(`${this.name}: ${reply.error}`));
  }

  private failAll(error: Error): void {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  /** The busy intervals recorded since the last call, and forgets them. */
  takeBusy(): BusyInterval[] {
    const out = this.busy;
    this.busy = [];
    return out;
  }

  /** t.to(device): copies t into this device's memory (counted as sent by the host, received by the device). */
  async receive(t: Tensor): Promise<RemoteTensor> {
    const payload = toPayload(t);
    noteTransfer("sent", "device", payload.data.byteLength);
    return this.adopt(payload, "host");
  }

  /** A tensor made on this device from bytes that came from `from`. */
  async adopt(payload: Payload, from: "host" | "device"): Promise<RemoteTensor> {
    const handle = nextHandle++;
    await this.request({ kind: "put", handle, payload, from, tag: "temporary" }, "put", [payload.data]);
    return new RemoteTensor(this, handle, payload.dtype, payload.shape);
  }

  /**
   * Places a copy of `module` (an nn.Sequential of Linear layers and activations) on this device, with an SGD
   * optimizer of rate `lr` and the L2 penalty λ for training steps run there.
   */
  async place(module: Module, options: { lr?: number; lambda?: number } = {}): Promise<RemoteModule> {
    const architecture = architectureOf(module);
    if (!architecture)
      fail("place", "only an nn.Sequential of Linear layers and activations can be placed on a device");
    const weights = Object.fromEntries(module.namedParameters().map(([n, p]) => [n, toPayload(p)]));
    const transfer = Object.values(weights).map((p) => p.data);
    for (const p of Object.values(weights)) noteTransfer("sent", "device", p.data.byteLength);
    await this.request(
      { kind: "place", architecture, weights, lr: options.lr ?? 0.1, lambda: options.lambda ?? 0 },
      "place",
      transfer,
    );
    return new RemoteModule(this);
  }

  /** The device's ledger: live and peak bytes by tag, bytes moved; `reset` starts new peaks and counts after. */
  async memory(reset = false): Promise<DeviceMemory> {
    return (await this.request({ kind: "memory", reset }, "memory")) as DeviceMemory;
  }

  /** Stops the worker; the device's memory goes with it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }
}

/** A tensor that lives on a device: the host holds its handle, shape and dtype, not its values. */
export class RemoteTensor {
  constructor(
    readonly device: Device,
    readonly handle: number,
    readonly dtype: Tensor["dtype"],
    readonly shape: readonly number[],
  ) {}

  /** Moves a copy to another device, or to the host ("host" gives a plain Tensor). */
  async to(target: Device): Promise<RemoteTensor>;
  async to(target: "host"): Promise<Tensor>;
  async to(target: Device | "host"): Promise<RemoteTensor | Tensor> {
    const to = target === "host" ? "host" : "device";
    const payload = (await this.device.request({ kind: "get", handle: this.handle, to }, "get")) as Payload;
    if (target === "host") {
      noteTransfer("received", "device", payload.data.byteLength);
      return fromPayload(payload);
    }
    return target.adopt(payload, "device");
  }

  /** Frees the tensor's memory on its device. */
  async free(): Promise<void> {
    await this.device.request({ kind: "free", handle: this.handle }, "free");
  }
}

/** A model placed on a device. */
export class RemoteModule {
  constructor(readonly device: Device) {}

  /** The model's output for `x` (which must be on the same device), computed there without recording. */
  async forward(x: RemoteTensor): Promise<RemoteTensor> {
    if (x.device !== this.device)
      fail(
        "forward",
        `the input [${x.shape.join(", ")}] is on ${x.device.name}, the model on ${this.device.name}`,
      );
    const output = nextHandle++;
    const meta = (await this.device.request({ kind: "forward", input: x.handle, output })) as TensorMeta;
    return new RemoteTensor(this.device, output, meta.dtype, meta.shape);
  }

  /** The model's parameters by name, copied to the host. */
  async weights(): Promise<Record<string, Tensor>> {
    const payloads = (await this.device.request({ kind: "weights" })) as Record<string, Payload>;
    return Object.fromEntries(Object.entries(payloads).map(([n, p]) => [n, fromPayload(p)]));
  }
}

/** Starts k devices (see Device.start). Close them with closeDevices when done. */
export function startDevices(k: number, options: DeviceOptions = {}): Device[] {
  if (!Number.isInteger(k) || k < 1)
    fail("startDevices", `the number of devices must be an integer >= 1, got ${k}`);
  return Array.from({ length: k }, (_, i) => Device.start(i, options));
}

export async function closeDevices(devices: readonly Device[]): Promise<void> {
  await Promise.all(devices.map((d) => d.close()));
}
