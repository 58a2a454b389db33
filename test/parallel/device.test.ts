// Devices: tensors move with t.to(device) and back unchanged, every byte moved is counted by the ledgers at both
// ends, a placed model computes what it computes on the host, and a device's errors reach the host with their op.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { resetTransfers, transfers } from "../../src/memory/ledger.js";
import { closeDevices, startDevices } from "../../src/parallel/device.js";

const [a, b] = startDevices(2);
after(() => closeDevices([a, b]));

describe("devices", () => {
  test("t.to(device), device to device and back: same values, bytes counted on every ledger", async () => {
    const t = cr.tensor([
      [1.5, -2],
      [3, 4.25],
      [5, 6],
    ]);
    await a.memory(true);
    await b.memory(true);
    resetTransfers();
    const onA = await t.to(a);
    assert.deepEqual(onA.shape, [3, 2]);
    const onB = await onA.to(b);
    const back = await onB.to("host");
    assert.deepEqual(back.toArray(), t.toArray());
    const [ma, mb] = [await a.memory(), await b.memory()];
    assert.deepEqual(ma.transfers, {
      sentToDevices: 24,
      receivedFromDevices: 0,
      sentToHost: 0,
      receivedFromHost: 24,
    });
    assert.deepEqual(mb.transfers, {
      sentToDevices: 0,
      receivedFromDevices: 24,
      sentToHost: 24,
      receivedFromHost: 0,
    });
    assert.deepEqual(transfers(), {
      sentToDevices: 24,
      receivedFromDevices: 24,
      sentToHost: 0,
      receivedFromHost: 0,
    });
    // The tensor lives in the device's own ledger until freed there.
    assert.equal(ma.memory.bytes, 24);
    await onA.free();
    assert.equal((await a.memory()).memory.bytes, 0);
    await onB.free();
  });

  test("a model placed on a device gives the host's output; its weights come back unchanged", async () => {
    const net = new cr.nn.Sequential(
      new cr.nn.Linear(4, 3, { seed: 1 }),
      new cr.nn.Tanh(),
      new cr.nn.Linear(3, 2, { seed: 2 }),
    );
    const x = cr.randn([5, 4], { generator: new cr.Generator(3) });
    const remote = await b.place(net);
    const out = await (await remote.forward(await x.to(b))).to("host");
    const expected = net.forward(x).dataSync();
    const got = out.dataSync();
    for (let i = 0; i < got.length; i++)
      assert.ok(Math.abs(got[i] - expected[i]) <= 1e-6, `${got[i]} vs ${expected[i]}`);
    const weights = await remote.weights();
    assert.deepEqual(Object.keys(weights).sort(), ["0.bias", "0.weight", "2.bias", "2.weight"]);
    assert.deepEqual(weights["2.weight"].toArray(), net.layers[2].parameters()[0].toArray());
  });

  test("errors: a device's op error names the op and shapes; models on other devices and unknown modules refused", async () => {
    const net = new cr.nn.Sequential(new cr.nn.Linear(4, 3, { seed: 1 }));
    const remote = await a.place(net);
    const wrong = await cr.zeros([2, 5]).to(a);
    await assert.rejects(
      remote.forward(wrong),
      (e: Error) =>
        e instanceof cr.ChainruleError && /device 0: linear: input \[2,5\].*\[3,4\]/.test(e.message),
    );
    const elsewhere = await cr.zeros([2, 4]).to(b);
    await assert.rejects(
      remote.forward(elsewhere),
      /the input \[2, 4\] is on device 1, the model on device 0/,
    );
    class Custom extends cr.nn.Module {
      forward(x: cr.Tensor) {
        return x;
      }
    }
    await assert.rejects(
      a.place(new Custom()),
      /place: only an nn.Sequential of Linear layers and activations/,
    );
  });

  test("devices nobody closed do not keep the process alive once idle", () => {
    const code =
      'import * as cr from "./src/index.ts"; const [d] = cr.parallel.startDevices(2);' +
      ' const r = await cr.tensor([2]).to(d); console.log((await r.to("host")).item());';
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: new URL("../..", import.meta.url).pathname,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "2");
  });
});
