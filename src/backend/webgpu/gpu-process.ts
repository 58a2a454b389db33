// The helper process that owns the Dawn device for Node (Dawn is not stable in a worker thread): it reads
// command frames from one FIFO, runs them, and answers reads on another, so the parent can block on its reply.
/// <reference types="@webgpu/types" />
import { createReadStream, openSync, writeSync } from "node:fs";
import { Executor, openDevice } from "./executor.js";
import { decodeCommands, encodeFrame, FrameReader, type FromGpu, type ToGpu } from "./frames.js";

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** Dawn's instance: if it were collected while the device lives, Dawn would use freed memory and crash. */
let instance: GPU | null = null;

function send(fd: number, json: FromGpu, binary?: Uint8Array): void {
  const frame = encodeFrame(json, binary);
  let at = 0;
  while (at < frame.length) at += writeSync(fd, frame, at, frame.length - at);
}

async function main(): Promise<void> {
  const [toGpu, fromGpu, packageName, flagsJson] = process.argv.slice(2);
  // Both ends open before the parent hears of the device (it then removes the FIFOs' names).
  const reply = openSync(fromGpu, "w");
  const input = openSync(toGpu, "r");
  let executor: Executor;
  try {
    const dawn = (await import(packageName)) as DawnModule;
    Object.assign(globalThis, dawn.globals);
    instance = dawn.create(JSON.parse(flagsJson) as string[]);
    // Core WebGPU where the adapter has it (a real GPU), else compatibility mode (OpenGL ES, llvmpipe).
    let opened = await openDevice(instance, "core");
    if ("error" in opened) opened = await openDevice(instance, "compatibility");
    if ("error" in opened) {
      send(reply, { error: opened.error });
      process.exit(0);
    }
    executor = new Executor(opened.device);
    send(reply, { info: opened.info });
  } catch (error) {
    send(reply, { error: error instanceof Error ? error.message : String(error) });
    process.exit(0);
  }
  const frames = new FrameReader();
  // One frame at a time, in order: a read waits for the GPU before the next batch is taken.
  let chain = Promise.resolve();
  createReadStream("", { fd: input })
    .on("data", (chunk) => {
      for (const frame of frames.push(chunk as Uint8Array)) {
        chain = chain.then(() => handle(executor, frame.json as ToGpu, frame.binary, reply));
      }
    })
    .on("end", () => process.exit(0));
}

async function handle(executor: Executor, message: ToGpu, binary: Uint8Array, reply: number): Promise<void> {
  if ("commands" in message) {
    try {
      executor.run(decodeCommands(message.commands, binary));
    } catch (error) {
      executor.noteError(error instanceof Error ? error.message : String(error));
    }
    return;
  }
  try {
    const data = await executor.read(message.read, message.bytes);
    send(reply, { ok: true }, new Uint8Array(data));
  } catch (error) {
    send(reply, { error: error instanceof Error ? error.message : String(error) });
  }
}

void main();
