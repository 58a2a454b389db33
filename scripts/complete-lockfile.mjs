// Completes package-lock.json for `npm ci` on these machines: their registry mirror serves only Linux builds,
// so `npm install` leaves out other platforms' optional packages (biome, resvg) and `npm ci` then refuses the
// lock. This adds those entries with their os/cpu/libc fields; npm skips them here without fetching anything.
// Run after every `npm install`: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;
const pick = (name, options) => options.find((o) => name.includes(o));
let added = 0;
for (const meta of Object.values(packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    const name = dep.split("/").pop();
    const os = pick(name, ["darwin", "win32", "android", "linux", "freebsd"]);
    const cpu = pick(name, ["arm64", "x64", "ia32", "arm"]);
    const entry = { version, optional: true };
    if (meta.dev) entry.dev = true;
    if (cpu) entry.cpu = [cpu];
    if (os) entry.os = [os];
    if (name.includes("musl")) entry.libc = ["musl"];
    else if (name.includes("gnu")) entry.libc = ["glibc"];
    packages[key] = entry;
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} entries`);
