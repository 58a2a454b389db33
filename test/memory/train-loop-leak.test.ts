// No leaks over a long run: 10,000 steps of the `chainrule train` loop (trainStep: forward, J = L + s,
// backward, optimizer step) with a real model and optimizer leave the live tensors and bytes unchanged.
import { test } from "node:test";
import { assertTrainLoopHoldsMemory } from "./train-loop.js";

test("10,000 training steps: live tensors and bytes at step 10,000 equal those at step 100", () => {
  assertTrainLoopHoldsMemory(10_000, 100);
});
