// Debian's Chromium driven by playwright-core, as the browser tests start it: headless, a fresh profile
// under `work`, nothing fetched from outside.
import { existsSync, mkdtempSync } from "node:fs";
import { join } from "node:path";

export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests skip here, or false where Chromium is installed. */
export const chromiumMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)`;

/** A headless Chromium with a fresh profile in `work`; close() it when done. */
export async function launchChromium(work: string, viewport?: { width: number; height: number }) {
  const { chromium } = await import("playwright-core");
  return chromium.launchPersistentContext(mkdtempSync(join(work, "profile-")), {
    executablePath: CHROMIUM,
    ...(viewport ? { viewport } : {}),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
