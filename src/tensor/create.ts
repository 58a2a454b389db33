// Creating tensors: from nested arrays or typed arrays, constant fills, ranges, identity and seeded random draws.
import { type DType, dtypeOfArray, isDType, isFloat, newArray, type TypedArray } from "../dtype.js";
import { fail, oneOf } from "../errors.js";
import { allocate, MEMORY_TAGS, type MemoryTag } from "../memory/ledger.js";
import { checkShape, fmt, type Shape, sizeOf } from "../shape.js";
import { refuseInCapture } from "./capture-state.js";
import { defaultGenerator, Generator } from "./random.js";
import { type Layout, type NestedArray, Tensor } from "./tensor.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** What the ledger counts the buffer as; "temporary" unless said otherwise. */
  tag?: MemoryTag;
}

export interface RandomOptions extends CreateOptions {
  /** A seed for a fresh generator; the same seed gives the same numbers everywhere. */
  seed?: number;
  generator?: Generator;
}

/** A tensor of `shape` whose buffer is allocated (zero-filled) but not written: the op layer's output maker. */
export function emptyTensor(shape: Shape, dtype: DType, tag: MemoryTag = "temporary"): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape), tag), shape);
}

/** An op's output buffer with unspecified contents: only for kernels that write every element. */
export function outputTensor(shape: Shape, dtype: DType, tag: MemoryTag = "temporary"): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape), tag, false), shape);
}

/** A view: a tensor of `shape` over x's buffer at `layout`, sharing it (nothing is allocated or copied). */
export function shareBuffer(x: Tensor, shape: Shape, layout: Layout): Tensor {
  return new Tensor(x.storage, shape, layout);
}

function finish(t: Tensor, op: string, options: CreateOptions): Tensor {
  if (options.requiresGrad) {
    if (!isFloat(t.dtype)) fail(op, `requiresGrad needs a float dtype, got ${t.dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

/** The ledger tag, if given, must be one it counts (a typo would otherwise fail deep in the ledger). */
function checkTag(op: string, tag: unknown): void {
  if (tag !== undefined) oneOf(op, "tag", tag, MEMORY_TAGS);
}

function checkDType(op: string, dtype: unknown): DType {
  if (!isDType(dtype))
    fail(op, `unknown dtype ${JSON.stringify(dtype)}; use float32, float64, int32 or bool`);
  return dtype;
}

function fromValues(
  op: string,
  values: ArrayLike<number>,
  shape: Shape,
  options: CreateOptions,
  dtype: DType,
) {
  checkDType(op, dtype);
  checkTag(op, options.tag);
  checkShape(op, shape);
  if (values.length !== sizeOf(shape)) {
    fail(op, `${values.length} values cannot fill shape ${fmt(shape)} (${sizeOf(shape)} elements)`);
  }
  // Every element is written below, so the buffer need not be zero-filled first.
  const t = outputTensor(shape, dtype, options.tag);
  t.storage.backend.write(t.storage.id, storable(values, dtype));
  return finish(t, op, options);
}

/**
 * Values the backend can copy straight into a buffer of `dtype`: a typed array as it is (the backend's one
 * copy converts between numeric types as a typed-array `set` does), else a converted array. Bool stores 0/1.
 */
function storable(values: ArrayLike<number>, dtype: DType): TypedArray {
  if (dtype === "bool") {
    if (values instanceof Uint8Array && isZeroOne(values)) return values;
    const array = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) array[i] = values[i] ? 1 : 0;
    return array;
  }
  if (ArrayBuffer.isView(values)) return values as TypedArray;
  const array = newArray(dtype, values.length);
  array.set(values);
  return array;
}

function isZeroOne(values: Uint8Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] > 1) return false;
  return true;
}

/**
 * A tensor of `shape` whose values `fill` writes into the array it is given: the backend's own memory where
 * JavaScript can see it (no staging copy), else a staging array that is then copied in once.
 */
export function filledTensor(
  shape: Shape,
  dtype: DType,
  fill: (values: TypedArray) => void,
  options: CreateOptions = {},
): Tensor {
  checkShape("tensor", shape);
  const t = outputTensor(shape, dtype, options.tag);
  const { backend, id } = t.storage;
  if (backend.writableView) fill(backend.writableView(id));
  else {
    const staging = newArray(dtype, sizeOf(shape));
    fill(staging);
    backend.write(id, staging);
  }
  return finish(t, "tensor", options);
}

function inferShape(value: NestedArray, path: string): number[] {
  if (!Array.isArray(value)) {
    if (typeof value !== "number" && typeof value !== "boolean") {
      fail("tensor", `element ${path || "(root)"} is ${typeof value}; expected a number, boolean or array`);
    }
    return [];
  }
  if (value.length === 0) return [0];
  const shapes = value.map((item, i) => inferShape(item, `${path}[${i}]`));
  const inner = shapes[0];
  shapes.forEach((s, i) => {
    if (fmt(s) !== fmt(inner))
      fail("tensor", `ragged nested array: ${path}[${i}] has shape ${fmt(s)}, ${path}[0] has ${fmt(inner)}`);
  });
  return [value.length, ...inner];
}

/** A tensor from a number, a boolean, nested arrays, or a typed array (with `shape`, default 1-D). */
export function tensor(
  values: NestedArray | TypedArray,
  options: CreateOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (ArrayBuffer.isView(values)) {
    if (values instanceof DataView || values instanceof BigInt64Array || values instanceof BigUint64Array) {
      fail(
        "tensor",
        `${values.constructor.name} is not supported; use a Float32Array, Float64Array, Int32Array or Uint8Array`,
      );
    }
    const dtype = options.dtype ? checkDType("tensor", options.dtype) : dtypeOfArray(values);
    return fromValues("tensor", values, options.shape ?? [values.length], options, dtype);
  }
  const shape = inferShape(values, "");
  const flat: (number | boolean)[] = [];
  const walk = (v: NestedArray): void => {
    if (Array.isArray(v)) for (const item of v) walk(item);
    else flat.push(v as number | boolean);
  };
  walk(values);
  const allBool = flat.length > 0 && flat.every((v) => typeof v === "boolean");
  const dtype = options.dtype ? checkDType("tensor", options.dtype) : allBool ? "bool" : "float32";
  const target = options.shape ?? shape;
  return fromValues("tensor", flat.map(Number), target, options, dtype);
}

export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  checkShape("full", shape);
  const dtype = checkDType("full", options.dtype ?? "float32");
  checkTag("full", options.tag);
  const t = emptyTensor(shape, dtype, options.tag);
  const stored = dtype === "bool" ? Number(value !== 0) : value;
  if (stored !== 0) t.storage.backend.fill(t.storage.id, stored);
  return finish(t, "full", options);
}

/** Ones of t's shape and dtype (the seed of a scalar backward). */
export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype });
}

/** Zeros of t's shape and dtype (the gradient of an input the output does not depend on). */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype });
}

export function zeros(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Values start, start+step, ... below stop (above it for a negative step). */
export function arange(start: number, stop?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step))
    fail("arange", `step must be a finite nonzero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const integral = [start, stop, step].every(Number.isInteger);
  const dtype = options.dtype ?? (integral ? "int32" : "float32");
  return fromValues(
    "arange",
    Array.from({ length: n }, (_, i) => start + i * step),
    [n],
    options,
    dtype,
  );
}

/** `num` evenly spaced values from start to stop inclusive. */
export function linspace(start: number, stop: number, num: number, options: CreateOptions = {}): Tensor {
  if (!Number.isInteger(num) || num < 0) fail("linspace", `num must be an integer >= 0, got ${num}`);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  const values = Array.from({ length: num }, (_, i) => (i === num - 1 && num > 1 ? stop : start + i * step));
  return fromValues("linspace", values, [num], options, options.dtype ?? "float32");
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, options: CreateOptions = {}): Tensor {
  checkShape("eye", [n, m]);
  const values = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return fromValues("eye", values, [n, m], options, options.dtype ?? "float32");
}

function generatorOf(options: RandomOptions): Generator {
  if (options.generator) return options.generator;
  return options.seed === undefined ? defaultGenerator() : new Generator(options.seed);
}

function draw(
  op: string,
  shape: Shape,
  options: RandomOptions,
  sample: (g: Generator) => number,
  dtype: DType,
) {
  checkShape(op, shape);
  // Numbers drawn while a step is captured would repeat on every replay.
  refuseInCapture(op, "draws random numbers in JavaScript, so every replay would repeat them");
  const g = generatorOf(options);
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = sample(g);
  return fromValues(op, values, shape, options, dtype);
}

function floatDType(op: string, options: RandomOptions): DType {
  const dtype = checkDType(op, options.dtype ?? "float32");
  if (!isFloat(dtype)) fail(op, `needs a float dtype, got ${dtype}; use randint for integers`);
  return dtype;
}

/** The largest float32 below 1: a float64 draw just under 1 would otherwise round up to 1 in float32. */
const BELOW_ONE_F32 = 1 - 2 ** -24;

/** Uniform in [0, 1). */
export function rand(shape: Shape, options: RandomOptions = {}): Tensor {
  const dtype = floatDType("rand", options);
  const sample = (g: Generator) => {
    const u = g.uniform();
    return dtype === "float32" && Math.fround(u) === 1 ? BELOW_ONE_F32 : u;
  };
  return draw("rand", shape, options, sample, dtype);
}

/** Standard normal. */
export function randn(shape: Shape, options: RandomOptions = {}): Tensor {
  return draw("randn", shape, options, (g) => g.normal(), floatDType("randn", options));
}

/** Integers in [low, high). */
export function randint(low: number, high: number, shape: Shape, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    fail("randint", `need integers low < high, got low=${low}, high=${high}`);
  }
  return draw(
    "randint",
    shape,
    options,
    (g) => g.integer(low, high),
    checkDType("randint", options.dtype ?? "int32"),
  );
}

export { Generator };
