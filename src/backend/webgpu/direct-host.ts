// The browser side of the webgpu backend: the page's own GPUDevice runs the commands on this thread, so reads
// are asynchronous only (a page cannot block while the GPU works).
/// <reference types="@webgpu/types" />
import { fail } from "../../errors.js";
import { Executor, openDevice } from "./executor.js";
import type { Command, DeviceInfo, GpuHost } from "./protocol.js";

export class DirectHost implements GpuHost {
  readonly readsSync = false;
  private constructor(
    private readonly executor: Executor,
    readonly info: DeviceInfo,
  ) {}

  static async start(gpu: GPU): Promise<DirectHost | { error: string }> {
    const opened = await openDevice(gpu, "compatibility");
    if ("error" in opened) return opened;
    return new DirectHost(new Executor(opened.device), opened.info);
  }

  send(command: Command): void {
    this.executor.apply(command);
  }

  readSync(): ArrayBuffer {
    return fail(
      "dataSync",
      "a webgpu tensor cannot be read synchronously on this thread (the browser cannot block on the GPU); use await t.data()",
    );
  }

  read(id: number, bytes: number): Promise<ArrayBuffer> {
    return this.executor.read(id, bytes);
  }
}
