/**
 * What changed between two views of one side of a book, for a stream shallower than the book it
 * reads: there a level moving into view is a change too, which the book's own list cannot say.
 *
 * @module
 */

import type { BookLevel } from "../protocol/messages.ts";
import type { BookChange } from "./book_side.ts";

/**
 * The changes that turn `before` into `after`, both one side's levels best first (bids highest
 * first, asks lowest first): levels set (new, or another quantity) and levels gone (zero
 * quantity). Levels are compared by their wire text, and an unchanged level shared by both views
 * costs one identity check.
 *
 * @param side Which side the levels are.
 * @param before The view a reader holds.
 * @param after The view it gets next.
 * @returns The changes, best first.
 *
 * @example
 * ```ts
 * import { levelChanges } from "@kraken-ws/sdk/extended";
 * const level = (priceText: string, qtyText: string) =>
 *   ({ price: Number(priceText), priceText, qty: Number(qtyText), qtyText });
 * const changes = levelChanges(
 *   "ask",
 *   [level("101.0", "1"), level("102.0", "1")],
 *   [level("102.0", "2"), level("103.0", "1")],
 * );
 * console.log(changes.map((change) => `${change.priceText}:${change.qtyText}`).join(" "));
 * // "101.0:0 102.0:2 103.0:1"
 * ```
 */
export function levelChanges(
  side: "bid" | "ask",
  before: readonly BookLevel[],
  after: readonly BookLevel[],
): BookChange[] {
  const changes: BookChange[] = [];
  const better = side === "bid" ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const old = before[i];
    const now = after[j];
    if (old !== undefined && now !== undefined && old.price === now.price) {
      if (old !== now && old.qtyText !== now.qtyText) changes.push({ side, ...now });
      i++;
      j++;
    } else if (now === undefined || (old !== undefined && better(old.price, now.price))) {
      changes.push({ side, price: old.price, priceText: old.priceText, qty: 0, qtyText: "0" });
      i++;
    } else {
      changes.push({ side, ...now });
      j++;
    }
  }
  return changes;
}
