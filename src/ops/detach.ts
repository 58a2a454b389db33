// detach: the same values as a new leaf, cut from the graph (a copy, so each tensor owns its buffer).

import { outputTensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { viewOf } from "./apply.js";

export function detach(x: Tensor): Tensor {
  x.assertLive("detach");
  const out = outputTensor(x.shape, x.dtype);
  x.storage.backend.copy(viewOf(x), viewOf(out), x.shape);
  return out;
}
