// The first seconds of training, in a new process, without warm-up:
//   node --import tsx bench/short.ts --engine NAME --data DIR --batch B --layout in-out|out-in [--seconds 2] --out FILE
// Set-up (outside the window): read the data, import and initialise the library, set up the weights and the
// optimizer. The window opens right after and holds everything else, from the first step's compilation on.
import { writeFileSync } from "node:fs";
import { ENGINES, type EngineName, type Layout, readData } from "./common.js";
import { makeEngine } from "./engines/index.js";
import type { ShortRun } from "./results.js";
import { rateWithin } from "./timing.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const engine = arg("engine") as EngineName;
  const batch = Number(arg("batch"));
  const layout = (arg("layout") ?? "out-in") as Layout;
  const windowSeconds = Number(arg("seconds") ?? 2);
  const dataDir = arg("data");
  const out = arg("out");
  const layoutOk = layout === "in-out" || layout === "out-in";
  if (!ENGINES.includes(engine) || !(batch > 0) || !layoutOk || !(windowSeconds > 0) || !dataDir || !out) {
    throw new Error("usage: short.ts --engine NAME --data DIR --batch B --layout in-out|out-in --out FILE");
  }
  const data = readData(dataDir);
  // Chainrule: its wasm backend is made when the module loads; its worker threads start in the background,
  // and the window opens without waiting for them (a user's script does not wait either).
  const made = await makeEngine(engine, { waitForThreads: false });
  const step = await made.mlpTrain(batch, data, layout);
  // performance.now() counts from the process's start.
  const setupSeconds = performance.now() / 1000;
  const stepEnds: number[] = [];
  const losses: number[] = [];
  const open = performance.now();
  for (let slot = 0; ; slot++) {
    losses.push(await step.rep(slot)); // the inputs are made and J read back inside the step
    const t = Math.round((performance.now() - open) * 1000) / 1e6; // seconds, to the microsecond
    stepEnds.push(t);
    if (t >= windowSeconds) break;
  }
  step.dispose();
  const result: ShortRun = {
    engine,
    batch,
    layout,
    info: made.info,
    setupSeconds,
    windowSeconds,
    stepEnds,
    firstHalf: rateWithin(stepEnds, batch, windowSeconds / 2),
    firstWindow: rateWithin(stepEnds, batch, windowSeconds),
    firstLoss: losses[0],
    lastLoss: losses[losses.length - 1],
  };
  process.stderr.write(
    `  ${engine} batch ${batch} ${layout}: ${stepEnds.length} steps, first ${stepEnds[0].toFixed(3)} s; ` +
      `first ${windowSeconds / 2} s ${Math.round(result.firstHalf)} ex/s, first ${windowSeconds} s ` +
      `${Math.round(result.firstWindow)} ex/s (set-up ${setupSeconds.toFixed(2)} s)\n`,
  );
  writeFileSync(out, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
