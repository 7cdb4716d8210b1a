/**
 * Kraken's side of one connection, sans I/O: it answers requests with Kraken's own envelopes and
 * strings, and turns market steps into the frames Kraken would send for this connection's
 * subscriptions.
 *
 * @module
 */

import { bookChecksum } from "../book/checksum.ts";
import type { BookLevel } from "../protocol/messages.ts";
import { formatUnits } from "./fixed_units.ts";
import {
  ackFrame,
  connectionIdAt,
  errorFrame,
  krakenTime,
  parseSimRequest,
  pongFrame,
  statusFrame,
} from "./requests.ts";
import {
  type SimChange,
  type SimLevel,
  simLevel,
  type SimMarket,
  type SimSymbol,
  type SimSymbolState,
  type SimTrade,
} from "./market.ts";

/**
 * A subscription as the simulated server holds it.
 *
 * @example
 * ```ts
 * import type { SimSubscription } from "./sim_session.ts";
 * const subscription: SimSubscription = { channel: "trade", symbol: "BTC/USD" };
 * console.log(subscription.channel);
 * ```
 */
export interface SimSubscription {
  /** Channel. */
  readonly channel: "book" | "trade" | "ticker" | "ohlc" | "instrument";
  /** Pair (empty for `instrument`). */
  readonly symbol: string;
  /** Book depth. */
  readonly depth?: number;
  /** Ticker trigger. */
  readonly trigger?: "trades" | "bbo";
  /** OHLC interval in minutes. */
  readonly interval?: number;
}

/**
 * A frame the session produced, with what it is, so a fault injector can pick its targets.
 *
 * @example
 * ```ts
 * import type { SimFrame } from "./sim_session.ts";
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
    | "instrument";
  /** For data frames: the pair. */
  readonly symbol?: string;
  /** For book frames: snapshot or update, and the subscribed view after it (the oracle). */
  readonly book?: {
    readonly snapshot: boolean;
    readonly depth: number;
    readonly bids: readonly BookLevel[];
    readonly asks: readonly BookLevel[];
    readonly checksum: number;
  };
  /** For trade frames: the ids carried. */
  readonly tradeIds?: readonly number[];
}

interface Candle {
  begin: number;
  open: number;
  high: number;
  low: number;
  close: number;
  trades: number;
  volumeLots: number;
  notional: number;
}

interface Subscribed extends SimSubscription {
  /** For a book: the top `depth` of each side as last sent. */
  view?: { bids: SimLevel[]; asks: SimLevel[] };
  /** For a bbo ticker: the best levels last reported. */
  bbo?: string;
  /** For ohlc: the current candle. */
  candle?: Candle;
}

/**
 * Book levels as Kraken writes them in a frame: each price and quantity as its exact text, so
 * trailing zeros survive.
 *
 * @param levels The levels, in the order they go out.
 * @returns The inside of the JSON array, like `{"price":1.0,"qty":2.00000000}`.
 *
 * @example
 * ```ts
 * import { levelsJson } from "./sim_session.ts";
 * console.log(levelsJson([{ price: 1, priceText: "1.0", qty: 2, qtyText: "2.00000000" }]));
 * ```
 */
export function levelsJson(levels: readonly BookLevel[]): string {
  return levels.map((level) => `{"price":${level.priceText},"qty":${level.qtyText}}`).join(",");
}

/**
 * The changes that turn the view `before` into `after` (both best first, `after` being the top
 * `depth` of the truth) for a client that cuts each side to `depth`: the new and changed levels
 * of `after`, and a zero quantity for each level of `before` that left the truth. A level that
 * merely sank below the depth gets nothing, as on Kraken: the client cuts it. A level missing from
 * `after` that is better than its worst one (or any missing one, when `after` is not full) can
 * only have left the truth.
 */
function sideDiff(
  before: readonly SimLevel[],
  after: readonly SimLevel[],
  depth: number,
  better: (a: number, b: number) => boolean,
  pair: SimSymbol,
): SimLevel[] {
  const out: SimLevel[] = [];
  const full = after.length >= depth;
  const worst = after.length === 0 ? undefined : after[after.length - 1].ticks;
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const old = before[i];
    const now = after[j];
    if (old !== undefined && now !== undefined && old.ticks === now.ticks) {
      if (old !== now && old.lots !== now.lots) out.push(now);
      i++;
      j++;
    } else if (now === undefined || (old !== undefined && better(old.ticks, now.ticks))) {
      if (!full || worst === undefined || better(old.ticks, worst)) {
        out.push(simLevel(old.ticks, 0, pair));
      }
      i++;
    } else {
      out.push(now);
      j++;
    }
  }
  return out;
}

/**
 * One connection's server side.
 *
 * @example
 * ```ts
 * import { SimMarket } from "./market.ts";
 * import { SimSession } from "./sim_session.ts";
 * const market = new SimMarket(1);
 * const session = new SimSession(market);
 * const replies = session.receive('{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":1}', 0);
 * console.log(replies.map((frame) => frame.kind)); // ["reply"]
 * ```
 */
export class SimSession {
  readonly #market: SimMarket;
  readonly #subscriptions = new Map<string, Subscribed>();
  #lastSentAt = 0;
  /** Set by the first `status`: one connection keeps one id. */
  #connectionId: bigint | undefined;

  /**
   * Creates the server side of a new connection.
   *
   * @param market The market it serves.
   */
  constructor(market: SimMarket) {
    this.#market = market;
  }

  /** Subscriptions held, for tests and the demo. */
  get subscriptions(): SimSubscription[] {
    return [...this.#subscriptions.values()];
  }

  /** The `status` frame Kraken sends on connect, or later with another system state. */
  status(now: number, system = "online"): SimFrame {
    this.#lastSentAt = now;
    this.#connectionId ??= connectionIdAt(now);
    return { kind: "status", text: statusFrame(now, system, this.#connectionId) };
  }

  /**
   * Answers one request from the client.
   *
   * @param text The request as received.
   * @param now Server time in ms.
   * @returns The frames to send back, in order.
   */
  receive(text: string, now: number): SimFrame[] {
    const request = parseSimRequest(text, now);
    switch (request.kind) {
      case "invalid":
        return [this.#reply(now, request.reply)];
      case "ping":
        return [this.#reply(now, pongFrame(now, request.reqId))];
      case "instrument":
        return this.#instrument(request.method, request.reqId, now);
    }
    const { method, reqId, channel, depth, interval, trigger, snapshot } = request;
    const frames: SimFrame[] = [];
    // One answer per symbol, as Kraken gives.
    for (const symbol of request.symbols) {
      if (!this.#market.has(symbol)) {
        frames.push(
          this.#reply(
            now,
            errorFrame(now, method, `Currency pair not supported ${symbol}`, reqId, symbol),
          ),
        );
        continue;
      }
      const key = channel === "ohlc" ? `ohlc|${symbol}|${interval}` : `${channel}|${symbol}`;
      const result: Record<string, unknown> = { channel, symbol };
      if (depth !== undefined) result.depth = depth;
      if (interval !== undefined) result.interval = interval;
      if (channel === "ticker") result.event_trigger = trigger;
      if (method === "unsubscribe") {
        const known = this.#subscriptions.delete(key);
        frames.push(
          this.#reply(
            now,
            known
              ? ackFrame(now, method, result, reqId)
              : errorFrame(now, method, "Subscription Not Found", reqId, symbol),
          ),
        );
        continue;
      }
      if (this.#subscriptions.has(key)) {
        frames.push(this.#reply(now, errorFrame(now, method, "Already subscribed", reqId, symbol)));
        continue;
      }
      result.snapshot = snapshot;
      const subscription: Subscribed = {
        channel,
        symbol,
        ...(depth === undefined ? {} : { depth }),
        ...(interval === undefined ? {} : { interval }),
        ...(channel === "ticker" ? { trigger } : {}),
      };
      this.#subscriptions.set(key, subscription);
      frames.push(this.#reply(now, ackFrame(now, method, result, reqId)));
      // The subscription's starting point (book view, best levels, candle) is set whether or not
      // the client asked for the snapshot; only sending it depends on that.
      const snapshotFrames = this.#snapshot(subscription, now);
      if (snapshot) frames.push(...snapshotFrames);
    }
    return frames;
  }

  #reply(now: number, text: string): SimFrame {
    this.#lastSentAt = now;
    return { kind: "reply", text };
  }

  #instrument(method: string, reqId: number | undefined, now: number): SimFrame[] {
    const ack = this.#reply(
      now,
      ackFrame(now, method, { channel: "instrument", snapshot: true }, reqId),
    );
    if (method === "unsubscribe") return [ack];
    const pairs = [...this.#market.symbols].map((state) => {
      const [base, quote] = state.pair.symbol.split("/");
      return {
        symbol: state.pair.symbol,
        base,
        quote,
        status: "online",
        qty_precision: state.pair.qtyPrecision,
        qty_increment: Number(`1e-${state.pair.qtyPrecision}`),
        price_precision: state.pair.pricePrecision,
        cost_precision: 5,
        marginable: false,
        has_index: true,
        cost_min: 0.5,
        tick_size: Number(`1e-${state.pair.pricePrecision}`),
        price_increment: Number(`1e-${state.pair.pricePrecision}`),
        qty_min: Number(`1e-${Math.min(4, state.pair.qtyPrecision)}`),
      };
    });
    const assets = [...new Set(pairs.flatMap((pair) => [pair.base, pair.quote]))].map((id) => ({
      id,
      status: "enabled",
      precision: 10,
      precision_display: 5,
      borrowable: false,
      collateral_value: 0,
      margin_rate: 0,
    }));
    this.#lastSentAt = now;
    return [ack, {
      kind: "instrument",
      text: JSON.stringify({ channel: "instrument", type: "snapshot", data: { assets, pairs } }),
    }];
  }

  /** Sets a new subscription's starting point and returns its snapshot frames. */
  #snapshot(subscription: Subscribed, now: number): SimFrame[] {
    const state = this.#market.symbol(subscription.symbol);
    switch (subscription.channel) {
      case "book": {
        const depth = subscription.depth!;
        subscription.view = { bids: state.bids.slice(0, depth), asks: state.asks.slice(0, depth) };
        return [
          this.#bookFrame(
            subscription,
            state,
            "snapshot",
            subscription.view.bids,
            subscription.view.asks,
            now,
          ),
        ];
      }
      case "trade": {
        const recent = state.trades.slice(-50);
        return recent.length === 0 ? [] : [this.#tradeFrame(state, recent, "snapshot", now)];
      }
      case "ticker":
        subscription.bbo = this.#bboKey(state);
        return [this.#tickerFrame(state, "snapshot", now)];
      case "ohlc":
        subscription.candle = this.#newCandle(state, subscription.interval!, now);
        return [this.#candleFrame(state, subscription, "snapshot", now)];
      default:
        return [];
    }
  }

  /**
   * The frames a market step produces for this connection.
   *
   * @param changes What the step changed.
   * @param now Server time in ms.
   * @returns Frames, in order.
   */
  step(changes: readonly SimChange[], now: number): SimFrame[] {
    const frames: SimFrame[] = [];
    for (const change of changes) {
      const state = this.#market.symbol(change.symbol);
      for (const subscription of this.#subscriptions.values()) {
        if (subscription.symbol !== change.symbol) continue;
        switch (subscription.channel) {
          case "book":
            if (change.bookChanged) frames.push(...this.#bookUpdate(subscription, state, now));
            break;
          case "trade":
            if (change.trades.length > 0) {
              frames.push(this.#tradeFrame(state, change.trades, "update", now));
            }
            break;
          case "ticker": {
            const bbo = this.#bboKey(state);
            const fire = subscription.trigger === "bbo"
              ? bbo !== subscription.bbo
              : change.trades.length > 0;
            subscription.bbo = bbo;
            if (fire) frames.push(this.#tickerFrame(state, "update", now));
            break;
          }
          case "ohlc":
            if (change.trades.length > 0) {
              this.#addToCandle(state, subscription, change.trades, now);
              frames.push(this.#candleFrame(state, subscription, "update", now));
            }
            break;
        }
      }
    }
    return frames;
  }

  /** A heartbeat, when subscribed and nothing was sent for a second. */
  heartbeat(now: number): SimFrame | undefined {
    if (this.#subscriptions.size === 0 || now - this.#lastSentAt < 1000) return undefined;
    this.#lastSentAt = now;
    return { kind: "heartbeat", text: '{"channel":"heartbeat"}' };
  }

  #bookUpdate(subscription: Subscribed, state: SimSymbolState, now: number): SimFrame[] {
    const depth = subscription.depth!;
    const before = subscription.view!;
    const after = { bids: state.bids.slice(0, depth), asks: state.asks.slice(0, depth) };
    const bids = sideDiff(before.bids, after.bids, depth, (a, b) => a > b, state.pair);
    const asks = sideDiff(before.asks, after.asks, depth, (a, b) => a < b, state.pair);
    subscription.view = after;
    if (bids.length === 0 && asks.length === 0) return [];
    return [this.#bookFrame(subscription, state, "update", bids, asks, now)];
  }

  #bookFrame(
    subscription: Subscribed,
    state: SimSymbolState,
    type: "snapshot" | "update",
    bids: readonly SimLevel[],
    asks: readonly SimLevel[],
    now: number,
  ): SimFrame {
    const view = subscription.view!;
    const checksum = bookChecksum(view.asks, view.bids);
    this.#lastSentAt = now;
    return {
      kind: "book",
      symbol: state.pair.symbol,
      book: {
        snapshot: type === "snapshot",
        depth: subscription.depth!,
        bids: view.bids,
        asks: view.asks,
        checksum,
      },
      text: `{"channel":"book","type":"${type}","data":[{"symbol":"${state.pair.symbol}","bids":[${
        levelsJson(bids)
      }],"asks":[${levelsJson(asks)}],"checksum":${checksum},"timestamp":"${krakenTime(now)}"}]}`,
    };
  }

  #tradeFrame(
    state: SimSymbolState,
    trades: readonly SimTrade[],
    type: "snapshot" | "update",
    now: number,
  ): SimFrame {
    const { pricePrecision, qtyPrecision, symbol } = state.pair;
    const items = trades.map((trade) =>
      `{"symbol":"${symbol}","side":"${trade.side}","price":${
        formatUnits(trade.ticks, pricePrecision)
      },"qty":${
        formatUnits(trade.lots, qtyPrecision)
      },"ord_type":"${trade.ordType}","trade_id":${trade.tradeId},"timestamp":"${
        krakenTime(trade.time)
      }"}`
    );
    this.#lastSentAt = now;
    return {
      kind: "trade",
      symbol,
      tradeIds: trades.map((trade) => trade.tradeId),
      text: `{"channel":"trade","type":"${type}","data":[${items.join(",")}]}`,
    };
  }

  #bboKey(state: SimSymbolState): string {
    const bid = state.bids[0];
    const ask = state.asks[0];
    return `${bid.ticks}:${bid.lots}:${ask.ticks}:${ask.lots}`;
  }

  #tickerFrame(state: SimSymbolState, type: "snapshot" | "update", now: number): SimFrame {
    const { pricePrecision: p, qtyPrecision: q, symbol } = state.pair;
    const bid = state.bids[0];
    const ask = state.asks[0];
    const last = state.trades.at(-1)?.ticks ?? bid.ticks;
    const first = state.trades[0]?.ticks ?? last;
    const low = Math.min(...state.trades.map((trade) => trade.ticks), last);
    const high = Math.max(...state.trades.map((trade) => trade.ticks), last);
    const change = last - first;
    const changePct = first === 0 ? 0 : Math.round((change / first) * 10000) / 100;
    this.#lastSentAt = now;
    return {
      kind: "ticker",
      symbol,
      text: `{"channel":"ticker","type":"${type}","data":[{"symbol":"${symbol}","bid":${
        formatUnits(bid.ticks, p)
      },"bid_qty":${formatUnits(bid.lots, q)},"ask":${formatUnits(ask.ticks, p)},"ask_qty":${
        formatUnits(ask.lots, q)
      },"last":${formatUnits(last, p)},"volume":${formatUnits(state.volumeLots, q)},"vwap":${
        formatUnits(Math.round((low + high) / 2), p)
      },"low":${formatUnits(low, p)},"high":${formatUnits(high, p)},"change":${
        change < 0 ? "-" : ""
      }${formatUnits(Math.abs(change), p)},"change_pct":${changePct.toFixed(2)},"timestamp":"${
        krakenTime(now)
      }"}]}`,
    };
  }

  /** The candle of the interval holding `now`, opening at `open` (default: the last trade). */
  #newCandle(
    state: SimSymbolState,
    interval: number,
    now: number,
    open = state.trades.at(-1)?.ticks ?? state.bids[0].ticks,
  ): Candle {
    const span = interval * 60_000;
    return {
      begin: Math.floor(now / span) * span,
      open,
      high: open,
      low: open,
      close: open,
      trades: 0,
      volumeLots: 0,
      notional: 0,
    };
  }

  #addToCandle(
    state: SimSymbolState,
    subscription: Subscribed,
    trades: readonly SimTrade[],
    now: number,
  ): void {
    const span = subscription.interval! * 60_000;
    let candle = subscription.candle!;
    if (now >= candle.begin + span) {
      // A new interval opens at its first trade (the market already holds this step's trades, so
      // its last trade would be this step's last one).
      candle = this.#newCandle(state, subscription.interval!, now, trades[0].ticks);
      subscription.candle = candle;
    }
    for (const trade of trades) {
      candle.high = Math.max(candle.high, trade.ticks);
      candle.low = Math.min(candle.low, trade.ticks);
      candle.close = trade.ticks;
      candle.trades++;
      candle.volumeLots += trade.lots;
      candle.notional += trade.ticks * trade.lots;
    }
  }

  #candleFrame(
    state: SimSymbolState,
    subscription: Subscribed,
    type: "snapshot" | "update",
    now: number,
  ): SimFrame {
    const { pricePrecision: p, qtyPrecision: q, symbol } = state.pair;
    const candle = subscription.candle!;
    const vwap = candle.volumeLots === 0
      ? candle.close
      : Math.round(candle.notional / candle.volumeLots);
    const interval = subscription.interval!;
    this.#lastSentAt = now;
    return {
      kind: "ohlc",
      symbol,
      text: `{"channel":"ohlc","type":"${type}","data":[{"symbol":"${symbol}","open":${
        formatUnits(candle.open, p)
      },"high":${formatUnits(candle.high, p)},"low":${formatUnits(candle.low, p)},"close":${
        formatUnits(candle.close, p)
      },"vwap":${formatUnits(vwap, p)},"trades":${candle.trades},"volume":${
        formatUnits(candle.volumeLots, q)
      },"interval_begin":"${
        krakenTime(candle.begin).replace("000Z", "000000Z")
      }","interval":${interval},"timestamp":"${krakenTime(candle.begin + interval * 60_000)}"}]}`,
    };
  }
}
