// The safetensors codec: round trips of every dtype (0-d and empty included), the byte layout read back by an
// independent parser, and a refusal with a clear ChainruleError for each way a file can be malformed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as cr from "../../src/index.js";
import { loadTensors, saveTensors } from "../../src/io/model-file.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  type RawTensor,
} from "../../src/io/safetensors.js";

const concat = (chunks: readonly Uint8Array[]): Uint8Array => Buffer.concat(chunks);
const encode = (tensors: Record<string, RawTensor>, metadata?: Record<string, string>) =>
  concat(encodeSafetensors(new Map(Object.entries(tensors)), metadata));

/** A file from a header (an object, or raw JSON text), its data bytes, and optionally a forged length. */
function file(header: object | string, data: Uint8Array | number = 0, length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  return rawFile(json, data, length);
}

function rawFile(headerBytes: Uint8Array, data: Uint8Array | number = 0, length?: bigint): Uint8Array {
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, length ?? BigInt(headerBytes.length), true);
  return concat([prefix, headerBytes, typeof data === "number" ? new Uint8Array(data) : data]);
}

function refuses(bytes: Uint8Array, ...patterns: RegExp[]): void {
  assert.throws(
    () => decodeSafetensors(bytes, "bad.safetensors"),
    (error: unknown) => {
      assert.ok(error instanceof cr.ChainruleError, `expected a ChainruleError, got ${String(error)}`);
      assert.match(error.message, /^safetensors: bad\.safetensors: /, "the message names the file");
      for (const p of patterns) assert.match(error.message, p);
      return true;
    },
  );
}

const f32 = (shape: number[], begin: number) => ({
  dtype: "F32",
  shape,
  data_offsets: [begin, begin + 4 * shape.reduce((a, b) => a * b, 1)],
});

const SAMPLE: Record<string, RawTensor> = {
  f32: {
    dtype: "float32",
    shape: [2, 3],
    data: Float32Array.of(1.5, -0, Number.NaN, Infinity, -Infinity, 3.4e38),
  },
  f64: { dtype: "float64", shape: [4], data: Float64Array.of(Math.PI, -1e-300, 5e-324, Number.MAX_VALUE) },
  i32: { dtype: "int32", shape: [2, 2], data: Int32Array.of(-2147483648, 2147483647, 0, -7) },
  flags: { dtype: "bool", shape: [3], data: Uint8Array.of(1, 0, 1) },
  scalar: { dtype: "float32", shape: [], data: Float32Array.of(42.25) },
  scalar64: { dtype: "float64", shape: [], data: Float64Array.of(-0.125) },
  empty: { dtype: "float64", shape: [0], data: new Float64Array(0) },
  empty3d: { dtype: "int32", shape: [2, 0, 3], data: new Int32Array(0) },
  emptyBool: { dtype: "bool", shape: [0], data: new Uint8Array(0) },
};

function sameRaw(actual: RawTensor | undefined, expected: RawTensor, what: string): void {
  assert.ok(actual, `${what} is missing`);
  assert.equal(actual.dtype, expected.dtype, what);
  assert.deepEqual(actual.shape, expected.shape, what);
  assert.equal(actual.data.constructor, expected.data.constructor, what);
  assert.equal(actual.data.length, expected.data.length, what);
  expected.data.forEach((v, i) => {
    assert.ok(Object.is(actual.data[i], v), `${what}[${i}]: ${actual.data[i]} vs ${v}`);
  });
}

describe("safetensors: round trips", () => {
  test("every dtype, 0-d and empty tensors, bit for bit (NaN, −0, ±∞, denormals); metadata too", () => {
    const bytes = encode(SAMPLE, { note: "héllo ✓", empty: "" });
    const decoded = decodeSafetensors(bytes);
    assert.deepEqual([...decoded.tensors.keys()].sort(), Object.keys(SAMPLE).sort());
    for (const [name, t] of Object.entries(SAMPLE)) sameRaw(decoded.tensors.get(name), t, name);
    assert.deepEqual(decoded.metadata, { note: "héllo ✓", empty: "" });
    assert.equal(Object.getPrototypeOf(decoded.metadata), Object.prototype);
  });

  test("a file with no tensors, and tensors read from a Uint8Array view at an odd offset", () => {
    assert.equal(decodeSafetensors(encode({})).tensors.size, 0);
    const bytes = encode({ x: SAMPLE.f64 });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    sameRaw(decodeSafetensors(shifted.subarray(3)).tensors.get("x"), SAMPLE.f64, "x");
  });

  test("saveTensors/loadTensors keep values, dtypes, shapes and metadata; loaded tensors are parameters", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-st-"));
    try {
      const tensors = {
        w: cr.tensor([[0.1, -0.2, 0.3]], { dtype: "float64" }),
        b: cr.tensor([1.5]),
        n: cr.tensor([3, -4], { dtype: "int32" }),
        m: cr.tensor([true, false]),
        s: cr.full([], 7),
        e: cr.zeros([0, 2]),
      };
      const path = join(dir, "sub", "t.safetensors");
      saveTensors(tensors, path, { metadata: { epoch: "3" } });
      const { tensors: loaded, metadata } = loadTensors(path);
      assert.deepEqual(metadata, { format: "chainrule", epoch: "3" });
      assert.deepEqual(Object.keys(loaded).sort(), Object.keys(tensors).sort());
      for (const [name, t] of Object.entries(tensors)) {
        const l = loaded[name];
        assert.equal(l.dtype, t.dtype, name);
        assert.deepEqual(l.shape, t.shape, name);
        assert.deepEqual(l.toArray(), t.toArray(), name);
        assert.equal(l.memoryTag, "parameter", name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("safetensors: the layout, read by an independent parser", () => {
  /** A minimal reader written from the format's description, sharing no code with src/io. */
  function readIndependently(bytes: Uint8Array) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8"));
    const start = 8 + n;
    const out: Record<
      string,
      { dtype: string; shape: number[]; values: number[]; begin: number; end: number }
    > = {};
    for (const [name, entry] of Object.entries(
      header as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>,
    )) {
      if (name === "__metadata__") continue;
      const [begin, end] = entry.data_offsets;
      const values: number[] = [];
      const size = { F32: 4, F64: 8, I32: 4, BOOL: 1 }[entry.dtype]!;
      for (let at = start + begin; at < start + end; at += size) {
        if (entry.dtype === "F32") values.push(view.getFloat32(at, true));
        else if (entry.dtype === "F64") values.push(view.getFloat64(at, true));
        else if (entry.dtype === "I32") values.push(view.getInt32(at, true));
        else values.push(view.getUint8(at));
      }
      out[name] = { dtype: entry.dtype, shape: entry.shape, values, begin, end };
    }
    return {
      headerLength: n,
      headerText: Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8"),
      header,
      tensors: out,
      dataLength: bytes.length - start,
    };
  }

  test("8-byte little-endian length, JSON header padded to 8 bytes, then contiguous data in name order", () => {
    const bytes = encode(SAMPLE, { note: "x" });
    const r = readIndependently(bytes);
    assert.equal((8 + r.headerLength) % 8, 0, "the data starts 8-byte aligned");
    assert.match(r.headerText, /^\{.*\} *$/);
    assert.deepEqual(r.header.__metadata__, { note: "x" });
    const codes = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
    let cursor = 0;
    for (const name of Object.keys(SAMPLE).sort()) {
      const t = r.tensors[name];
      assert.equal(t.begin, cursor, `${name} starts where the previous tensor ended`);
      cursor = t.end;
      assert.equal(t.dtype, codes[SAMPLE[name].dtype]);
      assert.deepEqual(t.shape, SAMPLE[name].shape);
      assert.deepEqual(t.values, Array.from(SAMPLE[name].data));
    }
    assert.equal(cursor, r.dataLength, "no bytes after the last tensor");
  });

  test("names and metadata outside ASCII still leave the data 8-byte aligned", () => {
    for (const name of ["größe", "重み", "😀", "a"]) {
      const bytes = encode({ [name]: SAMPLE.f32 }, { clé: "valeur ✓" });
      const r = readIndependently(bytes);
      assert.equal((8 + r.headerLength) % 8, 0, name);
      assert.deepEqual(r.tensors[name].values.slice(0, 2), [1.5, -0]);
      sameRaw(decodeSafetensors(bytes).tensors.get(name), SAMPLE.f32, name);
    }
  });

  test("the encoder refuses what the decoder would refuse: forbidden names, bad metadata, mismatched data", () => {
    for (const name of ["__proto__", "constructor", "prototype", "", "__metadata__", "x".repeat(1025)]) {
      assert.throws(() => encode({ [name]: SAMPLE.scalar }), cr.ChainruleError, JSON.stringify(name));
    }
    assert.throws(() => encode({}, { constructor: "x" }), cr.ChainruleError);
    assert.throws(() => encode({}, { n: 3 as unknown as string }), /not a string/);
    assert.throws(() => encode({ x: { dtype: "float32", shape: [3], data: new Float32Array(2) } }), /"x"/);
    assert.throws(() => encode({ x: { dtype: "float32", shape: [2], data: new Float64Array(2) } }), /"x"/);
    const proto = Object.fromEntries([["__proto__", SAMPLE.scalar]]) as Record<string, RawTensor>;
    assert.throws(() => encode(proto), /forbidden/);
  });
});

describe("safetensors: malformed files are refused with a clear message", () => {
  const four = new Uint8Array(16);

  test("too short, header length beyond the file, absurd, or zero", () => {
    refuses(new Uint8Array(0), /0 bytes is too short/);
    refuses(new Uint8Array(7), /7 bytes is too short/);
    refuses(file({}, 0, 1000n), /header length 1000 exceeds the file \(10 bytes\)/);
    refuses(file({}, 0, 2n ** 64n - 1n), /header length 18446744073709551615 exceeds/);
    refuses(file({}, 0, 2n ** 53n + 1n), /exceeds/);
    const huge = rawFile(new Uint8Array(MAX_HEADER_BYTES + 8).fill(0x20), 0);
    refuses(huge, new RegExp(`${MAX_HEADER_BYTES}-byte limit`));
    refuses(file({}, 0, 0n), /invalid header JSON/);
  });

  test("offsets outside the data, reversed, or not a pair of non-negative integers", () => {
    refuses(
      file({ a: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, 8),
      /"a" bytes \[0, 16\) fall outside the 8-byte data section/,
    );
    refuses(
      file({ a: { dtype: "F32", shape: [0], data_offsets: [9, 9] } }, 8),
      /"a" bytes \[9, 9\) fall outside/,
    );
    refuses(file({ a: { dtype: "F32", shape: [1], data_offsets: [8, 4] } }, 8), /"a" bytes \[8, 4\)/);
    for (const offsets of [[0], [0, 4, 8], [-4, 0], [0.5, 4.5], ["0", "4"], null, "0-4", [0, 2 ** 60]]) {
      refuses(
        file({ a: { dtype: "F32", shape: [1], data_offsets: offsets } }, 4),
        /"a"/,
        /data_offsets|outside/,
      );
    }
  });

  test("overlapping tensors, gaps, and bytes after the last tensor", () => {
    refuses(file({ a: f32([2], 0), b: f32([2], 4) }, 12), /overlaps/);
    refuses(file({ a: f32([2], 0), b: f32([1], 0) }, 8), /overlaps/);
    refuses(
      file({ a: f32([3], 0), e: { dtype: "F32", shape: [0], data_offsets: [4, 4] } }, 12),
      /"e" overlaps/,
    );
    refuses(file({ a: f32([1], 0), b: f32([1], 8) }, 12), /a gap of 4 bytes before "b"/);
    refuses(file({ a: f32([1], 4) }, 8), /a gap of 4 bytes before "a"/);
    refuses(file({ a: f32([1], 0) }, 8), /4 bytes after the last tensor/);
    refuses(file({}, 3), /3 bytes after the last tensor/);
    // Two empty tensors may share an offset.
    assert.equal(
      decodeSafetensors(file({ a: f32([0], 4), b: f32([0], 4), c: f32([1], 0) }, 4)).tensors.size,
      3,
    );
  });

  test("a byte length that is not the dtype's size times the shape's product", () => {
    refuses(
      file({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8),
      /"a" is float32 \[3\]: needs 12 bytes but data_offsets give 8/,
    );
    refuses(file({ a: { dtype: "F64", shape: [2, 2], data_offsets: [0, 16] } }, 16), /needs 32 bytes/);
    refuses(
      file({ a: { dtype: "BOOL", shape: [], data_offsets: [0, 0] } }, 0),
      /needs 1 bytes but data_offsets give 0/,
    );
    // Shapes whose product overflows are refused, not wrapped around.
    refuses(
      file({ a: { dtype: "F32", shape: [2 ** 40, 2 ** 40, 0.5 * 2 ** 12], data_offsets: [0, 16] } }, four),
      /"a"/,
    );
    refuses(
      file({ a: { dtype: "I32", shape: [2 ** 31, 2 ** 31, 2 ** 31, 2 ** 31], data_offsets: [0, 16] } }, four),
      /is int32/,
    );
  });

  test("unknown dtypes, and shapes that are negative, fractional, too long or not arrays", () => {
    for (const dtype of ["F16", "BF16", "U8", "f32", "", 4, null]) {
      refuses(
        file({ a: { dtype, shape: [1], data_offsets: [0, 4] } }, 4),
        /"a" has unsupported dtype/,
        /supported: F32, F64, I32, BOOL/,
      );
    }
    for (const shape of [
      [-1],
      [1.5],
      ["1"],
      [null],
      "1",
      1,
      null,
      {},
      new Array(33).fill(1),
      [Number.MAX_SAFE_INTEGER + 2],
    ]) {
      refuses(file({ a: { dtype: "F32", shape, data_offsets: [0, 4] } }, 4), /"a" has an invalid shape/);
    }
    refuses(file({ a: { dtype: "F32", data_offsets: [0, 4] } }, 4), /invalid shape undefined/);
  });

  test("prototype keys anywhere in the header: __proto__, constructor, prototype", () => {
    const t = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    for (const key of ["__proto__", "constructor", "prototype"]) {
      refuses(file(`{"${key}":${t}}`, 4), new RegExp(`forbidden key "${key}"`));
      refuses(file(`{"__metadata__":{"${key}":"x"},"a":${t}}`, 4), /forbidden key/);
      refuses(file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"${key}":{}}}`, 4), /forbidden key/);
      // An escaped spelling is the same key.
      refuses(file(`{"${key.replace("_", "\\u005f").replace("c", "\\u0063")}":${t}}`, 4), /forbidden key/);
    }
    assert.equal(({} as Record<string, unknown>).dtype, undefined, "Object.prototype is untouched");
  });

  test("duplicate names, non-object headers, invalid UTF-8 and invalid JSON", () => {
    const t = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    refuses(file(`{"a":${t},"a":${t}}`, 4), /duplicate key "a"/);
    refuses(
      file(`{"a":${t},"b":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, 4),
      /duplicate key "dtype"/,
    );
    refuses(file(`{"__metadata__":{},"__metadata__":{}}`), /duplicate key "__metadata__"/);
    for (const header of ["[]", '"x"', "3", "null", "true", "[{}]"])
      refuses(file(header), /the header is not a JSON object/);
    refuses(rawFile(Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)), /not valid UTF-8/);
    refuses(rawFile(Uint8Array.of(0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d)), /not valid UTF-8/);
    refuses(rawFile(Uint8Array.of(0x7b, 0x7d, 0xc3)), /not valid UTF-8/);
    for (const text of [
      "{",
      '{"a"',
      '{"a":}',
      "{'a':1}",
      '{"a":1,}',
      '{"a":1}x',
      '{"a":01}',
      '{"a":"\\x"}',
      '{"a":"\n"}',
      "{}\0",
      "\ufeff{}",
    ]) {
      refuses(file(text), /invalid header JSON at character \d+/);
    }
    refuses(file("[".repeat(100_000)), /nesting deeper than 16/);
  });

  test("bad __metadata__: not an object, or values that are not strings", () => {
    for (const meta of ['"x"', "[]", "null", "3", '["a"]'])
      refuses(file(`{"__metadata__":${meta}}`), /__metadata__ must be an object of strings/);
    refuses(file({ __metadata__: { k: 1 } }), /__metadata__ "k" is not a string/);
    refuses(file({ __metadata__: { k: { nested: "x" } } }), /__metadata__ "k" is not a string/);
    refuses(file({ __metadata__: { k: null } }), /"k" is not a string/);
  });

  test("entries that are not objects, have unknown fields, or empty names", () => {
    refuses(file({ a: [0, 4] }, 4), /"a" is not an object/);
    refuses(file({ a: "F32" }, 4), /"a" is not an object/);
    refuses(file({ a: { ...f32([1], 0), extra: 1 } }, 4), /"a" has unknown fields extra/);
    refuses(file({ "": f32([1], 0) }, 4), /name of length 0/);
    refuses(file({ ["n".repeat(1025)]: f32([1], 0) }, 4), /name of length 1025/);
  });

  test("loadTensors names the file it cannot read or refuses, as an InputError", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-st-"));
    try {
      assert.throws(
        () => loadTensors(join(dir, "missing.safetensors")),
        (e: unknown) => e instanceof cr.InputError && /cannot read .*missing\.safetensors/.test(e.message),
      );
      const bad = join(dir, "bad.safetensors");
      writeFileSync(bad, file({ a: f32([1], 0) }, 8));
      assert.throws(
        () => loadTensors(bad),
        (e: unknown) =>
          e instanceof cr.InputError && e.message.includes(bad) && /after the last tensor/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
