// Test helper: makes a package look uninstalled to require.resolve (how Chainrule finds optional data
// packages), so the message a user without it sees can be tested on a machine that has it.
import Module from "node:module";

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };

/** Until the returned function is called, resolving `name` or `name/…` fails with MODULE_NOT_FOUND. */
export function hidePackage(name: string): () => void {
  const original = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    if (request === name || request.startsWith(`${name}/`)) {
      throw Object.assign(new Error(`Cannot find module '${request}'`), { code: "MODULE_NOT_FOUND" });
    }
    return original.call(this, request, ...rest);
  };
  return () => {
    loader._resolveFilename = original;
  };
}
