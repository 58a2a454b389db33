// The webgpu backend beyond the op table's small cases: long reductions (two passes), NaN and tie rules of the
// arg reductions over many workgroups, tiled matmul at sizes that are not tile multiples, synchronous and
// asynchronous reads, the buffer pool's bytes, and the float64 refusal. Skips only where no adapter exists.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";

const available = await cr.initWebGPU();
const skip = available ? false : `no WebGPU adapter here: ${cr.webgpuStatus().reason}`;
const START = cr.getBackend().name;

/** The same computation on js and on webgpu, values compared within float32 sums' rounding. */
function agree(make: () => cr.Tensor, rtol = 1e-5, what = ""): void {
  const run = (name: string) => {
    cr.setBackend(name);
    try {
      return cr.tidy(() => Array.from(make().dataSync()));
    } finally {
      cr.setBackend(START);
    }
  };
  const want = run("js");
  const got = run("webgpu");
  assert.equal(got.length, want.length, `${what} length`);
  let scale = 1;
  for (const w of want) if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
  want.forEach((w, i) => {
    const g = got[i];
    if (Number.isNaN(w) && Number.isNaN(g)) return;
    assert.ok(Math.abs(g - w) <= rtol * scale, `${what} element ${i}: ${g} on webgpu, ${w} on js`);
  });
}

/** Deterministic float32 values in [-1, 1). */
function values(shape: number[], seed: number): cr.Tensor {
  return cr.rand(shape, { seed }).mul(2).sub(1);
}

describe("the webgpu backend", { skip }, () => {
  after(() => cr.setBackend(START));

  test("sums, maxima and minima over more elements than one workgroup takes (two passes)", () => {
    agree(() => cr.sum(values([200_704], 1)), 1e-5, "sum of 200,704");
    agree(() => cr.sum(values([70_000, 3], 2), { axis: 0 }), 1e-5, "sum over a long axis");
    agree(() => cr.max(values([3, 50_000], 3), { axis: 1 }), 0, "max over long rows");
    agree(() => cr.min(values([40_000, 2], 4), { axis: 0 }), 0, "min over a long axis");
    agree(() => cr.mean(cr.ones([1 << 20])), 0, "mean of 2^20 ones");
  });

  test("argmax and argmin keep the first winner, and the first NaN, across workgroups", () => {
    const row = (n: number, put: [number, number][]) => {
      const v = new Float32Array(n).fill(-1);
      for (const [at, x] of put) v[at] = x;
      return cr.tensor(v);
    };
    agree(
      () =>
        cr.argmax(
          row(30_000, [
            [20_000, 5],
            [7, 5],
            [29_000, 5],
          ]),
        ),
      0,
      "tie: lowest index",
    );
    agree(
      () =>
        cr.argmax(
          row(30_000, [
            [100, 9],
            [25_000, Number.NaN],
            [900, Number.NaN],
          ]),
        ),
      0,
      "first NaN",
    );
    agree(
      () =>
        cr.argmin(
          row(5_000, [
            [4_999, -3],
            [64, -3],
          ]),
        ),
      0,
      "argmin tie",
    );
  });

  test("matmul at sizes that are not tile multiples, transposed and batched with broadcasting", () => {
    agree(() => cr.matmul(values([67, 131], 5), values([131, 45], 6)), 1e-5, "67×131 · 131×45");
    agree(
      () => cr.matmul(values([131, 67], 7).transpose(), values([45, 131], 8).transpose()),
      1e-5,
      "transposed",
    );
    agree(() => cr.matmul(values([3, 1, 33, 20], 9), values([4, 20, 17], 10)), 1e-5, "broadcast batch");
    agree(() => cr.matmul(values([300, 784], 11), values([784, 256], 12)), 1e-5, "300×784 · 784×256");
  });

  test("dataSync and item block until the GPU is done; await data() too", async () => {
    cr.setBackend("webgpu");
    try {
      const x = cr.tensor([1, 2, 3, 4]);
      assert.deepEqual(Array.from(x.mul(2).dataSync()), [2, 4, 6, 8]);
      assert.equal(x.sum().item(), 10);
      assert.deepEqual(Array.from(await x.add(1).data()), [2, 3, 4, 5]);
      assert.deepEqual(Array.from(cr.logicalNot(cr.tensor([true, false])).dataSync()), [0, 1]);
      assert.deepEqual(Array.from(cr.tensor(Int32Array.of(-7, 9)).neg().dataSync()), [7, -9]);
    } finally {
      cr.setBackend(START);
    }
  });

  test("disposed buffers go back: the live GPU bytes return to where they were", () => {
    cr.setBackend("webgpu");
    try {
      const before = cr.webgpuStatus().liveBytes;
      cr.tidy(() => {
        const a = cr.ones([1000, 100]);
        a.mul(3);
        assert.ok(cr.webgpuStatus().liveBytes >= before + 2 * 400_000);
      });
      // At most `before`: the garbage collector may have freed other tensors meanwhile.
      assert.ok(cr.webgpuStatus().liveBytes <= before);
    } finally {
      cr.setBackend(START);
    }
  });

  test("float64 is refused with the op's name and where float64 runs", () => {
    cr.setBackend("webgpu");
    try {
      const x = cr.tensor([1, 2]);
      assert.throws(
        () => cr.cast(x, "float64"),
        /^ChainruleError: cast: float64 is not supported .*wasm or js/,
      );
    } finally {
      cr.setBackend(START);
    }
  });

  test("webgpuStatus names the adapter and the limits asked for", () => {
    const status = cr.webgpuStatus();
    assert.equal(status.available, true);
    assert.ok(status.adapter && status.adapter.length > 0);
    assert.ok((status.limits.maxStorageBufferBindingSize ?? 0) >= 1 << 27);
  });
});
