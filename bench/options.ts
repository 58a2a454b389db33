// The command line of npm run bench: engines, cases and sections, timing overrides, where the report and the
// page go. A run that is not the full one (--quick, --only, --cases) leaves docs/performance.md alone.
import { join, resolve } from "node:path";
import {
  allCases,
  type CaseSpec,
  ENGINES,
  type EngineName,
  FOCUS,
  GPU_CHECK_CASES,
  GPU_ENGINES,
  gpuCases,
  parseCase,
} from "./common.js";
import { ROOT } from "./spawn.js";

export type Section = "threads" | "layout" | "io" | "short";
const SECTIONS: readonly Section[] = ["threads", "layout", "io", "short"];

export interface Options {
  quick: boolean;
  /** --render: rewrite the page from the JSON report (--out) without running anything. */
  render: boolean;
  engines: EngineName[];
  cases: CaseSpec[];
  sections: Set<Section>;
  reps?: number;
  seconds?: number;
  /** The short runs' window (2 s); the first half of it (1 s) is reported too. */
  shortSeconds: number;
  out: string;
  docs: string | null;
  /** --quick, --only or --cases: not the full run, so the page is left alone unless --docs names it. */
  partial: boolean;
  timeoutSeconds: number;
}

export const USAGE = `usage: npm run bench -- [options]
  --gpu                 add the GPU engines (${GPU_ENGINES.join(", ")}) and the GPU sizes (sgemm 1024-8192,
                        MLP batch 256-8192, inference 4096); the page is written only with --docs
  --gpu-check           the GPU engines only, on ${GPU_CHECK_CASES.join(", ")}, quick, no sections: that each
                        runs on this machine's adapter (named per engine) and agrees with Chainrule
  --quick               fewer sizes (sgemm 256, 512; MLP batch 64, 256), fewer and shorter reps
  --only a,b            engines: ${ENGINES.join(", ")}
  --cases a,b           case ids (sgemm256 … sgemm2048, mlp64 … mlp1024, infer256) or kinds (sgemm, mlp, infer),
                        and sections: "io" (data in and out), "threads" (1 against 2 wasm threads on the training
                        step), "layout" (W as [in, out] against nn.Linear's [out, in]); without --cases: all
  --no-short            no short runs (by default every training case also gets one per engine and layout)
  --no-threads, --no-layout, --no-io   leave that section out
  --short-seconds S     the short runs' window (default 2; the first S/2 seconds are reported too)
  --reps N              timed repetitions per case (at least)
  --seconds S           time spent timing each case (at least)
  --out FILE            the JSON report (default bench/results/latest.json)
  --docs FILE           the page to regenerate (default docs/performance.md, written only by a full run:
                        give --docs to write it after --quick, --only or --cases); --no-docs: leave it
  --timeout SECONDS     per child process (default 1800, 600 with --quick)
  --render              run nothing: rewrite the page from the JSON report (after editing bench/docs.ts)`;

export function parseArgs(argv: string[]): Options {
  const value = (i: number): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${argv[i]} needs a value\n${USAGE}`);
    return v;
  };
  const quick = argv.includes("--quick") || argv.includes("--gpu-check");
  const options: Options = {
    quick,
    engines: ENGINES.filter((e) => !GPU_ENGINES.includes(e)),
    cases: allCases(quick),
    sections: new Set(SECTIONS),
    shortSeconds: 2,
    out: join(ROOT, "bench", "results", "latest.json"),
    docs: join(ROOT, "docs", "performance.md"),
    partial: quick,
    render: false,
    timeoutSeconds: quick ? 600 : 1800,
  };
  let docsAsked = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--no-") && SECTIONS.includes(a.slice(5) as Section)) {
      options.sections.delete(a.slice(5) as Section);
      continue;
    }
    switch (a) {
      case "--quick":
        break;
      case "--gpu":
        options.engines = ENGINES.filter((e) => options.engines.includes(e) || GPU_ENGINES.includes(e));
        for (const c of gpuCases()) if (!options.cases.some((d) => d.id === c.id)) options.cases.push(c);
        options.partial = true;
        break;
      case "--gpu-check":
        options.engines = [...GPU_ENGINES];
        options.cases = GPU_CHECK_CASES.map(parseCase);
        options.sections.clear();
        options.partial = true;
        break;
      case "--only": {
        const names = value(i++).split(",").filter(Boolean);
        for (const n of names)
          if (!ENGINES.includes(n as EngineName)) throw new Error(`unknown engine "${n}"\n${USAGE}`);
        options.engines = ENGINES.filter((e) => names.includes(e));
        options.partial = true;
        break;
      }
      case "--cases": {
        const wanted = value(i++).split(",").filter(Boolean);
        const cases: CaseSpec[] = [];
        for (const s of ["threads", "layout", "io"] as const)
          if (!wanted.includes(s)) options.sections.delete(s);
        for (const w of wanted.filter((name) => !SECTIONS.includes(name as Section))) {
          const ofKind = allCases(quick).filter((c) => c.kind === w);
          for (const c of ofKind.length ? ofKind : [parseCase(w)])
            if (!cases.some((d) => d.id === c.id)) cases.push(c);
        }
        options.cases = cases;
        options.partial = true;
        break;
      }
      case "--reps":
        options.reps = Number(value(i++));
        break;
      case "--seconds":
        options.seconds = Number(value(i++));
        break;
      case "--short-seconds":
        options.shortSeconds = Number(value(i++));
        if (!(options.shortSeconds > 0)) throw new Error(`--short-seconds must be > 0\n${USAGE}`);
        break;
      case "--out":
        options.out = resolve(value(i++));
        break;
      case "--docs":
        options.docs = resolve(value(i++));
        docsAsked = true;
        break;
      case "--no-docs":
        options.docs = null;
        break;
      case "--render":
        options.render = true;
        break;
      case "--timeout":
        options.timeoutSeconds = Number(value(i++));
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option "${a}"\n${USAGE}`);
    }
  }
  // The threads and layout sections run on Chainrule's wasm backend with two threads.
  if (!options.engines.includes(FOCUS)) {
    options.sections.delete("threads");
    options.sections.delete("layout");
  }
  if (options.partial && !docsAsked) options.docs = null;
  return options;
}
