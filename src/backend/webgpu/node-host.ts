// The Node side of the webgpu backend: a helper process owns the Dawn device (Dawn is not stable in a worker
// thread). Commands go over a FIFO in batches; a read writes a request and blocks on the reply FIFO, so
// dataSync() works in Node. Both FIFOs are blocking file descriptors, opened before the helper starts.
import type * as ChildProcess from "node:child_process";
import type * as Fs from "node:fs";
import type * as Os from "node:os";
import type * as Path from "node:path";
import { nodeProcess } from "../wasm/module.js";
import { encodeCommands, encodeFrame, FrameReader, type FromGpu } from "./frames.js";
import type { Command, DeviceInfo, GpuHost } from "./protocol.js";

/** Commands held before a batch is written (a read or the next macrotask writes sooner). */
const BATCH = 512;

/** The Dawn package's name, in a variable so that bundlers do not follow it into browser builds. */
const DAWN_PACKAGE = ["web", "gpu"].join("");

/** Stderr lines of the helper that only restate the limits Dawn chose, not worth a user's attention. */
const QUIET = /^Warning: (maxDynamic|Couldn't load Vulkan)|^\s+at operator\(\)|^$/;

/** Exactly `length` bytes from a FIFO, where one read may return fewer (a long first frame, a busy machine). */
function readExactly(fs: typeof Fs, fd: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  return new Promise((resolve, reject) => {
    const from = (at: number): void => {
      if (at === length) {
        resolve(out);
        return;
      }
      fs.read(fd, out, at, length - at, null, (error, n) => {
        if (error) reject(error);
        else if (n === 0) reject(new Error("the WebGPU helper closed its pipe"));
        else from(at + n);
      });
    };
    from(0);
  });
}

export class NodeHost implements GpuHost {
  readonly readsSync = true;
  private queue: Command[] = [];
  private scheduled = false;
  private readonly frames = new FrameReader();

  private constructor(
    private readonly fs: typeof Fs,
    private readonly toGpu: number,
    private readonly fromGpu: number,
    readonly info: DeviceInfo,
  ) {}

  /** Starts the helper and waits for its device; an error string says why there is none. */
  static async start(flags: string[]): Promise<NodeHost | { error: string }> {
    if (!nodeProcess()) return { error: "not in Node" };
    const node = globalThis.process;
    const fs = node.getBuiltinModule!("node:fs") as typeof Fs;
    const os = node.getBuiltinModule!("node:os") as typeof Os;
    const path = node.getBuiltinModule!("node:path") as typeof Path;
    const child = node.getBuiltinModule!("node:child_process") as typeof ChildProcess;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainrule-webgpu-"));
    const toPath = path.join(dir, "to-gpu");
    const fromPath = path.join(dir, "from-gpu");
    try {
      child.execFileSync("mkfifo", [toPath, fromPath]);
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      return { error: `mkfifo failed: ${(error as Error).message}` };
    }
    // Opened read-write, these never block, whichever side comes first.
    const toGpu = fs.openSync(toPath, "r+");
    let fromGpu = fs.openSync(fromPath, "r+");
    // The helper's path by string, not `new URL(..., import.meta.url)`, which bundlers would follow.
    const here = import.meta.url;
    const typescript = here.endsWith(".ts");
    const script = decodeURIComponent(
      new URL(here.replace(/node-host\.(ts|js)$/, "gpu-process.$1")).pathname,
    );
    const loader = typescript ? ["--import", import.meta.resolve("tsx")] : [];
    const helper = child.spawn(
      node.execPath,
      [...loader, script, toPath, fromPath, DAWN_PACKAGE, JSON.stringify(flags)],
      {
        stdio: ["ignore", "inherit", "pipe"],
        // Mesa's EGL needs the surfaceless platform where there is no display.
        env: { ...node.env, EGL_PLATFORM: node.env.EGL_PLATFORM ?? "surfaceless" },
      },
    );
    helper.stderr?.on("data", (chunk: Uint8Array) => {
      const lines = new TextDecoder()
        .decode(chunk)
        .split("\n")
        .filter((l) => !QUIET.test(l));
      if (lines.length > 0) node.stderr.write(`${lines.join("\n")}\n`);
    });
    const first = await new Promise<FromGpu>((resolve) => {
      helper.once("exit", (code) => resolve({ error: `the WebGPU helper process exited (code ${code})` }));
      readExactly(fs, fromGpu, 8)
        .then(async (header) => {
          const json = header.readUInt32LE(0);
          const body = await readExactly(fs, fromGpu, json + header.readUInt32LE(4));
          resolve(JSON.parse(body.toString("utf8", 0, json)));
        })
        .catch((error: Error) => resolve({ error: error.message }));
    });
    if (!("info" in first)) {
      helper.kill();
      fs.closeSync(toGpu);
      fs.closeSync(fromGpu);
      fs.rmSync(dir, { recursive: true, force: true });
      return { error: "error" in first ? first.error : "the WebGPU helper gave no device" };
    }
    // Read-only from now on, so the helper's death reads as end of file instead of a wait forever.
    const readOnly = fs.openSync(fromPath, "r");
    fs.closeSync(fromGpu);
    fromGpu = readOnly;
    fs.rmSync(dir, { recursive: true, force: true });
    helper.unref();
    (helper.stderr as unknown as { unref?(): void } | null)?.unref?.();
    return new NodeHost(fs, toGpu, fromGpu, first.info as DeviceInfo);
  }

  send(command: Command): void {
    this.queue.push(command);
    if (this.queue.length >= BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  readSync(id: number, bytes: number): ArrayBuffer {
    this.flush();
    this.write(encodeFrame({ read: id, bytes }));
    const reply = this.nextFrame();
    const json = reply.json as FromGpu;
    if ("error" in json) throw new Error(`webgpu: ${json.error}`);
    return reply.binary.slice().buffer;
  }

  /** In Node the read blocks this thread until the GPU is done (the device is in another process). */
  read(id: number, bytes: number): Promise<ArrayBuffer> {
    try {
      return Promise.resolve(this.readSync(id, bytes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const frame = encodeCommands(this.queue);
    this.queue = [];
    this.write(frame);
  }

  private write(frame: Uint8Array): void {
    let at = 0;
    while (at < frame.length) at += this.fs.writeSync(this.toGpu, frame, at, frame.length - at);
  }

  private nextFrame(): { json: unknown; binary: Uint8Array } {
    const chunk = new Uint8Array(1 << 16);
    for (;;) {
      const n = this.fs.readSync(this.fromGpu, chunk, 0, chunk.length, null);
      if (n === 0) throw new Error("webgpu: the WebGPU helper process has exited");
      const frames = this.frames.push(chunk.subarray(0, n));
      if (frames.length > 0) return frames[0];
    }
  }
}
