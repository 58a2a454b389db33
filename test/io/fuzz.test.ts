// Fuzzing the safetensors decoder (seeded, a few seconds): truncations at every length, random bit flips and
// byte swaps, random JSON-ish headers and mutated valid headers. Every outcome must be a successful, consistent
// decode or a ChainruleError; any other exception, or a hang, fails the test.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import {
  type Decoded,
  decodeSafetensors,
  encodeSafetensors,
  type RawTensor,
} from "../../src/io/safetensors.js";

const SAMPLE = new Map<string, RawTensor>([
  ["weight", { dtype: "float32", shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 0, Number.NaN, 1e-3) }],
  ["bias", { dtype: "float64", shape: [2], data: Float64Array.of(0.25, -7) }],
  ["count", { dtype: "int32", shape: [], data: Int32Array.of(12) }],
  ["mask", { dtype: "bool", shape: [3], data: Uint8Array.of(1, 0, 1) }],
  ["none", { dtype: "float32", shape: [0, 4], data: new Float32Array(0) }],
]);
const VALID: Uint8Array = Buffer.concat(encodeSafetensors(SAMPLE, { epoch: "3" }));
const HEADER_END = 8 + Number(new DataView(VALID.buffer, VALID.byteOffset).getBigUint64(0, true));

const hex = (b: Uint8Array) => Buffer.from(b.subarray(0, 200)).toString("hex");

/** Decodes; a ChainruleError is "refused", anything else thrown fails the test with the input that caused it. */
function attempt(bytes: Uint8Array): Decoded | "refused" {
  try {
    return decodeSafetensors(bytes, "fuzz");
  } catch (error) {
    if (error instanceof cr.ChainruleError) {
      assert.match(error.message, /^safetensors: fuzz: /);
      return "refused";
    }
    assert.fail(
      `decode threw ${String(error)} (not a ChainruleError) for ${bytes.length} bytes ${hex(bytes)}`,
    );
  }
}

const SIZES = { float32: 4, float64: 8, int32: 4, bool: 1 };
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };

/** A decode that succeeded must describe real tensors, and encoding it again must give the same tensors back. */
function checkConsistent(decoded: Decoded, bytes: Uint8Array): void {
  let total = 0;
  for (const [name, t] of decoded.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    assert.ok(t.data instanceof ARRAYS[t.dtype], `${name}: storage matches ${t.dtype}`);
    assert.equal(t.data.length, size, `${name}: ${t.data.length} values for shape [${t.shape}]`);
    total += size * SIZES[t.dtype];
  }
  const dataStart = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  assert.equal(total, bytes.length - dataStart, "the tensors cover the data section exactly");
  for (const v of Object.values(decoded.metadata)) assert.equal(typeof v, "string");
  const again = decodeSafetensors(Buffer.concat(encodeSafetensors(decoded.tensors, decoded.metadata)));
  assert.deepEqual([...again.tensors.keys()].sort(), [...decoded.tensors.keys()].sort());
  for (const [name, t] of decoded.tensors) {
    const u = again.tensors.get(name)!;
    assert.deepEqual([u.dtype, u.shape], [t.dtype, t.shape], name);
    assert.deepEqual(
      Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength),
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    );
  }
}

/** Outcome counts, checking every success. */
function run(inputs: Iterable<Uint8Array>): { ok: number; refused: number } {
  const counts = { ok: 0, refused: 0 };
  for (const bytes of inputs) {
    const result = attempt(bytes);
    if (result === "refused") counts.refused++;
    else {
      checkConsistent(result, bytes);
      counts.ok++;
    }
  }
  return counts;
}

function withLength(header: string | Uint8Array, data: Uint8Array): Uint8Array {
  const h = typeof header === "string" ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe("safetensors fuzzing", { timeout: 30_000 }, () => {
  test("the sample decodes; truncation at every length and any appended bytes are refused", () => {
    assert.equal(attempt(VALID) === "refused", false);
    function* cuts() {
      for (let n = 0; n < VALID.length; n++) yield VALID.subarray(0, n);
    }
    assert.deepEqual(run(cuts()), { ok: 0, refused: VALID.length });
    function* longer() {
      for (let n = 1; n <= 16; n++) yield Buffer.concat([VALID, new Uint8Array(n).fill(n)]);
    }
    assert.deepEqual(run(longer()), { ok: 0, refused: 16 });
  });

  test("random bit flips and byte swaps (seeded) decode consistently or are refused", () => {
    const g = new cr.Generator(20240601);
    const interesting = [
      0, 0xff, 0x80, 0x20, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x2d, 0x30, 0x39, 0x65, 0x2e,
    ];
    function* mutants() {
      for (let i = 0; i < 4000; i++) {
        const bytes = Uint8Array.from(VALID);
        const edits = 1 + g.integer(0, 3);
        for (let e = 0; e < edits; e++) {
          // Three edits in four hit the length prefix or the header, where the decoder has decisions to make.
          const at = g.uniform() < 0.75 ? g.integer(0, HEADER_END) : g.integer(0, bytes.length);
          if (g.uniform() < 0.5) bytes[at] ^= 1 << g.integer(0, 8);
          else bytes[at] = interesting[g.integer(0, interesting.length)];
        }
        yield bytes;
      }
    }
    const counts = run(mutants());
    assert.equal(counts.ok + counts.refused, 4000);
    assert.ok(counts.ok > 100 && counts.refused > 1000, `both outcomes occur: ${JSON.stringify(counts)}`);
  });

  test("random JSON-ish headers with a valid length prefix are refused or decode consistently", () => {
    const g = new cr.Generator(7);
    const tokens = [
      "{",
      "}",
      "[",
      "]",
      ":",
      ",",
      '"',
      " ",
      "\\",
      "\\u0000",
      "\\ud800",
      "\n",
      "\u00e9",
      "\u{1f600}",
      "\u0001",
      "0",
      "1",
      "4",
      "-1",
      "1e400",
      "-0",
      "0.5",
      "8",
      "12",
      "24",
      "9007199254740993",
      "true",
      "false",
      "null",
      '"dtype"',
      '"shape"',
      '"data_offsets"',
      '"F32"',
      '"F64"',
      '"I32"',
      '"BOOL"',
      '"__metadata__"',
      '"__proto__"',
      '"constructor"',
      '"a"',
      '"b"',
      '""',
    ];
    const keys = ["dtype", "shape", "data_offsets", "__metadata__", "a", "b", "", "__proto__", "constructor"];
    const scalars = [0, 1, 4, 8, -1, 0.5, 2 ** 53, "F32", "BOOL", "I32", "x", null, true];
    /** Well-formed JSON of random structure, so the checks after parsing are reached too. */
    const randomJson = (depth: number): string => {
      const roll = g.uniform();
      if (depth > 3 || roll < 0.3) return JSON.stringify(scalars[g.integer(0, scalars.length)]);
      const n = g.integer(0, 4);
      const items = Array.from({ length: n }, () => randomJson(depth + 1));
      if (roll < 0.55) return `[${items.join(",")}]`;
      return `{${items.map((v) => `${JSON.stringify(keys[g.integer(0, keys.length)])}:${v}`).join(",")}}`;
    };
    function* headers() {
      for (let i = 0; i < 3000; i++) {
        let text = "";
        if (i % 2 === 0) text = randomJson(0);
        else {
          const n = g.integer(0, 40);
          if (g.uniform() < 0.7) text += "{";
          for (let k = 0; k < n; k++) text += tokens[g.integer(0, tokens.length)];
          if (g.uniform() < 0.5) text += "}";
        }
        const data = new Uint8Array(g.integer(0, 32)).map(() => g.integer(0, 256));
        yield withLength(text, data);
      }
    }
    const counts = run(headers());
    assert.equal(counts.ok + counts.refused, 3000);
    assert.ok(counts.ok > 0, "some random headers are valid (empty objects, metadata only)");
  });

  test("valid headers with one field replaced by a random value decode consistently or are refused", () => {
    const g = new cr.Generator(99);
    const header = JSON.parse(Buffer.from(VALID.subarray(8, HEADER_END)).toString("utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    const data = VALID.subarray(HEADER_END);
    const pool: unknown[] = [
      -1,
      0,
      1,
      2,
      3,
      4,
      6,
      8,
      12,
      24,
      28,
      48,
      72,
      2 ** 31,
      2 ** 32 + 4,
      2 ** 53,
      1e308,
      0.5,
      -0,
      "4",
      "F32",
      "F64",
      "I32",
      "BOOL",
      "F16",
      "",
      null,
      true,
      [],
      [0],
      [2, 3],
      [0, 4],
      [4, 0],
      [-1, 3],
      [1e20, 1e20],
      [2 ** 31, 2 ** 31, 2],
      {},
      { a: "b" },
      { dtype: "F32" },
      [[1]],
      "x".repeat(2000),
    ];
    const pick = () => structuredClone(pool[g.integer(0, pool.length)]);
    function* mutants() {
      for (let i = 0; i < 3000; i++) {
        const h = structuredClone(header);
        const names = Object.keys(h);
        const name = names[g.integer(0, names.length)];
        const roll = g.uniform();
        if (roll < 0.55) {
          const fields =
            name === "__metadata__" ? ["epoch", "other"] : ["dtype", "shape", "data_offsets", "extra"];
          h[name][fields[g.integer(0, fields.length)]] = pick();
        } else if (roll < 0.7) {
          const arr = h[name].data_offsets ?? h[name].shape;
          if (Array.isArray(arr) && arr.length > 0) arr[g.integer(0, arr.length)] = pick();
        } else if (roll < 0.8) {
          (h as Record<string, unknown>)[name] = pick();
        } else if (roll < 0.9) {
          delete h[name];
        } else {
          const other = names[g.integer(0, names.length)];
          h[`${other}2`] = structuredClone(h[other]);
        }
        const bytes = g.uniform() < 0.8 ? data : data.subarray(0, g.integer(0, data.length));
        yield withLength(JSON.stringify(h), bytes);
      }
    }
    const counts = run(mutants());
    assert.ok(counts.ok > 0 && counts.refused > 1000, JSON.stringify(counts));
  });
});
