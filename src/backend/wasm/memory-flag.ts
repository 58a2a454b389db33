// The kernel builds import their memory as shared; a page that is not cross-origin isolated has no shared memory.
// The unshared build differs in one byte, the memory import's limits flag: found here by reading the import section.

/** Limits flags of a 32-bit memory: 0x01 = min and max, 0x03 = min, max and shared. */
const MAX = 0x01;
const SHARED_MAX = 0x03;
const IMPORT_SECTION = 2;
const MEMORY_KIND = 2;

class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error("the module ends early");
    return this.bytes[this.at++];
  }
  /** An unsigned LEB128 number of at most 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error("a number in the module is too long");
  }
  skip(n: number): void {
    if (this.at + n > this.bytes.length) throw new Error("the module ends early");
    this.at += n;
  }
}

/** Skips one import's description (after its two names), given its kind. */
function skipImport(r: Reader, kind: number): void {
  if (kind === 0 || kind === 4) {
    if (kind === 4) r.byte(); // a tag's attribute
    r.u32(); // type index
  } else if (kind === 1) {
    r.byte(); // table element type
    if (r.byte() & MAX) r.u32();
    r.u32();
  } else if (kind === 3) {
    r.skip(2); // global value type and mutability (plain number types only)
  } else {
    throw new Error(`an import of unknown kind ${kind}`);
  }
}

/** Where the single memory import's limits flag is, or an error naming what was unexpected. */
export function memoryFlagOffset(bytes: Uint8Array): number {
  const r = new Reader(bytes);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || header.some((b, i) => bytes[i] !== b)) throw new Error("not a WebAssembly module");
  r.at = 8;
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (id !== IMPORT_SECTION) {
      if (id !== 0 && id > IMPORT_SECTION) break; // sections are ordered: no import section follows
      r.skip(size);
      continue;
    }
    let found = -1;
    for (let n = r.u32(); n > 0; n--) {
      r.skip(r.u32()); // module name
      r.skip(r.u32()); // field name
      const kind = r.byte();
      if (kind !== MEMORY_KIND) {
        skipImport(r, kind);
        continue;
      }
      if (found >= 0) throw new Error("it imports more than one memory");
      found = r.at;
      const flag = r.byte();
      if (flag !== MAX && flag !== SHARED_MAX)
        throw new Error(`its memory limits flag is 0x${flag.toString(16)}`);
      r.u32();
      r.u32();
    }
    if (r.at !== end) throw new Error("its import section has an unexpected size");
    if (found < 0) throw new Error("it imports no memory");
    return found;
  }
  throw new Error("it has no import section");
}

/** A copy of the module whose memory import is shared or not; the bytes as they are when already so. */
export function withSharedMemory(bytes: Uint8Array<ArrayBuffer>, shared: boolean): Uint8Array<ArrayBuffer> {
  let at: number;
  try {
    at = memoryFlagOffset(bytes);
  } catch (e) {
    throw new Error(`the kernel module's memory import has an unexpected layout: ${(e as Error).message}`);
  }
  const flag = shared ? SHARED_MAX : MAX;
  if (bytes[at] === flag) return bytes;
  const copy = bytes.slice();
  copy[at] = flag;
  return copy;
}
