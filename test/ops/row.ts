// One row of the op table: how to run the op, its float64 reference, its seeded cases, and which
// checks apply. `row()` binds each case's attributes so the table can hold rows of every attribute type.
import type { GradcheckOptions, Tensor } from "../../src/index.js";
import { Rng, seedOf } from "./gen.js";
import type { Arr } from "./nd.js";

export interface Case<A> {
  inputs: Arr[];
  attrs: A;
  /** Checked forward only: NaN or infinite results, integer outputs, or a gradient undefined there. */
  forwardOnly?: boolean;
}

export interface RowSpec<A> {
  name: string;
  fn: (xs: Tensor[], attrs: A) => Tensor | Tensor[];
  reference: (xs: Arr[], attrs: A) => Arr | Arr[];
  cases: (rng: Rng) => Case<A>[];
  /** Twice differentiable on the sampled domain: gradgradcheck runs. */
  smooth: boolean;
  /** Linear between kinks (abs, relu, max...): gradgradcheck also runs, away from the kinks. */
  piecewiseLinear?: boolean;
  /** false when the result is int or bool: no gradient to check. Default true. */
  differentiable?: boolean;
  /** Elementwise over broadcast operands: the table must hold a broadcasting case. */
  broadcasts?: boolean;
  gradcheck?: GradcheckOptions;
  /** Relative tolerance of the float64 forward check (default 1e-12). */
  rtol?: number;
}

export interface OpCase {
  label: string;
  inputs: Arr[];
  forwardOnly: boolean;
  run(xs: Tensor[]): Tensor | Tensor[];
  reference(xs: Arr[]): Arr | Arr[];
}

export interface OpRow {
  name: string;
  smooth: boolean;
  piecewiseLinear: boolean;
  differentiable: boolean;
  broadcasts: boolean;
  gradcheck: GradcheckOptions;
  rtol: number;
  cases: OpCase[];
  /** Why no case can hold a 0-d tensor (the coverage test asks for one otherwise). */
  noScalar?: string;
}

const shapeLabel = (a: Arr) => `[${a.shape.join(",")}]${a.kind === "float" ? "" : `:${a.kind}`}`;

export function row<A>(spec: RowSpec<A>): OpRow {
  const cases = spec.cases(new Rng(seedOf(spec.name))).map((c, i) => {
    const attrs = c.attrs === null || c.attrs === undefined ? "" : ` ${JSON.stringify(c.attrs)}`;
    return {
      label: `#${i} ${c.inputs.map(shapeLabel).join(" ")}${attrs}`,
      inputs: c.inputs,
      forwardOnly: c.forwardOnly ?? false,
      run: (xs: Tensor[]) => spec.fn(xs, c.attrs),
      reference: (xs: Arr[]) => spec.reference(xs, c.attrs),
    };
  });
  return {
    name: spec.name,
    smooth: spec.smooth,
    piecewiseLinear: spec.piecewiseLinear ?? false,
    differentiable: spec.differentiable ?? true,
    broadcasts: spec.broadcasts ?? false,
    gradcheck: spec.gradcheck ?? {},
    rtol: spec.rtol ?? 1e-12,
    cases,
  };
}

/** A case with no attributes. */
export const plain = (...inputs: Arr[]): Case<null> => ({ inputs, attrs: null });
