// Layers: Linear (bias optional, as the chapter's layers have none), Sequential, activations, Flatten, Dropout.

import { fail, oneOf } from "../errors.js";
import { GELU_APPROXIMATIONS, type GeluApproximation, gelu } from "../ops/composite/activations.js";
import { flatten } from "../ops/composite/shape.js";
import { relu, sigmoid, tanh } from "../ops/unary.js";
import { type GroupSpec, inGroup } from "../tensor/group.js";
import { inModule } from "../tensor/node.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { dropout, linear } from "./functional.js";
import { INIT_SCHEMES, type InitOptions, type InitScheme, initWeight } from "./init.js";
import { Module } from "./module.js";

export interface LinearOptions extends InitOptions {
  /** Add a bias vector (default true, as in PyTorch; the chapter's layers use { bias: false }). */
  bias?: boolean;
  /** Weight initialisation; default "xavier". Biases start at zero. */
  init?: InitScheme;
}

/** y = x·Wᵀ + b with W of shape [out, in]: the chapter's z = W⁽¹⁾x for one example per row of x. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) fail("Linear", `${name} must be a positive integer, got ${v}`);
    }
    this.weight = initWeight(
      [outFeatures, inFeatures],
      oneOf("Linear", "init", options.init ?? "xavier", INIT_SCHEMES),
      inFeatures,
      outFeatures,
      options,
    );
    this.bias =
      options.bias === false ? null : initWeight([outFeatures], "zeros", inFeatures, outFeatures, options);
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** φ as one group: a one-primitive φ takes its rule's derivative, a composite one (GELU) the given one. */
function activation(title: string, text?: string, latex?: string): GroupSpec {
  const derivative = text !== undefined && latex !== undefined ? { text: [text], latex: [latex] } : undefined;
  return { kind: "activation", symbol: "φ", title, ...(derivative ? { derivative } : {}) };
}

/** Applies its modules in order. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }
  forward(x: Tensor): Tensor {
    let out = x;
    this.layers.forEach((layer, i) => {
      out = inModule({ name: String(i), type: layer.constructor.name }, () => layer.forward(out));
    });
    return out;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return inGroup(activation("relu"), [x], () => relu(x));
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return inGroup(activation("sigmoid"), [x], () => sigmoid(x));
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return inGroup(activation("tanh"), [x], () => tanh(x));
  }
}

export class GELU extends Module {
  constructor(readonly approximate: GeluApproximation = "none") {
    super();
    oneOf("GELU", "approximate", approximate, GELU_APPROXIMATIONS);
  }
  forward(x: Tensor): Tensor {
    const spec = activation("gelu", "{g} ⊙ GELU'({x0:name})", "{g} \\odot \\operatorname{GELU}'({x0})");
    return inGroup(spec, [x], () => gelu(x, { approximate: this.approximate }));
  }
}

/** Flattens every axis after the first (the batch axis). */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.ndim <= 1 ? x : flatten(x, 1);
  }
}

/** Inverted dropout in training mode; the identity in evaluation mode. Unseeded, it draws from the global generator. */
export class Dropout extends Module {
  private readonly generator: Generator | undefined;
  constructor(
    readonly p = 0.5,
    options: { seed?: number } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) fail("Dropout", `p must be in [0, 1), got ${p}`);
    this.generator = options.seed === undefined ? undefined : new Generator(options.seed);
  }
  forward(x: Tensor): Tensor {
    return this.training ? dropout(x, this.p, this.generator) : x;
  }
}
