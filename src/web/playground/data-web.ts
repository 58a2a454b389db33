// The page's data sets: the bundled MNIST (the same file the package ships) and, where the server has the
// `fashion-mnist` package, 10,000 Fashion-MNIST images; datasets.json says which. Each file is un-gzipped by the
// browser's DecompressionStream, fetched only when first chosen, and split 8,000 / 2,000 with MNIST's fixed seed.
import { type Dataset, splitDataset } from "../../data/dataset.js";
import {
  FASHION_CLASSES,
  FASHION_MNIST_INSTALL,
  imageDataset,
  MNIST_SPLIT_SEED,
  parseDataset,
} from "../../data/image-dataset.js";

export type DataSetName = "mnist" | "fashion-mnist";

export interface PageData {
  train: Dataset;
  test: Dataset;
}

/** What datasets.json says (as src/cli/playground-assets.ts writes it). */
export interface DataSetsManifest {
  mnist: string;
  fashionMnist: string | null;
  install: string;
}

export const DATA_SET_TITLES: Record<DataSetName, string> = {
  mnist: "MNIST",
  "fashion-mnist": "Fashion-MNIST",
};

/** The names of a data set's ten classes: the digits, or Fashion-MNIST's clothes. */
export const classNames = (name: DataSetName): string[] =>
  name === "mnist" ? Array.from({ length: 10 }, (_, k) => String(k)) : FASHION_CLASSES;

async function loadImages(name: DataSetName, url: string): Promise<PageData> {
  const response = await fetch(url);
  if (!response.ok || !response.body)
    throw new Error(`${DATA_SET_TITLES[name]}: ${url} answered HTTP ${response.status}`);
  const raw = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  return splitDataset(imageDataset(parseDataset(name, new Uint8Array(raw))), 8000, MNIST_SPLIT_SEED);
}

/** The page's data sets, each fetched once, when first asked for. */
export class PageDataSets {
  private readonly loaded = new Map<DataSetName, Promise<PageData>>();
  /** datasets.json, or (a page written before it existed) MNIST alone. */
  readonly manifest: Promise<DataSetsManifest>;

  constructor() {
    const mnistOnly = { mnist: "mnist-10k.u8.gz", fashionMnist: null, install: FASHION_MNIST_INSTALL };
    this.manifest = fetch("datasets.json").then(
      (r) => (r.ok ? (r.json() as Promise<DataSetsManifest>) : mnistOnly),
      () => mnistOnly,
    );
  }

  load(name: DataSetName): Promise<PageData> {
    let data = this.loaded.get(name);
    if (!data) {
      data = this.manifest.then((m) => {
        const url = name === "mnist" ? m.mnist : m.fashionMnist;
        if (!url) throw new Error(`Fashion-MNIST is not installed where the server runs: ${m.install}`);
        return loadImages(name, url);
      });
      this.loaded.set(name, data);
    }
    return data;
  }
}
