/**
 * The level 3 order book engine: every resting order in its queue, from a snapshot plus
 * add/modify/delete events, cut to depth and checked against Kraken's CRC-32 and for crossing
 * after every message.
 *
 * @module
 */

import { checkBookSymbol, checkLevel3Payload } from "./payload_checks.ts";
import { decimalSum } from "../protocol/decimal_arithmetic.ts";
import type { Level3Order, Level3Payload } from "../protocol/level3_messages.ts";
import type { BookLevel, FrameType } from "../protocol/messages.ts";
import { CHECKSUM_LEVELS, ChecksumFold, type Precision } from "./checksum.ts";
import {
  type Level3Level,
  type Level3PriceLevel,
  Level3Side,
  RestingOrder,
} from "./level3_side.ts";
import type { BookState, BookVerdict, OrderBookOptions } from "./order_book.ts";

/**
 * Depths Kraken's `level3` channel accepts, in price levels per side.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import { LEVEL3_DEPTHS } from "@kraken-ws/sdk/extended";
 * console.log(LEVEL3_DEPTHS.includes(100)); // true
 * ```
 */
export const LEVEL3_DEPTHS: readonly Level3Depth[] = [10, 100, 1000];

/**
 * A depth Kraken's `level3` channel accepts.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import type { Level3Depth } from "@kraken-ws/sdk/extended";
 * const depth: Level3Depth = 1000;
 * console.log(depth);
 * ```
 */
export type Level3Depth = 10 | 100 | 1000;

/**
 * Where an order rests: its side, its price level (0 is the best) and its place in that level's
 * queue (0 fills first).
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import type { Level3OrderLocation } from "@kraken-ws/sdk/extended";
 * function describe(location: Level3OrderLocation): string {
 *   return `${location.side} level ${location.levelIndex}, #${location.queueIndex} in the queue`;
 * }
 * console.log(describe({
 *   side: "bid", levelIndex: 0, queueIndex: 2,
 *   order: { orderId: "O1", limitPrice: 1, limitPriceText: "1.0", orderQty: 1, orderQtyText: "1.0", timestamp: "" },
 * }));
 * ```
 */
export interface Level3OrderLocation {
  /** `bid` or `ask`. */
  readonly side: "bid" | "ask";
  /** Index of its price level on its side, 0 being the best. */
  readonly levelIndex: number;
  /** Index in its level's queue, 0 being next to fill. */
  readonly queueIndex: number;
  /** The order, frozen. */
  readonly order: Level3Order;
}

/**
 * What rests ahead of an order at its price: how many orders and how much quantity, as exact
 * decimal text.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import type { Level3QueuePosition } from "@kraken-ws/sdk/extended";
 * const position: Level3QueuePosition = { side: "ask", levelIndex: 0, ordersAhead: 2, qtyAhead: "0.30000000" };
 * console.log(`${position.ordersAhead} orders, ${position.qtyAhead} ahead`);
 * ```
 */
export interface Level3QueuePosition {
  /** `bid` or `ask`. */
  readonly side: "bid" | "ask";
  /** Index of its price level on its side, 0 being the best. */
  readonly levelIndex: number;
  /** Orders ahead of it in its level's queue. */
  readonly ordersAhead: number;
  /** Their visible quantity summed exactly, with the most decimals among them; `"0"` when none. */
  readonly qtyAhead: string;
}

/** The order as the book keeps it: frozen, without the update's `event`. */
function restingCopy(order: Level3Order): Level3Order {
  return Object.freeze({
    orderId: order.orderId,
    limitPrice: order.limitPrice,
    limitPriceText: order.limitPriceText,
    orderQty: order.orderQty,
    orderQtyText: order.orderQtyText,
    timestamp: order.timestamp,
  });
}

/** A level seen as one L2 level, for a `crossed` verdict: its quantity summed exactly. */
function aggregate(level: Level3Level): BookLevel {
  const qtyText = decimalSum(level.entries.map((entry) => entry.order.orderQtyText));
  return { price: level.price, priceText: level.priceText, qty: Number(qtyText), qtyText };
}

/**
 * A level 3 order book for one symbol at one depth: every visible order, in its queue, exactly as
 * Kraken's `level3` channel and its checksum guide define it.
 *
 * A snapshot replaces the book. An update applies its order events in order, bids then asks, and
 * every apply returns a {@link BookVerdict}, as the L2 `OrderBook` does: the checksum covers
 * the top 10 price levels of each side order by order, so it also verifies queue order. After a
 * `mismatch` or a `crossed` verdict the book refuses updates until the next snapshot.
 *
 * How each event is applied, and what Kraken's documentation says about it:
 * - `add`: the order joins the back of its price level's queue (a new level opens if needed).
 *   An `add` of an id the book already holds replaces that order: it leaves its old place and
 *   joins the back, as a new order would.
 * - `modify` at the order's price: its quantity and timestamp change in place and it keeps its
 *   place in the queue. Kraken's level3 reference defines `modify` as "The order quantity has
 *   been modified, i.e. a fill", and a partial fill does not move an order; the checksum guide
 *   itself says nothing more about a modified order's place. (nautilus_trader's Kraken adapter,
 *   `crates/adapters/kraken/src/websocket/spot_v2/level_3/parse.rs`, does the same.)
 * - `modify` to another price (or to the other side): the order leaves its level and joins the
 *   back of the new one. Kraken's amend guide keeps queue priority only "where possible", and a
 *   place in one price's queue means nothing at another; nautilus_trader does the same.
 * - `modify` to a zero quantity (any spelling): the order is removed, as a delete. The guide says
 *   a level with "no orders or no order quantity should be removed".
 * - `delete`: the order is removed. A level with no order left is removed.
 * - An order event without `event` (only a hand-built payload can lack it) is taken as `add`.
 * - A `modify` or `delete` of an id the book does not hold is ignored: the book cut that order
 *   below the depth (Kraken sends no delete for it), or the book is out of sync, and then the
 *   checksum fails on this very message. Nothing is invented to fill the gap.
 * - An `add` or a snapshot order with a zero quantity is not placed.
 *
 * After every message each side is cut to `depth` price levels; the orders cut are forgotten.
 * Reads return frozen views: a level's view is shared until its queue changes, so reading the
 * book costs no copy of its orders.
 *
 * @experimental Level 3 needs an authenticated connection (a token).
 *
 * @example
 * ```ts
 * import { decode, Level3Book } from "@kraken-ws/sdk/extended";
 *
 * const book = new Level3Book("BTC/USD", 10);
 * const order = (id: string, price: string, qty: string) =>
 *   `{"order_id":"${id}","limit_price":${price},"order_qty":${qty},"timestamp":"2024-01-08T12:26:39Z"}`;
 * const frame = decode(
 *   '{"channel":"level3","type":"snapshot","data":[{"symbol":"BTC/USD","checksum":3443602549,' +
 *     `"bids":[${order("B1", "100.0", "1.00000000")},${order("B2", "100.0", "0.50000000")}],` +
 *     `"asks":[${order("A1", "101.0", "2.00000000")}]}]}`,
 * );
 * if (frame.kind === "level3") {
 *   console.log(book.apply(frame.type, frame.data[0]).status); // "ok"
 *   console.log(book.queuePosition("B2")); // { side: "bid", levelIndex: 0, ordersAhead: 1, qtyAhead: "1.00000000" }
 * }
 * ```
 */
export class Level3Book {
  /** The pair this book is for. */
  readonly symbol: string;
  /** Price levels kept per side. */
  readonly depth: Level3Depth;
  #precision: Precision | undefined;
  #bids = new Level3Side("bid");
  #asks = new Level3Side("ask");
  /** Every resting order by id: a modify or delete finds its order without a search. */
  #orders = new Map<string, RestingOrder>();
  #state: BookState = "empty";
  #fold = new ChecksumFold();
  /** Arrival counter: within a level, queue order is arrival order. */
  #seq = 0;
  /** The top levels' digests handed to the fold, reused between messages. */
  #askTop: number[] = [];
  #bidTop: number[] = [];

  /**
   * Creates an empty book; it accepts updates once a snapshot has been applied.
   *
   * @param symbol The pair, like `BTC/USD`.
   * @param depth The subscribed depth in price levels; each side is cut to it after every
   *   message.
   * @param options Precision for padding re-serialised values.
   * @throws {TypeError} When `symbol` is not a pair's name.
   * @throws {RangeError} When `depth` is not one Kraken's `level3` channel accepts.
   */
  constructor(symbol: string, depth: Level3Depth, options?: OrderBookOptions) {
    checkBookSymbol(symbol);
    if (!LEVEL3_DEPTHS.includes(depth)) {
      throw new RangeError(`level3 depth must be one of ${LEVEL3_DEPTHS.join(", ")}, not ${depth}`);
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
      for (const level of side.levels) level.resetDigests();
    }
    this.#fold.invalidateFrom(0);
  }

  /**
   * Applies a snapshot or an update, by the frame's `type`.
   *
   * @param type The frame's type.
   * @param payload The frame's level 3 data for this symbol.
   * @returns The verdict on the book after this message.
   * @throws {TypeError} A payload not of the decoded shape (a JavaScript caller's), before any of
   *   it is applied.
   */
  apply(type: FrameType, payload: Level3Payload): BookVerdict {
    if (type === "snapshot") return this.applySnapshot(payload);
    if (type === "update") return this.applyUpdate(payload);
    throw new TypeError(`type must be "snapshot" or "update", not ${String(type).slice(0, 20)}`);
  }

  /**
   * Replaces the book with a snapshot and verifies it. Orders join their levels in wire order,
   * which is queue order; an id listed twice keeps its later entry.
   *
   * @param payload The snapshot's data.
   * @returns The verdict.
   */
  applySnapshot(payload: Level3Payload): BookVerdict {
    checkLevel3Payload("snapshot", payload);
    if (payload.symbol !== this.symbol) return { status: "refused", reason: "wrong_symbol" };
    this.#bids.clear();
    this.#asks.clear();
    this.#orders.clear();
    this.#fold.invalidateFrom(0);
    for (const order of payload.bids) this.#add(this.#bids, order);
    for (const order of payload.asks) this.#add(this.#asks, order);
    this.#truncate();
    return this.#verify(payload.checksum);
  }

  /**
   * Applies an update's order events in order and verifies the result. Refused before the first
   * snapshot and after a failure.
   *
   * @param payload The update's data.
   * @returns The verdict.
   */
  applyUpdate(payload: Level3Payload): BookVerdict {
    checkLevel3Payload("update", payload);
    if (payload.symbol !== this.symbol) return { status: "refused", reason: "wrong_symbol" };
    if (this.#state !== "synced") return { status: "refused", reason: "awaiting_snapshot" };
    this.#bids.resetChanges();
    this.#asks.resetChanges();
    for (const order of payload.bids) this.#event(this.#bids, order);
    for (const order of payload.asks) this.#event(this.#asks, order);
    this.#truncate();
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

  #event(side: Level3Side, order: Level3Order): void {
    const held = this.#orders.get(order.orderId);
    switch (order.event) {
      case "delete":
        if (held !== undefined) this.#remove(held);
        return;
      case "modify":
        if (held === undefined) return;
        if (held.side === side && held.level.price === order.limitPrice && order.orderQty > 0) {
          const level = held.level;
          level.replaceAt(level.indexOf(held), restingCopy(order));
          side.changed(side.indexOf(level.price));
          return;
        }
        this.#remove(held);
        this.#add(side, order);
        return;
      default:
        this.#add(side, order);
    }
  }

  /**
   * Places an order at the back of its level's queue, replacing an order of the same id; a zero
   * quantity places nothing.
   */
  #add(side: Level3Side, order: Level3Order): void {
    const held = this.#orders.get(order.orderId);
    if (held !== undefined) this.#remove(held);
    // Any spelling of zero (0, 0.0, 0e0) is the number 0.
    if (!(order.orderQty > 0)) return;
    const { level, index } = side.levelFor(order.limitPrice, order.limitPriceText);
    const entry = new RestingOrder(restingCopy(order), ++this.#seq, level, side);
    level.append(entry);
    side.changed(index);
    this.#orders.set(order.orderId, entry);
  }

  #remove(entry: RestingOrder): void {
    const { level, side } = entry;
    level.removeAt(level.indexOf(entry));
    this.#orders.delete(entry.order.orderId);
    const index = side.indexOf(level.price);
    if (level.entries.length === 0) side.removeLevel(index);
    else side.changed(index);
  }

  #truncate(): void {
    for (const side of [this.#bids, this.#asks]) {
      for (const level of side.truncate(this.depth)) {
        for (const entry of level.entries) this.#orders.delete(entry.order.orderId);
      }
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
      return { status: "crossed", bestBid: aggregate(bestBid), bestAsk: aggregate(bestAsk) };
    }
    this.#state = "synced";
    return { status: "ok", checksum: computed };
  }

  /**
   * Kraken's level 3 checksum of the book as it stands: CRC-32 of the 10 best ask levels then the
   * 10 best bid levels, every order of a level in queue order, as price digits then quantity
   * digits. Each order is hashed once; each level's digest is kept until its queue changes, and
   * only the levels from the first one that changed are folded again.
   *
   * @returns The unsigned 32-bit checksum.
   */
  checksum(): number {
    const precision = this.#precision;
    return this.#fold.fold(
      topDigests(this.#asks, this.#askTop, precision),
      topDigests(this.#bids, this.#bidTop, precision),
    );
  }

  /** The best (highest) bid level with its queue, frozen. */
  bestBid(): Level3PriceLevel | undefined {
    return this.#bids.levels[0]?.view();
  }

  /** The best (lowest) ask level with its queue, frozen. */
  bestAsk(): Level3PriceLevel | undefined {
    return this.#asks.levels[0]?.view();
  }

  /**
   * The best `count` bid levels, highest first, each with its queue: a new array of frozen level
   * views.
   *
   * @param count How many levels (default: all).
   */
  bids(count: number = this.depth): Level3PriceLevel[] {
    return views(this.#bids, count);
  }

  /**
   * The best `count` ask levels, lowest first, each with its queue: a new array of frozen level
   * views.
   *
   * @param count How many levels (default: all).
   */
  asks(count: number = this.depth): Level3PriceLevel[] {
    return views(this.#asks, count);
  }

  /**
   * Where an order rests, found through the book's index of order ids.
   *
   * @param orderId Kraken's order id.
   * @returns Its location and the order, or undefined when the book does not hold it.
   */
  order(orderId: string): Level3OrderLocation | undefined {
    const entry = this.#orders.get(orderId);
    if (entry === undefined) return undefined;
    return {
      side: entry.side.side,
      levelIndex: entry.side.indexOf(entry.level.price),
      queueIndex: entry.level.indexOf(entry),
      order: entry.order,
    };
  }

  /**
   * What rests ahead of an order in its price level's queue: the orders that fill before it, and
   * their quantity summed exactly.
   *
   * @param orderId Kraken's order id.
   * @returns The position, or undefined when the book does not hold the order.
   */
  queuePosition(orderId: string): Level3QueuePosition | undefined {
    const entry = this.#orders.get(orderId);
    if (entry === undefined) return undefined;
    const ordersAhead = entry.level.indexOf(entry);
    const ahead = entry.level.entries.slice(0, ordersAhead);
    return {
      side: entry.side.side,
      levelIndex: entry.side.indexOf(entry.level.price),
      ordersAhead,
      qtyAhead: decimalSum(ahead.map((other) => other.order.orderQtyText)),
    };
  }

  /** Price levels on each side, and resting orders in all. */
  get size(): { readonly bids: number; readonly asks: number; readonly orders: number } {
    return {
      bids: this.#bids.levels.length,
      asks: this.#asks.levels.length,
      orders: this.#orders.size,
    };
  }
}

function views(side: Level3Side, count: number): Level3PriceLevel[] {
  const levels = side.levels;
  const length = Math.max(0, Math.min(count, levels.length));
  const out = new Array<Level3PriceLevel>(length);
  for (let i = 0; i < length; i++) out[i] = levels[i].view();
  return out;
}

/** The digests of a side's top 10 levels, written into `into`. */
function topDigests(
  side: Level3Side,
  into: number[],
  precision: Precision | undefined,
): number[] {
  const levels = side.levels;
  const count = Math.min(CHECKSUM_LEVELS, levels.length);
  into.length = count;
  for (let i = 0; i < count; i++) into[i] = levels[i].digest(precision);
  return into;
}
