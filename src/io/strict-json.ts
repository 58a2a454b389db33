// A small strict JSON parser for untrusted headers: rejects duplicate keys and prototype-polluting names
// ("__proto__", "constructor", "prototype"), bounds nesting depth, and returns null-prototype objects.
import { fail } from "../errors.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Object keys refused everywhere, as they could reach or shadow a prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
const MAX_DEPTH = 16;

export function parseStrictJson(op: string, text: string): Json {
  let i = 0;
  const error = (what: string): never => fail(op, `invalid header JSON at character ${i}: ${what}`);
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  /** Skips white space, then consumes `c` if it comes next: whether it did. */
  const take = (c: string): boolean => {
    space();
    if (text[i] !== c) return false;
    i++;
    return true;
  };
  const string = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      const c = text[i];
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') break;
      else if (c < " ") error("control character in a string");
      i++;
    }
    if (i >= text.length) error("unterminated string");
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return error("bad escape in a string");
    }
  };
  const value = (depth: number): Json => {
    if (depth > MAX_DEPTH) error(`nesting deeper than ${MAX_DEPTH}`);
    space();
    const c = text[i];
    if (c === "{") {
      i++;
      const out: { [key: string]: Json } = Object.create(null);
      if (take("}")) return out;
      for (;;) {
        space();
        if (text[i] !== '"') error("expected a key");
        const key = string();
        if (FORBIDDEN_KEYS.has(key)) error(`forbidden key "${key}"`);
        if (Object.hasOwn(out, key)) error(`duplicate key "${key}"`);
        if (!take(":")) error("expected ':'");
        out[key] = value(depth + 1);
        if (take(",")) continue;
        if (take("}")) return out;
        error("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const out: Json[] = [];
      if (take("]")) return out;
      for (;;) {
        out.push(value(depth + 1));
        if (take(",")) continue;
        if (take("]")) return out;
        error("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (!literal) return error("unexpected character");
    i += literal[0].length;
    return JSON.parse(literal[0]) as Json;
  };
  const result = value(0);
  space();
  if (i !== text.length) error("trailing characters");
  return result;
}
