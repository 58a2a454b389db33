// Gather and scatter-add along one axis, with the index laid out as [outer, count, inner] and the other tensor
// as [outer, axisSize, inner]. An index outside [0, axisSize) stops the kernel (result 1): nothing outside the
// buffers is ever read or written.

function gather<T>(
  outer: i32, count: i32, inner: i32, axisSize: i32, x: usize, index: usize, out: usize,
): i32 {
  const w = sizeof<T>();
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * <usize>axisSize * <usize>inner * w;
    for (let i = 0; i < count; i++) {
      const row = (<usize>o * <usize>count + <usize>i) * <usize>inner;
      for (let j = 0; j < inner; j++) {
        const k = load<i32>(index + (row + <usize>j) * 4);
        if (<u32>k >= <u32>axisSize) return 1;
        store<T>(out + (row + <usize>j) * w, load<T>(xo + (<usize>k * <usize>inner + <usize>j) * w));
      }
    }
  }
  return 0;
}

function scatterAdd<T>(
  outer: i32, count: i32, inner: i32, axisSize: i32, src: usize, index: usize, out: usize,
): i32 {
  const w = sizeof<T>();
  for (let o = 0; o < outer; o++) {
    const oo = out + <usize>o * <usize>axisSize * <usize>inner * w;
    for (let i = 0; i < count; i++) {
      const row = (<usize>o * <usize>count + <usize>i) * <usize>inner;
      for (let j = 0; j < inner; j++) {
        const k = load<i32>(index + (row + <usize>j) * 4);
        if (<u32>k >= <u32>axisSize) return 1;
        const at = oo + (<usize>k * <usize>inner + <usize>j) * w;
        store<T>(at, load<T>(at) + load<T>(src + (row + <usize>j) * w));
      }
    }
  }
  return 0;
}

export function gather_f32(outer: i32, count: i32, inner: i32, axisSize: i32, x: usize, index: usize, out: usize): i32 {
  return gather<f32>(outer, count, inner, axisSize, x, index, out);
}
export function gather_f64(outer: i32, count: i32, inner: i32, axisSize: i32, x: usize, index: usize, out: usize): i32 {
  return gather<f64>(outer, count, inner, axisSize, x, index, out);
}
export function scatter_add_f32(
  outer: i32, count: i32, inner: i32, axisSize: i32, src: usize, index: usize, out: usize,
): i32 {
  return scatterAdd<f32>(outer, count, inner, axisSize, src, index, out);
}
export function scatter_add_f64(
  outer: i32, count: i32, inner: i32, axisSize: i32, src: usize, index: usize, out: usize,
): i32 {
  return scatterAdd<f64>(outer, count, inner, axisSize, src, index, out);
}
