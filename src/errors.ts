// The one error class Chainrule throws, so callers can tell our messages from their own bugs.

export class ChainruleError extends Error {
  override name = "ChainruleError";
}

/** Throws `op: message`; every error names the op it came from. */
export function fail(op: string, message: string): never {
  throw new ChainruleError(`${op}: ${message}`);
}

/** `value` when it is one of `choices`; otherwise an error that names the option and lists the valid values. */
export function oneOf<T extends string>(
  op: string,
  option: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!(choices as readonly unknown[]).includes(value)) {
    const valid = choices.map((c) => JSON.stringify(c)).join(", ");
    const got = typeof value === "string" ? JSON.stringify(value) : String(value);
    fail(op, `${option} must be one of ${valid}; got ${got}`);
  }
  return value as T;
}
