/**
 * One side of an L2 book: levels kept sorted best-first in an array, found by binary search.
 *
 * @module
 */

import type { BookLevel } from "../protocol/messages.ts";

/**
 * Sorted levels of one side. Bids are kept highest first, asks lowest first, so index 0 is always
 * the best level and the checksum's "top 10" is the first ten entries. Each level's checksum
 * digest sits at the same index of `digests`.
 *
 * @example
 * ```ts
 * import { BookSide } from "./book_side.ts";
 * import { digestLevel } from "./checksum.ts";
 * const asks = new BookSide("ask");
 * const two = { price: 2, priceText: "2.0", qty: 1, qtyText: "1.0" };
 * const one = { price: 1, priceText: "1.0", qty: 1, qtyText: "1.0" };
 * asks.set(two, digestLevel(two, undefined));
 * asks.set(one, digestLevel(one, undefined));
 * console.log(asks.levels[0].priceText); // "1.0"
 * ```
 */
export class BookSide {
  /** Which side this is. */
  readonly side: "bid" | "ask";
  /** Levels, best first. Owned by the book: never hand the array out. */
  levels: BookLevel[] = [];
  /** `digests[i]`: the checksum digest of `levels[i]`. */
  digests: number[] = [];
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

  /** Removes the level at `price`, if there is one. */
  remove(price: number): void {
    const levels = this.levels;
    const index = this.indexOf(price);
    if (index >= levels.length || levels[index].price !== price) return;
    levels.splice(index, 1);
    this.digests.splice(index, 1);
    if (index < this.lowestChange) this.lowestChange = index;
  }

  /** Inserts or replaces the level at `level.price`, with its checksum digest. */
  set(level: BookLevel, digest: number): void {
    const levels = this.levels;
    const index = this.indexOf(level.price);
    const exists = index < levels.length && levels[index].price === level.price;
    if (exists) {
      levels[index] = level;
      this.digests[index] = digest;
    } else if (index === levels.length) {
      levels.push(level);
      this.digests.push(digest);
    } else {
      levels.splice(index, 0, level);
      this.digests.splice(index, 0, digest);
    }
    if (index < this.lowestChange) this.lowestChange = index;
  }

  /** Drops every level past `depth`: Kraken sends no delete for a level pushed out of view. */
  truncate(depth: number): void {
    if (this.levels.length > depth) {
      this.levels.length = depth;
      this.digests.length = depth;
    }
  }

  /** Empties the side. */
  clear(): void {
    this.levels = [];
    this.digests = [];
    this.lowestChange = 0;
  }

  /** Forgets which levels changed. */
  resetChanges(): void {
    this.lowestChange = Infinity;
  }
}
