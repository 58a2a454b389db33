// The errors Chainrule throws, so callers can tell our messages from their own bugs: ChainruleError,
// InputError for what comes from outside the code (a file or package that is missing, unreadable or corrupt),
// and AnomalyError for a NaN or ±inf that anomaly mode caught.

export class ChainruleError extends Error {
  override name = "ChainruleError";
}

/**
 * The data, not the code, is at fault: a file that is missing, unreadable or not what it should be (a
 * corrupt model, a bad CSV), or an optional package that is not installed. The CLI exits 2 on it.
 */
export class InputError extends ChainruleError {
  override name = "InputError";
}

/** Anomaly mode (`detectAnomaly`) found a NaN or ±inf: the message names the op, its inputs and the call site. */
export class AnomalyError extends ChainruleError {
  override name = "AnomalyError";
}

/** Throws `op: message`; every error names the op it came from. */
export function fail(op: string, message: string): never {
  throw new ChainruleError(`${op}: ${message}`);
}

/** Throws `op: message` as an InputError. */
export function failInput(op: string, message: string): never {
  throw new InputError(`${op}: ${message}`);
}

/** Runs `read`; a ChainruleError it throws becomes an InputError with the same message (the input is bad). */
export function asInput<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ChainruleError && !(error instanceof InputError)) {
      throw new InputError(error.message, { cause: error });
    }
    throw error;
  }
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
