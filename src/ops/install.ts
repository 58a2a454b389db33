// Gives the autograd layer the handful of ops its sweep needs (see autograd/grad-ops.ts).
import { installGradOps } from "../autograd/grad-ops.js";
import { emptyTensor, full } from "../tensor/create.js";
import { viewOf } from "./apply.js";
import { add, cast, mul } from "./binary.js";
import { flatten } from "./composite/shape.js";
import { detach } from "./detach.js";
import { concat } from "./movement.js";
import { sum } from "./reduce.js";
import { sumTo } from "./sum-to.js";

installGradOps({
  onesLike: (t) => full(t.shape, 1, { dtype: t.dtype }),
  zerosLike: (t) => full(t.shape, 0, { dtype: t.dtype }),
  add,
  mul,
  sumAll: (t) => sum(t),
  sumTo,
  cast,
  clone: (t) => mul(t, 1),
  detach,
  flatten: (t) => flatten(t),
  concat: (ts) => concat(ts, 0),
  assign: (dst, src) => {
    dst.storage.backend.copy(viewOf(src), viewOf(dst), dst.shape);
    dst.bumpVersion();
  },
  addInto: (dst, src) => {
    // Elementwise over equal shapes reads each element before it writes it, so out may alias an input.
    dst.storage.backend.binary("add", viewOf(dst), viewOf(src), dst.storage.id, dst.shape);
    dst.bumpVersion();
  },
  fromValues: (values, shape, dtype) => {
    const t = emptyTensor(shape, dtype);
    const typed =
      dtype === "float64"
        ? values
        : dtype === "float32"
          ? Float32Array.from(values)
          : Int32Array.from(values);
    t.storage.backend.write(t.storage.id, typed);
    return t;
  },
});
