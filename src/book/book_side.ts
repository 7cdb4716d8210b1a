/**
 * One side of an L2 book: levels kept sorted best-first in an array, found by binary search.
 *
 * @module
 */

import type { BookLevel } from "../protocol/messages.ts";

/**
 * A level as the book stores it: the wire level plus its checksum digits, computed when first
 * needed and then kept.
 *
 * @example
 * ```ts
 * import type { StoredLevel } from "./book_side.ts";
 * const level: StoredLevel = { price: 1, priceText: "1.0", qty: 2, qtyText: "2.0", digits: undefined };
 * console.log(level.digits);
 * ```
 */
export interface StoredLevel extends BookLevel {
  /** Checksum digits of price then qty, once computed. */
  digits: string | undefined;
}

/**
 * Sorted levels of one side. Bids are kept highest first, asks lowest first, so index 0 is always
 * the best level and the checksum's "top 10" is the first ten entries.
 *
 * @example
 * ```ts
 * import { BookSide } from "./book_side.ts";
 * const asks = new BookSide("ask");
 * asks.set({ price: 2, priceText: "2.0", qty: 1, qtyText: "1.0", digits: undefined });
 * asks.set({ price: 1, priceText: "1.0", qty: 1, qtyText: "1.0", digits: undefined });
 * console.log(asks.levels[0].priceText); // "1.0"
 * ```
 */
export class BookSide {
  /** Which side this is. */
  readonly side: "bid" | "ask";
  /** Levels, best first. Owned by the book: never hand it out. */
  levels: StoredLevel[] = [];
  /** Lowest index changed since {@link BookSide.resetChanges}; `Infinity` when none. */
  lowestChange = Infinity;

  /**
   * Creates an empty side.
   *
   * @param side `bid` (highest first) or `ask` (lowest first).
   */
  constructor(side: "bid" | "ask") {
    this.side = side;
  }

  /** Index of `price`, or of where it would go, keeping the side's order. */
  indexOf(price: number): number {
    const levels = this.levels;
    let low = 0;
    let high = levels.length;
    if (this.side === "ask") {
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (levels[mid].price < price) low = mid + 1;
        else high = mid;
      }
    } else {
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (levels[mid].price > price) low = mid + 1;
        else high = mid;
      }
    }
    return low;
  }

  /** Inserts, replaces or (quantity 0) deletes the level at `level.price`. */
  set(level: StoredLevel): void {
    const levels = this.levels;
    const index = this.indexOf(level.price);
    const exists = index < levels.length && levels[index].price === level.price;
    if (level.qty === 0) {
      if (!exists) return;
      levels.splice(index, 1);
    } else if (exists) {
      levels[index] = level;
    } else if (index === levels.length) {
      levels.push(level);
    } else {
      levels.splice(index, 0, level);
    }
    if (index < this.lowestChange) this.lowestChange = index;
  }

  /** Drops every level past `depth`: Kraken sends no delete for a level pushed out of view. */
  truncate(depth: number): void {
    if (this.levels.length > depth) this.levels.length = depth;
  }

  /** Empties the side. */
  clear(): void {
    this.levels = [];
    this.lowestChange = 0;
  }

  /** Forgets which levels changed. */
  resetChanges(): void {
    this.lowestChange = Infinity;
  }
}
