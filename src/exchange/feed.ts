/**
 * What the fake exchange serves: a feed that moves with time (the seeded market, or a recording),
 * seen by each connection through its own view, which turns the feed's moves into the frames of
 * that connection's subscriptions. Kraken's request rules are not the feed's business: they live
 * once, in the connection feed, for every feed alike.
 *
 * @module
 */

import type { BookLevel } from "../protocol/messages.ts";

/**
 * A subscription as the exchange holds it.
 *
 * @example
 * ```ts
 * import type { SimSubscription } from "./feed.ts";
 * const subscription: SimSubscription = { channel: "trade", symbol: "BTC/USD" };
 * console.log(subscription.channel);
 * ```
 */
export interface SimSubscription {
  /** Channel. */
  readonly channel: "book" | "trade" | "ticker" | "ohlc" | "instrument" | "level3";
  /** Pair (empty for `instrument`). */
  readonly symbol: string;
  /** Book depth (a `level3` subscription's too). */
  readonly depth?: number;
  /** Ticker trigger. */
  readonly trigger?: "trades" | "bbo";
  /** OHLC interval in minutes. */
  readonly interval?: number;
}

/**
 * The key of a subscription, as a connection holds at most one of each: `book|BTC/USD` and
 * `level3|BTC/USD` (one depth per symbol, as Kraken allows), `ohlc|BTC/USD|5` (one per interval).
 *
 * @param subscription The subscription.
 * @returns Its key.
 *
 * @example
 * ```ts
 * import { subscriptionKeyOf } from "./feed.ts";
 * console.log(subscriptionKeyOf({ channel: "ohlc", symbol: "BTC/USD", interval: 5 })); // "ohlc|BTC/USD|5"
 * ```
 */
export function subscriptionKeyOf(subscription: SimSubscription): string {
  return subscription.channel === "ohlc"
    ? `ohlc|${subscription.symbol}|${subscription.interval}`
    : `${subscription.channel}|${subscription.symbol}`;
}

/**
 * The book a client should hold after a book frame: the oracle the checks hold a client to.
 *
 * @example
 * ```ts
 * import type { BookOracle } from "./feed.ts";
 * const oracle: BookOracle = { snapshot: true, depth: 10, bids: [], asks: [], checksum: 0 };
 * console.log(oracle.depth);
 * ```
 */
export interface BookOracle {
  /** Whether the frame is a snapshot. */
  readonly snapshot: boolean;
  /** The subscribed depth. */
  readonly depth: number;
  /** Bids after the frame, best first, at most `depth`. */
  readonly bids: readonly BookLevel[];
  /** Asks after the frame, best first, at most `depth`. */
  readonly asks: readonly BookLevel[];
  /** Kraken's checksum of that book. */
  readonly checksum: number;
}

/**
 * What a `level3` frame leaves a client with: the checks and faults read it beside the frame.
 *
 * @example
 * ```ts
 * import type { Level3Oracle } from "./feed.ts";
 * const oracle: Level3Oracle = { snapshot: false, depth: 100, checksum: 0, orders: 0 };
 * console.log(oracle.depth);
 * ```
 */
export interface Level3Oracle {
  /** Whether the frame is a snapshot. */
  readonly snapshot: boolean;
  /** The subscribed depth. */
  readonly depth: number;
  /** Kraken's level 3 checksum of the book after the frame. */
  readonly checksum: number;
  /** Orders the client should hold after it (both sides, within the depth). */
  readonly orders: number;
}

/**
 * A frame the exchange produced, with what it is, so faults can pick their targets and checks
 * can hold a client to it.
 *
 * @example
 * ```ts
 * import type { SimFrame } from "./feed.ts";
 * const frame: SimFrame = { text: '{"channel":"heartbeat"}', kind: "heartbeat" };
 * console.log(frame.kind);
 * ```
 */
export interface SimFrame {
  /** The frame as sent. */
  readonly text: string;
  /** What it carries. */
  readonly kind:
    | "status"
    | "heartbeat"
    | "reply"
    | "book"
    | "trade"
    | "ticker"
    | "ohlc"
    | "instrument"
    | "executions"
    | "balances"
    | "level3";
  /** For data frames: the pair. */
  readonly symbol?: string;
  /** For book frames: snapshot or update, and the subscribed view after it. */
  readonly book?: BookOracle;
  /** For `level3` frames: snapshot or update, and what the client holds after it. */
  readonly level3?: Level3Oracle;
  /** For trade frames: the ids carried. */
  readonly tradeIds?: readonly number[];
  /** For `executions` and `balances` frames: the subscription's sequence number. */
  readonly sequence?: number;
}

/**
 * One connection's view of a feed: the data frames of the subscriptions it holds.
 *
 * @example
 * ```ts
 * import { MarketFeed } from "./market_feed.ts";
 * import { SimMarket } from "./market.ts";
 * const feed = new MarketFeed(new SimMarket(1));
 * const view = feed.view();
 * const frames = view.subscribe({ channel: "book", symbol: "BTC/USD", depth: 10 }, true, 0);
 * console.log(frames[0].kind); // "book"
 * ```
 */
export interface FeedView<Step> {
  /**
   * A subscription was accepted: sets its starting point and returns its snapshot frames (none
   * when `snapshot` is false).
   */
  subscribe(subscription: SimSubscription, snapshot: boolean, now: number): SimFrame[];
  /** A subscription ended. */
  unsubscribe(key: string): void;
  /** The frames one move of the feed makes for the subscriptions held. */
  step(step: Step, now: number): SimFrame[];
}

/**
 * A source of market data that moves when told, one timeline for every connection.
 *
 * @example
 * ```ts
 * import type { Feed } from "./feed.ts";
 * const known = (feed: Feed<unknown>) => feed.hasSymbol("BTC/USD");
 * console.log(typeof known);
 * ```
 */
export interface Feed<Step> {
  /** Whether Kraken would know the pair here. */
  hasSymbol(symbol: string): boolean;
  /** Kraken's error for a subscription this feed cannot serve, if it cannot. */
  refusal(subscription: SimSubscription): string | undefined;
  /** The `instrument` snapshot frame, if the feed has one. */
  instrument(): string | undefined;
  /** A new connection's view. */
  view(): FeedView<Step>;
  /** Moves the feed to `now`; what it returns goes to every view's `step`. */
  advance(now: number): Step;
}
