// The wasm backend's allocator: buffers are 64-byte-aligned blocks of one shared WebAssembly.Memory,
// reused by size class (a training loop asks for the same sizes every step), freed deterministically.

const PAGE = 65536;
/** Below this address the kernels' own data lives; the heap starts above it. */
export const HEAP_BASE = PAGE;
const ALIGN = 64;

/** The block size a request of `bytes` gets: 64-byte steps up to 1 KiB, then 8 classes per doubling. */
export function sizeClass(bytes: number): number {
  if (bytes <= 1024) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const power = 2 ** Math.floor(Math.log2(bytes));
  const step = power / 8;
  return Math.ceil(bytes / step) * step;
}

export class WasmHeap {
  /** The next never-used address. */
  private top = HEAP_BASE;
  private readonly freeBlocks = new Map<number, number[]>();
  private liveBytes = 0;
  private cachedBuffer: ArrayBufferLike;
  private u8: Uint8Array;
  /** Incremented whenever memory grows, so views made before can be recognised as stale. */
  generation = 0;

  constructor(readonly memory: WebAssembly.Memory) {
    this.cachedBuffer = memory.buffer;
    this.u8 = new Uint8Array(this.cachedBuffer);
  }

  /** The memory's current buffer (a shared memory's buffer object changes when it grows). */
  get buffer(): ArrayBufferLike {
    if (this.memory.buffer.byteLength !== this.cachedBuffer.byteLength) this.refresh();
    return this.cachedBuffer;
  }

  /** A block of at least `bytes`, zero-filled unless `zeroed` is false; returns its address. */
  alloc(bytes: number, zeroed = true): number {
    const size = sizeClass(bytes);
    const reused = this.freeBlocks.get(size)?.pop();
    this.liveBytes += size;
    if (reused !== undefined) {
      if (zeroed) this.bytesView().fill(0, reused, reused + bytes);
      return reused;
    }
    const address = this.top;
    this.ensure(address + size);
    this.top = address + size;
    return address;
  }

  /** Gives a block back for reuse by the next request of its size class. */
  free(address: number, bytes: number): void {
    const size = sizeClass(bytes);
    this.liveBytes -= size;
    const list = this.freeBlocks.get(size);
    if (list) list.push(address);
    else this.freeBlocks.set(size, [address]);
  }

  /** Bytes in blocks handed out and not yet freed (block sizes, so ≥ what was asked for). */
  get allocatedBytes(): number {
    return this.liveBytes;
  }

  /** Bytes of memory the heap has touched: its high-water mark above HEAP_BASE. */
  get reservedBytes(): number {
    return this.top - HEAP_BASE;
  }

  bytesView(): Uint8Array {
    if (this.memory.buffer.byteLength !== this.cachedBuffer.byteLength) this.refresh();
    return this.u8;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow by at least a quarter of what there is, so a growing model does not grow one page at a time.
    const pages = Math.max(Math.ceil((end - have) / PAGE), Math.ceil(have / PAGE / 4));
    try {
      this.memory.grow(pages);
    } catch {
      throw new RangeError(
        `wasm backend: cannot grow WebAssembly memory from ${have} to ${end} bytes (out of memory or at the 4 GiB limit)`,
      );
    }
    this.refresh();
  }

  private refresh(): void {
    this.cachedBuffer = this.memory.buffer;
    this.u8 = new Uint8Array(this.cachedBuffer);
    this.generation++;
  }
}
