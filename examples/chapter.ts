// Dive into Deep Learning §5.3 as a script: the forward pass of a one-hidden-layer MLP with weight decay,
// the backward pass, and a check of autograd against the chapter's formulas and finite differences.
// Run: node --import tsx examples/chapter.ts
import * as cr from "../src/index.js";

const d = 4; // input features
const hiddenSize = 5;
const q = 3; // classes
const lambda = 0.1; // weight decay

const x = cr.randn([d], { seed: 0, dtype: "float64" }); // one example
const y = cr.tensor([0, 1, 0], { dtype: "float64" }); // its one-hot label
const W1 = cr.randn([hiddenSize, d], { seed: 1, dtype: "float64", requiresGrad: true }).named("W1");
const W2 = cr.randn([q, hiddenSize], { seed: 2, dtype: "float64", requiresGrad: true }).named("W2");

/** The objective J = L + s of the chapter, with every intermediate. */
function forward(w1: cr.Tensor, w2: cr.Tensor) {
  const z = w1.matmul(x).named("z"); // z = W1 x
  const h = z.relu().named("h"); // h = φ(z)
  const o = w2.matmul(h).named("o"); // o = W2 h
  const L = o.logSoftmax().mul(y).sum().neg().named("L"); // L = l(o, y), cross-entropy
  const s = w1
    .pow(2)
    .sum()
    .add(w2.pow(2).sum())
    .mul(lambda / 2)
    .named("s"); // s = λ/2 (‖W1‖² + ‖W2‖²)
  const J = L.add(s).named("J"); // J = L + s
  return { z, h, o, L, s, J };
}

// Forward, keeping the gradients of the intermediates for the checks below.
const { z, h, o, L, s, J } = forward(W1, W2);
for (const t of [z, h, o]) t.retainGrad();

// Backward: fills W1.grad and W2.grad (and z.grad, h.grad, o.grad, retained above).
J.backward();

console.log(`J = ${J.item().toFixed(6)}  (L = ${L.item().toFixed(6)}, s = ${s.item().toFixed(6)})`);
console.log(`∂J/∂W1 has shape [${W1.grad!.shape}], ∂J/∂W2 has shape [${W2.grad!.shape}]`);

// The chapter's backward formulas, computed by hand from the forward values.
const maxDiff = (a: cr.Tensor, b: cr.Tensor) => a.sub(b).abs().max().item();
const checks: [string, number][] = cr.noGrad(() => {
  const dJdo = o.softmax().sub(y); // ∂J/∂o = softmax(o) - y
  const dJdW2 = cr.outer(dJdo, h).add(W2.mul(lambda)); // ∂J/∂W2 = (∂J/∂o) hᵀ + λW2
  const dJdh = W2.T.matmul(dJdo); // ∂J/∂h = W2ᵀ ∂J/∂o
  const dJdz = dJdh.mul(z.greater(0)); // ∂J/∂z = ∂J/∂h ⊙ φ'(z)
  const dJdW1 = cr.outer(dJdz, x).add(W1.mul(lambda)); // ∂J/∂W1 = (∂J/∂z) xᵀ + λW1
  return [
    ["∂J/∂o  = softmax(o) - y", maxDiff(o.grad!, dJdo)],
    ["∂J/∂W2 = (∂J/∂o) hᵀ + λW2", maxDiff(W2.grad!, dJdW2)],
    ["∂J/∂h  = W2ᵀ ∂J/∂o", maxDiff(h.grad!, dJdh)],
    ["∂J/∂z  = ∂J/∂h ⊙ φ'(z)", maxDiff(z.grad!, dJdz)],
    ["∂J/∂W1 = (∂J/∂z) xᵀ + λW1", maxDiff(W1.grad!, dJdW1)],
  ];
});

let ok = true;
for (const [formula, diff] of checks) {
  const pass = diff < 1e-12;
  ok &&= pass;
  console.log(
    `${formula.padEnd(28)} max |autograd - formula| = ${diff.toExponential(2)}  ${pass ? "ok" : "MISMATCH"}`,
  );
}

// And against central finite differences of J, element by element, through cr.gradcheck.
cr.gradcheck((w1, w2) => forward(w1, w2).J, [W1.detach(), W2.detach()]);
console.log("gradcheck: backward matches finite differences  ok");

if (!ok) {
  console.error("autograd disagrees with the chapter's formulas");
  process.exitCode = 1;
}
