// Row-wise log-softmax, softmax and softmax cross-entropy over contiguous rows, float32 and float64: a pass for
// the row maximum m (0 where it is not finite, as the composite does), a pass for s = Σ exp(x − m) in float64
// (exp in f64x2 lanes), then the result: x − m − log s, its exp, or log s − (x[label] − m) per row.
import { U_EXP, U_LOG } from "./lib/ew-common";
import { dmath } from "./lib/ew-math";

const MODE_LOG: i32 = 0;
const MODE_SOFTMAX: i32 = 1;

@inline function ld<T>(row: usize, j: i32): f64 {
  return <f64>load<T>(row + (<usize>j << alignof<T>()));
}
/** Two adjacent elements as f64x2, less the shift. */
@inline function pair<T>(row: usize, j: i32, shift: f64): v128 {
  if (sizeof<T>() == 8) return f64x2.sub(v128.load(row + (<usize>j << 3)), f64x2.splat(shift));
  return f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>j << 2))), f64x2.splat(shift));
}
@inline function exp1(x: f64, full: bool): f64 {
  return f64x2.extract_lane(dmath(U_EXP, f64x2.splat(x), full), 0);
}
/** The row's maximum when it is finite, else 0: what exp's argument is shifted by. */
@inline function shiftOf<T>(row: usize, cols: i32): f64 {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = ld<T>(row, j);
    if (v > m) m = v;
  }
  return m - m == 0 ? m : 0;
}
/** log Σ exp(x − shift) over the row. */
@inline function logSumExp<T>(row: usize, cols: i32, shift: f64, full: bool): f64 {
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= cols; j += 2) acc = f64x2.add(acc, dmath(U_EXP, pair<T>(row, j, shift), full));
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (j < cols) s += exp1(ld<T>(row, j) - shift, full);
  return f64x2.extract_lane(dmath(U_LOG, f64x2.splat(s), true), 0);
}
@inline function store2<T>(out: usize, j: i32, v: v128): void {
  if (sizeof<T>() == 8) v128.store(out + (<usize>j << 3), v);
  else v128.store64_lane(out + (<usize>j << 2), f32x4.demote_f64x2_zero(v), 0);
}
function softmaxRows<T>(mode: i32, rows: i32, cols: i32, px: usize, po: usize): void {
  const full = sizeof<T>() == 8;
  const rowBytes = <usize>cols << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const row = px + <usize>r * rowBytes;
    const out = po + <usize>r * rowBytes;
    const shift = shiftOf<T>(row, cols);
    const ls = logSumExp<T>(row, cols, shift, full);
    // log p = (x − m) − log s; softmax is exp(log p), as the composite computes it.
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      let v = f64x2.sub(pair<T>(row, j, shift), f64x2.splat(ls));
      if (mode == MODE_SOFTMAX) v = dmath(U_EXP, v, full);
      store2<T>(out, j, v);
    }
    if (j < cols) {
      const v = ld<T>(row, j) - shift - ls;
      store<T>(out + (<usize>j << alignof<T>()), <T>(mode == MODE_SOFTMAX ? exp1(v, full) : v));
    }
  }
}
/** Per row: log s − (x[label] − m); returns 1 + the first row whose label is outside [0, cols), else 0. */
function crossEntropyRows<T>(rows: i32, cols: i32, px: usize, labels: usize, po: usize): i32 {
  const full = sizeof<T>() == 8;
  const rowBytes = <usize>cols << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const label = load<i32>(labels + (<usize>r << 2));
    if (<u32>label >= <u32>cols) return r + 1;
    const row = px + <usize>r * rowBytes;
    const shift = shiftOf<T>(row, cols);
    const ls = logSumExp<T>(row, cols, shift, full);
    store<T>(po + (<usize>r << alignof<T>()), <T>(-(ld<T>(row, label) - shift - ls)));
  }
  return 0;
}

/** mode 0: out = log softmax of each of `rows` rows of `cols`; mode 1: softmax. out may be x. */
export function softmax_rows_f32(mode: i32, rows: i32, cols: i32, px: usize, po: usize): void {
  softmaxRows<f32>(mode == MODE_LOG ? MODE_LOG : MODE_SOFTMAX, rows, cols, px, po);
}
export function softmax_rows_f64(mode: i32, rows: i32, cols: i32, px: usize, po: usize): void {
  softmaxRows<f64>(mode == MODE_LOG ? MODE_LOG : MODE_SOFTMAX, rows, cols, px, po);
}
/** out[r] = −log softmax(x[r])[labels[r]] (int32 labels); nonzero (1 + row) for a label out of range. */
export function xent_rows_f32(rows: i32, cols: i32, px: usize, labels: usize, po: usize): i32 {
  return crossEntropyRows<f32>(rows, cols, px, labels, po);
}
export function xent_rows_f64(rows: i32, cols: i32, px: usize, labels: usize, po: usize): i32 {
  return crossEntropyRows<f64>(rows, cols, px, labels, po);
}
