// The chapter's model at the book's level (D2L §5.3, Fig. 5.3.1): its variables, its operators (each a small
// group of the library's ops) and each operator's chain-rule products, for a small seeded example (float64).
import { inGroup } from "../../tensor/group.js";
import * as cr from "../index.js";

export type Activation = "relu" | "sigmoid" | "tanh" | "gelu";

export interface FigureSettings {
  /** Inputs d, hidden units h, classes q, examples n (columns of x). */
  d: number;
  h: number;
  q: number;
  batch: number;
  lambda: number;
  activation: Activation;
  bias: boolean;
  seed: number;
}

export const DEFAULT_FIGURE: FigureSettings = {
  d: 4,
  h: 5,
  q: 3,
  batch: 1,
  lambda: 0.1,
  activation: "relu",
  bias: false,
  seed: 0,
};

/** The leaves of the figure: x [d, n], one-hot y [q, n], W1 [h, d], W2 [q, h], biases [h, 1] and [q, 1]. */
export interface FigureLeaves {
  x: cr.Tensor;
  y: cr.Tensor;
  W1: cr.Tensor;
  W2: cr.Tensor;
  b1: cr.Tensor | null;
  b2: cr.Tensor | null;
}

/** The same seeded leaves in the page and in Node (the tests compare gradients with them). */
export function figureLeaves(s: FigureSettings): FigureLeaves {
  const g = new cr.Generator(s.seed);
  const weight = (shape: number[], scale: number) =>
    cr
      .tidy(() => cr.randn(shape, { generator: g, dtype: "float64" }).mul(scale))
      .tagAs("parameter")
      .requiresGrad_();
  const W1 = weight([s.h, s.d], Math.sqrt(2 / s.d));
  const W2 = weight([s.q, s.h], Math.sqrt(1 / s.h));
  const b1 = s.bias ? cr.zeros([s.h, 1], { dtype: "float64", tag: "parameter" }).requiresGrad_() : null;
  const b2 = s.bias ? cr.zeros([s.q, 1], { dtype: "float64", tag: "parameter" }).requiresGrad_() : null;
  const x = cr.randn([s.d, s.batch], { generator: g, dtype: "float64", tag: "data" });
  const labels = Array.from({ length: s.batch }, () => g.integer(0, s.q));
  const oneHot = Array.from({ length: s.q }, (_, c) => labels.map((l) => (l === c ? 1 : 0)));
  const y = cr.tensor(oneHot, { dtype: "float64", tag: "data" });
  for (const [name, t] of Object.entries({ x, y, W1, W2, b1, b2 })) t?.named(name);
  return { x, y, W1, W2, b1, b2 };
}

// GELU is a composite of several primitives: recorded as one group, φ. d gelu(z) = g ⊙ gelu′(z).
const GELU_GROUP = {
  kind: "activation",
  symbol: "φ",
  title: "gelu",
  derivative: { text: ["{g} ⊙ gelu′({x0:name})"], latex: ["{g} \\odot \\operatorname{gelu}'({x0})"] },
} as const;

export function activate(z: cr.Tensor, a: Activation): cr.Tensor {
  if (a === "relu") return z.relu();
  if (a === "sigmoid") return z.sigmoid();
  if (a === "tanh") return z.tanh();
  return inGroup(GELU_GROUP, [z], () => cr.gelu(z));
}

// W v + b as one operator, ×, as the book draws a layer (b broadcast over the n columns):
// dW = g vᵀ, dv = Wᵀ g, db = Σₙ g.
const AFFINE_GROUP = {
  kind: "linear",
  symbol: "×",
  title: "matrix product plus bias",
  derivative: {
    text: ["{g} · {x1:name}ᵀ", "{x0:name}ᵀ · {g}", "Σₙ {g}"],
    latex: ["{g}\\, {x1}^\\top", "{x0}^\\top {g}", "\\sum_n {g}"],
  },
} as const;

/** W v, or W v + b when there is a bias. */
export function affine(W: cr.Tensor, v: cr.Tensor, b: cr.Tensor | null): cr.Tensor {
  return b ? inGroup(AFFINE_GROUP, [W, v, b], () => W.matmul(v).add(b)) : W.matmul(v);
}

// dl/do = (softmax(o) − y) / n for one-hot columns y: the group's derivative as data, as the library's losses give it.
const COLUMN_CROSS_ENTROPY = {
  kind: "loss",
  symbol: "l",
  title: "softmax cross-entropy",
  derivative: {
    text: ["{g} · (softmax({x0:name}) − {x1:name}) / n", null],
    latex: ["\\frac{1}{n} {g}\\, \\left(\\operatorname{softmax}({x0}) - {x1}\\right)", null],
  },
} as const;

/** l(o, y): softmax cross-entropy over the classes (axis 0) for one-hot y, averaged over the n columns. */
export function chapterLoss(o: cr.Tensor, y: cr.Tensor): cr.Tensor {
  return inGroup(COLUMN_CROSS_ENTROPY, [o, y], () =>
    cr.logSoftmax(o, { axis: 0 }).mul(y).sum().neg().div(o.shape[1]),
  );
}

/** s = λ/2 (‖W1‖²_F + ‖W2‖²_F): the library's penalty, recorded as the book's ‖·‖² operator. */
export function chapterPenalty(W1: cr.Tensor, W2: cr.Tensor, lambda: number): cr.Tensor {
  return cr.nn.l2Penalty([W1, W2], lambda);
}

/** One chain-rule product of a backward step: the gradient it gives, its formula, its operands. */
export interface ChainProduct {
  target: string;
  formula: string;
  /** Names of the values and gradients it reads ("∂J/∂o", "h"), shown with their shapes. */
  operands: string[];
}

/** A book-level operator (a circle of Fig. 5.3.1): its inputs and output by name, how it runs forward. */
export interface BookOperator {
  id: string;
  symbol: string;
  title: string;
  inputs: string[];
  output: string;
  /** The forward equation ("z = W⁽¹⁾x"). */
  equation: string;
  run(values: ReadonlyMap<string, cr.Tensor>): cr.Tensor;
  products: ChainProduct[];
}

const PHI_PRIME: Record<Activation, string> = {
  relu: "1[z > 0]",
  sigmoid: "σ(z)(1 − σ(z))",
  tanh: "1 − tanh²(z)",
  gelu: "Φ(z) + z·ϕ(z)",
};

/** The value `name` among the values computed so far (an operator runs once its inputs are there). */
const valueNamed = (m: ReadonlyMap<string, cr.Tensor>, name: string) => m.get(name)!;

/**
 * Layer k's "×" operator: output = W⁽ᵏ⁾ input (+ b⁽ᵏ⁾ with a bias). Its products: ∂J/∂W⁽ᵏ⁾, then ∂J/∂input where
 * the input is itself computed (h, not the data x), then ∂J/∂b⁽ᵏ⁾.
 */
function productOperator(
  s: FigureSettings,
  layer: 1 | 2,
  input: string,
  output: string,
  inputIsComputed: boolean,
): BookOperator {
  const W = `W${layer}`;
  const b = `b${layer}`;
  const dOutput = `∂J/∂${output}`;
  return {
    id: `product${layer}`,
    symbol: "×",
    title: s.bias ? "matrix product plus bias" : "matrix product",
    inputs: [W, input, ...(s.bias ? [b] : [])],
    output,
    equation: `${output} = ${displayName(W)}${input}${s.bias ? ` + ${displayName(b)}` : ""}`,
    run: (m) => affine(valueNamed(m, W), valueNamed(m, input), m.get(b) ?? null),
    products: [
      { target: W, formula: `∂J/∂${displayName(W)} += ${dOutput} · ${input}ᵀ`, operands: [dOutput, input] },
      ...(inputIsComputed
        ? [
            {
              target: input,
              formula: `∂J/∂${input} = ${displayName(W)}ᵀ · ${dOutput}`,
              operands: [W, dOutput],
            },
          ]
        : []),
      ...(s.bias
        ? [{ target: b, formula: `∂J/∂${displayName(b)} = Σₙ ${dOutput}`, operands: [dOutput] }]
        : []),
    ],
  };
}

/** The operators in forward order; their products are listed in the order backward computes them. */
export function bookOperators(s: FigureSettings): BookOperator[] {
  return [
    productOperator(s, 1, "x", "z", false),
    {
      id: "phi",
      symbol: "φ",
      title: `activation φ = ${s.activation}`,
      inputs: ["z"],
      output: "h",
      equation: "h = φ(z)",
      run: (m) => activate(valueNamed(m, "z"), s.activation),
      products: [
        {
          target: "z",
          formula: `∂J/∂z = ∂J/∂h ⊙ φ′(z), φ′(z) = ${PHI_PRIME[s.activation]}`,
          operands: ["∂J/∂h", "z"],
        },
      ],
    },
    productOperator(s, 2, "h", "o", true),
    {
      id: "loss",
      symbol: "l",
      title: "loss l: softmax cross-entropy, mean over the n examples",
      inputs: ["o", "y"],
      output: "L",
      equation: "L = l(o, y) = −(1/n) Σ y ⊙ log softmax(o)",
      run: (m) => chapterLoss(valueNamed(m, "o"), valueNamed(m, "y")),
      products: [
        { target: "o", formula: "∂J/∂o = ∂J/∂L · (softmax(o) − y) / n", operands: ["∂J/∂L", "o", "y"] },
      ],
    },
    {
      id: "penalty",
      symbol: "‖·‖²",
      title: "penalty s = λ/2 (‖W⁽¹⁾‖²_F + ‖W⁽²⁾‖²_F)",
      inputs: ["W1", "W2"],
      output: "s",
      equation: `s = λ/2 (‖W⁽¹⁾‖²_F + ‖W⁽²⁾‖²_F), λ = ${s.lambda}`,
      run: (m) => chapterPenalty(valueNamed(m, "W1"), valueNamed(m, "W2"), s.lambda),
      products: [
        { target: "W1", formula: "∂J/∂W⁽¹⁾ += ∂J/∂s · λW⁽¹⁾", operands: ["∂J/∂s", "W1"] },
        { target: "W2", formula: "∂J/∂W⁽²⁾ += ∂J/∂s · λW⁽²⁾", operands: ["∂J/∂s", "W2"] },
      ],
    },
    {
      id: "plus",
      symbol: "+",
      title: "sum J = L + s",
      inputs: ["L", "s"],
      output: "J",
      equation: "J = L + s",
      run: (m) => valueNamed(m, "L").add(valueNamed(m, "s")),
      products: [
        { target: "L", formula: "∂J/∂L = 1", operands: [] },
        { target: "s", formula: "∂J/∂s = 1", operands: [] },
      ],
    },
  ];
}

/** The order backward visits the operators: J's sum, then l and the penalty, then down the network. */
export const BACKWARD_ORDER = ["plus", "loss", "penalty", "product2", "phi", "product1"];

/** The book's display names (W⁽¹⁾ for W1). */
export function displayName(name: string): string {
  const m = /^([Wb])(\d)$/.exec(name);
  if (!m) return name;
  const sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  return `${m[1]}⁽${sup[Number(m[2])]}⁾`;
}
