/**
 * The L2 order book engine: snapshot plus updates, cut to depth, checked against Kraken's CRC-32
 * and for crossing after every message.
 *
 * @module
 */

import { checkBookPayload, checkBookSymbol } from "./payload_checks.ts";
import type { BookLevel, BookPayload, FrameType } from "../protocol/messages.ts";
import { type BookChange, BookSide, copyPrefix } from "./book_side.ts";
import { CHECKSUM_LEVELS, ChecksumFold, digestLevel, type Precision } from "./checksum.ts";

/**
 * Book depths Kraken's v2 `book` channel accepts.
 *
 * @example
 * ```ts
 * import { BOOK_DEPTHS } from "@kraken-ws/sdk/extended";
 * console.log(BOOK_DEPTHS.includes(25)); // true
 * ```
 */
export const BOOK_DEPTHS: readonly BookDepth[] = [10, 25, 100, 500, 1000];

/**
 * A depth Kraken's v2 `book` channel accepts.
 *
 * @example
 * ```ts
 * import type { BookDepth } from "@kraken-ws/sdk";
 * const depth: BookDepth = 100;
 * console.log(depth);
 * ```
 */
export type BookDepth = 10 | 25 | 100 | 500 | 1000;

/**
 * The outcome of applying one book message.
 *
 * - `ok`: the book matches Kraken's checksum and is not crossed.
 * - `mismatch`: the computed checksum differs from the one received.
 * - `crossed`: the checksum matched but the best bid is at or above the best ask.
 * - `refused`: the message was not applied: no snapshot yet, a previous failure awaits a new
 *   snapshot, or the payload is for another symbol.
 *
 * After `mismatch` or `crossed` the book refuses updates until the next snapshot.
 *
 * @example
 * ```ts
 * import type { BookVerdict } from "@kraken-ws/sdk/extended";
 * function describe(verdict: BookVerdict): string {
 *   switch (verdict.status) {
 *     case "ok": return `ok ${verdict.checksum}`;
 *     case "mismatch": return `expected ${verdict.expected}, computed ${verdict.computed}`;
 *     case "crossed": return `crossed at ${verdict.bestBid.priceText}/${verdict.bestAsk.priceText}`;
 *     case "refused": return verdict.reason;
 *   }
 * }
 * console.log(describe({ status: "ok", checksum: 1 }));
 * ```
 */
export type BookVerdict =
  | { readonly status: "ok"; readonly checksum: number }
  | { readonly status: "mismatch"; readonly expected: number; readonly computed: number }
  | { readonly status: "crossed"; readonly bestBid: BookLevel; readonly bestAsk: BookLevel }
  | {
    readonly status: "refused";
    readonly reason: "awaiting_snapshot" | "wrong_symbol";
  };

/**
 * Where a book stands: `empty` before its first snapshot, `synced` while every message verified,
 * `failed` after a mismatch or a crossing, until the next snapshot.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@kraken-ws/sdk/extended";
 * console.log(new OrderBook("BTC/USD", 10).state); // "empty"
 * ```
 */
export type BookState = "empty" | "synced" | "failed";

/**
 * Options of an {@link OrderBook}.
 *
 * @example
 * ```ts
 * import { OrderBook, type OrderBookOptions } from "@kraken-ws/sdk/extended";
 * const options: OrderBookOptions = { precision: { price: 1, qty: 8 } };
 * console.log(new OrderBook("BTC/USD", 10, options).precision);
 * ```
 */
export interface OrderBookOptions {
  /**
   * The pair's precision. Only needed for input that lost its trailing zeros (a re-serialised
   * recording): values with fewer decimals are padded before the checksum.
   */
  readonly precision?: Precision;
}

function copyLevel(level: BookLevel): BookLevel {
  return {
    price: level.price,
    priceText: level.priceText,
    qty: level.qty,
    qtyText: level.qtyText,
  };
}

/**
 * An L2 order book for one symbol at one depth, exactly as Kraken defines it.
 *
 * Updates apply their levels in order (the same price twice: the later wins), a zero quantity in
 * any spelling deletes, and each side is cut to the depth after every message. Every apply returns
 * a {@link BookVerdict}; reads always return copies.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@kraken-ws/sdk/extended";
 * import { decode } from "@kraken-ws/sdk/extended";
 *
 * const book = new OrderBook("BTC/USD", 10);
 * const frame = decode(
 *   '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",' +
 *     '"bids":[{"price":100.0,"qty":1.00000000}],"asks":[{"price":101.0,"qty":2.00000000}],' +
 *     '"checksum":1424606772}]}',
 * );
 * if (frame.kind === "book") {
 *   const verdict = book.apply(frame.type, frame.data[0]);
 *   console.log(verdict.status, book.bestBid()?.priceText, book.spread());
 * }
 * ```
 */
export class OrderBook {
  /** The pair this book is for. */
  readonly symbol: string;
  /** Levels kept per side. */
  readonly depth: BookDepth;
  #precision: Precision | undefined;
  #bids = new BookSide("bid");
  #asks = new BookSide("ask");
  #state: BookState = "empty";
  #fold = new ChecksumFold();
  #changes: readonly BookChange[] = [];

  /**
   * Creates an empty book; it accepts updates once a snapshot has been applied.
   *
   * @param symbol The pair, like `BTC/USD`.
   * @param depth The subscribed depth; each side is cut to it after every message.
   * @param options Precision for padding re-serialised values.
   * @throws {TypeError} When `symbol` is not a pair's name.
   * @throws {RangeError} When `depth` is not one Kraken accepts.
   */
  constructor(symbol: string, depth: BookDepth, options?: OrderBookOptions) {
    checkBookSymbol(symbol);
    if (!BOOK_DEPTHS.includes(depth)) {
      throw new RangeError(`book depth must be one of ${BOOK_DEPTHS.join(", ")}, not ${depth}`);
    }
    this.symbol = symbol;
    this.depth = depth;
    this.#precision = options?.precision;
  }

  /** Where the book stands. */
  get state(): BookState {
    return this.#state;
  }

  /** The precision used for padding, if known. */
  get precision(): Precision | undefined {
    return this.#precision;
  }

  /** Sets the pair's precision, for example when an `instrument` frame arrives. */
  setPrecision(precision: Precision | undefined): void {
    this.#precision = precision;
    for (const side of [this.#bids, this.#asks]) {
      side.digests = side.levels.map((level) => digestLevel(level, precision));
    }
    this.#fold.invalidateFrom(0);
  }

  /**
   * Applies a snapshot or an update, by the frame's `type`.
   *
   * @param type The frame's type.
   * @param payload The frame's book data for this symbol.
   * @returns The verdict on the book after this message.
   * @throws {TypeError} A payload not of the decoded shape (a JavaScript caller's), before any of
   *   it is applied.
   */
  apply(type: FrameType, payload: BookPayload): BookVerdict {
    if (type === "snapshot") return this.applySnapshot(payload);
    if (type === "update") return this.applyUpdate(payload);
    throw new TypeError(`type must be "snapshot" or "update", not ${String(type).slice(0, 20)}`);
  }

  /**
   * Replaces the book with a snapshot and verifies it.
   *
   * @param payload The snapshot's data.
   * @returns The verdict.
   */
  applySnapshot(payload: BookPayload): BookVerdict {
    checkBookPayload("snapshot", payload);
    if (payload.symbol !== this.symbol) return { status: "refused", reason: "wrong_symbol" };
    this.#bids.clear();
    this.#asks.clear();
    this.#fold.invalidateFrom(0);
    this.#setLevels(payload);
    return this.#verify(payload.checksum);
  }

  /**
   * Applies an update and verifies it. Refused before the first snapshot and after a failure.
   *
   * @param payload The update's data.
   * @returns The verdict.
   */
  applyUpdate(payload: BookPayload): BookVerdict {
    checkBookPayload("update", payload);
    if (payload.symbol !== this.symbol) return { status: "refused", reason: "wrong_symbol" };
    if (this.#state !== "synced") return { status: "refused", reason: "awaiting_snapshot" };
    this.#bids.resetChanges();
    this.#asks.resetChanges();
    this.#setLevels(payload);
    // The checksum reads asks then bids: fold again from the first position that changed. A
    // change below the top 10 of a side changes neither its levels nor its count there.
    const askChange = this.#asks.lowestChange;
    const askTop = Math.min(CHECKSUM_LEVELS, this.#asks.levels.length);
    this.#fold.invalidateFrom(
      askChange < CHECKSUM_LEVELS
        ? askChange
        : askTop + Math.min(this.#bids.lowestChange, CHECKSUM_LEVELS),
    );
    return this.#verify(payload.checksum);
  }

  #setLevels(payload: BookPayload): void {
    const depth = this.depth;
    this.#setSide(this.#bids, payload.bids);
    this.#setSide(this.#asks, payload.asks);
    this.#bids.truncate(depth);
    this.#asks.truncate(depth);
    const bids = this.#bids.changes;
    const asks = this.#asks.changes;
    this.#changes = asks.length === 0 ? bids : bids.length === 0 ? asks : [...bids, ...asks];
  }

  #setSide(side: BookSide, levels: readonly BookLevel[]): void {
    const precision = this.#precision;
    for (const level of levels) {
      // Any spelling of zero (0, 0.0, 0e0, -0) is the number 0: a delete.
      if (level.qty === 0) side.remove(level.price, level);
      else side.set(level, digestLevel(level, precision));
    }
  }

  #verify(expected: number): BookVerdict {
    const computed = this.checksum();
    if (computed !== expected) {
      this.#state = "failed";
      return { status: "mismatch", expected, computed };
    }
    const bestBid = this.#bids.levels[0];
    const bestAsk = this.#asks.levels[0];
    if (bestBid !== undefined && bestAsk !== undefined && bestBid.price >= bestAsk.price) {
      this.#state = "failed";
      return { status: "crossed", bestBid: copyLevel(bestBid), bestAsk: copyLevel(bestAsk) };
    }
    this.#state = "synced";
    return { status: "ok", checksum: computed };
  }

  /**
   * Kraken's checksum of the book as it stands: CRC-32 of the 10 best asks (lowest first) then the
   * 10 best bids (highest first), each as price digits then quantity digits. Only the part of the
   * top that changed since the last call is hashed again.
   *
   * @returns The unsigned 32-bit checksum.
   */
  checksum(): number {
    return this.#fold.fold(this.#asks.digests, this.#bids.digests);
  }

  /** The best (highest) bid, as a copy. */
  bestBid(): BookLevel | undefined {
    const level = this.#bids.levels[0];
    return level === undefined ? undefined : copyLevel(level);
  }

  /** The best (lowest) ask, as a copy. */
  bestAsk(): BookLevel | undefined {
    const level = this.#asks.levels[0];
    return level === undefined ? undefined : copyLevel(level);
  }

  /** Best ask minus best bid as a number, or undefined when a side is empty. */
  spread(): number | undefined {
    const bid = this.#bids.levels[0];
    const ask = this.#asks.levels[0];
    return bid === undefined || ask === undefined ? undefined : ask.price - bid.price;
  }

  /**
   * The best `count` bids, highest first, as copies.
   *
   * @param count How many (default: all).
   */
  bids(count: number = this.depth): BookLevel[] {
    return copyPrefix(this.#bids.levels, count).map(copyLevel);
  }

  /**
   * The best `count` asks, lowest first, as copies.
   *
   * @param count How many (default: all).
   */
  asks(count: number = this.depth): BookLevel[] {
    return copyPrefix(this.#asks.levels, count).map(copyLevel);
  }

  /**
   * The bids, highest first, as one frozen array shared with every other reader: no copy, so a
   * read costs the same at depth 1000 as at 10. The book copies its own array on its next change
   * (copy-on-write), so what a reader holds never changes under it.
   *
   * @returns Every bid the book holds.
   */
  bidLevels(): readonly BookLevel[] {
    return this.#bids.view();
  }

  /**
   * The asks, lowest first, as one frozen shared array; see {@link OrderBook.bidLevels}.
   *
   * @returns Every ask the book holds.
   */
  askLevels(): readonly BookLevel[] {
    return this.#asks.view();
  }

  /**
   * The levels the last message applied changed, bids then asks, in the order they changed: a
   * quantity set, or removed (zero quantity: a delete, or a level cut at the depth). After a
   * snapshot, every level it set. Lets a consumer follow the book without diffing it.
   *
   * @returns The changes; empty when the last message changed nothing.
   */
  changes(): readonly BookChange[] {
    return this.#changes;
  }

  /** Number of levels on each side. */
  get size(): { readonly bids: number; readonly asks: number } {
    return { bids: this.#bids.levels.length, asks: this.#asks.levels.length };
  }
}
