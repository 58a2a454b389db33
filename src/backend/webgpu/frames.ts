// Length-prefixed frames between the Node process and its GPU helper process: [u32 JSON bytes, u32 binary
// bytes, JSON, binary]. Command batches carry written data in the binary part; read replies carry the bytes.
import type { Command } from "./protocol.js";

/** A command as it travels: write data and run parameters become ranges of the frame's binary part. */
export type WireCommand =
  | Exclude<Command, { kind: "write" } | { kind: "run" }>
  | { kind: "write"; id: number; at: number; length: number }
  | {
      kind: "run";
      kernel: number;
      buffers: number[];
      at: number;
      length: number;
      groups: [number, number, number];
    };

export type ToGpu = { commands: WireCommand[] } | { read: number; bytes: number };
export type FromGpu = { info: unknown } | { error: string } | { ok: true };

export function encodeFrame(json: unknown, binary: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const frame = new Uint8Array(8 + text.length + binary.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, text.length, true);
  view.setUint32(4, binary.length, true);
  frame.set(text, 8);
  frame.set(binary, 8 + text.length);
  return frame;
}

/** A command batch as one frame: bytes of writes and parameter words packed after the JSON. */
export function encodeCommands(commands: readonly Command[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  const add = (bytes: Uint8Array): { at: number; length: number } => {
    parts.push(bytes);
    const range = { at, length: bytes.length };
    at += bytes.length;
    return range;
  };
  const wire: WireCommand[] = commands.map((c) => {
    if (c.kind === "write") return { kind: "write", id: c.id, ...add(new Uint8Array(c.data)) };
    if (c.kind === "run") {
      const range = add(new Uint8Array(c.params.buffer, c.params.byteOffset, c.params.byteLength));
      return { kind: "run", kernel: c.kernel, buffers: c.buffers, groups: c.groups, ...range };
    }
    return c;
  });
  const binary = new Uint8Array(at);
  let offset = 0;
  for (const p of parts) {
    binary.set(p, offset);
    offset += p.length;
  }
  return encodeFrame({ commands: wire }, binary);
}

/** The commands of a decoded batch, with their bytes copied out of the frame. */
export function decodeCommands(wire: readonly WireCommand[], binary: Uint8Array): Command[] {
  const slice = (at: number, length: number) => binary.slice(at, at + length).buffer;
  return wire.map((c): Command => {
    if (c.kind === "write") return { kind: "write", id: c.id, data: slice(c.at, c.length) };
    if (c.kind === "run") {
      return {
        kind: "run",
        kernel: c.kernel,
        buffers: c.buffers,
        params: new Uint32Array(slice(c.at, c.length)),
        groups: c.groups,
      };
    }
    return c;
  });
}

/** Splits a byte stream into frames as chunks arrive. */
export class FrameReader {
  private pending = new Uint8Array(0);

  push(chunk: Uint8Array): { json: unknown; binary: Uint8Array }[] {
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending);
    joined.set(chunk, this.pending.length);
    const frames: { json: unknown; binary: Uint8Array }[] = [];
    let at = 0;
    while (joined.length - at >= 8) {
      const view = new DataView(joined.buffer, at, 8);
      const textLength = view.getUint32(0, true);
      const binaryLength = view.getUint32(4, true);
      const end = at + 8 + textLength + binaryLength;
      if (end > joined.length) break;
      const text = new TextDecoder().decode(joined.subarray(at + 8, at + 8 + textLength));
      frames.push({ json: JSON.parse(text), binary: joined.subarray(at + 8 + textLength, end) });
      at = end;
    }
    this.pending = joined.slice(at);
    return frames;
  }
}
