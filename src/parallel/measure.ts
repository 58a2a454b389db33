// Measuring a trainer over its devices, step by step: each device's peak memory by ledger tag, the bytes moved
// between devices and from the host, the idle share of the devices' time (the pipeline bubble) and examples/s.
import { fail } from "../errors.js";
import { MEMORY_TAGS, type MemoryTag } from "../memory/ledger.js";
import type { Tensor } from "../tensor/tensor.js";
import type { BusyInterval, Device } from "./device.js";
import type { ParallelTrainer } from "./trainer.js";

/** One device's figures: peak bytes per tag and in total (the highest over the measured steps). */
export interface DeviceFigures {
  device: number;
  peakBytes: number;
  peakByTag: Record<MemoryTag, number>;
}

export interface TrainerFigures {
  devices: DeviceFigures[];
  /** Bytes that arrived on a device from another device, per step, summed over devices. */
  bytesBetweenDevices: number;
  /** Bytes that arrived on the devices from the host (the batch and labels), per step. */
  bytesFromHost: number;
  /** Share of the devices' time idle while a step ran: 1 − Σ busy / (k · step span), averaged over steps. */
  idleFraction: number;
  examplesPerSecond: number;
  /** Mean data loss of the measured steps. */
  loss: number;
  /** What each device did in the last measured step (ms from its start), for the schedule chart. */
  schedule: BusyInterval[][];
}

/** GPipe's bubble for k stages and m micro-batches, all stages taking the same time: (k − 1) / (m + k − 1). */
export const bubbleFormula = (k: number, m: number): number => (k - 1) / (m + k - 1);

/** The idle share of one step: each device's busy time against the span from the first start to the last end. */
export function idleShare(busy: readonly (readonly BusyInterval[])[]): number {
  const all = busy.flat();
  if (all.length === 0) return 0;
  const span = Math.max(...all.map((b) => b.end)) - Math.min(...all.map((b) => b.start));
  if (!(span > 0)) return 0;
  const worked = all.reduce((t, b) => t + (b.end - b.start), 0);
  return 1 - worked / (busy.length * span);
}

async function resetLedgers(devices: readonly Device[]): Promise<void> {
  await Promise.all(devices.map((d) => d.memory(true)));
  for (const d of devices) d.takeBusy();
}

/**
 * Trains one step per batch: the first `warmup` batches unmeasured, then each of the rest measured, with every
 * device's ledger read around it. The batches must all have the same number of rows.
 */
export async function measureTrainer(
  trainer: ParallelTrainer,
  batches: readonly { x: Tensor; y: Tensor }[],
  warmup = 1,
): Promise<TrainerFigures> {
  const devices = trainer.devices;
  if (batches.length <= warmup)
    fail("measureTrainer", `${batches.length} batches leave none to measure after ${warmup} warm-up steps`);
  for (const { x, y } of batches.slice(0, warmup)) await trainer.step(x, y);
  const figures: DeviceFigures[] = devices.map((d) => ({
    device: d.index,
    peakBytes: 0,
    peakByTag: Object.fromEntries(MEMORY_TAGS.map((t) => [t, 0])) as Record<MemoryTag, number>,
  }));
  let between = 0;
  let fromHost = 0;
  let idle = 0;
  let wall = 0;
  let examples = 0;
  let loss = 0;
  let schedule: BusyInterval[][] = [];
  const measured = batches.slice(warmup);
  for (const { x, y } of measured) {
    await resetLedgers(devices);
    const start = performance.now();
    loss += await trainer.step(x, y);
    wall += performance.now() - start;
    examples += x.shape[0];
    const busy = devices.map((d) => d.takeBusy());
    idle += idleShare(busy);
    const t0 = Math.min(...busy.flat().map((b) => b.start));
    schedule = busy.map((list) => list.map((b) => ({ ...b, start: b.start - t0, end: b.end - t0 })));
    const ledgers = await Promise.all(devices.map((d) => d.memory()));
    ledgers.forEach(({ memory, transfers }, i) => {
      const f = figures[i];
      f.peakBytes = Math.max(f.peakBytes, memory.peakBytes);
      for (const t of MEMORY_TAGS) f.peakByTag[t] = Math.max(f.peakByTag[t], memory.byCategory[t].peakBytes);
      between += transfers.receivedFromDevices;
      fromHost += transfers.receivedFromHost;
    });
  }
  const steps = measured.length;
  return {
    devices: figures,
    bytesBetweenDevices: between / steps,
    bytesFromHost: fromHost / steps,
    idleFraction: idle / steps,
    examplesPerSecond: examples / (wall / 1000),
    loss: loss / steps,
    schedule,
  };
}
