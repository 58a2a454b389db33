// Chainrule against PyTorch, in float64: values, VJPs and Hessian-vector products for every op family, from
// test/fixtures/torch-reference.json (made once by scripts/torch-reference.py; no Python needed here).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Tensor } from "../../src/index.js";
import * as cr from "../../src/index.js";

type Num = number | "nan" | "inf" | "-inf";
interface Encoded {
  dtype: "float64" | "int32" | "bool";
  shape: number[];
  values: Num[];
}
type Args = Record<string, unknown>;
interface Case {
  family: string;
  op: string;
  args: Args;
  inputs: Encoded[];
  output: Encoded;
  cotangent?: Num[];
  grads?: Num[][];
  directions?: Num[][];
  hvps?: Num[][];
}

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/torch-reference.json", import.meta.url), "utf8"),
) as { torch: string; cases: Case[] };

const num = (v: Num): number =>
  v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v;
const f64 = (values: Num[], shape: readonly number[]) =>
  cr.tensor(Float64Array.from(values, num), { shape, dtype: "float64" });

function decode(e: Encoded): Tensor {
  if (e.dtype === "float64") return f64(e.values, e.shape);
  if (e.dtype === "int32") return cr.tensor(Int32Array.from(e.values, num), { shape: e.shape });
  return cr.tensor(e.values.map(num), { shape: e.shape, dtype: "bool" });
}

const RTOL = 1e-10;
/** Floors for entries near 0: relative to the array's largest entry, and absolute (a saturated tanh's 1 − tanh²). */
const SCALE_TOL = 1e-13;
const ATOL = 1e-14;

/**
 * Where actual and expected differ by more than RTOL·|expected| + SCALE_TOL·scale + ATOL, scale being the
 * largest |expected| of the array (an entry that cancels to near 0 among size-1 entries is judged against 1);
 * NaN and infinities must match exactly. Returns a description of the first mismatch, or null.
 */
function mismatch(actual: ArrayLike<number>, expected: readonly number[]): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  const scale = expected.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    const ok = Number.isFinite(e)
      ? Number.isFinite(a) && Math.abs(a - e) <= RTOL * Math.abs(e) + SCALE_TOL * scale + ATOL
      : Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) return `[${i}]: ${a}, expected ${e} (difference ${Math.abs(a - e)})`;
  }
  return null;
}

const axisOf = (a: Args) => a.axis as number | number[] | undefined;

function unary(name: string): (x: Tensor) => Tensor {
  const table: Record<string, (x: Tensor) => Tensor> = {
    neg: cr.neg,
    exp: cr.exp,
    log: cr.log,
    log1p: cr.log1p,
    sqrt: cr.sqrt,
    abs: cr.abs,
    sign: cr.sign,
    sin: cr.sin,
    cos: cr.cos,
    tanh: cr.tanh,
    sigmoid: cr.sigmoid,
    relu: cr.relu,
    softplus: cr.softplus,
    erf: cr.erf,
  };
  return table[name];
}

const BINARY: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  add: cr.add,
  sub: cr.sub,
  mul: cr.mul,
  div: cr.div,
  pow: cr.pow,
  maximum: cr.maximum,
  minimum: cr.minimum,
};

function reduce([x]: Tensor[], a: Args): Tensor {
  const options = { axis: axisOf(a), keepdims: (a.keepdims as boolean | undefined) ?? false };
  switch (a.fn) {
    case "sum":
      return x.sum(options);
    case "mean":
      return x.mean(options);
    case "max":
      return x.max(options);
    case "min":
      return x.min(options);
    case "logsumexp":
      return x.logsumexp(options);
    case "argmax":
      return x.argmax({ axis: a.axis as number, keepdims: options.keepdims });
    default:
      throw new Error(`no reduction ${String(a.fn)}`);
  }
}

/** The movement and indexing programs; like the generator's, each squares its result. */
function move(xs: Tensor[], a: Args): Tensor {
  const [x] = xs;
  const y = ((): Tensor => {
    switch (a.fn) {
      case "reshape":
        return x.reshape(a.shape as number[]);
      case "transpose": {
        const axes = a.axes as [number, number] | undefined;
        return axes ? x.transpose(axes[0], axes[1]) : x.transpose();
      }
      case "permute":
        return x.permute(a.perm as number[]);
      case "T":
        return x.T;
      case "expand":
        return x.expand(a.shape as number[]);
      case "slice":
        return x.slice(a.specs as cr.SliceSpec[]);
      case "flip":
        return x.slice((a.axis as number[]).map(() => [null, null, -1] as const));
      case "index":
        return x.index(a.indices as number[], a.axis as number);
      case "gather":
        return x.gather(xs[1], a.axis as number);
      case "scatterAdd":
        return cr.scatterAdd(x, xs[1], a.axis as number, a.shape as number[]);
      case "concat":
        return cr.concat(xs, a.axis as number);
      case "stack":
        return cr.stack(xs, a.axis as number);
      case "splitStack":
        return cr.stack(x.split(a.sections as number, a.axis as number));
      case "pad":
        return x.pad(a.widths as [number, number][], (a.value as number | undefined) ?? 0);
      case "flatten":
        return x.flatten(a.start as number, a.end as number);
      case "squeeze":
        return x.squeeze(a.axis as number);
      case "unsqueeze":
        return x.unsqueeze(a.axis as number);
      default:
        throw new Error(`no movement op ${String(a.fn)}`);
    }
  })();
  return y.mul(y);
}

const reduction = (a: Args) => a.reduction as cr.nn.Reduction;

/** The generator's PROGRAMS, in Chainrule. */
const PROGRAMS: Record<string, (xs: Tensor[], a: Args) => Tensor> = {
  unary: ([x], a) => unary(a.fn as string)(x),
  pow: ([x], a) => x.pow(a.exponent as number),
  leakyRelu: ([x], a) => x.leakyRelu(a.slope as number),
  gelu: ([x], a) => x.gelu({ approximate: a.approximate as "none" | "tanh" }),
  clamp: ([x], a) => x.clamp((a.min as number | undefined) ?? null, (a.max as number | undefined) ?? null),
  binary: ([x, y], a) => BINARY[a.fn as string](x, y),
  where: ([c, x, y]) => cr.where(c, x, y),
  clampTensor: ([x, lo, hi]) => x.clamp(lo, hi),
  reduce,
  variance: ([x], a) => {
    const options = {
      axis: axisOf(a),
      keepdims: (a.keepdims as boolean | undefined) ?? false,
      correction: (a.correction as number | undefined) ?? 1,
    };
    return a.fn === "std" ? x.std(options) : x.var(options);
  },
  stdFlat: ([x], a) => x.expand(a.shape as number[]).std({ axis: a.axis as number }),
  move,
  matmul: ([x, y]) => x.matmul(y),
  dot: ([x, y]) => x.dot(y),
  outer: ([x, y]) => x.outer(y),
  linear: ([x, w, b]) => cr.nn.linear(x, w, b),
  softmax: ([x], a) =>
    a.log ? x.logSoftmax({ axis: a.axis as number }) : x.softmax({ axis: a.axis as number }),
  crossEntropy: ([x, y], a) => cr.nn.crossEntropy(x, y, { reduction: reduction(a) }),
  mse: ([x, y], a) => cr.nn.mse(x, y, { reduction: reduction(a) }),
  mlp: ([x, w1, w2, labels], a) => {
    const o = cr.nn.linear(cr.nn.linear(x, w1).relu(), w2);
    return cr.nn.crossEntropy(o, labels).add(cr.nn.l2Penalty([w1, w2], a.lambda as number));
  },
};

const label = (c: Case) =>
  `${c.op}${Object.keys(c.args).length ? ` ${JSON.stringify(c.args)}` : ""} on ${c.inputs.map((e) => `[${e.shape}]`).join(", ")}`;

function expectClose(what: string, actual: Tensor, expected: Encoded | { shape: number[]; values: Num[] }) {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const problem = mismatch(actual.dataSync(), expected.values.map(num));
  assert.equal(problem, null, `${what} ${problem}`);
}

function check(c: Case): void {
  const program = PROGRAMS[c.op];
  assert.ok(program, `no Chainrule program for "${c.op}"`);
  const xs = c.inputs.map(decode);
  const floats = xs.flatMap((x, i) => (x.dtype === "float64" ? [i] : []));
  const f = (...args: Tensor[]) => program(args, c.args);
  // Recorded (the composite, with a graph) and not (fused kernels where there are any) must both agree.
  const leaves = xs.map((x) => (x.dtype === "float64" ? x.detach().requiresGrad_() : x));
  expectClose("value (recorded)", f(...leaves), c.output);
  expectClose(
    "value (noGrad)",
    cr.noGrad(() => f(...xs)),
    c.output,
  );
  if (!c.cotangent || !c.grads || !c.directions || !c.hvps) return;
  const out = c.output;
  const u = f64(c.cotangent, out.shape);
  const loss = (...args: Tensor[]) =>
    f(...args)
      .mul(u)
      .sum();
  const grads = cr.grad(loss, { argnums: floats })(...xs);
  grads.forEach((g, k) => {
    expectClose(`VJP for input ${floats[k]}`, g, { shape: c.inputs[floats[k]].shape, values: c.grads![k] });
  });
  const vs = c.directions.map((v, k) => f64(v, c.inputs[floats[k]].shape));
  const directional = (...args: Tensor[]) =>
    cr
      .grad(loss, { argnums: floats })(...args)
      .map((g, k) => g.mul(vs[k]).sum())
      .reduce((s, t) => s.add(t));
  const hvps = cr.grad(directional, { argnums: floats })(...xs);
  hvps.forEach((h, k) => {
    expectClose(`HVP for input ${floats[k]}`, h, { shape: c.inputs[floats[k]].shape, values: c.hvps![k] });
  });
}

describe(`against PyTorch ${fixture.torch} (float64, relative tolerance ${RTOL})`, () => {
  const families = [...new Set(fixture.cases.map((c) => c.family))];
  for (const family of families) {
    test(family, () => {
      const cases = fixture.cases.filter((c) => c.family === family);
      for (const c of cases) {
        cr.tidy(() => {
          try {
            check(c);
          } catch (e) {
            if (e instanceof assert.AssertionError) e.message = `${label(c)}: ${e.message}`;
            throw e;
          }
        });
      }
    });
  }

  test("the fixture covers every program, and one family per kind of op", () => {
    assert.deepEqual(new Set(fixture.cases.map((c) => c.op)), new Set(Object.keys(PROGRAMS)));
    assert.deepEqual([...families].sort(), [
      "activations",
      "binary and broadcast",
      "elementwise unary",
      "matmul",
      "movement and indexing",
      "reductions",
      "softmax and losses",
    ]);
  });

  test("the comparison fails on a change in the tenth digit, and on NaN or inf where a number is due", () => {
    assert.equal(mismatch([1, 2, 3], [1, 2, 3]), null);
    assert.match(mismatch([1, 2, 3 * (1 + 1e-9)], [1, 2, 3]) ?? "", /^\[2\]/);
    assert.equal(mismatch([1, 2, 3 * (1 + 1e-11)], [1, 2, 3]), null);
    assert.notEqual(mismatch([1, 0.01 * (1 + 1e-9)], [1, 0.01]), null, "small entries are checked too");
    assert.notEqual(mismatch([1e-20, 2e-13], [1e-20, 1e-13]), null, "tiny arrays are not waved through");
    assert.notEqual(mismatch([Number.NaN], [0]), null);
    assert.notEqual(mismatch([Infinity], [1e308]), null);
    assert.equal(mismatch([Number.NaN, -Infinity], [Number.NaN, -Infinity]), null);
  });
});
