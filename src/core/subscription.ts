/**
 * One subscription as the session tracks it: what the user asked for, who still needs it, and
 * where it stands on the current connection.
 *
 * @module
 */

import type { Level3Book, Level3Depth } from "../book/level3_book.ts";
import type { BookDepth, OrderBook } from "../book/order_book.ts";
import type { SubscriptionParams } from "../protocol/encode.ts";
import type { DataChannel, SubscriptionState } from "./events.ts";

/**
 * OHLC intervals Kraken accepts, in minutes.
 *
 * @example
 * ```ts
 * import { OHLC_INTERVALS } from "@kraken-ws/sdk/extended";
 * console.log(OHLC_INTERVALS.includes(60)); // true
 * ```
 */
export const OHLC_INTERVALS: readonly OhlcInterval[] = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];

/**
 * An OHLC interval in minutes.
 *
 * @example
 * ```ts
 * import type { OhlcInterval } from "@kraken-ws/sdk";
 * const hourly: OhlcInterval = 60;
 * console.log(hourly);
 * ```
 */
export type OhlcInterval = 1 | 5 | 15 | 30 | 60 | 240 | 1440 | 10080 | 21600;

/**
 * What one stream asks of the session for one symbol.
 *
 * @example
 * ```ts
 * import type { SubscriptionRequest } from "@kraken-ws/sdk/extended";
 * const request: SubscriptionRequest = { channel: "book", symbol: "BTC/USD", depth: 10 };
 * console.log(request.channel);
 * ```
 */
export type SubscriptionRequest =
  | { readonly channel: "book"; readonly symbol: string; readonly depth: BookDepth }
  | { readonly channel: "level3"; readonly symbol: string; readonly depth: Level3Depth }
  | { readonly channel: "trade"; readonly symbol: string; readonly snapshot?: boolean }
  | { readonly channel: "ticker"; readonly symbol: string; readonly trigger: "trades" | "bbo" }
  | {
    readonly channel: "ohlc";
    readonly symbol: string;
    readonly interval: OhlcInterval;
    readonly snapshot?: boolean;
  };

/**
 * What the instrument stream asks of the session: Kraken's reference data of every pair and asset,
 * one subscription that names no symbol.
 *
 * @example
 * ```ts
 * import type { InstrumentRequest } from "@kraken-ws/sdk/extended";
 * const request: InstrumentRequest = { channel: "instrument" };
 * console.log(request.channel);
 * ```
 */
export interface InstrumentRequest {
  /** The channel. */
  readonly channel: "instrument";
}

/**
 * What the `executions` stream asks of the authenticated session (experimental), in Kraken's
 * terms: `snapOrders` (default true) and `snapTrades` (default false) shape the first snapshot;
 * after a loss the client always asks for both, so what it missed is recovered. `orderStatus`
 * (default true) streams every status transition; `ratecounter` (default false) adds Kraken's rate
 * counter.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ExecutionsRequest } from "@kraken-ws/sdk/extended";
 * const request: ExecutionsRequest = { channel: "executions", snapTrades: true };
 * console.log(request.channel);
 * ```
 */
export interface ExecutionsRequest {
  /** The channel. */
  readonly channel: "executions";
  /** Open orders in the first snapshot (default true). */
  readonly snapOrders?: boolean;
  /** The last 50 fills in the first snapshot (default false). */
  readonly snapTrades?: boolean;
  /** Every status transition, not only open and close (default true). */
  readonly orderStatus?: boolean;
  /** Kraken's rate counter in the stream (default false). */
  readonly ratecounter?: boolean;
}

/**
 * What the `balances` stream asks of the authenticated session (experimental): `snapshot`
 * (default true) starts it with every asset's balance; after a loss the snapshot is always asked
 * for.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BalancesRequest } from "@kraken-ws/sdk/extended";
 * const request: BalancesRequest = { channel: "balances" };
 * console.log(request.channel);
 * ```
 */
export interface BalancesRequest {
  /** The channel. */
  readonly channel: "balances";
  /** Start with every asset's balance (default true). */
  readonly snapshot?: boolean;
}

/**
 * A request that names no symbol: `instrument`, or an account channel. Each is one subscription
 * per session.
 *
 * @example
 * ```ts
 * import type { UnkeyedRequest } from "./subscription.ts";
 * const request: UnkeyedRequest = { channel: "balances" };
 * console.log(request.channel);
 * ```
 */
export type UnkeyedRequest = InstrumentRequest | ExecutionsRequest | BalancesRequest;

/**
 * Whether `channel` is one of the account's, on the authenticated connection.
 *
 * @param channel A channel.
 * @returns True for `executions` and `balances`.
 *
 * @example
 * ```ts
 * import { isAccountChannel } from "./subscription.ts";
 * console.log(isAccountChannel("executions"), isAccountChannel("book")); // true false
 * ```
 */
export function isAccountChannel(channel: DataChannel): channel is "executions" | "balances" {
  return channel === "executions" || channel === "balances";
}

/**
 * Whether a subscribe or unsubscribe of `channel` names the connection's token: the account's
 * channels and `level3`.
 *
 * @param channel A channel.
 * @returns True for `executions`, `balances` and `level3`.
 *
 * @example
 * ```ts
 * import { needsToken } from "./subscription.ts";
 * console.log(needsToken("level3"), needsToken("book")); // true false
 * ```
 */
export function needsToken(channel: DataChannel): boolean {
  return isAccountChannel(channel) || channel === "level3";
}

/**
 * The key of the one `instrument` subscription of a session.
 *
 * @example
 * ```ts
 * import { INSTRUMENT_KEY, subscriptionKey } from "./subscription.ts";
 * console.log(subscriptionKey({ channel: "instrument" }) === INSTRUMENT_KEY); // true
 * ```
 */
export const INSTRUMENT_KEY = "instrument";

/**
 * The key one subscription is known by. A book and a ticker are one per symbol (Kraken takes one
 * per symbol per connection); OHLC is one per symbol and interval; `instrument`, which names no
 * symbol, is one per session.
 *
 * @param request The request.
 * @returns The key.
 *
 * @example
 * ```ts
 * import { subscriptionKey } from "@kraken-ws/sdk/extended";
 * console.log(subscriptionKey({ channel: "ohlc", symbol: "BTC/USD", interval: 5 })); // "ohlc|BTC/USD|5"
 * console.log(subscriptionKey({ channel: "instrument" })); // "instrument"
 * ```
 */
export function subscriptionKey(request: SubscriptionRequest | UnkeyedRequest): string {
  switch (request.channel) {
    case "instrument":
      return INSTRUMENT_KEY;
    case "executions":
    case "balances":
      return request.channel;
    case "ohlc":
      return `ohlc|${request.symbol}|${request.interval}`;
    default:
      return `${request.channel}|${request.symbol}`;
  }
}

/**
 * What a subscription's events name of it: its channel, and its pair and interval when it has
 * them (`instrument` has neither).
 *
 * @example
 * ```ts
 * import type { SubscriptionTopic } from "./subscription.ts";
 * const topic: SubscriptionTopic = { channel: "ohlc", symbol: "BTC/USD", interval: 5 };
 * console.log(topic.channel);
 * ```
 */
export interface SubscriptionTopic {
  /** The channel. */
  readonly channel: DataChannel;
  /** The pair, unless `instrument`. */
  readonly symbol?: string;
  /** The interval, for `ohlc`. */
  readonly interval?: OhlcInterval;
}

/** The options of an `executions` subscription the user set, in Kraken's wire names. */
interface ExecutionsOptions {
  readonly snap_trades?: boolean;
  readonly order_status?: boolean;
  readonly ratecounter?: boolean;
}

/**
 * A subscription: its parameters, its consumers and its state on the current connection.
 *
 * @example
 * ```ts
 * import { Subscription } from "./subscription.ts";
 * const subscription = new Subscription({ channel: "trade", symbol: "BTC/USD" }, 0, 0);
 * console.log(subscription.key, subscription.state); // "trade|BTC/USD" "pending"
 * ```
 */
export class Subscription {
  /** See {@link subscriptionKey}. */
  readonly key: string;
  /** The channel. */
  readonly channel: DataChannel;
  /** The pair; undefined for `instrument`, which is for every pair. */
  readonly symbol: string | undefined;
  /** What its events name of it. */
  readonly topic: SubscriptionTopic;
  /** Replay order: subscriptions are replayed in the order they were first asked for. */
  readonly order: number;
  /** Book depth to subscribe at: the largest any consumer asked for. */
  depth: BookDepth | undefined;
  /** Ticker trigger. */
  readonly trigger: "trades" | "bbo" | undefined;
  /** OHLC interval. */
  readonly interval: OhlcInterval | undefined;
  /** Consumers and, for books, the depth each asked for. */
  readonly consumers: Map<number, BookDepth | undefined> = new Map();
  /** State on the current connection. */
  state: SubscriptionState = "pending";
  /** The book, for `book` and `level3` subscriptions on a connection that acknowledged them. */
  book: OrderBook | Level3Book | undefined;
  /** Depth of the last subscribe sent: an unsubscribe must name it. */
  wireDepth: BookDepth | undefined;
  /**
   * What Kraken acknowledged, when it was not what was asked (the client refused it): the
   * unsubscribe that undoes it names that.
   */
  acknowledgedAs: { readonly depth?: number; readonly interval?: number } | undefined;
  /** Last trade id delivered, across reconnects. */
  lastTradeId: number | undefined;
  /**
   * Whether the next subscribe asks for Kraken's snapshot (trades and candles): what the user
   * asked for the first time, always after that, since a resubscribe follows a loss and the
   * snapshot (Kraken's last 50 trades, the open candle) is how it is recovered.
   */
  wantsSnapshot: boolean;
  /** Last `sequence` of an account channel on this subscription; undefined until its first message. */
  lastSequence: number | undefined;
  /** An `executions` subscription's options, as first asked for. */
  readonly executions: ExecutionsOptions | undefined;
  /** Whether it was acknowledged before: its next subscribe follows a loss. */
  recovering = false;
  /** Whether the last subscribe sent asked Kraken for a snapshot (account channels). */
  snapshotAsked = false;
  /** Whether a refreshed token was already tried for it since its last acknowledgement. */
  tokenRetried = false;
  /** Client time of the last data or acknowledgement. */
  lastDataAt: number;
  /** Since when nothing can have been delivered: a gap is owed from then, for `gapReason`. */
  gapSince: number | undefined;
  /** Why the owed gap happened. */
  gapReason: "reconnect" | "resubscribe" = "reconnect";
  /** Consecutive failed resyncs of a book. */
  resyncFailures = 0;
  /** Current wait for a book snapshot; doubles each time it runs out. */
  snapshotWaitMs = 0;
  /** Client time by which the awaited snapshot must come. */
  snapshotDeadline: number | undefined;

  /**
   * Creates a subscription in state `pending`.
   *
   * @param request The first request for it.
   * @param order Its place in the replay order.
   * @param now Client time.
   */
  constructor(request: SubscriptionRequest | UnkeyedRequest, order: number, now: number) {
    this.key = subscriptionKey(request);
    this.channel = request.channel;
    this.symbol = "symbol" in request ? request.symbol : undefined;
    this.topic = !("symbol" in request)
      ? { channel: request.channel }
      : request.channel === "ohlc"
      ? { channel: "ohlc", symbol: request.symbol, interval: request.interval }
      : { channel: request.channel, symbol: request.symbol };
    this.order = order;
    this.depth = request.channel === "book" || request.channel === "level3"
      ? request.depth
      : undefined;
    this.trigger = request.channel === "ticker" ? request.trigger : undefined;
    this.interval = request.channel === "ohlc" ? request.interval : undefined;
    this.wantsSnapshot = request.channel === "trade"
      ? request.snapshot ?? false
      : request.channel === "ohlc" || request.channel === "balances"
      ? request.snapshot ?? true
      : request.channel === "executions"
      ? request.snapOrders ?? true
      : true;
    this.executions = request.channel === "executions"
      ? {
        ...(request.snapTrades === undefined ? {} : { snap_trades: request.snapTrades }),
        ...(request.orderStatus === undefined ? {} : { order_status: request.orderStatus }),
        ...(request.ratecounter === undefined ? {} : { ratecounter: request.ratecounter }),
      }
      : undefined;
    this.lastDataAt = now;
  }

  /** The largest depth any consumer asks for. */
  wantedDepth(): BookDepth | undefined {
    let depth: BookDepth | undefined;
    for (const wanted of this.consumers.values()) {
      if (wanted !== undefined && (depth === undefined || wanted > depth)) depth = wanted;
    }
    return depth;
  }

  /**
   * The wire parameters of a subscribe, or of the unsubscribe that undoes the last one sent: it
   * names the depth subscribed (`wireDepth`) and, as Kraken's unsubscribe schema has it, no
   * `snapshot`. `instrument` names no `symbol` at all.
   */
  params(method: "subscribe" | "unsubscribe" = "subscribe"): SubscriptionParams {
    const symbol = this.symbol === undefined ? [] : [this.symbol];
    switch (this.channel) {
      case "instrument":
        // Always with its snapshot: it is the whole list, which updates only amend.
        return method === "subscribe"
          ? { channel: "instrument", snapshot: true }
          : { channel: "instrument" };
      case "book":
      case "level3":
        return method === "subscribe"
          ? { channel: this.channel, symbol, depth: this.depth, snapshot: true }
          : { channel: this.channel, symbol, depth: this.acknowledgedAs?.depth ?? this.wireDepth };
      case "trade":
        return method === "subscribe"
          ? { channel: "trade", symbol, snapshot: this.wantsSnapshot }
          : { channel: "trade", symbol };
      case "ticker":
        return { channel: "ticker", symbol, event_trigger: this.trigger };
      case "ohlc":
        return method === "subscribe"
          ? {
            channel: "ohlc",
            symbol,
            interval: this.interval,
            snapshot: this.wantsSnapshot,
          }
          : { channel: "ohlc", symbol, interval: this.acknowledgedAs?.interval ?? this.interval };
      case "executions": {
        if (method === "unsubscribe") return { channel: "executions" };
        // After a loss both snapshots are asked for: the open orders, and the fills missed.
        return {
          channel: "executions",
          ...this.executions,
          snap_orders: this.wantsSnapshot,
          ...(this.recovering ? { snap_trades: true } : {}),
        };
      }
      case "balances":
        return method === "subscribe"
          ? { channel: "balances", snapshot: this.wantsSnapshot }
          : { channel: "balances" };
    }
  }
}
