// Reading a file the user named: any failure (missing, a folder, no permission) becomes a one-line
// InputError that names the file and says why, instead of Node's error with its stack.
import { readFileSync } from "node:fs";
import { failInput } from "../errors.js";

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a folder, not a file",
  ENOTDIR: "a part of the path is not a folder",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
};

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? (error as Error).message;
}

/** The bytes of `path`; `op` names the reader in the error (`op: cannot read PATH: no such file`). */
export function readInput(op: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    return failInput(op, `cannot read ${path}: ${why(error)}`);
  }
}

/** The text of `path` as UTF-8. */
export function readInputText(op: string, path: string): string {
  return readInput(op, path).toString("utf8");
}
