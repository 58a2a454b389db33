// Reading a digit picture for `predict`: PNG → grayscale → 28×28 by area averaging → white digit on black,
// as in MNIST (a light background is inverted).
import { PNG } from "pngjs";
import { failInput } from "../errors.js";
import { readInput } from "../io/read.js";

export function readDigitPng(path: string, size = 28): Float32Array {
  const bytes = readInput("predict", path);
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    return failInput("predict", `cannot read ${path} as a PNG: ${(error as Error).message}`);
  }
  const { width, height, data } = png;
  const gray = new Float64Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const alpha = data[4 * i + 3] / 255;
    const luma = (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) / 255;
    gray[i] = luma * alpha + (1 - alpha);
  }
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [y0, y1] = [
        Math.floor((y * height) / size),
        Math.max(Math.floor(((y + 1) * height) / size), Math.floor((y * height) / size) + 1),
      ];
      const [x0, x1] = [
        Math.floor((x * width) / size),
        Math.max(Math.floor(((x + 1) * width) / size), Math.floor((x * width) / size) + 1),
      ];
      let sum = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += gray[yy * width + xx];
      out[y * size + x] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  if (mean > 0.5) for (let i = 0; i < out.length; i++) out[i] = 1 - out[i];
  return out;
}
