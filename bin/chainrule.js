#!/usr/bin/env node
// The `chainrule` command. Installed from npm it runs the compiled CLI in dist/; in a checkout of the
// repository it runs the TypeScript sources through tsx, so it never runs stale code.
const installed = import.meta.url.includes("/node_modules/");
if (installed) {
  await import(new URL("../dist/cli/main.js", import.meta.url).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
