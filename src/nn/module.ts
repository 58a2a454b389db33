// Module: the base of every layer. It finds its parameters and sub-modules by itself (own fields, in
// definition order), names them ("0.weight"), and saves and restores them as a state dict.

import { fail } from "../errors.js";
import { assign } from "../ops/in-place.js";
import { fmt, sameShape } from "../shape.js";
import { noGrad } from "../tensor/grad-mode.js";
import { Tensor } from "../tensor/tensor.js";

export type StateDict = Record<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export abstract class Module {
  /** Training mode (dropout active) or evaluation mode. */
  training = true;

  abstract forward(x: Tensor): Tensor;

  /** Child modules by field name (arrays of modules are named by index). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item instanceof Module) out.push([key === "layers" ? String(i) : `${key}.${i}`, item]);
        });
      }
    }
    return out;
  }

  /**
   * Parameters (tensors that require grad, held in fields) of this module and its children, with dotted
   * names. A parameter shared by several modules is listed once, under its first name.
   */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.requiresGrad && value.isLeaf) out.push([prefix + key, value]);
    }
    for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(`${prefix}${name}.`));
    const seen = new Set<Tensor>();
    return out.filter(([, p]) => {
      if (seen.has(p)) return false;
      seen.add(p);
      return true;
    });
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  train(on = true): this {
    this.training = on;
    for (const [, child] of this.namedChildren()) child.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** The parameters by name (the tensors themselves, not copies). */
  stateDict(): StateDict {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Copies values from `state` into the parameters. A shape mismatch is an error naming the key;
   * with strict (the default) so are missing or unexpected keys.
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): LoadResult {
    const own = new Map(this.namedParameters());
    const missingKeys = [...own.keys()].filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !own.has(k));
    if ((options.strict ?? true) && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      fail(
        "loadStateDict",
        `missing keys: [${missingKeys.join(", ")}]; unexpected keys: [${unexpectedKeys.join(", ")}]`,
      );
    }
    for (const [key, param] of own) {
      const value = state[key];
      if (value === undefined) continue;
      if (!sameShape(value.shape, param.shape)) {
        fail(
          "loadStateDict",
          `"${key}" has shape ${fmt(value.shape)} in the state dict but ${fmt(param.shape)} in the model`,
        );
      }
    }
    noGrad(() => {
      for (const [key, param] of own) if (state[key] !== undefined) assign(param, state[key]);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Frees every parameter's buffer (and its gradient). */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
  }
}
