/**
 * `decode` accepts exactly the strings, numbers and whitespace `JSON.parse` accepts, wherever they
 * stand: in values the decoder skips (only scanned), in keys, and in strings it keeps (built), on
 * the fast paths and the general ones. And what it keeps equals what `JSON.parse` gives.
 *
 * The corpus aims at the scanner's seams: every escape and the bad ones, raw control characters,
 * lone surrogates, strings cut short, runs long enough to be handed to a regular expression, and
 * more escapes than are unescaped by hand.
 */

import assert from "node:assert/strict";
import { decode } from "../../src/protocol/decode.ts";
import type { DecodeError, KrakenMessage } from "../../src/protocol/messages.ts";

type Result = KrakenMessage | DecodeError;

function parsed(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function show(text: string): string {
  const shown = JSON.stringify(text);
  return shown.length <= 200 ? shown : `${shown.slice(0, 200)}... (${text.length} units)`;
}

/** Longer than the runs the scanner walks char by char before a regular expression takes over. */
const LONG = 40;

/** Pieces of string source text `JSON.parse` accepts. */
const GOOD_PIECES = [
  "a",
  '\\"',
  "\\\\",
  "\\/",
  "\\b",
  "\\f",
  "\\n",
  "\\r",
  "\\t",
  "\\u0041",
  "\\u00e9",
  "\\uABCD",
  "\\uabcd",
  "\\uD83D\\uDE00",
  "\\ud800",
  "\\udc00x",
  "\\uDBFF\\uDFFF",
  "\\u0000",
  "\\u001f",
  "\\u005C",
  "\\u0022",
  "\u007f",
  "\u2028\u2029",
  "é€",
  "😀",
  "\ud800",
  "\udc00",
  "'",
  "/",
];

/** Pieces `JSON.parse` rejects wherever they stand inside a string. */
const BAD_PIECES = [
  "\\a",
  "\\x41",
  "\\'",
  "\\u12",
  "\\u12G4",
  "\\uGGGG",
  "\\u-123",
  "\\U0041",
  "\\u{41}",
  "\\u 041",
  "\\0",
  "\\v",
  "\\e",
  "\\ ",
  "\\\n",
  ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)),
];

/** Each piece alone, repeated past the escapes unescaped by hand, and beside long plain runs. */
function bodies(piece: string): string[] {
  const run = "a".repeat(LONG);
  return [
    piece,
    piece.repeat(12),
    run + piece,
    piece + run,
    `${run}${piece}`.repeat(3),
    "\\n".repeat(3) + piece,
    "\\n".repeat(4) + piece,
    `x${piece}\\u0041${piece}y`,
  ];
}

/** Where a string goes in a frame, and what the decoder made of the string when it kept it. */
interface Place {
  readonly build: (body: string) => string;
  readonly kind: Result["kind"];
  /** The string as decoded, for places where the decoder keeps it. */
  readonly kept?: (message: Result) => unknown;
  /** The string as `JSON.parse` reads it from the same frame. */
  readonly expected?: (value: unknown) => unknown;
}

const LEVEL = '{"price":1.5,"qty":2}';

/** Indexes into `JSON.parse` output without `any`. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) current = (current as Record<string | number, unknown>)[step];
  return current;
}

const STRING_PLACES: Record<string, Place> = {
  "skipped at the top level": {
    build: (body) => `{"channel":"heartbeat","x":"${body}"}`,
    kind: "heartbeat",
  },
  "skipped deep in a skipped value": {
    build: (body) => `{"channel":"heartbeat","x":[{"y":[1,"${body}",null]}]}`,
    kind: "heartbeat",
  },
  "skipped in a book level": {
    build: (body) =>
      `{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1.5,"x":"${body}","qty":2}],"asks":[],"checksum":0}]}`,
    kind: "book",
  },
  "skipped in an execution": {
    build: (body) =>
      `{"channel":"executions","type":"update","sequence":1,"data":[{"exec_type":"new","order_id":"O","timestamp":"t","x":"${body}"}]}`,
    kind: "executions",
  },
  "skipped in a pong": {
    build: (body) => `{"method":"pong","x":"${body}"}`,
    kind: "pong",
  },
  "an unknown key": {
    build: (body) => `{"channel":"heartbeat","${body}":1}`,
    kind: "heartbeat",
  },
  "an instrument field's key": {
    build: (body) =>
      `{"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[{"symbol":"A","base":"B","quote":"C","status":"online","price_precision":1,"qty_precision":1,"${body}":7}]}}`,
    kind: "instrument",
    kept: (message) => {
      const fields = message.kind === "instrument" ? message.pairs[0].fields : {};
      return Object.keys(fields).find((key) => fields[key] === 7);
    },
    expected: (value) => {
      const pair = at(value, "data", "pairs", 0) as Record<string, unknown>;
      return Object.keys(pair).find((key) => pair[key] === 7);
    },
  },
  "a rejection's error": {
    build: (body) => `{"method":"subscribe","success":false,"error":"${body}"}`,
    kind: "rejection",
    kept: (message) => message.kind === "rejection" ? message.error : undefined,
    expected: (value) => at(value, "error"),
  },
  "a pong's warnings": {
    build: (body) => `{"method":"pong","warnings":["x","${body}"]}`,
    kind: "pong",
    kept: (message) => message.kind === "pong" ? message.warnings[1] : undefined,
    expected: (value) => at(value, "warnings", 1),
  },
  "a book symbol, fast path": {
    build: (body) =>
      `{"channel":"book","type":"update","data":[{"symbol":"${body}","bids":[${LEVEL}],"asks":[],"checksum":0}]}`,
    kind: "book",
    kept: (message) => message.kind === "book" ? message.data[0].symbol : undefined,
    expected: (value) => at(value, "data", 0, "symbol"),
  },
  "a book symbol, general path": {
    build: (body) =>
      `{"type":"update","channel":"book","data":[{"bids":[],"symbol":"${body}","asks":[],"checksum":0}]}`,
    kind: "book",
    kept: (message) => message.kind === "book" ? message.data[0].symbol : undefined,
    expected: (value) => at(value, "data", 0, "symbol"),
  },
  "a level 3 order id": {
    build: (body) =>
      `{"channel":"level3","type":"snapshot","data":[{"symbol":"A","checksum":0,"asks":[],"bids":[{"order_id":"${body}","limit_price":1,"order_qty":2,"timestamp":"t"}]}]}`,
    kind: "level3",
    kept: (message) => message.kind === "level3" ? message.data[0].bids[0].orderId : undefined,
    expected: (value) => at(value, "data", 0, "bids", 0, "order_id"),
  },
  "a trade's symbol": {
    build: (body) =>
      `{"channel":"trade","type":"update","data":[{"symbol":"${body}","side":"buy","price":1,"qty":1,"ord_type":"limit","trade_id":1,"timestamp":"t"}]}`,
    kind: "trade",
    kept: (message) => message.kind === "trade" ? message.data[0].symbol : undefined,
    expected: (value) => at(value, "data", 0, "symbol"),
  },
  "a trading result (plain data)": {
    build: (body) => `{"method":"add_order","success":true,"result":{"order_id":"${body}"}}`,
    kind: "tradingReply",
    kept: (message) => message.kind === "tradingReply" ? at(message.result, "order_id") : undefined,
    expected: (value) => at(value, "result", "order_id"),
  },
};

function checkPlace(name: string, place: Place, text: string): void {
  const where = `${show(text)} (${name})`;
  const reference = parsed(text);
  const result = decode(text);
  if (!reference.ok) {
    assert.equal(result.kind, "decodeError", `accepted what JSON.parse rejects: ${where}`);
    assert.equal((result as DecodeError).reason, "malformed_json", where);
    return;
  }
  assert.equal(result.kind, place.kind, `${where}: ${JSON.stringify(result).slice(0, 200)}`);
  if (place.kept !== undefined && place.expected !== undefined) {
    assert.equal(place.kept(result), place.expected(reference.value), `value of ${where}`);
  }
}

Deno.test("decode acceptance: every string piece, in every place, as JSON.parse decides", () => {
  let valid = 0;
  let invalid = 0;
  for (const [name, place] of Object.entries(STRING_PLACES)) {
    for (const piece of [...GOOD_PIECES, ...BAD_PIECES]) {
      for (const body of bodies(piece)) {
        const text = place.build(body);
        if (parsed(text).ok) valid++;
        else invalid++;
        checkPlace(name, place, text);
        // Cut inside the string: unterminated, whatever the piece.
        checkPlace(name, place, text.slice(0, text.indexOf(body) + body.length));
      }
    }
  }
  // Not vacuous: both verdicts occur in large numbers.
  assert.ok(valid > 1000 && invalid > 1000, `${valid} valid, ${invalid} invalid`);
});

Deno.test("decode acceptance: long digit runs are read or refused as JSON.parse decides", () => {
  const digits = "1234567890".repeat(5);
  const numbers = [
    digits,
    `-${digits}`,
    `${digits}.${digits}`,
    `0.${"0".repeat(LONG)}1`,
    `0.${digits}`,
    `1e${"0".repeat(LONG)}2`,
    `${digits}e-${digits}`,
    `${digits}E+5`,
    `0${digits}`,
    `${digits}.`,
    `${digits}.e5`,
    `${digits}e`,
    `${digits}e+`,
    `${digits}x`,
    `-${"0".repeat(LONG)}`,
    `${digits}.${digits}.5`,
  ];
  for (const number of numbers) {
    const skipped = `{"channel":"heartbeat","x":[${number}]}`;
    const skippedOk = parsed(skipped).ok;
    const skippedResult = decode(skipped);
    assert.equal(skippedResult.kind !== "decodeError", skippedOk, show(skipped));
    for (
      const frame of [
        `{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":${number},"qty":1}],"asks":[],"checksum":0}]}`,
        `{"type":"update","channel":"book","data":[{"symbol":"A","bids":[{"qty":1,"price":${number}}],"asks":[],"checksum":0}]}`,
      ]
    ) {
      const result = decode(frame);
      if (!parsed(frame).ok) {
        assert.equal(result.kind === "decodeError" && result.reason, "malformed_json", show(frame));
        continue;
      }
      if (result.kind === "decodeError") {
        // Valid JSON, but beyond a double or negative: out of range, never malformed.
        assert.equal(result.reason, "out_of_range", show(frame));
        continue;
      }
      assert.equal(result.kind, "book", show(frame));
      const level = result.kind === "book" ? result.data[0].bids[0] : undefined;
      assert.equal(level?.priceText, number, show(frame));
      assert.equal(level?.price, Number(number), show(frame));
    }
  }
});

Deno.test("decode acceptance: long whitespace runs are whitespace only where JSON says so", () => {
  const frame =
    '{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1.5,"qty":2}],"asks":[],"checksum":0}]}';
  const runs = [
    " ".repeat(LONG),
    "\t\n\r ".repeat(LONG),
    `${" ".repeat(LONG)}\u00a0`,
    `${"\n".repeat(LONG)}\u000b`,
    `${"\r".repeat(LONG)}\u000c`,
    `${"\t".repeat(LONG)}\u2028`,
    `${" ".repeat(LONG)}\ufeff`,
    `${" ".repeat(LONG)}\u0000`,
  ];
  for (const run of runs) {
    // Between every two characters of the frame, including before and after it.
    for (let cut = 0; cut <= frame.length; cut++) {
      const text = frame.slice(0, cut) + run + frame.slice(cut);
      const reference = parsed(text);
      const result = decode(text);
      if (!reference.ok) {
        assert.equal(result.kind === "decodeError" && result.reason, "malformed_json", show(text));
        continue;
      }
      assert.ok(result.kind !== "decodeError" || result.reason !== "malformed_json", show(text));
      // Inside a string (an odd number of quotes before the cut), the run changes a name or value.
      if (frame.slice(0, cut).split('"').length % 2 === 0) continue;
      assert.equal(result.kind, "book", show(text));
      const symbol = at(reference.value, "data", 0, "symbol");
      assert.equal(result.kind === "book" ? result.data[0].symbol : undefined, symbol, show(text));
    }
  }
});
