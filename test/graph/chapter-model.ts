// D2L §5.3's model for the graph tests: z = W1 x, h = φ(z), o = W2 h, L = l(o, y) (squared loss,
// mean), s = λ/2 (‖W1‖² + ‖W2‖²), J = L + s; optionally with a hidden bias b1 (exercise 2).
import * as cr from "../../src/index.js";

export const d = 4;
export const h = 3;
export const q = 2;
export const lambda = 0.1;

export interface Chapter {
  J: cr.Tensor;
  W1: cr.Tensor;
  W2: cr.Tensor;
  b1: cr.Tensor | null;
}

export function chapterModel(options: { bias?: boolean } = {}): Chapter {
  const g = new cr.Generator(5);
  const W1 = cr.randn([h, d], { generator: g, dtype: "float64" }).requiresGrad_().named("W1");
  const W2 = cr.randn([q, h], { generator: g, dtype: "float64" }).requiresGrad_().named("W2");
  const b1 = options.bias ? cr.zeros([h, 1], { dtype: "float64" }).requiresGrad_().named("b1") : null;
  const x = cr.randn([d, 1], { generator: g, dtype: "float64" }).named("x");
  const y = cr.randn([q, 1], { generator: g, dtype: "float64" }).named("y");
  let z = W1.matmul(x);
  if (b1) z = z.add(b1);
  z.named("z");
  const hid = z.relu().named("h");
  const o = W2.matmul(hid).named("o");
  const L = cr.nn.mse(o, y).named("L");
  const s = cr.nn.l2Penalty([W1, W2], lambda).named("s");
  const J = L.add(s).named("J");
  return { J, W1, W2, b1 };
}
