/**
 * A book event's spread and mid as exact decimal text, from the wire text of its best levels:
 * what users print or compare, where floats would show `63501.850000000006`.
 *
 * @module
 */

import { decimalDifference, decimalMidpoint } from "../protocol/decimal_arithmetic.ts";
import type { BookEvent } from "./events.ts";

/**
 * Best ask minus best bid, exactly, as decimal text; undefined when a side is empty.
 *
 * @param book A book event.
 * @returns The spread, like `"0.1"`.
 *
 * @example
 * ```ts
 * import { bookSpread, type BookEvent } from "@kraken-ws/sdk";
 * const level = (priceText: string) => ({ price: Number(priceText), priceText, qty: 1, qtyText: "1" });
 * const book: BookEvent = {
 *   type: "book", symbol: "BTC/USD", bids: [level("63501.8")], asks: [level("63501.9")],
 *   changes: [], checksum: 0, snapshot: true, validated: true, seq: 1, time: 0,
 * };
 * console.log(bookSpread(book)); // "0.1"
 * ```
 */
export function bookSpread(book: BookEvent): string | undefined {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return bid === undefined || ask === undefined
    ? undefined
    : decimalDifference(ask.priceText, bid.priceText);
}

/**
 * The midpoint of the best bid and ask, exactly, as decimal text; undefined when a side is empty.
 *
 * @param book A book event.
 * @returns The mid, like `"63501.85"`.
 *
 * @example
 * ```ts
 * import { bookMid, type BookEvent } from "@kraken-ws/sdk";
 * const level = (priceText: string) => ({ price: Number(priceText), priceText, qty: 1, qtyText: "1" });
 * const book: BookEvent = {
 *   type: "book", symbol: "BTC/USD", bids: [level("63501.8")], asks: [level("63501.9")],
 *   changes: [], checksum: 0, snapshot: true, validated: true, seq: 1, time: 0,
 * };
 * console.log(bookMid(book)); // "63501.85"
 * ```
 */
export function bookMid(book: BookEvent): string | undefined {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return bid === undefined || ask === undefined
    ? undefined
    : decimalMidpoint(bid.priceText, ask.priceText);
}
