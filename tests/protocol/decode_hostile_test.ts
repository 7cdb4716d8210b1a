/**
 * Hostile input for `decode`: random text, truncated and mutated real frames, wrong types, missing
 * fields, huge numbers, deep nesting, oversized frames, strict JSON and prototype pollution.
 *
 * The contract under test: `decode` never throws; it returns a message or a `decodeError` whose
 * reason is never `internal`, whose excerpt is a short piece of the input, and which agrees with
 * `JSON.parse` about what is and is not JSON.
 *
 * Every random case comes from a seeded mulberry32, and every assertion message names its seed.
 */

import assert from "node:assert/strict";
import { decode, type DecodeOptions, DEFAULT_MAX_FRAME_BYTES } from "../../src/protocol/decode.ts";
import { MAX_JSON_DEPTH } from "../../src/protocol/json_cursor.ts";
import type {
  DecodeError,
  DecodeErrorReason,
  JsonValue,
  KrakenMessage,
} from "../../src/protocol/messages.ts";
import { seededRandom } from "../fixtures.ts";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type Result = KrakenMessage | DecodeError;

function randInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[randInt(rand, items.length)];
}

function fixtureLines(name: string): string[] {
  const url = new URL(`../../../shared/fixtures/kraken-v2/${name}`, import.meta.url);
  return Deno.readTextFileSync(url).split("\n").filter((line) => line !== "");
}

/** Short, printable description of an input for assertion messages. */
function show(text: string): string {
  const shown = JSON.stringify(text);
  return shown.length <= 240 ? shown : `${shown.slice(0, 240)}... (${text.length} units)`;
}

function parses(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const REASONS: readonly DecodeErrorReason[] = [
  "malformed_json",
  "too_large",
  "too_deep",
  "wrong_type",
  "missing_field",
  "out_of_range",
  "internal",
];

/** Calls `decode`, turning a throw into a failed assertion that names the input. */
function decodeSafely(text: string, where: string, options?: DecodeOptions): Result {
  try {
    return decode(text, options);
  } catch (error) {
    assert.fail(`${where}: decode threw ${String(error)} on ${show(text)}`);
  }
}

/**
 * The invariants every result must keep, whatever the input: a `kind`, never `internal`, an error
 * shaped as documented, nothing accepted that is not JSON, and unknown frames equal to JSON.parse.
 */
function checkInvariants(text: string, result: Result, where: string): void {
  assert.equal(typeof result, "object", `${where}: result is not an object for ${show(text)}`);
  assert.equal(typeof result.kind, "string", `${where}: result has no kind for ${show(text)}`);
  if (result.kind === "decodeError") {
    checkErrorShape(text, result, where);
    return;
  }
  const parsed = parses(text);
  assert.ok(parsed.ok, `${where}: decode accepted text JSON.parse rejects: ${show(text)}`);
  if (result.kind === "unknown") {
    assert.equal(result.raw, text, `${where}: unknown.raw differs from the input`);
    assert.deepEqual(result.value, parsed.value, `${where}: unknown.value differs from JSON.parse`);
  }
}

function checkErrorShape(text: string, error: DecodeError, where: string): void {
  const context = `${where}: ${show(text)} -> ${JSON.stringify(error).slice(0, 300)}`;
  assert.ok(REASONS.includes(error.reason), `unknown reason, ${context}`);
  assert.notEqual(error.reason, "internal", `internal error, ${context}`);
  assert.equal(typeof error.detail, "string", `detail is not a string, ${context}`);
  assert.ok(error.detail.length > 0, `empty detail, ${context}`);
  assert.ok(Number.isInteger(error.offset), `offset is not an integer, ${context}`);
  assert.ok(error.offset >= 0 && error.offset <= text.length, `offset out of the text, ${context}`);
  assert.equal(typeof error.excerpt, "string", `excerpt is not a string, ${context}`);
  assert.ok(error.excerpt.length <= 80, `excerpt longer than 80, ${context}`);
  assert.ok(text.includes(error.excerpt), `excerpt is not a substring of the input, ${context}`);
  assert.equal(error.length, text.length, `length differs from the input, ${context}`);
}

/** Asserts a decodeError with `reason`, optionally with an excerpt and a detail showing `near`. */
function expectError(
  text: string,
  reason: DecodeErrorReason,
  where: string,
  near?: { excerpt?: string; detail?: string },
  options?: DecodeOptions,
): DecodeError {
  const result = decodeSafely(text, where, options);
  checkInvariants(text, result, where);
  assert.equal(result.kind, "decodeError", `${where}: expected ${reason}, got ${result.kind}`);
  const error = result as DecodeError;
  assert.equal(error.reason, reason, `${where}: ${error.detail} at ${error.offset}`);
  if (near?.excerpt !== undefined) {
    assert.ok(
      error.excerpt.includes(near.excerpt),
      `${where}: excerpt ${JSON.stringify(error.excerpt)} does not show ${near.excerpt}`,
    );
  }
  if (near?.detail !== undefined) {
    assert.ok(
      error.detail.includes(near.detail),
      `${where}: detail ${JSON.stringify(error.detail)} does not name ${near.detail}`,
    );
  }
  return error;
}

function expectKind<K extends Result["kind"]>(
  text: string,
  kind: K,
  where: string,
  options?: DecodeOptions,
): Extract<Result, { kind: K }> {
  const result = decodeSafely(text, where, options);
  checkInvariants(text, result, where);
  assert.equal(
    result.kind,
    kind,
    `${where}: expected ${kind}, got ${JSON.stringify(result).slice(0, 300)}`,
  );
  return result as Extract<Result, { kind: K }>;
}

/** `base` with `from` replaced by `to`; fails when `from` is not there, so no case is vacuous. */
function swap(base: string, from: string, to: string): string {
  assert.ok(base.includes(from), `test bug: ${show(base)} has no ${JSON.stringify(from)}`);
  return base.replace(from, to);
}

/**
 * Offset of the first RFC 8259 violation in `text` (the offending character, or the end of the
 * text), or -1 when the text is JSON. A reference for where a syntax error really is.
 */
function syntaxErrorOffset(text: string): number {
  let pos = 0;
  const stop = new Error("syntax");
  const fail = (): never => {
    throw stop;
  };
  const ws = () => {
    while (pos < text.length && " \t\n\r".includes(text[pos])) pos++;
  };
  const digits = () => {
    if (!/[0-9]/.test(text[pos] ?? "")) fail();
    while (/[0-9]/.test(text[pos] ?? "")) pos++;
  };
  const string = () => {
    pos++;
    for (;;) {
      if (pos >= text.length) fail();
      const code = text.charCodeAt(pos);
      if (code === 0x22) {
        pos++;
        return;
      }
      if (code < 0x20) fail();
      if (code === 0x5c) {
        pos++;
        const escape = text[pos];
        if (escape === "u") {
          pos++;
          for (let i = 0; i < 4; i++, pos++) if (!/[0-9a-fA-F]/.test(text[pos] ?? "")) fail();
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
          pos++;
        } else {
          fail();
        }
      } else {
        pos++;
      }
    }
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[pos] !== char) fail();
      pos++;
    }
  };
  const value = (): void => {
    ws();
    const char = text[pos];
    if (char === "{") {
      pos++;
      ws();
      if (text[pos] === "}") {
        pos++;
        return;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail();
        string();
        ws();
        if (text[pos] !== ":") fail();
        pos++;
        value();
        ws();
        if (text[pos] === ",") pos++;
        else if (text[pos] === "}") return void pos++;
        else fail();
      }
    } else if (char === "[") {
      pos++;
      ws();
      if (text[pos] === "]") {
        pos++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[pos] === ",") pos++;
        else if (text[pos] === "]") return void pos++;
        else fail();
      }
    } else if (char === '"') {
      string();
    } else if (char === "t") {
      literal("true");
    } else if (char === "f") {
      literal("false");
    } else if (char === "n") {
      literal("null");
    } else if (char === "-" || /[0-9]/.test(char ?? "")) {
      if (text[pos] === "-") pos++;
      if (text[pos] === "0") pos++;
      else digits();
      if (text[pos] === ".") {
        pos++;
        digits();
      }
      if (text[pos] === "e" || text[pos] === "E") {
        pos++;
        if (text[pos] === "+" || text[pos] === "-") pos++;
        digits();
      }
    } else {
      fail();
    }
  };
  try {
    value();
    ws();
    if (pos < text.length) fail();
    return -1;
  } catch (error) {
    if (error !== stop) throw error;
    return pos;
  }
}

/**
 * The differential against JSON.parse for one input: valid JSON is never `malformed_json`; text
 * JSON.parse rejects is always `malformed_json` or `too_deep` (syntax wins over any schema error
 * met first, as in `{"channel":"book","type":"update","data":[{"bids":[]}]}garbage`), and the
 * decoder never reports an error past the first syntax error: it never reads through one.
 * Returns which branch the input took.
 */
function checkDifferential(text: string, result: Result, where: string): "valid" | "invalid" {
  checkInvariants(text, result, where);
  const parsed = parses(text);
  const syntaxAt = syntaxErrorOffset(text);
  assert.equal(
    syntaxAt === -1,
    parsed.ok,
    `${where}: test reference validator disagrees with JSON.parse on ${show(text)}`,
  );
  if (parsed.ok) {
    if (result.kind === "decodeError") {
      assert.notEqual(
        result.reason,
        "malformed_json",
        `${where}: valid JSON reported malformed (${result.detail} at ${result.offset}): ${
          show(text)
        }`,
      );
    }
    return "valid";
  }
  assert.equal(result.kind, "decodeError", `${where}: invalid JSON accepted: ${show(text)}`);
  const error = result as DecodeError;
  assert.ok(
    error.offset <= syntaxAt,
    `${where}: error at ${error.offset} is past the first syntax error at ${syntaxAt}: ${
      show(text)
    }`,
  );
  assert.ok(
    error.reason === "malformed_json" || error.reason === "too_deep",
    `${where}: invalid JSON reported ${error.reason} (${error.detail}) at ${error.offset}, ` +
      `syntax error at ${syntaxAt}: ${show(text)}`,
  );
  return "invalid";
}

const SAMPLES = fixtureLines("samples.ndjson");
const LIVE = fixtureLines("live-btc-eth.ndjson").slice(0, 200);
const REAL_FRAMES = [...SAMPLES, ...LIVE];

const BOOK =
  '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63498.0,"qty":0.10000000}],"asks":[{"price":63501.9,"qty":0.00100000}],"checksum":2855135483,"timestamp":"2024-05-19T16:32:26.777454Z"}]}';
const TRADE =
  '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":63500.1,"qty":0.00500000,"ord_type":"market","trade_id":4665846,"timestamp":"2026-07-07T23:00:04.585581Z"}]}';
const TICKER =
  '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":63498.0,"bid_qty":1.5,"ask":63501.9,"ask_qty":0.25,"last":63500.1,"volume":912.5,"vwap":63100.4,"low":62000.0,"high":64000.0,"change":500.1,"change_pct":0.79,"timestamp":"2026-07-07T23:00:04.585581Z"}]}';
const OHLC =
  '{"channel":"ohlc","type":"update","data":[{"symbol":"ETH/USD","open":3000.1,"high":3010.5,"low":2990.0,"close":3005.2,"vwap":3001.7,"trades":42,"volume":12.5,"interval_begin":"2026-07-07T23:00:00.000000000Z","interval":60,"timestamp":"2026-07-07T24:00:00.000000Z"}]}';
const ACK =
  '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2026-07-07T23:00:03.501510Z","time_out":"2026-07-07T23:00:03.501553Z"}';
const STATUS =
  '{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.4"}]}';
const INSTRUMENT =
  '{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled"}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","price_precision":1,"qty_precision":8,"price_increment":0.1}]}}';

Deno.test("decode hostile: the base frames of this file decode as their channels", () => {
  assert.ok(SAMPLES.length === 10 && LIVE.length === 200, "fixture files are not as described");
  expectKind(BOOK, "book", "BOOK");
  expectKind(TRADE, "trade", "TRADE");
  expectKind(TICKER, "ticker", "TICKER");
  expectKind(OHLC, "ohlc", "OHLC");
  expectKind(ACK, "ack", "ACK");
  expectKind(STATUS, "status", "STATUS");
  expectKind(INSTRUMENT, "instrument", "INSTRUMENT");
  for (const [i, line] of REAL_FRAMES.entries()) {
    const result = decodeSafely(line, `real frame ${i}`);
    checkInvariants(line, result, `real frame ${i}`);
    assert.notEqual(result.kind, "decodeError", `real frame ${i} fails: ${show(line)}`);
  }
});

// ---------------------------------------------------------------------------------------------
// 1. Random text
// ---------------------------------------------------------------------------------------------

const PUNCTUATION = '{}[]":,\\ \t\n\r0123456789-+.eEtruefalsnul/bx';
const KEYS = [
  "channel",
  "type",
  "data",
  "method",
  "success",
  "result",
  "req_id",
  "symbol",
  "bids",
  "asks",
  "price",
  "qty",
  "checksum",
  "side",
  "trade_id",
  "system",
  "connection_id",
  "pairs",
  "assets",
  "price_precision",
  "upcoming_maintenance",
  "warnings",
  "__proto__",
  "constructor",
];
const WORDS = [
  "book",
  "trade",
  "ticker",
  "ohlc",
  "status",
  "instrument",
  "heartbeat",
  "subscribe",
  "unsubscribe",
  "pong",
  "update",
  "snapshot",
  "buy",
  "sell",
  "BTC/USD",
  "weird",
];
const NUMBERS = [
  "0",
  "-0",
  "1",
  "-1",
  "63498.0",
  "0.10000000",
  "1.5",
  "1E-7",
  "4294967295",
  "4294967296",
  "12393906104898154338",
  "1e400",
  "-1e400",
  "9".repeat(40),
];

function randomUnits(rand: () => number, length: number, alphabet: "any" | "ascii" | "json") {
  let out = "";
  for (let i = 0; i < length; i++) {
    if (alphabet === "any") out += String.fromCharCode(randInt(rand, 0x10000));
    else if (alphabet === "ascii") out += String.fromCharCode(randInt(rand, 0x80));
    else if (rand() < 0.08) out += pick(rand, ["\u0000", "\u001f", "\ud800", "\udc00", "€", "'"]);
    else out += PUNCTUATION[randInt(rand, PUNCTUATION.length)];
  }
  return out;
}

/** Random JSON text (valid by construction), shaped like frames so the typed readers run. */
function randomJson(rand: () => number, depth: number): string {
  const space = () => (rand() < 0.1 ? pick(rand, [" ", "\n", "\t ", "\r\n"]) : "");
  const roll = rand();
  if (depth > 5 || roll < 0.3) {
    const leaf = rand();
    if (leaf < 0.3) return JSON.stringify(pick(rand, WORDS));
    if (leaf < 0.4) return JSON.stringify(randomUnits(rand, randInt(rand, 6), "any"));
    if (leaf < 0.8) return pick(rand, NUMBERS);
    return pick(rand, ["true", "false", "null"]);
  }
  if (roll < 0.55) {
    const items = Array.from({ length: randInt(rand, 4) }, () => randomJson(rand, depth + 1));
    return `[${space()}${items.join(`${space()},`)}${space()}]`;
  }
  const members = Array.from(
    { length: randInt(rand, 5) },
    () => `${JSON.stringify(pick(rand, KEYS))}${space()}:${space()}${randomJson(rand, depth + 1)}`,
  );
  return `{${space()}${members.join(",")}${space()}}`;
}

function randomFrameJson(rand: () => number): string {
  const head = rand() < 0.5
    ? `"channel":${JSON.stringify(pick(rand, WORDS))},"type":${
      JSON.stringify(pick(rand, ["update", "snapshot", "weird"]))
    }`
    : `"method":${JSON.stringify(pick(rand, WORDS))},"success":${pick(rand, ["true", "false"])}`;
  return `{${head},"data":${randomJson(rand, 1)},"result":${randomJson(rand, 2)}}`;
}

Deno.test("decode hostile: 2000 seeded random strings never throw and never fail internally", () => {
  const seed = 0x5eed_0001;
  const rand = seededRandom(seed);
  const counts = { valid: 0, invalid: 0 };
  for (let i = 0; i < 2000; i++) {
    const family = i % 5;
    let text: string;
    if (family === 0) text = randomUnits(rand, randInt(rand, 64), "any");
    else if (family === 1) text = randomUnits(rand, randInt(rand, 64), "ascii");
    else if (family === 2) text = `{${randomUnits(rand, randInt(rand, 48), "json")}`;
    else if (family === 3) {
      const prefix = pick(rand, [BOOK, TRADE, ACK, STATUS, INSTRUMENT]);
      text = prefix.slice(0, randInt(rand, prefix.length)) +
        randomUnits(rand, randInt(rand, 24), "json");
    } else text = randomFrameJson(rand);
    const where = `seed ${seed} case ${i}`;
    const result = decodeSafely(text, where);
    counts[checkDifferential(text, result, where)]++;
    if (family === 4) assert.ok(parses(text).ok, `${where}: test bug, generated invalid JSON`);
  }
  // Guards against a vacuous run: both sides of the differential were exercised.
  assert.ok(counts.valid >= 400, `seed ${seed}: only ${counts.valid} valid inputs`);
  assert.ok(counts.invalid >= 1000, `seed ${seed}: only ${counts.invalid} invalid inputs`);
});

// ---------------------------------------------------------------------------------------------
// 2. Truncation
// ---------------------------------------------------------------------------------------------

Deno.test("decode hostile: every strict prefix of a real frame is malformed_json", () => {
  let prefixes = 0;
  for (const [i, line] of REAL_FRAMES.entries()) {
    const cuts: number[] = [];
    if (i < SAMPLES.length || line.length <= 120) {
      for (let cut = 0; cut < line.length; cut++) cuts.push(cut);
    } else {
      // 50 evenly spaced cuts, shifted by the line number so that, over the many book updates of
      // the same shape, every offset of the layout gets cut somewhere.
      const step = line.length / 50;
      for (let k = 0; k < 50; k++) cuts.push(Math.floor(k * step + (i % Math.ceil(step))));
      cuts.push(line.length - 1);
    }
    for (const cut of cuts) {
      const prefix = line.slice(0, cut);
      const where = `frame ${i} cut at ${cut}`;
      const result = decodeSafely(prefix, where);
      checkInvariants(prefix, result, where);
      prefixes++;
      if (parses(prefix).ok) {
        // An object frame has no strict prefix that is JSON, unless the frame ends in whitespace.
        assert.ok(
          result.kind !== "decodeError" || result.reason !== "malformed_json",
          `${where}: a valid JSON prefix was reported malformed`,
        );
        continue;
      }
      assert.equal(result.kind, "decodeError", `${where}: a prefix was accepted`);
      const error = result as DecodeError;
      assert.equal(
        error.reason,
        "malformed_json",
        `${where}: ${error.reason} (${error.detail}) for ${show(prefix)}`,
      );
    }
  }
  assert.ok(prefixes > 10_000, `only ${prefixes} prefixes were tried`);
});

// ---------------------------------------------------------------------------------------------
// 3. Mutation
// ---------------------------------------------------------------------------------------------

const MUTATION_UNITS = [...PUNCTUATION, "\u0000", "\u001f", "€", "\ud800", "'", "N", "I", "}"];

function mutate(rand: () => number, frame: string): string {
  let text = frame;
  const ops = 1 + randInt(rand, 3);
  for (let op = 0; op < ops; op++) {
    const at = randInt(rand, text.length + 1);
    const kind = randInt(rand, 7);
    if (kind === 0) {
      text = text.slice(0, at) + pick(rand, MUTATION_UNITS) + text.slice(at + 1);
    } else if (kind === 1) {
      text = text.slice(0, at) + pick(rand, MUTATION_UNITS) + text.slice(at);
    } else if (kind === 2) {
      text = text.slice(0, at) + text.slice(at + 1 + randInt(rand, 5));
    } else if (kind === 3) {
      // Digit for digit: the text stays JSON more often, so the valid side gets exercised.
      const digits = [...text.matchAll(/[0-9]/g)];
      if (digits.length === 0) continue;
      const index = pick(rand, digits).index;
      text = text.slice(0, index) + String(randInt(rand, 10)) + text.slice(index + 1);
    } else if (kind === 4) {
      const end = Math.min(text.length, at + randInt(rand, 12));
      text = text.slice(0, end) + text.slice(at, end) + text.slice(end);
    } else if (kind === 5 && at + 1 < text.length) {
      text = text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
    } else {
      // Swap one value for another of any type, keeping the JSON valid.
      const values = [...text.matchAll(/:("[^"\\]*"|-?[0-9][0-9.eE+-]*|true|false|null)/g)];
      if (values.length === 0) continue;
      const chosen = pick(rand, values);
      const start = chosen.index + 1;
      const replacement = pick(rand, [
        ...NUMBERS,
        '"63498.0"',
        '"x"',
        "true",
        "null",
        "[]",
        "{}",
        '[{"price":1}]',
      ]);
      text = text.slice(0, start) + replacement + text.slice(start + chosen[1].length);
    }
  }
  return text;
}

Deno.test("decode hostile: mutated real frames agree with JSON.parse about what is JSON", () => {
  const seed = 0x5eed_0003;
  const rand = seededRandom(seed);
  const counts = { valid: 0, invalid: 0 };
  for (let i = 0; i < 4000; i++) {
    const frame = REAL_FRAMES[i % REAL_FRAMES.length];
    const text = mutate(rand, frame);
    const where = `seed ${seed} mutant ${i}`;
    const result = decodeSafely(text, where);
    counts[checkDifferential(text, result, where)]++;
    if (result.kind === "book") {
      // A decoded book keeps the numbers JSON.parse sees.
      const parsed = JSON.parse(text) as { data?: { bids?: { price?: number; qty?: number }[] }[] };
      for (const [p, payload] of result.data.entries()) {
        const bids = parsed.data?.[p]?.bids;
        if (!Array.isArray(bids)) continue;
        assert.equal(payload.bids.length, bids.length, `${where}: bid count`);
        for (const [l, level] of payload.bids.entries()) {
          assert.equal(level.price, bids[l].price, `${where}: bid ${l} price`);
          assert.equal(level.qty, bids[l].qty, `${where}: bid ${l} qty`);
          assert.equal(Number(level.priceText), level.price, `${where}: price text`);
        }
      }
    }
  }
  assert.ok(counts.valid >= 500, `seed ${seed}: only ${counts.valid} mutants were valid JSON`);
  assert.ok(counts.invalid >= 1500, `seed ${seed}: only ${counts.invalid} were malformed`);
});

// ---------------------------------------------------------------------------------------------
// 4. Wrong types
// ---------------------------------------------------------------------------------------------

Deno.test("decode hostile: wrong types are wrong_type or out_of_range, with a local excerpt", () => {
  const cases: [string, string, DecodeErrorReason, string][] = [
    [
      "price as a string",
      swap(BOOK, '"price":63498.0', '"price":"63498.0"'),
      "wrong_type",
      '"63498.0"',
    ],
    ["qty as null", swap(BOOK, '"qty":0.10000000', '"qty":null'), "wrong_type", '"qty":null'],
    ["qty as true", swap(BOOK, '"qty":0.10000000', '"qty":true'), "wrong_type", '"qty":true'],
    ["checksum as a float", swap(BOOK, "2855135483", "1.5"), "out_of_range", '"checksum":1.5'],
    ["checksum as 1.0", swap(BOOK, "2855135483", "1.0"), "out_of_range", '"checksum":1.0'],
    ["checksum as 1e3", swap(BOOK, "2855135483", "1e3"), "out_of_range", '"checksum":1e3'],
    ["checksum negative", swap(BOOK, "2855135483", "-1"), "out_of_range", '"checksum":-1'],
    ["checksum 2^32", swap(BOOK, "2855135483", "4294967296"), "out_of_range", "4294967296"],
    ["checksum as a string", swap(BOOK, "2855135483", '"1"'), "wrong_type", '"checksum":"1"'],
    [
      "bids an object",
      swap(BOOK, '"bids":[{"price":63498.0,"qty":0.10000000}]', '"bids":{"price":63498.0}'),
      "wrong_type",
      '"bids":{',
    ],
    [
      "bids a string",
      swap(BOOK, '"bids":[{"price":63498.0,"qty":0.10000000}]', '"bids":"x"'),
      "wrong_type",
      '"bids":"x"',
    ],
    [
      "level not an object",
      swap(BOOK, '"bids":[{"price":63498.0,"qty":0.10000000}]', '"bids":[[63498.0,0.1]]'),
      "wrong_type",
      '"bids":[[',
    ],
    ["data an object", swap(BOOK, '"data":[{', '"data":{"x":[{') + "}", "wrong_type", '"data":{'],
    ["data a number", '{"channel":"book","type":"update","data":5}', "wrong_type", '"data":5'],
    [
      "payload a string",
      '{"channel":"book","type":"update","data":["BTC/USD"]}',
      "wrong_type",
      '["BTC/USD"]',
    ],
    [
      "symbol a number",
      swap(BOOK, '"symbol":"BTC/USD"', '"symbol":42'),
      "wrong_type",
      '"symbol":42',
    ],
    [
      "timestamp a number",
      swap(BOOK, '"timestamp":"2024', '"timestamp":2024,"x":"'),
      "wrong_type",
      '"timestamp":2024',
    ],
    [
      "trade_id a string",
      swap(TRADE, '"trade_id":4665846', '"trade_id":"4665846"'),
      "wrong_type",
      '"trade_id":"4665846"',
    ],
    [
      "trade_id a float",
      swap(TRADE, '"trade_id":4665846', '"trade_id":4665846.5'),
      "out_of_range",
      "4665846.5",
    ],
    [
      "trade_id negative",
      swap(TRADE, '"trade_id":4665846', '"trade_id":-3'),
      "out_of_range",
      '"trade_id":-3',
    ],
    [
      "trade_id over 2^53",
      swap(TRADE, '"trade_id":4665846', '"trade_id":9007199254740993'),
      "out_of_range",
      "9007199254740993",
    ],
    [
      "instrument price_increment an array",
      swap(INSTRUMENT, '"price_increment":0.1', '"price_increment":[0.1]'),
      "wrong_type",
      '"price_increment":[',
    ],
    [
      "instrument price_increment a word",
      swap(INSTRUMENT, '"price_increment":0.1', '"price_increment":"tenth"'),
      "wrong_type",
      '"price_increment":"tenth"',
    ],
    [
      "instrument price_increment beyond a double",
      swap(INSTRUMENT, '"price_increment":0.1', '"price_increment":1e999'),
      "out_of_range",
      "1e999",
    ],
    [
      "instrument marginable a string",
      swap(INSTRUMENT, '"price_increment":0.1', '"marginable":"yes"'),
      "wrong_type",
      '"marginable":"yes"',
    ],
    [
      "instrument asset precision a float",
      swap(INSTRUMENT, '"status":"enabled"', '"status":"enabled","precision":1.5'),
      "out_of_range",
      '"precision":1.5',
    ],
    [
      "ticker bid a string",
      swap(TICKER, '"bid":63498.0', '"bid":"63498.0"'),
      "wrong_type",
      '"bid":"63498.0"',
    ],
    [
      "ohlc trades a float",
      swap(OHLC, '"trades":42', '"trades":4.2'),
      "out_of_range",
      '"trades":4.2',
    ],
    ["type weird", swap(BOOK, '"type":"update"', '"type":"weird"'), "wrong_type", '"type":"weird"'],
    ["type a number", swap(BOOK, '"type":"update"', '"type":1'), "wrong_type", '"type":1'],
    ["channel a number", '{"channel":7,"type":"update","data":[]}', "wrong_type", '"channel":7'],
    ["method an array", '{"method":["subscribe"],"success":true}', "wrong_type", '"method":['],
    [
      "req_id a string",
      swap(ACK, '"success":true', '"success":true,"req_id":"7"'),
      "wrong_type",
      '"req_id":"7"',
    ],
    [
      "req_id a float",
      swap(ACK, '"success":true', '"success":true,"req_id":7.5'),
      "out_of_range",
      '"req_id":7.5',
    ],
    ["depth negative", swap(ACK, '"depth":10', '"depth":-10'), "out_of_range", '"depth":-10'],
    [
      "snapshot a string",
      swap(ACK, '"snapshot":true', '"snapshot":"true"'),
      "wrong_type",
      '"snapshot":"true"',
    ],
    [
      "warnings a string",
      swap(ACK, '"success":true', '"success":true,"warnings":"w"'),
      "wrong_type",
      '"warnings":"w"',
    ],
    [
      "warning a number",
      swap(ACK, '"success":true', '"success":true,"warnings":[1]'),
      "wrong_type",
      '"warnings":[1]',
    ],
    [
      "result an array",
      swap(ACK, '"result":{', '"result":[{').replace('"},"success"', '"}],"success"'),
      "wrong_type",
      '"result":[',
    ],
    [
      "system a number",
      swap(STATUS, '"system":"online"', '"system":1'),
      "wrong_type",
      '"system":1',
    ],
    [
      "price_precision 31",
      swap(INSTRUMENT, '"price_precision":1', '"price_precision":31'),
      "out_of_range",
      '"price_precision":31',
    ],
    [
      "pairs an object",
      swap(INSTRUMENT, '"pairs":[{', '"pairs":{"x":{').replace("}]}}", "}}}}"),
      "wrong_type",
      '"pairs":{',
    ],
  ];
  // Short frames get leading padding, so the excerpt is a true window of a longer frame.
  const padding =
    '"time_in":"2026-07-07T23:00:03.501510Z","time_out":"2026-07-07T23:00:03.501553Z",';
  for (const [name, short, reason, near] of cases) {
    const text = short.length > 80 ? short : swap(short, "{", `{${padding}`);
    assert.ok(parses(text).ok, `test bug: case "${name}" is not JSON`);
    expectError(text, reason, name, { excerpt: near });
  }
  // The side is checked once the trade is read: the detail, not the excerpt, names it.
  const side = swap(TRADE, '"side":"buy"', '"side":"weird"');
  expectError(side, "wrong_type", "trade side weird", { detail: "side" });
  // The boundaries themselves are accepted.
  const top = expectKind(swap(BOOK, "2855135483", "4294967295"), "book", "checksum 2^32-1");
  assert.equal(top.data[0].checksum, 4294967295);
  const zero = expectKind(swap(BOOK, "2855135483", "0"), "book", "checksum 0");
  assert.equal(zero.data[0].checksum, 0);
  const big = swap(TRADE, '"trade_id":4665846', '"trade_id":9007199254740991');
  assert.equal(expectKind(big, "trade", "trade_id 2^53-1").data[0].tradeId, 9007199254740991);
});

// ---------------------------------------------------------------------------------------------
// 5. Missing fields
// ---------------------------------------------------------------------------------------------

Deno.test("decode hostile: missing required fields are missing_field naming the field", () => {
  const cases: [string, string, string][] = [
    ["book without checksum", swap(BOOK, '"checksum":2855135483,', ""), "checksum"],
    ["book without symbol", swap(BOOK, '"symbol":"BTC/USD",', ""), "symbol"],
    ["level without qty", swap(BOOK, ',"qty":0.10000000', ""), "qty"],
    ["level without price", swap(BOOK, '"price":63501.9,', ""), "price"],
    ["trade without trade_id", swap(TRADE, ',"trade_id":4665846', ""), "trade_id"],
    ["trade without side", swap(TRADE, '"side":"buy",', ""), "side"],
    ["ticker without bid", swap(TICKER, '"bid":63498.0,', ""), "bid"],
    ["ticker without change_pct", swap(TICKER, '"change_pct":0.79,', ""), "change_pct"],
    [
      "ohlc without interval_begin",
      swap(OHLC, '"interval_begin":"2026-07-07T23:00:00.000000000Z",', ""),
      "interval_begin",
    ],
    ["status without system", swap(STATUS, ',"system":"online"', ""), "system"],
    [
      "ack with success but no result",
      swap(ACK, '"result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},', ""),
      "result",
    ],
    ["ack result without channel", swap(ACK, '"channel":"book",', ""), "channel"],
    ["book without type", swap(BOOK, '"type":"update",', ""), "type"],
    [
      "book without data",
      '{"channel":"book","type":"update","checksum":1,"symbol":"BTC/USD"}',
      "data",
    ],
    ["pair without qty_precision", swap(INSTRUMENT, ',"qty_precision":8', ""), "qtyPrecision"],
  ];
  for (const [name, text, field] of cases) {
    assert.ok(parses(text).ok, `test bug: case "${name}" is not JSON`);
    expectError(text, "missing_field", name, { detail: field });
  }
  // The same fields arriving in any order (data before channel and type) are still found.
  const reordered =
    '{"data":[{"checksum":7,"asks":[],"bids":[{"qty":1.0,"price":2.0}],"symbol":"X"}],"type":"snapshot","channel":"book"}';
  const book = expectKind(reordered, "book", "reordered book");
  const payload = book.data[0];
  assert.equal(payload.symbol, "X");
  assert.deepEqual(payload.bids, [{ price: 2, priceText: "2.0", qty: 1, qtyText: "1.0" }]);
  assert.deepEqual(payload.asks, []);
  assert.equal(payload.checksum, 7);
  assert.equal(payload.timestamp, undefined);
  expectError(swap(reordered, '"checksum":7,', ""), "missing_field", "reordered book", {
    detail: "checksum",
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Huge numbers
// ---------------------------------------------------------------------------------------------

Deno.test("decode hostile: numbers beyond a double are out_of_range, big ids stay exact", () => {
  const nines = "9".repeat(400);
  expectError(swap(BOOK, "63498.0", "1e400"), "out_of_range", "price 1e400", { excerpt: "1e400" });
  expectError(swap(BOOK, "0.10000000", "-1e400"), "out_of_range", "qty -1e400");
  expectError(swap(BOOK, "63498.0", nines), "out_of_range", "price 400 nines", { excerpt: "999" });
  expectError(swap(BOOK, "63498.0", `${nines}.5`), "out_of_range", "price 400 nines .5");
  expectError(swap(BOOK, "63498.0", "-1"), "out_of_range", "negative price");
  expectError(swap(TRADE, "63500.1", "1E+309"), "out_of_range", "trade price 1E+309");
  expectError(swap(TICKER, '"bid":63498.0', '"bid":-1e999'), "out_of_range", "ticker bid -1e999");
  expectError(swap(OHLC, '"trades":42', `"trades":${nines}`), "out_of_range", "ohlc trades");
  // Underflow is a legitimate number: it rounds to 0, and the text is kept as sent.
  const tiny = expectKind(swap(BOOK, "0.10000000", "1e-400"), "book", "qty 1e-400");
  assert.equal(tiny.data[0].bids[0].qty, 0);
  assert.equal(tiny.data[0].bids[0].qtyText, "1e-400");

  const status = expectKind(SAMPLES[6], "status", "samples line 7");
  assert.equal(status.data[0].connectionId, "12393906104898154338");
  assert.notEqual(String(JSON.parse(SAMPLES[6]).data[0].connection_id), "12393906104898154338");
  const exact = expectKind(STATUS, "status", "STATUS");
  assert.equal(exact.data[0].connectionId, "12393906104898154338");
  const quoted = expectKind(
    swap(STATUS, "12393906104898154338", '"18266300427528990701"'),
    "status",
    "quoted id",
  );
  assert.equal(quoted.data[0].connectionId, "18266300427528990701");

  // Nothing depends on connection_id while the system state beside it may say maintenance: any
  // value is kept as text (bounded), never a reason to lose the frame.
  const longId = expectKind(swap(STATUS, "12393906104898154338", nines), "status", "400 digits");
  assert.equal(longId.data[0].connectionId, `${"9".repeat(80)}…`);
  assert.equal(longId.data[0].system, "online");
  for (
    const [value, kept] of [
      ["-1", "-1"],
      ["1.5", "1.5"],
      ['"abc"', "abc"],
      ['"[redacted]"', "[redacted]"],
      ["true", "true"],
      ["null", "null"],
      ['{"a":[1]}', '{"a":[1]}'],
    ]
  ) {
    const text = swap(STATUS, "12393906104898154338", value).replace('"online"', '"maintenance"');
    const status = expectKind(text, "status", `connection_id ${value}`);
    assert.equal(status.data[0].connectionId, kept, value);
    assert.equal(status.data[0].system, "maintenance", `${value}: the system state is kept`);
  }
  const version = expectKind(swap(STATUS, '"2.0.4"', "204"), "status", "numeric version");
  assert.equal(version.data[0].version, "204");
});

// ---------------------------------------------------------------------------------------------
// 7. Deep nesting
// ---------------------------------------------------------------------------------------------

Deno.test("decode hostile: 10 000 levels of nesting are too_deep, never a stack overflow", () => {
  const n = 10_000;
  const arrays = "[".repeat(n) + "]".repeat(n);
  const openArrays = "[".repeat(n);
  const objects = '{"a":'.repeat(n) + "1" + "}".repeat(n);
  const openObjects = '{"a":'.repeat(n);
  const level = (deep: string) =>
    `{"channel":"book","type":"update","data":[{"symbol":"X","bids":[{"price":1,"qty":1,"x":${deep}}],"asks":[],"checksum":1}]}`;
  const nests = { arrays, openArrays, objects, openObjects };
  for (const [name, deep] of Object.entries(nests)) {
    const places: Record<string, string> = {
      "unknown channel data": `{"channel":"mystery","data":${deep}}`,
      "data before channel": `{"data":${deep},"channel":"mystery"}`,
      "book level unknown key": level(deep),
      "unknown top-level key": `{"x":${deep},"channel":"heartbeat"}`,
      "status maintenance":
        `{"channel":"status","type":"update","data":[{"system":"online","upcoming_maintenance":[${deep}]}]}`,
      "instrument pair field": swap(
        INSTRUMENT,
        '"price_increment":0.1',
        `"price_increment":0.1,"x":${deep}`,
      ),
      "ack success value": `{"method":"subscribe","success":${deep}}`,
      "trade unknown key": swap(TRADE, '"symbol":"BTC/USD"', `"symbol":"BTC/USD","x":${deep}`),
    };
    for (const [place, text] of Object.entries(places)) {
      expectError(text, "too_deep", `${name} in ${place}`);
    }
  }
  // A million brackets cost nothing more: the walk stops at the limit.
  expectError(`{"channel":"mystery","data":${"[".repeat(1_000_000)}`, "too_deep", "1e6 brackets");
});

Deno.test("decode hostile: nesting exactly at MAX_JSON_DEPTH is accepted, one more is not", () => {
  assert.equal(MAX_JSON_DEPTH, 64);
  // The top-level object is level 1, so data may hold MAX_JSON_DEPTH - 1 arrays.
  const at = MAX_JSON_DEPTH - 1;
  const ok = `{"channel":"mystery","data":${"[".repeat(at)}${"]".repeat(at)}}`;
  expectKind(ok, "unknown", "depth at the limit");
  const over = `{"channel":"mystery","data":${"[".repeat(at + 1)}${"]".repeat(at + 1)}}`;
  expectError(over, "too_deep", "depth one over the limit");
  // Book: object, data, payload, bids, level are 5 levels; an unknown key may nest 59 more.
  const book = (k: number) =>
    `{"channel":"book","type":"update","data":[{"symbol":"X","bids":[{"price":1,"qty":1,"x":${
      "[".repeat(k)
    }${"]".repeat(k)}}],"asks":[],"checksum":1}]}`;
  expectKind(book(MAX_JSON_DEPTH - 5), "book", "book level at the limit");
  expectError(book(MAX_JSON_DEPTH - 4), "too_deep", "book level over the limit");
});

// ---------------------------------------------------------------------------------------------
// 8. Oversized frames
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

/** `{"channel":"big","data":"<unit...><a...>"}` of exactly `bytes` UTF-8 bytes. */
function frameOfBytes(bytes: number, unit: string): string {
  const head = '{"channel":"big","data":"';
  const tail = '"}';
  const room = bytes - head.length - tail.length;
  const unitBytes = encoder.encode(unit).length;
  const count = Math.floor(room / unitBytes);
  const frame = head + unit.repeat(count) + "a".repeat(room - count * unitBytes) + tail;
  assert.equal(encoder.encode(frame).length, bytes, "test bug: frame size");
  return frame;
}

Deno.test("decode hostile: maxFrameBytes counts UTF-8 bytes, the limit itself is accepted", () => {
  const options = { maxFrameBytes: 1024 };
  const padded = swap(BOOK, '"symbol":"BTC/USD"', `"symbol":"BTC/USD","pad":"${"x".repeat(1024)}"`);
  const large = expectError(padded, "too_large", "ASCII book over 1024 bytes", undefined, options);
  assert.equal(large.length, padded.length);
  expectKind(padded, "book", "the same book without a limit");

  for (const unit of ["a", "é", "€", "😀"]) {
    for (const limit of [1000, 1023, 1024, 1025]) {
      const where = `unit ${unit} limit ${limit}`;
      const exact = frameOfBytes(limit, unit);
      const message = expectKind(exact, "unknown", `${where}, exactly at the limit`, {
        maxFrameBytes: limit,
      });
      assert.equal(message.raw, exact);
      expectKind(frameOfBytes(limit - 1, unit), "unknown", `${where}, one under`, {
        maxFrameBytes: limit,
      });
      const over = frameOfBytes(limit + 1, unit);
      expectError(over, "too_large", `${where}, one byte over`, undefined, {
        maxFrameBytes: limit,
      });
      if (unit !== "a") {
        assert.ok(over.length < limit, `${where}: test bug, UTF-16 length must be under the limit`);
      }
    }
  }
  // UTF-16 length 343 (under 1024) but 1027 bytes of UTF-8.
  const euros = `{"channel":"x","data":"${"€".repeat(334)}"}`;
  assert.ok(euros.length < 1024 && encoder.encode(euros).length > 1024);
  expectError(euros, "too_large", "euros", undefined, options);
  expectKind(euros, "unknown", "euros without a limit");
});

Deno.test("decode hostile: the default limit is 8 MiB of UTF-8", () => {
  assert.equal(DEFAULT_MAX_FRAME_BYTES, 8 * 1024 * 1024);
  const limit = 8 * 1024 * 1024;
  const over = frameOfBytes(limit + 1, "a");
  expectError(over, "too_large", "8 MiB + 1 ASCII");
  const exact = frameOfBytes(limit, "a");
  const message = decodeSafely(exact, "8 MiB ASCII");
  assert.ok(message.kind === "unknown", "a frame of exactly 8 MiB is accepted");
  const data = (message.value as Record<string, JsonValue>).data as string;
  assert.equal(data.length, limit - '{"channel":"big","data":""}'.length);
  const euros = frameOfBytes(limit + 1, "€");
  assert.ok(euros.length < limit / 2, "test bug: the euro frame is short in UTF-16");
  expectError(euros, "too_large", "8 MiB + 1 of euros");
  assert.equal(decodeSafely(frameOfBytes(limit, "€"), "8 MiB of euros").kind, "unknown");
});

// ---------------------------------------------------------------------------------------------
// 9. Strict JSON
// ---------------------------------------------------------------------------------------------

Deno.test("decode hostile: everything RFC 8259 forbids is malformed_json, in every position", () => {
  // Each token is invalid JSON wherever a value goes.
  const badValues = [
    "01",
    "-01",
    "00",
    "+1",
    ".5",
    "1.",
    "1.e5",
    "1e",
    "1e+",
    "0x10",
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "'x'",
    "undefined",
    "[1,]",
    "[,1]",
    "[1,,2]",
    '{"a":1,}',
    "{,}",
    "{'a':1}",
    "{a:1}",
    '{"a" 1}',
    '{"a":1 "b":2}',
    '"a\u0001b"',
    '"a\nb"',
    '"a\tb"',
    '"\u0000"',
    '"\\x41"',
    '"\\a"',
    '"\\\'"',
    '"\\u12"',
    '"\\u12G4"',
    '"\\uZZZZ"',
    '"\\U20AC"',
    '"abc',
    '"\\',
    "tru",
    "True",
    "nul",
    "NULL",
    "fals",
  ];
  // Places where a value of any type is read generically (skipped or kept as JsonValue).
  const anyValue: Record<string, (v: string) => string> = {
    "unknown channel data": (v) => `{"channel":"mystery","data":${v}}`,
    "data before channel": (v) => `{"data":${v},"channel":"mystery"}`,
    "unknown top-level key": (v) => `{"x":${v},"channel":"heartbeat"}`,
    "book level unknown key": (v) => swap(BOOK, '"qty":0.10000000', `"qty":0.10000000,"x":${v}`),
    "instrument pair field": (v) =>
      swap(INSTRUMENT, '"price_increment":0.1', `"price_increment":0.1,"x":${v}`),
    "status maintenance": (v) =>
      swap(STATUS, '"system":"online"', `"system":"online","upcoming_maintenance":[${v}]`),
  };
  for (const value of badValues) {
    for (const [place, build] of Object.entries(anyValue)) {
      const text = build(value);
      const where = `${JSON.stringify(value)} in ${place}`;
      assert.ok(!parses(text).ok, `test bug: ${where} is valid JSON`);
      const result = decodeSafely(text, where);
      checkInvariants(text, result, where);
      assert.equal(result.kind, "decodeError", `${where}: accepted`);
      const error = result as DecodeError;
      assert.equal(error.reason, "malformed_json", `${where}: ${error.detail}`);
    }
  }

  // Number-like garbage where a number is expected.
  const numberPlaces: Record<string, (v: string) => string> = {
    "book price": (v) => swap(BOOK, "63498.0", v),
    "book checksum": (v) => swap(BOOK, "2855135483", v),
    "trade qty": (v) => swap(TRADE, "0.00500000", v),
    "req_id": (v) => swap(ACK, '"success":true', `"success":true,"req_id":${v}`),
    "connection_id": (v) => swap(STATUS, "12393906104898154338", v),
  };
  for (
    const value of [
      "01",
      "-01",
      "00",
      "+1",
      ".5",
      "1.",
      "1e",
      "0x10",
      "NaN",
      "Infinity",
      "-Infinity",
      "--1",
      "1..2",
      "- 1",
    ]
  ) {
    for (const [place, build] of Object.entries(numberPlaces)) {
      const text = build(value);
      const where = `${JSON.stringify(value)} in ${place}`;
      const result = decodeSafely(text, where);
      assert.equal(checkDifferential(text, result, where), "invalid", where);
      assert.equal((result as DecodeError).reason, "malformed_json", where);
    }
  }

  // String garbage where a string is expected, and in keys.
  const stringPlaces: Record<string, (v: string) => string> = {
    "book symbol": (v) => swap(BOOK, '"BTC/USD"', v),
    "channel": (v) => `{"channel":${v},"data":[]}`,
    "key": (v) => `{${v}:1,"channel":"mystery"}`,
    "ack result symbol": (v) => swap(ACK, '"BTC/USD"', v),
  };
  const badStrings = [
    '"a\u0001b"',
    '"a\nb"',
    '"\u007f\u0000"',
    '"\\x41"',
    '"\\u12"',
    '"\\u12G4"',
    '"\\"',
    "'BTC/USD'",
    '"BTC/USD',
  ];
  for (const value of badStrings) {
    for (const [place, build] of Object.entries(stringPlaces)) {
      const text = build(value);
      assert.ok(!parses(text).ok, `test bug: ${value} in ${place} is valid JSON`);
      expectError(text, "malformed_json", `${JSON.stringify(value)} in ${place}`);
    }
  }

  // Around the top-level object.
  for (
    const frame of [BOOK, TRADE, ACK, STATUS, '{"channel":"heartbeat"}', '{"channel":"mystery"}']
  ) {
    for (const garbage of ["x", "}", "]", ",", "{}", " {}", "\n1", "\u0000", "\ufeff", "\u00a0"]) {
      expectError(frame + garbage, "malformed_json", `${show(frame)} + ${JSON.stringify(garbage)}`);
    }
    // RFC 8259 whitespace after the value is fine.
    assert.notEqual(decodeSafely(`${frame} \t\r\n`, "trailing whitespace").kind, "decodeError");
    assert.notEqual(decodeSafely(` \n${frame}`, "leading whitespace").kind, "decodeError");
    expectError(`\ufeff${frame}`, "malformed_json", "a byte order mark");
    expectError(frame.replace("{", "{,"), "malformed_json", "leading comma");
    expectError(frame.replace(/}$/, ",}"), "malformed_json", "trailing comma");
    expectError(frame.replaceAll('"', "'"), "malformed_json", "single quotes");
  }
  for (const text of ["", " ", "\n", "{", "}", "{]", '{"channel"', '{"channel":', "{1:2}"]) {
    expectError(text, "malformed_json", `fragment ${JSON.stringify(text)}`);
  }
  // Valid JSON that is not an object: the decoder calls that wrong_type.
  for (
    const text of ["42", "-1.5e3", "[]", '[{"channel":"book"}]', '"{}"', "null", "true", "false"]
  ) {
    assert.ok(parses(text).ok);
    expectError(text, "wrong_type", `top-level ${text}`, { detail: "object" });
  }
});

Deno.test("decode hostile: valid escapes decode exactly as JSON.parse decodes them", () => {
  const strings = [
    "\\u20ac",
    "\\n",
    '\\"',
    "\\\\",
    "\\/",
    "\\b\\f\\r\\t",
    "\\u0000\\u001F\\u007f",
    "\\ud83d\\ude00",
    "\\uD83D\\uDE00",
    "\\ud800",
    "\\udc00x",
    "a\\u0041b\\n\\u20AC",
    "€😀\ud800",
    "\\\\u20ac",
    "",
  ];
  for (const body of strings) {
    const text =
      `{"channel":"mystery","da\\u0074a":"${body}","k\\"ey\\n":["${body}",{"${body}":"${body}"}]}`;
    const message = expectKind(text, "unknown", `escape ${JSON.stringify(body)}`);
    assert.deepEqual(message.value, JSON.parse(text), `escape ${JSON.stringify(body)}`);
    assert.equal(message.channel, "mystery");
  }
  // In typed fields too.
  const book = expectKind(swap(BOOK, '"BTC/USD"', '"BTC\\/US\\u0044"'), "book", "escaped symbol");
  assert.equal(book.data[0].symbol, "BTC/USD");
  const escapedKeys = swap(BOOK, '"checksum"', '"check\\u0073um"').replace(
    '"channel"',
    '"\\u0063hannel"',
  );
  assert.equal(expectKind(escapedKeys, "book", "escaped keys").data[0].checksum, 2855135483);
  const ack = expectKind(swap(ACK, '"BTC/USD"', '"\\u20ac\\t"'), "ack", "escaped ack symbol");
  assert.equal(ack.result.symbol, "€\t");
});

// ---------------------------------------------------------------------------------------------
// 10. Prototype pollution
// ---------------------------------------------------------------------------------------------

Deno.test("decode hostile: __proto__ keys never reach Object.prototype", () => {
  const probe = () => (({}) as Record<string, unknown>).polluted;
  const unknownFrame =
    '{"channel":"mystery","__proto__":{"polluted":1},"data":{"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}}}}';
  const message = expectKind(unknownFrame, "unknown", "unknown frame");
  const value = message.value as Record<string, JsonValue>;
  assert.ok(Object.hasOwn(value, "__proto__"), "__proto__ kept as an own key");
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(value, "__proto__")?.value, { polluted: 1 });
  assert.equal(probe(), undefined);

  const instrument = swap(
    INSTRUMENT,
    '"price_increment":0.1',
    '"price_increment":0.1,"__proto__":{"polluted":4},"constructor":{"prototype":{"polluted":5}},"toString":"x"',
  ).replace('"assets":[{', '"assets":[{"__proto__":{"polluted":6},');
  const pairs = expectKind(instrument, "instrument", "instrument pair");
  const fields = pairs.pairs[0].fields;
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  assert.ok(Object.hasOwn(fields, "__proto__"));
  assert.deepEqual(Object.getOwnPropertyDescriptor(fields, "__proto__")?.value, { polluted: 4 });
  assert.deepEqual(fields.constructor, { prototype: { polluted: 5 } });
  assert.equal(fields.toString, "x");
  const asset = pairs.assets[0].fields;
  assert.equal(Object.getPrototypeOf(asset), Object.prototype);
  assert.ok(Object.hasOwn(asset, "__proto__"));
  assert.equal(Object.getPrototypeOf(pairs.pairs[0]), Object.prototype);
  assert.equal(probe(), undefined);

  // Keys named after Object.prototype members in typed objects are ignored, not trusted.
  for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
    const trade = swap(TRADE, '"symbol":"BTC/USD"', `"${key}":{"polluted":7},"symbol":"BTC/USD"`);
    const decoded = expectKind(trade, "trade", `trade with ${key}`);
    assert.equal(Object.getPrototypeOf(decoded.data[0]), Object.prototype);
    assert.equal(decoded.data[0].symbol, "BTC/USD");
    const book = swap(BOOK, '"price":63498.0', `"${key}":{"polluted":8},"price":63498.0`);
    expectKind(book, "book", `book level with ${key}`);
    const status = swap(STATUS, '"system"', `"${key}":{"polluted":9},"system"`);
    expectKind(status, "status", `status with ${key}`);
    const ack = swap(ACK, '"depth"', `"${key}":{"polluted":10},"depth"`);
    expectKind(ack, "ack", `ack with ${key}`);
  }
  // A typed field missing stays missing even though Object.prototype has a member of that name.
  expectError(swap(TRADE, ',"trade_id":4665846', ',"constructor":1'), "missing_field", "no id", {
    detail: "trade_id",
  });
  const maintenance = swap(
    STATUS,
    '"system"',
    '"upcoming_maintenance":[{"__proto__":{"polluted":11}}],"system"',
  );
  const status = expectKind(maintenance, "status", "status maintenance");
  const notice = status.data[0].upcomingMaintenance?.[0] as Record<string, JsonValue>;
  assert.ok(Object.hasOwn(notice, "__proto__"));
  assert.equal(Object.getPrototypeOf(notice), Object.prototype);
  assert.equal(probe(), undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
});

Deno.test("decode hostile: regressions of defects this suite found", () => {
  // A broken literal is malformed JSON, not a wrong type.
  for (const text of ['{"a":tru', '{"a":nul}', '{"channel":"x","success":fals}']) {
    const result = decodeSafely(text, text);
    assert.ok(result.kind === "decodeError" && result.reason === "malformed_json", text);
  }
  // Syntax wins over a schema error met before it.
  const garbage = decodeSafely(
    '{"channel":"book","type":"update","data":[{"bids":[]}]}garbage',
    "trailing garbage",
  );
  assert.ok(garbage.kind === "decodeError" && garbage.reason === "malformed_json");
  // Lone surrogates count as the 3 bytes they encode to, so the limit holds.
  const lone = '{"channel":"x","d":"' + "\ud800€".repeat(200) + '"}';
  assert.ok(new TextEncoder().encode(lone).length > 1024);
  const limited = decode(lone, { maxFrameBytes: 1024 });
  assert.ok(limited.kind === "decodeError" && limited.reason === "too_large");
  // A non-string from an untyped caller is an error, not a throw.
  const binary = decode(new Uint8Array(3) as unknown as string);
  assert.ok(binary.kind === "decodeError" && binary.reason === "wrong_type");
  // A checksum of -0 is 0, and a NaN limit does not switch the limit off.
  const negativeZero = decode(
    '{"channel":"book","type":"update","data":[{"symbol":"A/B","bids":[],"asks":[],"checksum":-0}]}',
  );
  assert.ok(negativeZero.kind === "book" && Object.is(negativeZero.data[0].checksum, 0));
  const huge = '{"channel":"x","d":"' + "a".repeat(8 * 1024 * 1024) + '"}';
  const unlimited = decode(huge, { maxFrameBytes: Number.NaN });
  assert.ok(unlimited.kind === "decodeError" && unlimited.reason === "too_large");
});

Deno.test("decode hostile: maxFrameBytes counts long ASCII runs between wide characters exactly", () => {
  // The counter hands long ASCII runs to a regular expression: every seam must still add up.
  const rand = seededRandom(14);
  for (let i = 0; i < 300; i++) {
    let body = "";
    while (body.length < 600) {
      body += pick(rand, ["a", "\u007f"]).repeat(randInt(rand, 80));
      const wide = ["\u0080", "é", "\u07ff", "\u0800", "€", "\uffff", "😀", "\ud800", "\udc00"];
      body += pick(rand, wide).repeat(1 + randInt(rand, 3));
    }
    const text = `{"channel":"x","data":"${body}"}`;
    const bytes = encoder.encode(text).length;
    const where = `case ${i}: ${bytes} bytes, ${text.length} units`;
    assert.equal(decode(text, { maxFrameBytes: bytes }).kind, "unknown", where);
    const over = decode(text, { maxFrameBytes: bytes - 1 });
    assert.ok(over.kind === "decodeError" && over.reason === "too_large", where);
  }
});

Deno.test("decode hostile: a million warnings are kept, not spread onto the call stack", () => {
  const warnings = Array.from({ length: 1_000_000 }, (_, i) => `w${i % 10}`);
  const list = JSON.stringify(warnings);
  const topLevel = expectKind(
    `{"method":"add_order","success":true,"req_id":1,"warnings":${list}}`,
    "tradingReply",
    "top-level warnings",
  );
  assert.equal(topLevel.warnings.length, warnings.length);
  const inResult = expectKind(
    `{"method":"add_order","success":true,"result":{"order_id":"O","warnings":${list}},"warnings":["x"]}`,
    "tradingReply",
    "result warnings",
  );
  assert.equal(inResult.warnings.length, warnings.length + 1);
  assert.equal(inResult.warnings.at(-1), "x");
});
