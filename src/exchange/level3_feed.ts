/**
 * Kraken's `level3` channel on one connection to its `ws-l3` endpoint, sans I/O: the requests
 * (token, depth, symbols, one depth per symbol, at most 200 symbols, the subscription rate
 * counter), the snapshot of the visible orders and the order events that keep a client's book
 * equal to the truth cut to its depth, with the level 3 checksum on every frame.
 *
 * What a client holds is tracked per subscription as the queues last sent, so each step sends
 * exactly the difference: a `delete` for an order that left the truth, a `modify` for one whose
 * quantity fell (it keeps its place), an `add` for one that joined a level in view, and an `add`
 * for every order of a level moving into view (as Kraken publishes them). A level pushed below
 * the depth gets nothing: the client cuts it.
 *
 * @module
 */

import { CHECKSUM_LEVELS } from "../book/checksum.ts";
import { level3Checksum } from "../book/level3_checksum.ts";
import { LEVEL3_DEPTHS, type Level3Depth } from "../book/level3_book.ts";
import type { Level3Event, Level3Order } from "../protocol/level3_messages.ts";
import type { SimFrame, SimSubscription } from "./feed.ts";
import { ackFrame, errorFrame, krakenTime, level3Frame, pongFrame } from "./frames.ts";
import type { SimOrder, SimOrderLevel, SimOrders, SimSymbolOrders } from "./level3_orders.ts";
import { INVALID_TOKEN } from "./private_feed.ts";
import type { TokenBook } from "./tokens.ts";

/**
 * The most symbols one `level3` connection may hold (Kraken: "The total number of symbols per
 * websocket connection is 200").
 *
 * @example
 * ```ts
 * import { LEVEL3_MAX_SYMBOLS } from "./level3_feed.ts";
 * console.log(LEVEL3_MAX_SYMBOLS); // 200
 * ```
 */
export const LEVEL3_MAX_SYMBOLS = 200;

/**
 * The error for a symbol past {@link LEVEL3_MAX_SYMBOLS}. Kraken documents the limit but not its
 * words: this string is the simulator's own, in the style of Kraken's others.
 *
 * @example
 * ```ts
 * import { LEVEL3_SYMBOL_LIMIT_ERROR } from "./level3_feed.ts";
 * console.log(LEVEL3_SYMBOL_LIMIT_ERROR.startsWith("Exceeded")); // true
 * ```
 */
export const LEVEL3_SYMBOL_LIMIT_ERROR = "Exceeded maximum symbols per connection";

/**
 * Kraken's standard subscription rate limit of the `level3` channel: the rate counter a client may
 * reach within one second.
 *
 * @example
 * ```ts
 * import { LEVEL3_RATE_LIMIT } from "./level3_feed.ts";
 * console.log(LEVEL3_RATE_LIMIT); // 200
 * ```
 */
export const LEVEL3_RATE_LIMIT = 200;

/**
 * What one symbol's subscription adds to the rate counter, by depth (Kraken's table).
 *
 * @example
 * ```ts
 * import { LEVEL3_RATE_COSTS } from "./level3_feed.ts";
 * console.log(LEVEL3_RATE_COSTS[1000]); // 100
 * ```
 */
export const LEVEL3_RATE_COSTS: Readonly<Record<Level3Depth, number>> = {
  10: 5,
  100: 25,
  1000: 100,
};

const RATE_WINDOW_MS = 1000;

/** A level as a client holds it: the truth's level, its version and its queue when last sent. */
interface HeldLevel {
  readonly level: SimOrderLevel;
  readonly version: number;
  readonly orders: readonly SimOrder[];
}

/** One `level3` subscription. */
interface Held {
  readonly symbol: string;
  readonly depth: Level3Depth;
  readonly book: SimSymbolOrders;
  /** The book's version last diffed. */
  seen: number;
  bids: HeldLevel[];
  asks: HeldLevel[];
}

type Fields = { readonly [field: string]: unknown };

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function held(levels: readonly SimOrderLevel[], depth: number): HeldLevel[] {
  const count = Math.min(depth, levels.length);
  const out = new Array<HeldLevel>(count);
  for (let i = 0; i < count; i++) {
    const level = levels[i];
    // The queue is copied: the truth replaces its array's items as orders fill.
    out[i] = { level, version: level.version, orders: level.orders.slice() };
  }
  return out;
}

function withEvent(order: SimOrder, event: Level3Event): Level3Order {
  return {
    event,
    orderId: order.orderId,
    limitPrice: order.limitPrice,
    limitPriceText: order.limitPriceText,
    orderQty: order.orderQty,
    orderQtyText: order.orderQtyText,
    timestamp: order.timestamp,
  };
}

/**
 * The order events that turn what a client holds of one side (`before`) into `after`, the top of
 * the truth, for a client that applies them in order and cuts the side to its depth: level by
 * level, best first, the deletes, then the modifies, then the adds (in queue order, so they join
 * the back in the truth's order).
 */
function sideEvents(
  before: readonly HeldLevel[],
  after: readonly HeldLevel[],
  byTicks: (ticks: number) => boolean,
): Level3Order[] {
  const events: Level3Order[] = [];
  const afterTicks = new Map<number, HeldLevel>();
  for (const level of after) afterTicks.set(level.level.ticks, level);
  const beforeTicks = new Map<number, HeldLevel>();
  for (const level of before) {
    beforeTicks.set(level.level.ticks, level);
    if (afterTicks.has(level.level.ticks)) continue;
    // Out of view: pushed below the depth (the client cuts it: nothing to send), or gone from
    // the truth (every order it held is deleted).
    if (byTicks(level.level.ticks)) continue;
    for (const order of level.orders) events.push(withEvent(order, "delete"));
  }
  for (const now of after) {
    const old = beforeTicks.get(now.level.ticks);
    if (old === undefined) {
      // Moving into view: Kraken publishes the level's orders as adds.
      for (const order of now.orders) events.push(withEvent(order, "add"));
      continue;
    }
    if (old.level === now.level && old.version === now.version) continue;
    const current = new Map<string, SimOrder>();
    for (const order of now.orders) current.set(order.orderId, order);
    const kept = new Map<string, SimOrder>();
    for (const order of old.orders) {
      if (current.has(order.orderId)) kept.set(order.orderId, order);
      else events.push(withEvent(order, "delete"));
    }
    for (const order of now.orders) {
      const was = kept.get(order.orderId);
      if (was !== undefined && was !== order) events.push(withEvent(order, "modify"));
    }
    for (const order of now.orders) {
      if (!kept.has(order.orderId)) events.push(withEvent(order, "add"));
    }
  }
  return events;
}

/**
 * One `level3` connection's channel: answers its requests and turns the truth's moves into the
 * frames of its subscriptions.
 *
 * @example
 * ```ts
 * import { Level3Feed } from "./level3_feed.ts";
 * import { SimOrders } from "./level3_orders.ts";
 * import { SimMarket } from "./market.ts";
 * import { TokenBook } from "./tokens.ts";
 * const tokens = new TokenBook();
 * tokens.add("t0k3n", 0);
 * const feed = new Level3Feed(new SimOrders(new SimMarket(1)), tokens);
 * const frames = feed.receive('{"method":"subscribe","params":{"channel":"level3","symbol":["BTC/USD"],"depth":10,"token":"t0k3n"},"req_id":1}', 0);
 * console.log(frames.map((frame) => frame.kind)); // ["reply", "level3"]
 * ```
 */
export class Level3Feed {
  readonly #orders: SimOrders | undefined;
  readonly #tokens: TokenBook;
  readonly #held = new Map<string, Held>();
  /** Rate counter increases of the last second: subscriptions accepted, with their cost. */
  #charges: { readonly at: number; readonly cost: number }[] = [];

  /**
   * Creates the channel of a new connection.
   *
   * @param orders The orders behind the market (none: a feed with no orders, such as a replay,
   *   where every pair is unknown).
   * @param tokens The account's tokens: every request must carry a good one.
   */
  constructor(orders: SimOrders | undefined, tokens: TokenBook) {
    this.#orders = orders;
    this.#tokens = tokens;
  }

  /** Subscriptions held, as `level3` subscriptions with their depth. */
  get subscriptions(): SimSubscription[] {
    return [...this.#held.values()].map(({ symbol, depth }) => ({
      channel: "level3",
      symbol,
      depth,
    }));
  }

  /**
   * Answers one request. Besides `level3` subscribe and unsubscribe, Kraken's `ws-l3` endpoint is
   * taken to answer only `ping`: any other channel is `Subscription name invalid`, any other
   * method `Method not found` (Kraken does not document what it answers there).
   *
   * @param text The request as received.
   * @param now Server time in ms.
   * @returns The frames to send back, in order.
   */
  receive(text: string, now: number): SimFrame[] {
    const reply = (frame: string): SimFrame => ({ kind: "reply", text: frame });
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      return [reply(errorFrame(now, "", "Malformed request", undefined))];
    }
    if (!isFields(request)) return [reply(errorFrame(now, "", "Malformed request", undefined))];
    const reqId = typeof request.req_id === "number" && Number.isSafeInteger(request.req_id)
      ? request.req_id
      : undefined;
    const method = typeof request.method === "string" ? request.method : "";
    if (method === "ping") return [reply(pongFrame(now, reqId))];
    if (method !== "subscribe" && method !== "unsubscribe") {
      return [reply(errorFrame(now, method, "Method not found", reqId))];
    }
    const params = isFields(request.params) ? request.params : {};
    const refuse = (error: string) => [reply(errorFrame(now, method, error, reqId))];
    if (params.channel !== "level3") return refuse("Subscription name invalid");
    // The channel is authenticated: the token is checked before anything else is read.
    const token = typeof params.token === "string" ? params.token : undefined;
    if (!this.#tokens.use(token, now)) return refuse(INVALID_TOKEN);
    const symbols = Array.isArray(params.symbol)
      ? params.symbol.filter((item): item is string => typeof item === "string")
      : [];
    if (symbols.length === 0) return refuse("Missing field: symbol");
    const depth = LEVEL3_DEPTHS.find((known) => known === (params.depth ?? 10));
    if (depth === undefined) return refuse("Subscription depth not supported");
    const snapshot = params.snapshot !== false;
    const frames: SimFrame[] = [];
    const refuseSymbol = (error: string, symbol: string) =>
      frames.push(reply(errorFrame(now, method, error, reqId, symbol)));
    this.#charges = this.#charges.filter((charge) => now - charge.at < RATE_WINDOW_MS);
    // One answer per symbol, as for every other channel.
    for (const symbol of symbols) {
      const orders = this.#orders;
      if (orders === undefined || !orders.has(symbol)) {
        refuseSymbol(`Currency pair not supported ${symbol}`, symbol);
        continue;
      }
      if (method === "unsubscribe") {
        if (this.#held.delete(symbol)) {
          frames.push(
            reply(ackFrame(now, method, { channel: "level3", symbol, depth }, reqId)),
          );
        } else refuseSymbol("Subscription Not Found", symbol);
        continue;
      }
      if (this.#held.has(symbol)) {
        refuseSymbol("Already subscribed", symbol);
        continue;
      }
      if (this.#held.size >= LEVEL3_MAX_SYMBOLS) {
        refuseSymbol(LEVEL3_SYMBOL_LIMIT_ERROR, symbol);
        continue;
      }
      const cost = LEVEL3_RATE_COSTS[depth];
      const counted = this.#charges.reduce((sum, charge) => sum + charge.cost, 0);
      if (counted + cost > LEVEL3_RATE_LIMIT) {
        refuseSymbol("Exceeded msg rate", symbol);
        continue;
      }
      this.#charges.push({ at: now, cost });
      const book = orders.track(symbol, now);
      const subscription: Held = {
        symbol,
        depth,
        book,
        seen: book.version,
        bids: held(book.bids, depth),
        asks: held(book.asks, depth),
      };
      this.#held.set(symbol, subscription);
      frames.push(
        reply(ackFrame(now, method, { channel: "level3", symbol, depth, snapshot }, reqId)),
      );
      if (snapshot) frames.push(this.#frame(subscription, "snapshot", now));
    }
    return frames;
  }

  /**
   * The update frames of what the truth did since the last step, one per subscription whose
   * visible book changed.
   *
   * @param now Server time in ms.
   * @returns Frames, in order.
   */
  step(now: number): SimFrame[] {
    const frames: SimFrame[] = [];
    for (const subscription of this.#held.values()) {
      const book = subscription.book;
      if (book.version === subscription.seen) continue;
      subscription.seen = book.version;
      const bids = held(book.bids, subscription.depth);
      const asks = held(book.asks, subscription.depth);
      const bidEvents = sideEvents(subscription.bids, bids, (ticks) => inSide(book.bids, ticks));
      const askEvents = sideEvents(subscription.asks, asks, (ticks) => inSide(book.asks, ticks));
      subscription.bids = bids;
      subscription.asks = asks;
      if (bidEvents.length === 0 && askEvents.length === 0) continue;
      frames.push(this.#frame(subscription, "update", now, bidEvents, askEvents));
    }
    return frames;
  }

  /** A frame of `subscription`'s book as held now: its snapshot, or the events given. */
  #frame(
    subscription: Held,
    type: "snapshot" | "update",
    now: number,
    bidEvents?: readonly Level3Order[],
    askEvents?: readonly Level3Order[],
  ): SimFrame {
    // The checksum reads the top 10 price levels of each side.
    const top = (side: readonly HeldLevel[]) =>
      side.slice(0, CHECKSUM_LEVELS).map(({ level, orders }) => ({
        price: level.price,
        priceText: level.priceText,
        orders,
      }));
    const checksum = level3Checksum(top(subscription.asks), top(subscription.bids));
    const count = (side: readonly HeldLevel[]) =>
      side.reduce((sum, level) => sum + level.orders.length, 0);
    const all = (side: readonly HeldLevel[]) => side.flatMap((level) => level.orders);
    const symbol = subscription.symbol;
    return {
      kind: "level3",
      symbol,
      level3: {
        snapshot: type === "snapshot",
        depth: subscription.depth,
        checksum,
        orders: count(subscription.bids) + count(subscription.asks),
      },
      text: level3Frame(type, {
        symbol,
        bids: bidEvents ?? all(subscription.bids),
        asks: askEvents ?? all(subscription.asks),
        checksum,
        timestamp: krakenTime(now),
      }),
    };
  }
}

/** Whether a side still has a level at `ticks` (a binary search would do; a side is short). */
function inSide(levels: readonly SimOrderLevel[], ticks: number): boolean {
  return levels.some((level) => level.ticks === ticks);
}
