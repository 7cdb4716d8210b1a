/**
 * Helpers shared by the fake exchange's tests: connections of a seeded market, request texts,
 * JSON reading without `any`, and the number-text checks Kraken's wire format calls for.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ConnectionFeed } from "../../src/exchange/connection_feed.ts";
import type { SimChange, SimMarket } from "../../src/exchange/market.ts";
import { MarketFeed } from "../../src/exchange/market_feed.ts";
import type { RecordedFrame } from "../../src/exchange/replay_feed.ts";
import { decode } from "../../src/protocol/decode.ts";
import type {
  BookLevel,
  BookPayload,
  FrameType,
  KrakenMessage,
} from "../../src/protocol/messages.ts";

/** A parsed JSON object, read field by field. */
export type JsonObject = { readonly [field: string]: unknown };

/** Parses `text`, which must be one JSON object. */
export function jsonObject(text: string): JsonObject {
  const value: unknown = JSON.parse(text);
  assert.ok(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `not an object: ${text}`,
  );
  return value as JsonObject;
}

/** The object held in `field` of `object`. */
export function objectField(object: JsonObject, field: string): JsonObject {
  const value = object[field];
  assert.ok(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `${field} is not an object`,
  );
  return value as JsonObject;
}

/** Decodes a frame with the SDK's own decoder; a decode error fails the test. */
export function decoded(text: string): KrakenMessage {
  const message = decode(text);
  if (message.kind === "decodeError") {
    assert.fail(`decode error ${message.reason}: ${message.detail} in ${text.slice(0, 200)}`);
  }
  return message;
}

/** The type and single payload of a book frame. */
export function bookPayloadOf(text: string): { type: FrameType; payload: BookPayload } {
  const message = decoded(text);
  assert.equal(message.kind, "book", text.slice(0, 200));
  if (message.kind !== "book") throw new Error("unreachable");
  assert.equal(message.data.length, 1, "Kraken sends one book item per frame");
  return { type: message.type, payload: message.data[0] };
}

/** The text of a subscribe (or unsubscribe) request, as a client sends it. */
export function requestText(
  method: "subscribe" | "unsubscribe",
  params: Readonly<Record<string, unknown>>,
  reqId?: number,
): string {
  return JSON.stringify({ method, params, ...(reqId === undefined ? {} : { req_id: reqId }) });
}

/** Every raw number text of `field` in a frame, exactly as printed (`"price":63498.0` → `63498.0`). */
export function numberTexts(text: string, field: string): string[] {
  const pattern = new RegExp(`"${field}":(-?[0-9][0-9.eE+-]*)`, "g");
  return [...text.matchAll(pattern)].map((match) => match[1]);
}

/**
 * Kraken's fixed-point text at `decimals` decimals: no exponent, no sign, no superfluous leading
 * zero, exactly `decimals` digits after the point, trailing zeros kept.
 */
export function fixedPointPattern(decimals: number): RegExp {
  return decimals === 0
    ? /^(0|[1-9][0-9]*)$/
    : new RegExp(`^(0|[1-9][0-9]*)\\.[0-9]{${decimals}}$`);
}

/** Asserts that every `field` number of `text` is printed at exactly `decimals` decimals. */
export function assertPrintedAt(text: string, field: string, decimals: number): number {
  const texts = numberTexts(text, field);
  const pattern = fixedPointPattern(decimals);
  for (const value of texts) {
    assert.match(value, pattern, `${field} ${value} is not printed at ${decimals} decimals`);
  }
  return texts.length;
}

/** RFC 3339 UTC with microseconds, as Kraken prints `time_in`, `timestamp` and the like. */
export const RFC3339_MICROSECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** Price then quantity text of each level, for comparing books by their wire text. */
export function levelTexts(levels: readonly BookLevel[]): string[] {
  return levels.map((level) => `${level.priceText} ${level.qtyText}`);
}

/** An integer count of the smallest unit from fixed-point text (`63498.0` → 634980). */
export function unitsOf(text: string): number {
  return Number(text.replace(".", ""));
}

/** A connection's server side on `market`, stepped with `market.step(now)`. */
export function marketConnection(market: SimMarket): ConnectionFeed<readonly SimChange[]> {
  return new ConnectionFeed(new MarketFeed(market));
}

/** Raw frame lines as a recording without receive times. */
export function rawFrames(lines: readonly string[]): RecordedFrame[] {
  return lines.map((text) => ({ text }));
}
