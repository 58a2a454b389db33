// The device side: a worker thread with its own backend, heap and ledger. It holds tensors by handle and one
// placed model (a whole network or one pipeline stage) with its SGD optimizer, and answers the host's requests.
import { parentPort } from "node:worker_threads";
import { backward } from "../autograd/sweep.js";
import { buildSequential } from "../io/architecture.js";
import { memory, noteTransfer, resetPeak, resetTransfers, transfers } from "../memory/ledger.js";
import { crossEntropy } from "../nn/losses.js";
import type { Module } from "../nn/module.js";
import { mul } from "../ops/binary.js";
import { addScaledInPlace } from "../ops/in-place.js";
import { SGD } from "../optim/sgd.js";
import { noGrad } from "../tensor/grad-mode.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { accumulateGradients } from "../train/accumulate.js";
import { fromPayload, toPayload } from "./payload.js";
import type { From, Payload, Reply, ReplyValue, Request } from "./protocol.js";

interface Placed {
  model: Module;
  optimizer: SGD;
  lambda: number;
}

/** A micro-batch between its forward and its backward: the stage's input and what backward starts from. */
interface InFlight {
  input: Tensor;
  root: Tensor;
  /** The loss has no upstream gradient; a stage's output needs the next stage's. */
  isLoss: boolean;
}

const tensors = new Map<number, Tensor>();
const inFlight = new Map<number, InFlight>();
let placed: Placed | null = null;

const now = (): number => performance.timeOrigin + performance.now();

function received(p: Payload, from: From, tag: Tensor["memoryTag"] = "temporary"): Tensor {
  noteTransfer("received", from, p.data.byteLength);
  return fromPayload(p, tag);
}

function sent(t: Tensor, to: From): Payload {
  const p = toPayload(t);
  noteTransfer("sent", to, p.data.byteLength);
  return p;
}

function model(op: string): Placed {
  if (!placed) throw new Error(`${op}: no model is placed on this device`);
  return placed;
}

function handle(id: number, op: string): Tensor {
  const t = tensors.get(id);
  if (!t) throw new Error(`${op}: this device holds no tensor #${id}`);
  return t;
}

/**
 * The gradient of s = λ/2 Σ‖W‖² over this device's parameters, ∂s/∂W = λW, added into .grad in place (no graph,
 * no temporaries: the same value the chapter's J = L + s gives), then the SGD update.
 */
function penaltyAndStep(p: Placed): void {
  if (p.lambda > 0) for (const q of p.model.parameters()) addScaledInPlace(q.grad!, q, p.lambda);
  p.optimizer.step();
  p.optimizer.zeroGrad();
}

function place(req: Extract<Request, { kind: "place" }>): null {
  placed?.model.dispose();
  // Micro-batches a failed pipeline step left between forward and backward go with the old model.
  for (const flight of inFlight.values()) {
    flight.root.dispose();
    flight.input.dispose();
  }
  inFlight.clear();
  const net = buildSequential(req.architecture);
  const weights = Object.fromEntries(
    Object.entries(req.weights).map(([name, p]) => [name, received(p, "host")]),
  );
  net.loadStateDict(weights);
  for (const w of Object.values(weights)) w.dispose();
  for (const p of net.parameters()) p.tagAs("parameter");
  placed = { model: net, optimizer: new SGD(net.parameters(), { lr: req.lr }), lambda: req.lambda };
  return null;
}

function stageForward(req: Extract<Request, { kind: "stageForward" }>): ReplyValue {
  const p = model("stageForward");
  const input = received(req.input, req.from, req.from === "host" ? "data" : "temporary");
  if (req.from === "device") input.requiresGrad_();
  const labels = req.labels;
  if (labels === null) {
    const out = tidy(() => p.model.forward(input));
    inFlight.set(req.batch, { input, root: out, isLoss: false });
    return sent(out, "device");
  }
  const y = received(labels, "host", "data");
  const loss = tidy(() => mul(crossEntropy(p.model.forward(input), y), req.scale));
  y.dispose();
  inFlight.set(req.batch, { input, root: loss, isLoss: true });
  return loss.item();
}

function stageBackward(req: Extract<Request, { kind: "stageBackward" }>): ReplyValue {
  const flight = inFlight.get(req.batch);
  if (!flight) throw new Error(`stageBackward: micro-batch ${req.batch} has had no forward on this device`);
  inFlight.delete(req.batch);
  if (flight.isLoss) backward(flight.root);
  else {
    if (req.upstream === null) throw new Error("stageBackward: a stage's output needs its upstream gradient");
    const upstream = received(req.upstream, "device");
    backward(flight.root, upstream);
    upstream.dispose();
  }
  flight.root.dispose();
  const grad = flight.input.grad;
  const out = grad && flight.input.requiresGrad ? sent(grad, "device") : null;
  flight.input.dispose();
  return out;
}

function shareGradients(req: Extract<Request, { kind: "shareGradients" }>): ReplyValue {
  const p = model("shareGradients");
  const x = received(req.x, "host", "data");
  const y = received(req.y, "host", "data");
  const loss = tidy(() => {
    const J = mul(crossEntropy(p.model.forward(x), y), req.scale);
    backward(J);
    return J.item();
  });
  x.dispose();
  y.dispose();
  // This replica's gradients into its slot of the shared buffer; the other replicas read them from there.
  const params = p.model.parameters();
  const size = params.reduce((n, q) => n + q.size, 0);
  const slot = new Float32Array(req.shared, req.slot * size * 4, size);
  let at = 0;
  for (const q of params) {
    slot.set(q.grad!.dataSync(), at);
    at += q.size;
  }
  noteTransfer("sent", "device", size * 4);
  return loss;
}

function reduceAndStep(req: Extract<Request, { kind: "reduceAndStep" }>): null {
  const p = model("reduceAndStep");
  const params = p.model.parameters();
  const size = params.reduce((n, q) => n + q.size, 0);
  const slots = Array.from(
    { length: req.replicas },
    (_, i) => new Float32Array(req.shared, i * size * 4, size),
  );
  // Every replica sums the slots in the same order, so every replica ends with the same bits.
  const total = new Float32Array(size);
  for (const slot of slots) for (let i = 0; i < size; i++) total[i] += slot[i];
  noteTransfer("received", "device", (req.replicas - 1) * size * 4);
  // The sums go straight into each .grad's buffer on this device's backend.
  let at = 0;
  for (const q of params) {
    q.grad!.storage.backend.write(q.grad!.storage.id, total.subarray(at, at + q.size));
    q.grad!.bumpVersion();
    at += q.size;
  }
  penaltyAndStep(p);
  return null;
}

function run(req: Request): ReplyValue {
  switch (req.kind) {
    case "put":
      tensors.get(req.handle)?.dispose();
      tensors.set(req.handle, received(req.payload, req.from, req.tag));
      return { dtype: req.payload.dtype, shape: req.payload.shape };
    case "get":
      return sent(handle(req.handle, "get"), req.to);
    case "free":
      tensors.get(req.handle)?.dispose();
      tensors.delete(req.handle);
      return null;
    case "place":
      return place(req);
    case "weights":
      return Object.fromEntries(
        model("weights")
          .model.namedParameters()
          .map(([n, t]) => [n, sent(t, "host")]),
      );
    case "forward": {
      const out = noGrad(() => model("forward").model.forward(handle(req.input, "forward")));
      tensors.set(req.output, out);
      return { dtype: out.dtype, shape: [...out.shape] };
    }
    case "stageForward":
      return stageForward(req);
    case "stageBackward":
      return stageBackward(req);
    case "step":
      penaltyAndStep(model("step"));
      return null;
    case "trainStep": {
      const p = model("trainStep");
      const x = received(req.x, "host", "data");
      const y = received(req.y, "host", "data");
      p.optimizer.zeroGrad();
      const loss = accumulateGradients(p.model, x, y, req.microBatches, (o, t) => crossEntropy(o, t));
      penaltyAndStep(p);
      x.dispose();
      y.dispose();
      return loss;
    }
    case "shareGradients":
      return shareGradients(req);
    case "reduceAndStep":
      return reduceAndStep(req);
    case "memory": {
      const value = { memory: memory(), transfers: transfers() };
      if (req.reset) {
        resetPeak();
        resetTransfers();
      }
      return value;
    }
  }
}

if (!parentPort)
  throw new Error(
    "parallel/device-worker runs inside a device's worker thread (Device.start), not on its own",
  );
const port = parentPort;

port.on("message", ({ id, request }: { id: number; request: Request }) => {
  const start = now();
  let reply: Reply;
  try {
    const value = run(request);
    reply = { id, ok: true, value, start, end: now() };
  } catch (e) {
    const error = e as Error;
    reply = { id, ok: false, error: error.message, name: error.name };
  }
  const transfer: ArrayBuffer[] = [];
  if (reply.ok) collectBuffers(reply.value, transfer);
  port.postMessage(reply, transfer);
});

/** The ArrayBuffers of payloads in a reply, moved to the host instead of copied. */
function collectBuffers(value: ReplyValue, out: ArrayBuffer[]): void {
  if (value === null || typeof value !== "object") return;
  if ("data" in value && value.data instanceof ArrayBuffer) out.push(value.data);
  else if (!("memory" in value) && !("shape" in value))
    for (const p of Object.values(value as Record<string, Payload>)) out.push(p.data);
}
