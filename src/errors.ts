// The one error class Chainrule throws, so callers can tell our messages from their own bugs.

export class ChainruleError extends Error {
  override name = "ChainruleError";
}

/** Throws `op: message`; every error names the op it came from. */
export function fail(op: string, message: string): never {
  throw new ChainruleError(`${op}: ${message}`);
}
