// A primitive's derivative written as data, beside its VJP: the plain text and LaTeX that explain, the
// graph drawings and the page show. Templates name the operands with the placeholders below.

/**
 * Per input, the gradient it receives, as a template (null where no gradient flows). Placeholders:
 * `{g}` the output's gradient; `{x0}`, `{x1}`… input i and `{y}` the output (a name with its shape in text,
 * a symbol in LaTeX); `{x0:name}` the name alone; `{x0:value}` a constant's value, else as `{x0}`;
 * `{x0:shape}` input i's shape (text only); `{@axis}` an attribute of the op. Write the LaTeX in LaTeX.
 */
export interface Derivative {
  readonly text: readonly (string | null)[];
  readonly latex: readonly (string | null)[];
  /** When every input is one tensor (x ⊙ x): the single term for it. */
  readonly same?: { readonly text: string; readonly latex: string };
  /** Any number of inputs (concat): formula 0 is each input's, with `{x0}` standing for that input. */
  readonly forEachInput?: true;
  /** Gradients come back at the output's shape: the sweep sums them to a broadcast input's (sumTo). */
  readonly broadcasts?: true;
}

/** The derivative of an op with attributes of type A: fixed, or written from the attributes (matmul). */
export type DerivativeOf<A> = Derivative | ((attrs: A) => Derivative);

/** The derivative of a one-input op: its gradient as text and as LaTeX. */
export function d1(text: string, latex: string): Derivative {
  return { text: [text], latex: [latex] };
}
