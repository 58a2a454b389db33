// In-place writes, outside any graph: assign (optimizer steps, loading weights), the backward sweep's
// accumulation into .grad, and the optimizer's fused update. Each bumps the version backward checks, and
// first gives the written tensor a buffer of its own if it shares one (copy on write: views never see it).
import { isFloat } from "../dtype.js";
import { fail } from "../errors.js";
import { fmt, sameShape } from "../shape.js";
import { checkWrite, isAnomalyEnabled } from "../tensor/anomaly.js";
import { FREED_BY_LIBRARY, type Tensor } from "../tensor/tensor.js";
import { viewOf, withDense } from "./apply.js";
import { cast } from "./binary.js";
import { detach } from "./detach.js";

/** Overwrites dst's values with src's (same shape and dtype), in place. */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst.ownBuffer();
  dst.storage.backend.copy(viewOf(src), viewOf(dst), dst.shape);
  dst.bumpVersion();
  if (isAnomalyEnabled()) checkWrite("an in-place copy (assign, or an optimizer step)", dst, src);
}

/** dst += src (same shape and dtype), in place, with no temporary. */
export function addInto(dst: Tensor, src: Tensor): void {
  dst.ownBuffer();
  // Elementwise over equal shapes reads each element before it writes it, so out may alias an input.
  dst.storage.backend.binary("add", viewOf(dst), viewOf(src), dst.storage.id, dst.shape);
  dst.bumpVersion();
  if (isAnomalyEnabled()) checkWrite("adding a gradient into .grad in place", dst, src);
}

/** x.assign(values): overwrites x's values in place (cast to x's dtype), not recorded; returns x. */
export function assign<T extends Tensor>(x: T, values: Tensor): T {
  x.assertLive("assign");
  values.assertLive("assign");
  if (!sameShape(values.shape, x.shape)) {
    fail("assign", `cannot assign ${fmt(values.shape)} values to ${x.describe()}`);
  }
  const source = values.dtype === x.dtype ? values : cast(detach(values), x.dtype);
  copyInto(x, source);
  if (source !== values) source.dispose(FREED_BY_LIBRARY);
  return x;
}

/** dst ← dst + alpha·src in place, one fused pass outside any graph: the optimizer's update. */
export function addScaledInPlace(dst: Tensor, src: Tensor, alpha: number): void {
  dst.assertLive("addScaledInPlace");
  src.assertLive("addScaledInPlace");
  if (!isFloat(dst.dtype) || dst.dtype !== src.dtype) {
    fail("addScaledInPlace", `needs two float tensors of one dtype, got ${dst.dtype} and ${src.dtype}`);
  }
  if (!sameShape(dst.shape, src.shape))
    fail("addScaledInPlace", `shapes differ: ${fmt(dst.shape)} and ${fmt(src.shape)}`);
  dst.ownBuffer();
  withDense([src], ([from]) => dst.storage.backend.axpy(alpha, from.storage.id, dst.storage.id, dst.size));
  dst.bumpVersion();
  if (isAnomalyEnabled()) checkWrite(`the optimizer's update x ← x + ${alpha}·g`, dst, src);
}
