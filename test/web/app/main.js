// A user's app, as test/web/bundlers.test.ts bundles it: train a small MLP in the page for `?steps=N` SGD steps
// (default 20) on the wasm backend, two threads where the page is cross-origin isolated; results on window.result.
// `?kernels=URL` passes initWasm({ kernels }) (twice, to see that the fallback is announced once).
import * as cr from "chainrule/web";

async function run() {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => {
    warnings.push(args.join(" "));
    warn(...args);
  };
  const params = new URLSearchParams(location.search);
  const kernels = params.get("kernels");
  const initStarted = performance.now();
  const ok = await cr.initWasm(kernels ? { kernels } : {});
  const initMilliseconds = performance.now() - initStarted;
  if (kernels) await cr.initWasm({ kernels });
  if (cr.wasmStatus().sharedMemory) cr.setThreads(2);
  for (let i = 0; i < 250 && cr.wasmStatus().threadsRunning < cr.wasmStatus().threads; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const steps = Number(params.get("steps") ?? 20);
  const batch = 128;
  const net = cr.chapter.mlp({ inputs: 784, hidden: 256, outputs: 10, seed: 0 });
  const opt = new cr.optim.SGD(net.parameters(), { lr: 0.1 });
  const x = cr.rand([batch, 784], { seed: 1 });
  const y = cr.randint(0, 10, [batch], { seed: 2, dtype: "int32" });
  const losses = [];
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    losses.push(
      cr.tidy(() => {
        opt.zeroGrad();
        const loss = cr.nn.crossEntropy(net.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    ok,
    backend: cr.getBackend().name,
    status: cr.wasmStatus(),
    isolated: self.crossOriginIsolated,
    losses,
    examplesPerSecond: (steps * batch) / seconds,
    initMilliseconds,
    warnings,
  };
}

window.result = run().catch((e) => ({ error: String(e?.stack ?? e) }));
