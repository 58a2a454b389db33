// Call sites for anomaly mode: a stack captured when a node is recorded, shown as its first frames outside
// Chainrule's own source folder (src/, or dist/ once built), so an error points at the user's line.

/**
 * The library's folder (…/src/ or …/dist/) and the package's bin/ beside it, as stack frames show them: a file
 * URL's path, percent-encoded or not. Taken from this module's URL by string, so bundlers see no asset
 * reference; in a bundle, where the URL has no tensor/ folder, nothing counts as the library's.
 */
const HERE = String(import.meta.url);
const ROOT = HERE.includes("/tensor/") ? HERE.slice(0, HERE.lastIndexOf("/tensor/") + 1) : "";
const LIBRARY = ROOT.replace(/^file:\/\//, "");
const LIBRARY_PATH = safeDecode(LIBRARY);
const BIN = LIBRARY.replace(/[^/]+\/$/, "bin/");
const BIN_PATH = safeDecode(BIN);
const FOLDERS = [LIBRARY, LIBRARY_PATH, BIN, BIN_PATH].filter((f) => f !== "");

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The recording machinery itself: never worth showing, even when no frame lies outside the library. */
const MACHINERY =
  ROOT === "" ? [] : ["tensor/", "ops/", "autograd/"].flatMap((d) => [LIBRARY + d, LIBRARY_PATH + d]);
/** Frames kept per capture: deep enough to get past the library's own frames (modules, tidy, training). */
const DEPTH = 64;

/** A stack captured here; formatted only if an anomaly report needs it (V8 formats lazily). */
export function captureSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DEPTH;
  const at = new Error("recorded here");
  Error.stackTraceLimit = limit;
  return at;
}

function inLibrary(frame: string): boolean {
  return FOLDERS.some((folder) => frame.includes(folder));
}

/** A frame worth showing: one in a file (not a native or internal function such as Array.forEach). */
function inFile(frame: string): boolean {
  return frame.startsWith("at ") && /:\d+:\d+\)?$/.test(frame) && !frame.includes("node:");
}

/**
 * The first `count` frames of `at` outside the library, one per line; where every frame is inside (the
 * command line, fit), the first ones outside its recording machinery, marked as inside Chainrule.
 */
export function describeSite(at: Error | null, count = 3, indent = "    "): string {
  if (at === null) return `${indent}(not known: the op was recorded while anomaly mode was off)`;
  const frames = (at.stack ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(inFile);
  const outside = frames.filter((f) => !inLibrary(f));
  if (outside.length > 0)
    return outside
      .slice(0, count)
      .map((f) => indent + f)
      .join("\n");
  const inner = frames.filter((f) => !MACHINERY.some((m) => f.includes(m)));
  if (inner.length === 0) return `${indent}(no frame outside the library's op machinery)`;
  return `${inner
    .slice(0, count)
    .map((f) => indent + f)
    .join("\n")}\n${indent}(all inside Chainrule)`;
}
