// The bundled MNIST in the page: the same file the package ships (data/mnist-10k.u8.gz), served beside the page,
// un-gzipped by the browser's DecompressionStream and split 8,000 / 2,000 with the library's fixed seed.
import { type Dataset, splitDataset } from "../../data/dataset.js";
import { imageDataset, MNIST_SPLIT_SEED, parseDataset } from "../../data/image-dataset.js";

export async function loadMnistInPage(url = "mnist-10k.u8.gz"): Promise<{ train: Dataset; test: Dataset }> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`MNIST: ${url} answered HTTP ${response.status}`);
  const raw = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  return splitDataset(imageDataset(parseDataset("mnist", new Uint8Array(raw))), 8000, MNIST_SPLIT_SEED);
}
