// chainrule playground: serves the chapter's page (the figure live, training, drawing a digit, memory) on
// 127.0.0.1 with COOP/COEP headers, so the page is cross-origin isolated and the wasm backend runs threads.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { FASHION_MNIST_INSTALL } from "../data/image-dataset.js";
import { type FlagSpec, flagHelp, parseFlags, UsageError } from "./args.js";
import { type Asset, FASHION_FILE, playgroundAssets } from "./playground-assets.js";

const PLAYGROUND_FLAGS: FlagSpec[] = [
  { name: "port", type: "string", value: "N", help: "port on 127.0.0.1 (default: a free one)" },
  { name: "open", type: "boolean", help: "open the page in the default browser", default: "off" },
  {
    name: "no-isolation",
    type: "boolean",
    help: "leave out the COOP/COEP headers (the page then runs on one thread and says so)",
    default: "off",
  },
  {
    name: "no-fashion",
    type: "boolean",
    help: "leave Fashion-MNIST out even where the fashion-mnist package is installed",
    default: "off",
  },
  { name: "write", type: "string", value: "DIR", help: "write the page as static files to DIR and exit" },
];

export const PLAYGROUND_HELP = `Usage: chainrule playground [flags]

Serves the chapter in a web page: the book's graph (Fig. 5.3.1) run forward and backward one operator at a time
with the values, the chain-rule products and memory by tag; second derivatives; training the MLP on the bundled
MNIST (or on Fashion-MNIST, offered where the fashion-mnist package is installed) with live curves; drawing a
digit for the trained model; memory against batch size and depth. Prints the URL and serves until interrupted.
Everything is local (no CDN), with the headers that let the page use threads.

${flagHelp(PLAYGROUND_FLAGS)}`;

export interface PlaygroundServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves the assets on 127.0.0.1:port (0: a free port), isolated unless told otherwise. */
export function servePlayground(
  files: ReadonlyMap<string, Asset>,
  port: number,
  isolated: boolean,
): Promise<PlaygroundServer> {
  const server = createServer((req, res) => {
    let path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/") path = "/index.html";
    const file = files.get(path);
    const headers: Record<string, string> = { "cache-control": "no-cache" };
    if (isolated) {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
      headers["cross-origin-resource-policy"] = "same-origin";
    }
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, headers).end("not found");
      return;
    }
    res.writeHead(200, { ...headers, "content-type": file.type, "content-length": file.body.length });
    res.end(req.method === "HEAD" ? undefined : file.body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      resolve({
        url,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function openBrowser(url: string): void {
  const command =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.on("error", () =>
    process.stderr.write(`chainrule playground: could not open a browser; go to ${url}\n`),
  );
  child.unref();
}

export async function playgroundCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, PLAYGROUND_FLAGS);
  const rawPort = values.port ?? "0";
  const port = Number(rawPort);
  if (typeof rawPort !== "string" || !/^\d+$/.test(rawPort) || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${rawPort}"`);
  }
  const { files, source } = await playgroundAssets({ fashion: values["no-fashion"] !== true });
  const fashion = files.has(`/${FASHION_FILE}`)
    ? "Fashion-MNIST offered"
    : values["no-fashion"] === true
      ? "Fashion-MNIST left out (--no-fashion)"
      : `Fashion-MNIST not installed: ${FASHION_MNIST_INSTALL}`;
  if (typeof values.write === "string") {
    mkdirSync(values.write, { recursive: true });
    for (const [path, file] of files) writeFileSync(join(values.write, path.slice(1)), file.body);
    process.stdout.write(`wrote the playground (${files.size} files; ${fashion}) to ${values.write}\n`);
    return 0;
  }
  const isolated = values["no-isolation"] !== true;
  const served = await servePlayground(files, port, isolated);
  process.stdout.write(
    `Chainrule playground at ${served.url} (${source}${isolated ? "" : "; not isolated: one thread"}; ${fashion})\nPress Ctrl+C to stop.\n`,
  );
  if (values.open === true) openBrowser(served.url);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await served.close();
  return 0;
}
