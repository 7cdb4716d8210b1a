/**
 * Runtime checks of what a caller hands a book. `decode` only ever makes well-formed payloads,
 * but a book is a public class: a JavaScript caller can hand it anything, and a payload refused
 * half-way through would leave the book half-changed. So the whole payload is checked first.
 *
 * @module
 */

import type { BookPayload, FrameType } from "../protocol/messages.ts";
import type { Level3Payload } from "../protocol/level3_messages.ts";
import { valueKind } from "../protocol/value_kind.ts";

/**
 * Checks a book's pair name: a non-empty string.
 *
 * @param symbol What the caller passed.
 * @throws {TypeError} When it is not a non-empty string.
 *
 * @example
 * ```ts
 * import { checkBookSymbol } from "./payload_checks.ts";
 * checkBookSymbol("BTC/USD");
 * ```
 */
export function checkBookSymbol(symbol: unknown): asserts symbol is string {
  if (typeof symbol !== "string" || symbol === "") {
    throw new TypeError(`a book's symbol must be a pair's name, not ${valueKind(symbol)}`);
  }
}

function checkFrameType(type: unknown): asserts type is FrameType {
  if (type !== "snapshot" && type !== "update") {
    throw new TypeError(`type must be "snapshot" or "update", not ${valueKind(type)}`);
  }
}

/** The payload's own fields: an object with a symbol, two lists and a 32-bit checksum. */
function checkEnvelope(payload: unknown): Record<string, unknown> {
  if (typeof payload !== "object" || payload === null) {
    throw new TypeError(`a book payload must be an object, not ${valueKind(payload)}`);
  }
  const fields = payload as Record<string, unknown>;
  if (typeof fields.symbol !== "string") throw new TypeError("payload.symbol must be a string");
  if (!Array.isArray(fields.bids) || !Array.isArray(fields.asks)) {
    throw new TypeError("payload.bids and payload.asks must be lists");
  }
  const checksum = fields.checksum;
  if (typeof checksum !== "number") throw new TypeError("payload.checksum must be a number");
  if (!Number.isInteger(checksum) || checksum < 0 || checksum > 0xffffffff) {
    throw new RangeError(`payload.checksum must be an unsigned 32-bit integer, not ${checksum}`);
  }
  return fields;
}

/** A number and its wire text, as a level or an order carries them. */
function checkDecimal(entry: Record<string, unknown>, value: string, text: string): void {
  if (typeof entry[value] !== "number" || typeof entry[text] !== "string") {
    throw new TypeError(`each entry needs ${value} (a number) and ${text} (its text)`);
  }
  if (!Number.isFinite(entry[value]) || (entry[value] as number) < 0) {
    throw new RangeError(`${value} must be a finite number, not below 0: ${entry[value]}`);
  }
}

function checkEntries(
  list: readonly unknown[],
  check: (entry: Record<string, unknown>) => void,
): void {
  for (const entry of list) {
    if (typeof entry !== "object" || entry === null) {
      throw new TypeError(`each entry must be an object, not ${valueKind(entry)}`);
    }
    check(entry as Record<string, unknown>);
  }
}

/**
 * Checks an L2 book message, every level, before the book applies any of it.
 *
 * @param type The frame's type.
 * @param payload The book data.
 * @throws {TypeError} A field missing or of the wrong type.
 * @throws {RangeError} A negative or non-finite number, a checksum out of 32 bits.
 *
 * @example
 * ```ts
 * import { checkBookPayload } from "./payload_checks.ts";
 * checkBookPayload("update", { symbol: "BTC/USD", bids: [], asks: [], checksum: 0 });
 * ```
 */
export function checkBookPayload(
  type: unknown,
  payload: unknown,
): asserts payload is BookPayload {
  checkFrameType(type);
  const fields = checkEnvelope(payload);
  const level = (entry: Record<string, unknown>) => {
    checkDecimal(entry, "price", "priceText");
    checkDecimal(entry, "qty", "qtyText");
  };
  checkEntries(fields.bids as unknown[], level);
  checkEntries(fields.asks as unknown[], level);
}

/**
 * Checks a level 3 message, every order, before the book applies any of it.
 *
 * @param type The frame's type.
 * @param payload The book data.
 * @throws {TypeError} A field missing or of the wrong type, an unknown order event.
 * @throws {RangeError} A negative or non-finite number, a checksum out of 32 bits.
 *
 * @example
 * ```ts
 * import { checkLevel3Payload } from "./payload_checks.ts";
 * checkLevel3Payload("snapshot", { symbol: "BTC/USD", bids: [], asks: [], checksum: 0 });
 * ```
 */
export function checkLevel3Payload(
  type: unknown,
  payload: unknown,
): asserts payload is Level3Payload {
  checkFrameType(type);
  const fields = checkEnvelope(payload);
  const order = (entry: Record<string, unknown>) => {
    if (typeof entry.orderId !== "string") throw new TypeError("each order needs an orderId");
    checkDecimal(entry, "limitPrice", "limitPriceText");
    checkDecimal(entry, "orderQty", "orderQtyText");
    const event = entry.event;
    if (event !== undefined && event !== "add" && event !== "modify" && event !== "delete") {
      throw new TypeError(
        `an order's event must be add, modify or delete, not ${valueKind(event)}`,
      );
    }
  };
  checkEntries(fields.bids as unknown[], order);
  checkEntries(fields.asks as unknown[], order);
}
