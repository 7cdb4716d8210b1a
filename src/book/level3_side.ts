/**
 * One side of a level 3 book: price levels kept sorted best-first in an array, each holding its
 * queue of orders, found by binary search.
 *
 * @module
 */

import type { Level3Order } from "../protocol/level3_messages.ts";
import { concatDigests, digestPair, type Precision } from "./checksum.ts";

/**
 * One price level of a level 3 book: the orders resting at that price, first in the queue first.
 * Handed out frozen.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import { type Level3PriceLevel } from "@kraken-ws/sdk/extended";
 * function total(level: Level3PriceLevel): number {
 *   return level.orders.reduce((sum, order) => sum + order.orderQty, 0);
 * }
 * console.log(total({ price: 1, priceText: "1.0", orders: [] })); // 0
 * ```
 */
export interface Level3PriceLevel {
  /** Price as a number (a view of `priceText`). */
  readonly price: number;
  /** Price as sent with the order that opened the level. */
  readonly priceText: string;
  /** The queue, first to fill first; never empty in a book. */
  readonly orders: readonly Level3Order[];
}

/**
 * An order in a queue, with what the book needs beside it: its place in the arrival order, its
 * checksum digest once computed, and where it rests.
 *
 * @example
 * ```ts
 * import { Level3Side, RestingOrder } from "./level3_side.ts";
 * const side = new Level3Side("bid");
 * const { level } = side.levelFor(100, "100.0");
 * const order = { orderId: "O1", limitPrice: 100, limitPriceText: "100.0", orderQty: 1, orderQtyText: "1.0", timestamp: "" };
 * level.append(new RestingOrder(order, 1, level, side));
 * console.log(level.entries.length); // 1
 * ```
 */
export class RestingOrder {
  /** The order as the book shows it: frozen, replaced whole when it is modified in place. */
  order: Level3Order;
  /** Arrival number: a queue only ever grows at its back, so it is sorted by this. */
  readonly seq: number;
  /** Checksum digest of `order`; NaN until needed. */
  digest = NaN;
  /** The level it rests in. */
  readonly level: Level3Level;
  /** The side of that level. */
  readonly side: Level3Side;

  /**
   * @param order The frozen order.
   * @param seq Its arrival number, above every other in its level.
   * @param level The level it joins.
   * @param side That level's side.
   */
  constructor(order: Level3Order, seq: number, level: Level3Level, side: Level3Side) {
    this.order = order;
    this.seq = seq;
    this.level = level;
    this.side = side;
  }
}

/**
 * A price level's queue with its checksum digest kept up to date lazily: an order joining the back
 * is folded in on the next read (the common case: an add), any other change starts the level over.
 *
 * @example
 * ```ts
 * import { Level3Side } from "./level3_side.ts";
 * const { level } = new Level3Side("ask").levelFor(101, "101.0");
 * console.log(level.digest(undefined)); // 0: no orders, no digits
 * ```
 */
export class Level3Level {
  /** Price as a number. */
  readonly price: number;
  /** Price text of the order that opened the level. */
  readonly priceText: string;
  /** The queue, by arrival. */
  readonly entries: RestingOrder[] = [];
  /** Digest of the first `#folded` entries. */
  #digest = 0;
  #folded = 0;
  #view: Level3PriceLevel | undefined;

  /**
   * @param price The price.
   * @param priceText Its text.
   */
  constructor(price: number, priceText: string) {
    this.price = price;
    this.priceText = priceText;
  }

  /** Where `entry` stands in the queue (binary search on arrival), or -1. */
  indexOf(entry: RestingOrder): number {
    const entries = this.entries;
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (entries[mid].seq < entry.seq) low = mid + 1;
      else high = mid;
    }
    return entries[low] === entry ? low : -1;
  }

  /** Adds an order at the back of the queue. */
  append(entry: RestingOrder): void {
    this.entries.push(entry);
    this.#view = undefined;
  }

  /** Removes the order at `index`. */
  removeAt(index: number): void {
    this.entries.splice(index, 1);
    this.#changedAt(index);
  }

  /** Replaces the order at `index` in place: it keeps its place in the queue. */
  replaceAt(index: number, order: Level3Order): void {
    const entry = this.entries[index];
    entry.order = order;
    entry.digest = NaN;
    this.#changedAt(index);
  }

  #changedAt(index: number): void {
    if (index < this.#folded) {
      this.#digest = 0;
      this.#folded = 0;
    }
    this.#view = undefined;
  }

  /** Forgets every digest, for a change of precision. */
  resetDigests(): void {
    for (const entry of this.entries) entry.digest = NaN;
    this.#digest = 0;
    this.#folded = 0;
  }

  /**
   * The checksum digest of the whole queue: every order's price digits then quantity digits, in
   * queue order. Each order is hashed once; only orders new since the last read are folded in.
   */
  digest(precision: Precision | undefined): number {
    const entries = this.entries;
    let digest = this.#digest;
    for (let i = this.#folded; i < entries.length; i++) {
      const entry = entries[i];
      if (Number.isNaN(entry.digest)) {
        entry.digest = digestPair(entry.order.limitPriceText, entry.order.orderQtyText, precision);
      }
      digest = concatDigests(digest, entry.digest);
    }
    this.#digest = digest;
    this.#folded = entries.length;
    return digest;
  }

  /** The level as readers see it: frozen, and the same object until the queue changes. */
  view(): Level3PriceLevel {
    if (this.#view === undefined) {
      const orders = Object.freeze(this.entries.map((entry) => entry.order));
      this.#view = Object.freeze({ price: this.price, priceText: this.priceText, orders });
    }
    return this.#view;
  }
}

/**
 * Sorted price levels of one side. Bids are kept highest first, asks lowest first, so index 0 is
 * the best level and the checksum's top 10 are the first ten entries.
 *
 * @example
 * ```ts
 * import { Level3Side } from "./level3_side.ts";
 * const bids = new Level3Side("bid");
 * bids.levelFor(100, "100.0");
 * bids.levelFor(101, "101.0");
 * console.log(bids.levels[0].priceText); // "101.0"
 * ```
 */
export class Level3Side {
  /** Which side this is. */
  readonly side: "bid" | "ask";
  /** Levels, best first. */
  levels: Level3Level[] = [];
  /** Lowest level index changed since {@link Level3Side.resetChanges}; `Infinity` when none. */
  lowestChange = Infinity;

  /**
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

  /** The level at `price`, opened (empty) when there is none, and its index. */
  levelFor(price: number, priceText: string): { level: Level3Level; index: number } {
    const index = this.indexOf(price);
    const found = this.levels[index];
    if (found !== undefined && found.price === price) return { level: found, index };
    const level = new Level3Level(price, priceText);
    this.levels.splice(index, 0, level);
    this.changed(index);
    return { level, index };
  }

  /** Notes that the level at `index` changed, or that levels shifted from there. */
  changed(index: number): void {
    if (index < this.lowestChange) this.lowestChange = index;
  }

  /** Removes the level at `index` (it has no orders left). */
  removeLevel(index: number): void {
    this.levels.splice(index, 1);
    this.changed(index);
  }

  /**
   * Drops every level past `depth`: Kraken sends no delete for a level pushed out of view.
   *
   * @returns The levels dropped, for the caller to forget their orders.
   */
  truncate(depth: number): Level3Level[] {
    if (this.levels.length <= depth) return [];
    this.changed(depth);
    return this.levels.splice(depth);
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
