// Index and label checks on the webgpu backend: values written from the host are checked from their host copy
// (at once, with the reference's message); values computed on the GPU are read back in Node, or, with device
// checks on (as in a page), checked by a kernel and reported at the next read. Skips only without an adapter.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { WebGpuBackend } from "../../src/backend/webgpu/index.js";
import * as cr from "../../src/index.js";

const available = await cr.initWebGPU();
const skip = available ? false : `no WebGPU adapter here: ${cr.webgpuStatus().reason}`;
const START = cr.getBackend().name;
const ON_GPU = /\(found by a check on the GPU, reported at the next read of any tensor\)$/;

/** An int32 tensor computed on the GPU (no host copy): the values plus zero. */
function computed(values: number[], shape = [values.length]): cr.Tensor {
  return cr.tensor(Int32Array.from(values), { shape }).add(cr.zeros(shape, { dtype: "int32" }));
}

function backend(): WebGpuBackend {
  return cr.getBackend() as WebGpuBackend;
}

/** The message `fn` throws, synchronously. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return assert.fail("no error thrown");
}

describe("index checks on the webgpu backend", { skip }, () => {
  before(() => cr.setBackend("webgpu"));
  after(() => {
    backend().deviceIndexChecks = false;
    cr.setBackend(START);
  });
  const x = () => cr.tensor([10, 20, 30]);
  const GATHER = "gather: index value 5 is out of range for axis 0 of [3] (size 3)";

  test("host-written indices fail at once with the reference's message, without a GPU read", () => {
    for (const device of [false, true]) {
      backend().deviceIndexChecks = device;
      const reads = countReads(() =>
        assert.equal(
          thrown(() => cr.gather(x(), cr.tensor(Int32Array.of(1, 5)), 0)),
          GATHER,
        ),
      );
      assert.equal(reads, 0, "the check read the host copy");
      const labels = cr.tensor(Int32Array.of(0, 3));
      assert.equal(
        thrown(() => cr.nn.crossEntropy(cr.zeros([2, 3]), labels)),
        "crossEntropy: label 3 (example 1) is out of range for 3 classes: labels must be in [0, 2]",
      );
    }
    // A host copy is dropped once a kernel writes the buffer: the check then reads the new values.
    backend().deviceIndexChecks = false;
    const overwritten = cr.tensor(Int32Array.of(0, 1)).assign(computed([0, 5]));
    assert.equal(
      thrown(() => cr.gather(x(), overwritten, 0)),
      GATHER,
    );
  });

  test("in Node, indices computed on the GPU are read back and fail at once", () => {
    backend().deviceIndexChecks = false;
    assert.equal(
      thrown(() => cr.gather(x(), computed([1, 5]), 0)),
      GATHER,
    );
  });

  test("with device checks, a bad index computed on the GPU fails at the next read, naming op and shapes", async () => {
    backend().deviceIndexChecks = true;
    const picked = cr.gather(x(), computed([2, 5, 1, -4]), 0);
    assert.match(
      thrown(() => picked.dataSync()),
      new RegExp(`^${literal(GATHER)} ${ON_GPU.source}`),
    );
    // Reported once: the next read succeeds (the good positions were gathered).
    const again = picked.dataSync();
    assert.deepEqual([again[0], again[2]], [30, 20]);
    const lost = cr.nn.crossEntropy(cr.zeros([3, 4]), computed([0, 3, 7]), { reduction: "none" });
    await assert.rejects(lost.data(), (e: Error) => {
      assert.match(
        e.message,
        /^crossEntropy: label 7 \(example 2\) is out of range for 4 classes: labels must be in \[0, 3\]/,
      );
      assert.match(e.message, ON_GPU);
      return true;
    });
    // The first failing check is the one reported, at its lowest failing position, read through a view.
    const rows = computed([0, 9, 1, 12, 8, 0], [2, 3]).transpose();
    cr.gather(cr.zeros([9, 2]), rows, 0);
    cr.index(cr.tensor([1, 2, 3]), computed([0, 3]));
    assert.throws(
      () => cr.ones([1]).dataSync(),
      /^ChainruleError: gather: index value 12 is out of range for axis 0 of \[9,2\] \(size 9\) \(found by a check on the GPU/,
    );
    assert.deepEqual(Array.from(cr.ones([1]).dataSync()), [1]);
  });

  test("with device checks, good indices computed on the GPU agree with js and read without error", async () => {
    backend().deviceIndexChecks = true;
    const xs = cr.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const out = cr.gather(xs, computed([2, 0, 1, 1], [2, 2]), 1);
    assert.deepEqual(Array.from(await out.data()), [3, 1, 5, 5]);
    const loss = cr.nn.crossEntropy(
      cr.tensor([
        [0, 0],
        [1, 0],
      ]),
      computed([1, 0]),
      { reduction: "sum" },
    );
    const want = Math.log(2) + Math.log(1 + Math.exp(-1));
    assert.ok(Math.abs((await loss.data())[0] - want) < 1e-6, `loss ${loss.item()}, want ${want}`);
    // With a recorded graph: gather and its scatter-add adjoint both check the GPU-made labels.
    const logits = cr.tensor(
      [
        [0, 0],
        [1, 0],
      ],
      { requiresGrad: true },
    );
    cr.nn.crossEntropy(logits, computed([1, 0]), { reduction: "sum" }).backward();
    assert.equal((await logits.grad!.data()).length, 4);
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** How many buffer reads the webgpu host made while `fn` ran. */
function countReads(fn: () => void): number {
  const host = backend().host;
  const readSync = host.readSync.bind(host);
  let reads = 0;
  (host as { readSync: typeof host.readSync }).readSync = (id, bytes) => {
    reads++;
    return readSync(id, bytes);
  };
  try {
    fn();
  } finally {
    (host as { readSync: typeof host.readSync }).readSync = readSync;
  }
  return reads;
}
