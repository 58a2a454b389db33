// The wasm backend itself: its heap (alignment, reuse, zeroing, growth), freeing on dispose so training
// leaves the heap as it found it, threads that give the one-thread answers, the job queue, the build chosen.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { sizeClass, WasmHeap } from "../../src/backend/wasm/heap.js";
import * as cr from "../../src/index.js";
import { expectRegisteredWasm, expectWasm } from "./expect-wasm.js";

describe("the heap", () => {
  test("size classes: 64-byte steps to 1 KiB, then at most 12.5% over", () => {
    assert.equal(sizeClass(1), 64);
    assert.equal(sizeClass(65), 128);
    assert.equal(sizeClass(1024), 1024);
    for (const bytes of [1025, 4000, 65537, 802_816, 3_000_001]) {
      const size = sizeClass(bytes);
      assert.ok(size >= bytes && size <= bytes * 1.125 + 64, `${bytes} -> ${size}`);
      assert.equal(size % 64, 0);
    }
  });

  test("blocks are aligned, zero-filled when reused, and survive memory growth", () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 1024, shared: true });
    const heap = new WasmHeap(memory);
    const a = heap.alloc(100);
    assert.equal(a % 64, 0);
    new Uint8Array(heap.buffer, a, 100).fill(7);
    heap.free(a, 100);
    const b = heap.alloc(90);
    assert.equal(b, a, "the freed block of the same class is reused");
    assert.ok(new Uint8Array(heap.buffer, b, 90).every((v) => v === 0));
    new Uint8Array(heap.buffer, b, 90).fill(5);
    const big = heap.alloc(3 << 20);
    assert.ok(memory.buffer.byteLength >= big + (3 << 20), "memory grew");
    assert.ok(
      new Uint8Array(heap.buffer, b, 90).every((v) => v === 5),
      "values kept across growth",
    );
    assert.equal(heap.allocatedBytes, sizeClass(90) + sizeClass(3 << 20));
  });
});

/** False only where CHAINRULE_BACKEND picked another backend; a wasm load that fails in Node fails this file. */
const wasmThere = expectRegisteredWasm();
const skipped = "CHAINRULE_BACKEND picked another backend, so the package made no wasm backend";

describe("tensors on the wasm backend", { skip: !wasmThere && skipped }, () => {
  const onWasm = <T>(fn: () => T): T => {
    const before = cr.getBackend().name;
    cr.setBackend("wasm");
    try {
      return fn();
    } finally {
      cr.setBackend(before);
    }
  };
  const heapBytes = () => cr.wasmStatus().heapBytes;

  test("training steps free every buffer they make: the heap ends where it started", () => {
    onWasm(() => {
      const net = cr.chapterMlp({ inputs: 20, hidden: 16, outputs: 4 });
      const opt = new cr.optim.SGD(net.parameters(), { lr: 0.1 });
      const x = cr.randn([32, 20], { seed: 1 });
      const y = cr.randint(0, 4, [32], { seed: 2, dtype: "int32" });
      const step = () =>
        cr.tidy(() => {
          opt.zeroGrad();
          cr.nn.crossEntropy(net.forward(x), y).backward();
          opt.step();
        });
      for (let i = 0; i < 5; i++) step();
      const before = heapBytes();
      for (let i = 0; i < 200; i++) step();
      assert.equal(heapBytes(), before);
    });
  });

  test("a matmul split over two threads equals the one-thread result", async () => {
    for (let i = 0; i < 100 && cr.wasmStatus().threadsRunning < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    onWasm(() => {
      const run = (threads: number) => {
        cr.setThreads(threads);
        return cr.tidy(() => {
          const a = cr.randn([301, 257], { seed: 3 });
          const b = cr.randn([199, 257], { seed: 4 });
          return Array.from(a.matmul(b.T).dataSync());
        });
      };
      const start = cr.wasmStatus().threads;
      try {
        const one = run(1);
        const two = run(2);
        assert.equal(two.length, one.length);
        for (let i = 0; i < one.length; i++)
          assert.ok(Math.abs(one[i] - two[i]) <= 1e-5 * (1 + Math.abs(one[i])));
      } finally {
        cr.setThreads(start);
      }
    });
  });
});

describe("the thread pool's job queue", () => {
  test("thousands of jobs of 1 to 40 shares each run every share exactly once", async () => {
    const made = expectWasm();
    const k = made.kernels;
    k.setThreads(2);
    for (let i = 0; i < 200 && k.available < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(k.available, 2, "the worker started");
    assert.ok(k.has("axpy_f32") && k.has("axpy_f64") && k.has("sgemm") && k.has("dgemm"), "kernels built");
    const n = 4000;
    const x = k.heap.alloc(n * 4);
    const y = k.heap.alloc(n * 4);
    const xs = new Float32Array(k.heap.buffer, x, n);
    const ys = new Float32Array(k.heap.buffer, y, n);
    xs.fill(1);
    let seed = 5;
    for (let job = 0; job < 3000; job++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const count = 1 + (seed % 40);
      const chunk = Math.ceil(n / count);
      const shares: [number, number, number, number][] = [];
      // saxpy adds 1 to every element of its chunk: a share run twice (or never) shows up in the total.
      for (let s = 0; s * chunk < n; s++) {
        const len = Math.min(chunk, n - s * chunk);
        shares.push([len, 1, x + s * chunk * 4, y + s * chunk * 4]);
      }
      k.parallel("saxpy", shares);
    }
    assert.ok(
      ys.every((v) => v === 3000),
      `every element was added to 3000 times (first off: ${ys.find((v) => v !== 3000)})`,
    );
    k.setThreads(1);
  });
});

describe("choosing the kernel build", { skip: !wasmThere && skipped }, () => {
  const statusWith = (env: Record<string, string>) => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        'import("./src/index.js").then((m) => console.log(JSON.stringify(m.wasmStatus())))',
      ],
      { env: { ...process.env, ...env }, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout.trim().split("\n").pop()!) as { relaxedSimd: boolean; available: boolean };
  };

  test("Node gets the relaxed-SIMD build (fused multiply-add); CHAINRULE_RELAXED_SIMD=0 asks for plain SIMD", () => {
    assert.equal(cr.wasmStatus().relaxedSimd, true, "this process runs the relaxed build");
    const plain = statusWith({ CHAINRULE_RELAXED_SIMD: "0" });
    assert.deepEqual([plain.available, plain.relaxedSimd], [true, false]);
  });
});
