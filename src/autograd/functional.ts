// Functional autodiff: grad, valueAndGrad, vjp and Hessian-vector products. Nested calls record
// the inner backward pass, so grad(grad(f)) gives second derivatives.
import { fail } from "../errors.js";
import { mul } from "../ops/binary.js";
import { clone, detach } from "../ops/detach.js";
import { sum } from "../ops/reduce.js";
import { fmt, sameShape } from "../shape.js";
import { onesLike, zerosLike } from "../tensor/create.js";
import { isGradEnabled, withGradMode } from "../tensor/grad-mode.js";
import { tidy } from "../tensor/scope.js";
import { Tensor } from "../tensor/tensor.js";
import { sweep } from "./sweep.js";

export type TensorFn = (...args: Tensor[]) => Tensor;

export interface GradOptions {
  /** Which arguments to differentiate with respect to: one index (default 0) or several. */
  argnums?: number | readonly number[];
}

/** A stand-in for an argument that gradients can stop at: connected to an outer trace if there is one. */
function variable(op: string, x: Tensor, i: number): Tensor {
  if (!(x instanceof Tensor)) fail(op, `argument ${i} is not a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    fail(op, `argument ${i} is ${x.dtype}; only float32 and float64 arguments can be differentiated`);
  }
  if (x.requiresGrad && isGradEnabled()) return clone(x);
  return detach(x).requiresGrad_();
}

function argnumList(op: string, options: GradOptions, count: number): number[] {
  const list =
    options.argnums === undefined
      ? [0]
      : typeof options.argnums === "number"
        ? [options.argnums]
        : [...options.argnums];
  for (const n of list) {
    if (!Number.isInteger(n) || n < 0 || n >= count)
      fail(op, `argnums ${n} is out of range for ${count} argument(s)`);
  }
  return list;
}

/**
 * Runs f with stand-ins for the chosen arguments and pulls `seed(value)` back to them.
 * The backward pass is recorded when called inside another differentiation (so it nests).
 * f's value is returned only when `wantValue` (otherwise it is freed with everything else f made).
 */
function differentiate(
  op: string,
  f: TensorFn,
  args: readonly Tensor[],
  argnums: readonly number[],
  wantValue: boolean,
  seedFor?: (value: Tensor) => Tensor,
): { value: Tensor | null; grads: Tensor[] } {
  const nested = isGradEnabled() && argnums.some((i) => args[i]?.requiresGrad);
  return tidy(() => {
    const inputs = args.map((a, i) => (argnums.includes(i) ? variable(op, a, i) : a));
    const value = withGradMode(true, () => f(...inputs));
    if (!(value instanceof Tensor)) fail(op, "the function must return a Tensor");
    const targets = argnums.map((i) => inputs[i]);
    let seed: Tensor;
    if (seedFor) seed = seedFor(value);
    else {
      if (value.size !== 1) {
        fail(
          op,
          `the function returned shape ${fmt(value.shape)}; grad needs a scalar output (use vjp for others)`,
        );
      }
      seed = onesLike(value);
    }
    if (!sameShape(seed.shape, value.shape)) {
      fail(op, `cotangent has shape ${fmt(seed.shape)} but the output has ${fmt(value.shape)}`);
    }
    const found = value.requiresGrad
      ? sweep([value], [seed], new Set(targets), { createGraph: nested, retainGraph: nested })
      : new Map<Tensor, Tensor>();
    const grads = targets.map((t) => found.get(t) ?? zerosLike(t));
    return { value: wantValue ? (nested ? value : detach(value)) : null, grads };
  });
}

/** grad(f)(...args): the gradient of scalar f with respect to args[argnums]. */
export function grad(
  f: TensorFn,
  options: GradOptions & { argnums: readonly number[] },
): (...args: Tensor[]) => Tensor[];
export function grad(
  f: TensorFn,
  options?: GradOptions & { argnums?: number },
): (...args: Tensor[]) => Tensor;
export function grad(f: TensorFn, options: GradOptions = {}): (...args: Tensor[]) => Tensor | Tensor[] {
  return (...args) => {
    const { grads } = differentiate("grad", f, args, argnumList("grad", options, args.length), false);
    return Array.isArray(options.argnums) ? grads : grads[0];
  };
}

/** valueAndGrad(f)(...args): [f(args), its gradient], in one forward and one backward pass. */
export function valueAndGrad(
  f: TensorFn,
  options: GradOptions = {},
): (...args: Tensor[]) => [Tensor, Tensor | Tensor[]] {
  return (...args) => {
    const { value, grads } = differentiate(
      "valueAndGrad",
      f,
      args,
      argnumList("valueAndGrad", options, args.length),
      true,
    );
    return [value!, Array.isArray(options.argnums) ? grads : grads[0]];
  };
}

/** vjp(f, ...primals): [f(primals), pullback]; pullback(cotangent) gives cotangentᵀ·∂f/∂primal for every primal. */
export function vjp(f: TensorFn, ...primals: Tensor[]): [Tensor, (cotangent: Tensor) => Tensor[]] {
  const argnums = primals.map((_, i) => i);
  const value = tidy(() => withGradMode(false, () => f(...primals)));
  const pullback = (cotangent: Tensor) =>
    differentiate("vjp", f, primals, argnums, false, () => clone(cotangent)).grads;
  return [value, pullback];
}

/** H·v for scalar f at x, by differentiating ⟨∇f(x), v⟩ once more (double backward). */
export function hvp(f: TensorFn, x: Tensor, v: Tensor): Tensor {
  if (!sameShape(x.shape, v.shape)) fail("hvp", `x has shape ${fmt(x.shape)} but v has ${fmt(v.shape)}`);
  const directional = (xi: Tensor) => sum(mul(grad(f)(xi), v));
  return grad(directional)(x);
}
