// Runs the backend's commands on a GPUDevice: buffers from a pool by size class, pipelines compiled once,
// dispatches encoded into one compute pass and submitted in batches; only reads wait for the GPU.
/// <reference types="@webgpu/types" />
import type { Command, DeviceInfo } from "./protocol.js";

/** Storage-buffer offsets of the per-dispatch parameter words must be multiples of this. */
const PARAM_ALIGN = 256;
/** Dispatches encoded before a submit even when no read asks for one. */
const SUBMIT_EVERY = 256;

const STORAGE_USAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST
const PARAMS_USAGE = 0x80; // STORAGE
const READBACK_USAGE = 0x1 | 0x8; // MAP_READ | COPY_DST

interface PendingRun {
  pipeline: GPUComputePipeline;
  buffers: GPUBuffer[];
  params: Uint32Array;
  groups: [number, number, number];
}

export class Executor {
  private readonly buffers = new Map<number, GPUBuffer>();
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly pipelines = new Map<number, GPUComputePipeline>();
  private pending: PendingRun[] = [];
  private firstError: string | null = null;
  /** Parameter buffers of submitted work, destroyed once a read has seen that work finish. */
  private spent: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {
    device.addEventListener("uncapturederror", (event) => {
      this.noteError((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  /** Keeps the first error until the next read reports it (commands have no reply of their own). */
  noteError(message: string): void {
    this.firstError ??= message;
  }

  run(commands: readonly Command[]): void {
    for (const c of commands) this.apply(c);
  }

  apply(c: Command): void {
    switch (c.kind) {
      case "create": {
        const free = this.pool.get(c.bytes)?.pop();
        this.buffers.set(c.id, free ?? this.device.createBuffer({ size: c.bytes, usage: STORAGE_USAGE }));
        return;
      }
      case "destroy": {
        const buffer = this.take(c.id);
        const list = this.pool.get(buffer.size) ?? [];
        list.push(buffer);
        this.pool.set(buffer.size, list);
        this.buffers.delete(c.id);
        return;
      }
      case "write":
        this.submit();
        this.device.queue.writeBuffer(this.take(c.id), 0, c.data);
        return;
      case "kernel": {
        const module = this.device.createShaderModule({ code: c.code });
        const pipeline = this.device.createComputePipeline({
          layout: "auto",
          compute: { module, entryPoint: "main" },
        });
        this.pipelines.set(c.kernel, pipeline);
        return;
      }
      case "run": {
        const pipeline = this.pipelines.get(c.kernel);
        if (!pipeline) throw new Error(`webgpu: kernel ${c.kernel} was never compiled`);
        this.pending.push({
          pipeline,
          buffers: c.buffers.map((id) => this.take(id)),
          params: c.params,
          groups: c.groups,
        });
        if (this.pending.length >= SUBMIT_EVERY) this.submit();
        return;
      }
    }
  }

  /** Encodes every pending dispatch into one pass, their parameters in one buffer, and submits. */
  submit(): void {
    if (this.pending.length === 0) return;
    const runs = this.pending;
    this.pending = [];
    const offsets: number[] = [];
    let total = 0;
    for (const r of runs) {
      offsets.push(total);
      total += Math.ceil(Math.max(r.params.byteLength, 4) / PARAM_ALIGN) * PARAM_ALIGN;
    }
    const params = this.device.createBuffer({ size: total, usage: PARAMS_USAGE, mappedAtCreation: true });
    const words = new Uint32Array(params.getMappedRange());
    for (let i = 0; i < runs.length; i++) words.set(runs[i].params, offsets[i] / 4);
    params.unmap();
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    runs.forEach((r, i) => {
      const entries: GPUBindGroupEntry[] = [
        {
          binding: 0,
          resource: { buffer: params, offset: offsets[i], size: Math.max(r.params.byteLength, 4) },
        },
      ];
      r.buffers.forEach((buffer, j) => {
        entries.push({ binding: j + 1, resource: { buffer } });
      });
      pass.setPipeline(r.pipeline);
      pass.setBindGroup(
        0,
        this.device.createBindGroup({ layout: r.pipeline.getBindGroupLayout(0), entries }),
      );
      pass.dispatchWorkgroups(r.groups[0], r.groups[1], r.groups[2]);
    });
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.spent.push(params);
  }

  /** The buffer's first `bytes`, after everything sent before this call has run. */
  async read(id: number, bytes: number): Promise<ArrayBuffer> {
    this.submit();
    const size = Math.max(16, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: READBACK_USAGE });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.take(id), 0, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(0x1);
    const copy = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    for (const b of this.spent) b.destroy();
    this.spent = [];
    if (this.firstError !== null) {
      const message = this.firstError;
      this.firstError = null;
      throw new Error(`webgpu: the device reported an error: ${message}`);
    }
    return copy;
  }

  private take(id: number): GPUBuffer {
    const buffer = this.buffers.get(id);
    if (!buffer) throw new Error(`webgpu: buffer ${id} does not exist (freed already?)`);
    return buffer;
  }
}

/** The limits kernels may ask for, requested up to what the adapter allows (compatibility mode starts lower). */
const WANTED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupStorageSize",
  "maxStorageBuffersPerShaderStage",
] as const;

/** A device from an adapter, with the limits above raised to the adapter's, and a description of both. */
export async function openDevice(
  gpu: GPU,
  featureLevel: "core" | "compatibility",
): Promise<{ device: GPUDevice; info: DeviceInfo } | { error: string }> {
  const adapter = await gpu.requestAdapter({ featureLevel });
  if (!adapter) return { error: `no WebGPU adapter (featureLevel ${featureLevel})` };
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });
  const a = adapter.info;
  const adapterName =
    [a.vendor, a.architecture, a.device, a.description].filter((s) => s && s.length > 0).join(" / ") ||
    "unnamed";
  const limits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) limits[name] = device.limits[name];
  return {
    device,
    info: { adapter: adapterName, featureLevel, limits, features: [...device.features].map(String) },
  };
}
