/**
 * What `decode` builds, counted rather than timed (tests here assert no durations): a string the
 * decoder skips is only scanned, however many escapes it holds, and a string it keeps is built in
 * a number of steps that does not grow with its escapes. Building escape by escape made an 8 MiB
 * frame of `\n` escapes cost up to 20 times `JSON.parse` of it (issue 14): a server could keep a
 * core busy.
 *
 * The count: every call, while `decode` runs, of the engine's primitives that make a string
 * (`slice`, `fromCharCode`, `JSON.parse`, `join`, …), with the length of what each returned.
 */

import assert from "node:assert/strict";
import { decode } from "../../src/protocol/decode.ts";
import type { DecodeError, KrakenMessage } from "../../src/protocol/messages.ts";

/** Calls of string-making primitives, the characters they returned, and the longest result. */
interface Built {
  calls: number;
  chars: number;
  longest: number;
}

/** Replaces `owner[name]` by a wrapper that reports each result; returns the undo. */
function spy<T extends object>(
  owner: T,
  name: keyof T & string,
  report: (value: unknown) => void,
): () => void {
  const original = owner[name] as (this: unknown, ...args: unknown[]) => unknown;
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const value = original.apply(this, args);
    report(value);
    return value;
  };
  Object.defineProperty(owner, name, { value: wrapper });
  return () => Object.defineProperty(owner, name, { value: original });
}

/** Decodes `text`, counting what the string-making primitives built meanwhile. */
function decodeCounting(text: string): { result: KrakenMessage | DecodeError; built: Built } {
  const built: Built = { calls: 0, chars: 0, longest: 0 };
  const report = (value: unknown) => {
    built.calls++;
    const length = typeof value === "string" ? value.length : 0;
    built.chars += length;
    if (length > built.longest) built.longest = length;
  };
  const undo = [
    spy(String, "fromCharCode", report),
    spy(String, "fromCodePoint", report),
    spy(String.prototype, "slice", report),
    spy(String.prototype, "substring", report),
    spy(String.prototype, "concat", report),
    spy(String.prototype, "repeat", report),
    spy(String.prototype, "replace", report),
    spy(String.prototype, "replaceAll", report),
    spy(String.prototype, "normalize", report),
    spy(Array.prototype, "join", report),
    spy(JSON, "parse", report),
  ];
  try {
    return { result: decode(text), built };
  } finally {
    for (const restore of undo.reverse()) restore();
  }
}

/** Every kind of escape, many times over, after a plain run (sliced whole by a builder). */
function escapeHeavy(repeats: number): string {
  return "p".repeat(100) + '\\n\\"\\\\\\/\\t\\u0041\\u20ac\\ud83d\\ude00'.repeat(repeats);
}

Deno.test("decode work: a skipped string is scanned, never built, whatever its escapes", () => {
  const skipped = escapeHeavy(2000);
  const frames: Record<string, string> = {
    "top level": `{"channel":"heartbeat","x":"${skipped}"}`,
    "book level":
      `{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1.5,"x":"${skipped}","qty":2}],"asks":[],"checksum":0}]}`,
    "inside a skipped value": `{"channel":"heartbeat","x":[{"y":["${skipped}"]}]}`,
    "level 3 order":
      `{"channel":"level3","type":"snapshot","data":[{"symbol":"A","checksum":0,"asks":[],"bids":[{"order_id":"O","x":"${skipped}","limit_price":1,"order_qty":2,"timestamp":"t"}]}]}`,
    "trade":
      `{"channel":"trade","type":"update","data":[{"symbol":"A","side":"buy","price":1,"qty":1,"x":"${skipped}","ord_type":"limit","trade_id":1,"timestamp":"t"}]}`,
    "execution":
      `{"channel":"executions","type":"update","sequence":1,"data":[{"exec_type":"new","x":"${skipped}","order_id":"O","timestamp":"t"}]}`,
    "subscribe ack":
      `{"method":"subscribe","success":true,"result":{"channel":"book","x":"${skipped}","symbol":"A"}}`,
  };
  for (const [where, frame] of Object.entries(frames)) {
    const { result, built } = decodeCounting(frame);
    assert.notEqual(
      result.kind,
      "decodeError",
      `${where}: ${JSON.stringify(result).slice(0, 200)}`,
    );
    // The frames' other strings (keys, symbols) are short: all of them are a fraction of a percent
    // of the skipped one, which building would have made at least as long again.
    assert.ok(
      built.chars < skipped.length / 100 && built.longest < 100,
      `${where}: built ${built.chars} characters in ${built.calls} calls, longest ${built.longest}`,
    );
  }
});

Deno.test("decode work: a kept string takes as many build steps with 90 escapes as with 9000", () => {
  const places: Record<string, (body: string) => string> = {
    "rejection error": (body) => `{"method":"subscribe","success":false,"error":"${body}"}`,
    "book symbol": (body) =>
      `{"channel":"book","type":"update","data":[{"symbol":"${body}","bids":[],"asks":[],"checksum":0}]}`,
    "instrument field key": (body) =>
      `{"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[{"symbol":"A","base":"B","quote":"C","status":"online","price_precision":1,"qty_precision":1,"${body}":7}]}}`,
  };
  for (const [where, build] of Object.entries(places)) {
    const steps: number[] = [];
    for (const repeats of [10, 1000]) {
      const body = escapeHeavy(repeats);
      const expected = JSON.parse(`"${body}"`) as string;
      const { result, built } = decodeCounting(build(body));
      steps.push(built.calls);
      const kept = result.kind === "rejection"
        ? result.error
        : result.kind === "book"
        ? result.data[0].symbol
        : result.kind === "instrument"
        ? Object.keys(result.pairs[0].fields)[0]
        : undefined;
      assert.equal(kept, expected, `${where}, ${repeats} repeats: ${result.kind}`);
    }
    assert.equal(steps[0], steps[1], `${where}: build steps ${steps.join(" then ")}`);
  }
});
