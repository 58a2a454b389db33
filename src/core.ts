// The part of Chainrule's API that runs anywhere (Node and browsers): tensors, ops, autograd, nn, optim,
// memory and backends. src/index.ts adds the Node-only parts; src/web/index.ts is the browser entry.
import type * as root from "./core.js";
import type { InternalPrim, Prim } from "./ops/primitives.js";

export { type CustomResult, customGrad } from "./autograd/custom.js";
export { type GradOptions, grad, hvp, valueAndGrad, vjp } from "./autograd/functional.js";
export { type GradcheckOptions, gradcheck, gradgradcheck } from "./autograd/gradcheck.js";
// The Tensor class, with every op attached as a method (x.matmul(w).relu().sum().backward()).
export { Tensor } from "./autograd/methods.js";
export { recompute } from "./autograd/recompute.js";
export type { BackwardOptions } from "./autograd/sweep.js";
export type { Backend, DataId } from "./backend/backend.js";
export { isMeta } from "./backend/meta/index.js";
export {
  getBackend,
  type InitWasmOptions,
  initWasm,
  initWebGPU,
  listBackends,
  ready,
  registerBackend,
  setBackend,
  setThreads,
  wasmStatus,
  webgpuStatus,
} from "./backend/registry.js";
export type { KernelSource } from "./backend/wasm/module.js";
export { type CapturedStep, capture, type StepResult } from "./capture/capture.js";
// Old names for one version (cr.chapterMlp is now cr.chapter.mlp, cr.checkpoint cr.recompute...).
export * from "./deprecated.js";
export type { DType, TypedArray } from "./dtype.js";
export { AnomalyError, ChainruleError, InputError } from "./errors.js";
export { dryRun, type LargestBatch, largestBatch } from "./memory/dry-run.js";
export {
  type MemoryEvent,
  type MemoryInfo,
  type MemoryReport,
  type MemoryReportOptions,
  type MemorySample,
  type MemoryTag,
  type MemoryUsage,
  memory,
  memoryReport,
  resetPeak,
  type TagBytes,
} from "./memory/ledger.js";
export * as nn from "./nn/index.js";
export { Recompute } from "./nn/recompute.js";
// Every unary and binary primitive by its own name (with isfinite and logicalNot): a new one needs no line here.
export * from "./ops/binary.js";
export { clamp, gelu, leakyRelu, logSoftmax, logsumexp, softmax } from "./ops/composite/activations.js";
export {
  broadcastTo,
  flatten,
  pad,
  type SliceSpec,
  slice,
  split,
  squeeze,
  stack,
  transpose,
  unsqueeze,
} from "./ops/composite/shape.js";
export { mean, std, type VarOptions, variance as var, variance } from "./ops/composite/stats.js";
export type { TensorLike } from "./ops/convert.js";
export { detach } from "./ops/detach.js";
export { gather, index, scatterAdd } from "./ops/indexing.js";
export { dot, type MatmulOptions, matmul, outer } from "./ops/matmul.js";
export { concat, expand, permute, reshape } from "./ops/movement.js";
export {
  type ArgOptions,
  type AxisOptions,
  argmax,
  argmin,
  max,
  min,
  sum,
  sumSquares,
} from "./ops/reduce.js";
export * from "./ops/unary.js";
export * as optim from "./optim/index.js";
export type { Shape } from "./shape.js";
export { detectAnomaly, isAnomalyEnabled } from "./tensor/anomaly.js";
export {
  arange,
  type CreateOptions,
  eye,
  full,
  linspace,
  ones,
  type RandomOptions,
  rand,
  randint,
  randn,
  tensor,
  zeros,
} from "./tensor/create.js";
export { enableGrad, isGradEnabled, noGrad } from "./tensor/grad-mode.js";
export { type GroupFrame, type GroupKind, type GroupSpec, inGroup } from "./tensor/group.js";
export { isTrackingLeaks, type LeakEntry, type LeakReport, leakReport, trackLeaks } from "./tensor/leaks.js";
export { Node } from "./tensor/node.js";
export { Generator, manualSeed } from "./tensor/random.js";
export { keep, tidy } from "./tensor/scope.js";
export type { GradHook, NestedArray } from "./tensor/tensor.js";
export { accumulateGradients, type BatchLoss } from "./train/accumulate.js";
export * as chapter from "./train/chapter.js";
export { DEFAULT_CONFIG, type TrainConfig } from "./train/config.js";
export { type Evaluation, evaluate, evaluateAsync } from "./train/evaluate.js";
export { type StepTensors, type TrainStepOptions, trainStep } from "./train/step.js";

/** Every primitive is exported by its own name, except INTERNAL_PRIMS: tsc names any other missing here. */
type AllExported<Missing extends never> = Missing;
type _EveryPrimitiveExported = AllExported<Exclude<Prim, keyof typeof root | InternalPrim>>;
