// The meta backend: buffers have a size and a dtype but no contents, and kernels do nothing. Running a
// computation on it walks every shape check and allocation (so the ledger sees them) without the memory or time.
import type { DType, TypedArray } from "../../dtype.js";
import { ChainruleError } from "../../errors.js";
import type { Backend, DataId } from "../backend.js";

export const META_BACKEND = "meta";

const NO_VALUES =
  "meta backend: tensors carry shape and dtype only; there are no values to read (a dry run cannot print, item() or check values)";

/** A buffer that records what it would hold. */
interface MetaBuffer {
  readonly dtype: DType;
  readonly size: number;
}

export class MetaBackend implements Backend {
  readonly name = META_BACKEND;
  alloc(dtype: DType, size: number): DataId {
    return { dtype, size } satisfies MetaBuffer;
  }
  free(_id: DataId): void {}
  write(_id: DataId, _values: TypedArray): void {}
  readSync(_id: DataId): TypedArray {
    throw new ChainruleError(NO_VALUES);
  }
  read(_id: DataId): Promise<TypedArray> {
    return Promise.reject(new ChainruleError(NO_VALUES));
  }
  fill(): void {}
  axpy(): void {}
  cast(): void {}
  unary(): void {}
  binary(): void {}
  where(): void {}
  reduce(): void {}
  matmul(): void {}
  copy(): void {}
  gather(): void {}
  softmaxRows(): void {}
  crossEntropyRows(): void {}
  scatterAdd(): void {}
}

/** Whether a backend holds no values (so value checks, such as label ranges, must be skipped). */
export function isMeta(backend: Backend): boolean {
  return backend.name === META_BACKEND;
}
