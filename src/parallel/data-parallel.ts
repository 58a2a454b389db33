// Data parallelism: k replicas of the whole network, one per device, each on a slice of the batch. Each replica
// writes its gradients into its slot of one SharedArrayBuffer; once all have, each sums the k slots (in the same
// order, so the replicas stay bit-identical) and takes the same SGD step: an all-reduce over shared memory.
import type { Sequential } from "../nn/layers.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Device, RemoteModule } from "./device.js";
import { type ParallelTrainer, rowRanges, rowsPayloads, type TrainOptions } from "./trainer.js";

export class DataParallelTrainer implements ParallelTrainer {
  private constructor(
    readonly devices: readonly Device[],
    private readonly replicas: readonly RemoteModule[],
    /** k slots of the network's parameter count, float32. */
    private readonly shared: SharedArrayBuffer,
  ) {}

  /** Places a replica of `model` on every device and makes the shared gradient buffer. */
  static async create(
    model: Sequential,
    devices: readonly Device[],
    options: TrainOptions,
  ): Promise<DataParallelTrainer> {
    const replicas = await Promise.all(devices.map((d) => d.place(model, options)));
    const shared = new SharedArrayBuffer(devices.length * model.parameterCount() * 4);
    return new DataParallelTrainer(devices, replicas, shared);
  }

  async step(x: Tensor, y: Tensor): Promise<number> {
    const n = x.shape[0];
    const ranges = rowRanges(n, this.devices.length);
    const xs = rowsPayloads(x, ranges);
    const ys = rowsPayloads(y, ranges);
    const losses = await Promise.all(
      this.devices.map((d, i) =>
        d.request(
          {
            kind: "shareGradients",
            x: xs[i],
            y: ys[i],
            scale: (ranges[i][1] - ranges[i][0]) / n,
            shared: this.shared,
            slot: i,
          },
          "F+B",
          [xs[i].data, ys[i].data],
        ),
      ),
    );
    // The barrier: every slot is written before any replica sums them.
    const replicas = this.devices.length;
    await Promise.all(
      this.devices.map((d) =>
        d.request({ kind: "reduceAndStep", shared: this.shared, replicas }, "all-reduce+update"),
      ),
    );
    return (losses as number[]).reduce((a, b) => a + b, 0);
  }

  weights(): Promise<Record<string, Tensor>> {
    return this.replicas[0].weights();
  }

  /** Replica i's parameters (all replicas hold the same ones after every step). */
  replicaWeights(i: number): Promise<Record<string, Tensor>> {
    return this.replicas[i].weights();
  }
}
