/**
 * The seeded market as a feed: each connection's view turns market steps into the book, trade,
 * ticker and candle frames Kraken would send for its subscriptions.
 *
 * @module
 */

import { bookChecksum } from "../book/checksum.ts";
import type { Feed, FeedView, SimFrame, SimSubscription } from "./feed.ts";
import { subscriptionKeyOf } from "./feed.ts";
import { formatUnits } from "./fixed_units.ts";
import { SimOrders } from "./level3_orders.ts";
import {
  bookFrame,
  instrumentFrame,
  krakenTime,
  ohlcFrame,
  tickerFrame,
  tradeFrame,
} from "./frames.ts";
import {
  type SimChange,
  type SimLevel,
  simLevel,
  type SimMarket,
  type SimSymbol,
  type SimSymbolState,
  type SimTrade,
} from "./market.ts";

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

interface Held extends SimSubscription {
  /** For a book: the top `depth` of each side as last sent. */
  view?: { bids: SimLevel[]; asks: SimLevel[] };
  /** For a bbo ticker: the best levels last reported. */
  bbo?: string;
  /** For ohlc: the current candle. */
  candle?: Candle;
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
 * The seeded market as a feed: one market, one timeline, a view per connection.
 *
 * @example
 * ```ts
 * import { MarketFeed } from "./market_feed.ts";
 * import { SimMarket } from "./market.ts";
 * const feed = new MarketFeed(new SimMarket(1));
 * const view = feed.view();
 * console.log(view.step(feed.advance(100), 100).length); // 0: nothing subscribed
 * ```
 */
export class MarketFeed implements Feed<readonly SimChange[]> {
  /** The market it serves. */
  readonly market: SimMarket;
  /**
   * The orders behind the market's levels, for the `level3` channel: each pair's are made when
   * first asked for and followed on every step from then on.
   */
  readonly orders: SimOrders;

  /**
   * Serves `market`.
   *
   * @param market The seeded market.
   */
  constructor(market: SimMarket) {
    this.market = market;
    this.orders = new SimOrders(market);
  }

  /** Whether the market has `symbol`. */
  hasSymbol(symbol: string): boolean {
    return this.market.has(symbol);
  }

  /** The market serves every depth, trigger and interval Kraken offers. */
  refusal(): string | undefined {
    return undefined;
  }

  /** Every pair's precisions, as Kraken's `instrument` channel gives them. */
  instrument(): string {
    return instrumentFrame([...this.market.symbols].map((state) => state.pair));
  }

  /** A new connection's view. */
  view(): MarketView {
    return new MarketView(this.market);
  }

  /** One market step; the orders behind the levels followed follow it. */
  advance(now: number): readonly SimChange[] {
    const changes = this.market.step(now);
    this.orders.sync(changes, now);
    return changes;
  }
}

/**
 * One connection's view of the market: for each subscription, what was last sent (a book's top
 * levels, the best bid and ask, the candle), so each step sends exactly what changed.
 *
 * @example
 * ```ts
 * import { MarketFeed } from "./market_feed.ts";
 * import { SimMarket } from "./market.ts";
 * const feed = new MarketFeed(new SimMarket(3));
 * const view = feed.view();
 * view.subscribe({ channel: "trade", symbol: "BTC/USD" }, false, 0);
 * let trades = 0;
 * for (let step = 1; step <= 50; step++) trades += view.step(feed.advance(step * 100), step * 100).length;
 * console.log(trades > 0); // true
 * ```
 */
export class MarketView implements FeedView<readonly SimChange[]> {
  readonly #market: SimMarket;
  readonly #held = new Map<string, Held>();

  /**
   * Creates the view of a new connection.
   *
   * @param market The market it serves.
   */
  constructor(market: SimMarket) {
    this.#market = market;
  }

  /**
   * Sets a new subscription's starting point (book view, best levels, candle), whether or not the
   * client asked for the snapshot; only sending it depends on that.
   */
  subscribe(subscription: SimSubscription, snapshot: boolean, now: number): SimFrame[] {
    const held: Held = { ...subscription };
    this.#held.set(subscriptionKeyOf(subscription), held);
    const frames = this.#snapshot(held, now);
    return snapshot ? frames : [];
  }

  /** Forgets a subscription. */
  unsubscribe(key: string): void {
    this.#held.delete(key);
  }

  #snapshot(held: Held, now: number): SimFrame[] {
    const state = this.#market.symbol(held.symbol);
    switch (held.channel) {
      case "book": {
        const depth = held.depth!;
        held.view = { bids: state.bids.slice(0, depth), asks: state.asks.slice(0, depth) };
        return [this.#bookFrame(held, state, "snapshot", held.view.bids, held.view.asks, now)];
      }
      case "trade": {
        const recent = state.trades.slice(-50);
        return recent.length === 0 ? [] : [this.#tradeFrame(state, recent, "snapshot")];
      }
      case "ticker":
        held.bbo = this.#bboKey(state);
        return [this.#tickerFrame(state, "snapshot", now)];
      case "ohlc":
        held.candle = this.#newCandle(state, held.interval!, now);
        return [this.#candleFrame(state, held, "snapshot")];
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
      for (const held of this.#held.values()) {
        if (held.symbol !== change.symbol) continue;
        switch (held.channel) {
          case "book":
            if (change.bookChanged) frames.push(...this.#bookUpdate(held, state, now));
            break;
          case "trade":
            if (change.trades.length > 0) {
              frames.push(this.#tradeFrame(state, change.trades, "update"));
            }
            break;
          case "ticker": {
            const bbo = this.#bboKey(state);
            const fire = held.trigger === "bbo" ? bbo !== held.bbo : change.trades.length > 0;
            held.bbo = bbo;
            if (fire) frames.push(this.#tickerFrame(state, "update", now));
            break;
          }
          case "ohlc":
            if (change.trades.length > 0) {
              this.#addToCandle(state, held, change.trades, now);
              frames.push(this.#candleFrame(state, held, "update"));
            }
            break;
        }
      }
    }
    return frames;
  }

  #bookUpdate(held: Held, state: SimSymbolState, now: number): SimFrame[] {
    const depth = held.depth!;
    const before = held.view!;
    const after = { bids: state.bids.slice(0, depth), asks: state.asks.slice(0, depth) };
    const bids = sideDiff(before.bids, after.bids, depth, (a, b) => a > b, state.pair);
    const asks = sideDiff(before.asks, after.asks, depth, (a, b) => a < b, state.pair);
    held.view = after;
    if (bids.length === 0 && asks.length === 0) return [];
    return [this.#bookFrame(held, state, "update", bids, asks, now)];
  }

  #bookFrame(
    held: Held,
    state: SimSymbolState,
    type: "snapshot" | "update",
    bids: readonly SimLevel[],
    asks: readonly SimLevel[],
    now: number,
  ): SimFrame {
    const view = held.view!;
    const checksum = bookChecksum(view.asks, view.bids);
    const symbol = state.pair.symbol;
    return {
      kind: "book",
      symbol,
      book: {
        snapshot: type === "snapshot",
        depth: held.depth!,
        bids: view.bids,
        asks: view.asks,
        checksum,
      },
      text: bookFrame(type, { symbol, bids, asks, checksum, timestamp: krakenTime(now) }),
    };
  }

  #tradeFrame(
    state: SimSymbolState,
    trades: readonly SimTrade[],
    type: "snapshot" | "update",
  ): SimFrame {
    const { pricePrecision, qtyPrecision, symbol } = state.pair;
    return {
      kind: "trade",
      symbol,
      tradeIds: trades.map((trade) => trade.tradeId),
      text: tradeFrame(
        type,
        trades.map((trade) => ({
          symbol,
          side: trade.side,
          priceText: formatUnits(trade.ticks, pricePrecision),
          qtyText: formatUnits(trade.lots, qtyPrecision),
          ordType: trade.ordType,
          tradeId: trade.tradeId,
          timestamp: krakenTime(trade.time),
        })),
      ),
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
    return {
      kind: "ticker",
      symbol,
      text: tickerFrame(type, {
        symbol,
        bid: formatUnits(bid.ticks, p),
        bidQty: formatUnits(bid.lots, q),
        ask: formatUnits(ask.ticks, p),
        askQty: formatUnits(ask.lots, q),
        last: formatUnits(last, p),
        volume: formatUnits(state.volumeLots, q),
        vwap: formatUnits(Math.round((low + high) / 2), p),
        low: formatUnits(low, p),
        high: formatUnits(high, p),
        change: `${change < 0 ? "-" : ""}${formatUnits(Math.abs(change), p)}`,
        changePct: changePct.toFixed(2),
        timestamp: krakenTime(now),
      }),
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

  #addToCandle(state: SimSymbolState, held: Held, trades: readonly SimTrade[], now: number): void {
    const span = held.interval! * 60_000;
    let candle = held.candle!;
    if (now >= candle.begin + span) {
      // A new interval opens at its first trade (the market already holds this step's trades, so
      // its last trade would be this step's last one).
      candle = this.#newCandle(state, held.interval!, now, trades[0].ticks);
      held.candle = candle;
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

  #candleFrame(state: SimSymbolState, held: Held, type: "snapshot" | "update"): SimFrame {
    const { pricePrecision: p, qtyPrecision: q, symbol } = state.pair;
    const candle = held.candle!;
    const vwap = candle.volumeLots === 0
      ? candle.close
      : Math.round(candle.notional / candle.volumeLots);
    const interval = held.interval!;
    return {
      kind: "ohlc",
      symbol,
      text: ohlcFrame(type, {
        symbol,
        open: formatUnits(candle.open, p),
        high: formatUnits(candle.high, p),
        low: formatUnits(candle.low, p),
        close: formatUnits(candle.close, p),
        vwap: formatUnits(vwap, p),
        trades: candle.trades,
        volume: formatUnits(candle.volumeLots, q),
        // Nine fractional digits: Kraken prints 0 to 9, and a client must read them all.
        intervalBegin: krakenTime(candle.begin).replace("000Z", "000000Z"),
        interval,
        timestamp: krakenTime(candle.begin + interval * 60_000),
      }),
    };
  }
}
