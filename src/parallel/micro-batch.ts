// The other answer to "too big for one device": one device, the batch cut into m micro-batches whose gradients
// are accumulated before one step (accumulateGradients), so only one micro-batch's activations live at a time.
// With m = 1 it is plain single-device training.
import { fail } from "../errors.js";
import type { Sequential } from "../nn/layers.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Device, RemoteModule } from "./device.js";
import { type ParallelTrainer, rowRanges, rowsPayloads, type TrainOptions } from "./trainer.js";

export class MicroBatchTrainer implements ParallelTrainer {
  private constructor(
    readonly devices: readonly Device[],
    private readonly model: RemoteModule,
    readonly microBatches: number,
  ) {}

  static async create(
    model: Sequential,
    device: Device,
    options: TrainOptions & { microBatches: number },
  ): Promise<MicroBatchTrainer> {
    const m = options.microBatches;
    if (!Number.isInteger(m) || m < 1) fail("microbatch", `micro-batches must be an integer >= 1, got ${m}`);
    return new MicroBatchTrainer([device], await device.place(model, options), m);
  }

  async step(x: Tensor, y: Tensor): Promise<number> {
    const whole = rowRanges(x.shape[0], 1);
    const [xs] = rowsPayloads(x, whole);
    const [ys] = rowsPayloads(y, whole);
    const label = this.microBatches === 1 ? "F+B+update" : `${this.microBatches}×(F+B)+update`;
    const request = { kind: "trainStep", x: xs, y: ys, microBatches: this.microBatches } as const;
    return (await this.devices[0].request(request, label, [xs.data, ys.data])) as number;
  }

  weights(): Promise<Record<string, Tensor>> {
    return this.model.weights();
  }
}
