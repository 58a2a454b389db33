// The commands the webgpu backend sends to whatever owns the GPUDevice: the same thread in a browser, a worker
// thread in Node (so that a synchronous read can block on it). Plain data, so they can be posted.

export type Command =
  /** A buffer of `bytes` (a size class: pooled buffers are reused). */
  | { kind: "create"; id: number; bytes: number }
  /** Back to the pool. */
  | { kind: "destroy"; id: number }
  /** Bytes into the buffer from its start; ordered after every command sent before it. */
  | { kind: "write"; id: number; data: ArrayBuffer }
  /** WGSL source for kernel `kernel`, compiled once into a pipeline. */
  | { kind: "kernel"; kernel: number; code: string }
  /** One dispatch: binding 0 is `params` (read-only u32 words), then `buffers` in order. */
  | { kind: "run"; kernel: number; buffers: number[]; params: Uint32Array; groups: [number, number, number] };

/** What the device owner tells the backend once it has a device. */
export interface DeviceInfo {
  adapter: string;
  featureLevel: string;
  limits: Record<string, number>;
  features: string[];
}

/** Whoever runs the commands: reads are the only calls that wait. */
export interface GpuHost {
  readonly info: DeviceInfo;
  /** Whether readSync works here (Node's helper process), or only read does (a page's GPU on its own thread). */
  readonly readsSync: boolean;
  send(command: Command): void;
  /** Blocks until the buffer's first `bytes` are read; throws where the runtime cannot block. */
  readSync(id: number, bytes: number): ArrayBuffer;
  read(id: number, bytes: number): Promise<ArrayBuffer>;
}

/** Bytes of a buffer class holding `bytes`: 16-byte multiples, then steps of an eighth of a power of two. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (b <= 1024) return b;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}
