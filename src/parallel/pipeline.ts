// Pipeline (model) parallelism, GPipe's schedule: the network cut into k stages on k devices, the batch into m
// micro-batches. Forward: micro-batch i goes through stage 0, its activations to stage 1, ..., so stage s works
// on micro-batch i while stage s+1 works on i−1 (fill). After the last forward, backward runs the other way
// (drain), each stage sending its input's gradient back; then every stage updates its own weights.
import { fail } from "../errors.js";
import type { Sequential } from "../nn/layers.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Device, RemoteModule } from "./device.js";
import type { Payload } from "./protocol.js";
import { splitStages } from "./split.js";
import { type ParallelTrainer, rowRanges, rowsPayloads, type TrainOptions } from "./trainer.js";

export interface PipelineOptions extends TrainOptions {
  /** m: micro-batches per batch. */
  microBatches: number;
  /** The batch size the stages are balanced for (their saved activations grow with it). */
  batch: number;
}

export class PipelineTrainer implements ParallelTrainer {
  private constructor(
    readonly devices: readonly Device[],
    private readonly stages: readonly RemoteModule[],
    readonly microBatches: number,
    /** The first layer index of each stage in the original network. */
    readonly stageStarts: readonly number[],
  ) {}

  /** Splits `model` over `devices` (stage s on devices[s]) and places each stage with its SGD optimizer. */
  static async create(
    model: Sequential,
    devices: readonly Device[],
    options: PipelineOptions,
  ): Promise<PipelineTrainer> {
    const m = options.microBatches;
    if (!Number.isInteger(m) || m < 1) fail("pipeline", `micro-batches must be an integer >= 1, got ${m}`);
    const stages = splitStages(model, devices.length, options.batch);
    const placed = await Promise.all(stages.map((s, i) => devices[i].place(s.module, options)));
    return new PipelineTrainer(
      devices,
      placed,
      m,
      stages.map((s) => s.start),
    );
  }

  async step(x: Tensor, y: Tensor): Promise<number> {
    const n = x.shape[0];
    const m = this.microBatches;
    if (m > n)
      fail(
        "pipeline",
        `${m} micro-batches need at least ${m} rows; the batch [${x.shape.join(", ")}] has ${n}`,
      );
    const ranges = rowRanges(n, m);
    const inputs = rowsPayloads(x, ranges);
    const labels = rowsPayloads(y, ranges);
    const last = this.devices.length - 1;
    // Fill: every micro-batch's chain of stage forwards starts now; each device takes its requests in order.
    const forward = async (i: number): Promise<number> => {
      let input: Payload = inputs[i];
      for (let s = 0; ; s++) {
        const out = await this.devices[s].request(
          {
            kind: "stageForward",
            batch: i,
            input,
            from: s === 0 ? "host" : "device",
            labels: s === last ? labels[i] : null,
            scale: (ranges[i][1] - ranges[i][0]) / n,
          },
          `F${i}`,
          s === last ? [input.data, labels[i].data] : [input.data],
        );
        if (s === last) return out as number;
        input = out as Payload;
      }
    };
    const losses = await Promise.all(ranges.map((_, i) => forward(i)));
    // Drain: backward from the last stage, micro-batches in reverse, gradients sent back stage by stage.
    const backward = async (i: number): Promise<void> => {
      let upstream: Payload | null = null;
      for (let s = last; s >= 0; s--) {
        const transfer: ArrayBuffer[] = upstream ? [upstream.data] : [];
        upstream = (await this.devices[s].request(
          { kind: "stageBackward", batch: i, upstream },
          `B${i}`,
          transfer,
        )) as Payload | null;
      }
    };
    await Promise.all(ranges.map((_, i) => backward(m - 1 - i)));
    await Promise.all(this.devices.map((d) => d.request({ kind: "step" }, "update")));
    return losses.reduce((a, b) => a + b, 0);
  }

  async weights(): Promise<Record<string, Tensor>> {
    const parts = await Promise.all(
      this.stages.map(async (stage, s) => {
        const w = await stage.weights();
        // A stage's layer j is layer start + j of the whole network.
        return Object.entries(w).map(([name, t]) => {
          const dot = name.indexOf(".");
          return [`${Number(name.slice(0, dot)) + this.stageStarts[s]}${name.slice(dot)}`, t] as const;
        });
      }),
    );
    return Object.fromEntries(parts.flat());
  }
}
