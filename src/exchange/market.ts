/**
 * The exchange's seeded market: the truth of every symbol's order book, trades and candles,
 * moving in steps. Prices are integer ticks and quantities integer lots, so the text Kraken
 * would print is exact.
 *
 * @module
 */

import { SeededRandom } from "../core/seeded_random.ts";
import type { BookLevel } from "../protocol/messages.ts";
import { formatUnits } from "./fixed_units.ts";

/**
 * One simulated pair.
 *
 * @example
 * ```ts
 * import type { SimSymbol } from "./market.ts";
 * const btc: SimSymbol = { symbol: "BTC/USD", price: 63_500, pricePrecision: 1, qtyPrecision: 8 };
 * console.log(btc.symbol);
 * ```
 */
export interface SimSymbol {
  /** Pair, like `BTC/USD`. */
  readonly symbol: string;
  /** Starting mid price. */
  readonly price: number;
  /** Decimals of a price. */
  readonly pricePrecision: number;
  /** Decimals of a quantity. */
  readonly qtyPrecision: number;
}

/**
 * Pairs the exchange knows by default, at Kraken's precisions.
 *
 * @example
 * ```ts
 * import { DEFAULT_SIM_SYMBOLS } from "./market.ts";
 * console.log(DEFAULT_SIM_SYMBOLS.map((pair) => pair.symbol));
 * ```
 */
export const DEFAULT_SIM_SYMBOLS: readonly SimSymbol[] = [
  { symbol: "BTC/USD", price: 63_500, pricePrecision: 1, qtyPrecision: 8 },
  { symbol: "ETH/USD", price: 1_774, pricePrecision: 2, qtyPrecision: 8 },
  { symbol: "SOL/USD", price: 142, pricePrecision: 2, qtyPrecision: 8 },
  { symbol: "XRP/USD", price: 0.5213, pricePrecision: 5, qtyPrecision: 8 },
];

/**
 * A level of the true book: price in ticks, quantity in lots, and the exact text Kraken prints
 * for both (made once, when the level is made).
 *
 * @example
 * ```ts
 * import { simLevel } from "./market.ts";
 * const level = simLevel(634980, 100000, { symbol: "BTC/USD", price: 63498, pricePrecision: 1, qtyPrecision: 8 });
 * console.log(level.priceText, level.qtyText); // "63498.0" "0.00100000"
 * ```
 */
export interface SimLevel extends BookLevel {
  /** Price in units of 10^-pricePrecision. */
  readonly ticks: number;
  /** Quantity in units of 10^-qtyPrecision. */
  readonly lots: number;
}

/**
 * Makes a level of `pair` from integer ticks and lots.
 *
 * @param ticks Price in units of 10^-pricePrecision.
 * @param lots Quantity in units of 10^-qtyPrecision.
 * @param pair The pair, for its precisions.
 * @returns The level with its text.
 *
 * @example
 * ```ts
 * import { simLevel } from "./market.ts";
 * console.log(simLevel(5, 0, { symbol: "X/Y", price: 1, pricePrecision: 2, qtyPrecision: 3 }).qtyText); // "0.000"
 * ```
 */
export function simLevel(ticks: number, lots: number, pair: SimSymbol): SimLevel {
  const priceText = formatUnits(ticks, pair.pricePrecision);
  const qtyText = formatUnits(lots, pair.qtyPrecision);
  return { ticks, lots, priceText, qtyText, price: Number(priceText), qty: Number(qtyText) };
}

/**
 * A trade of the truth.
 *
 * @example
 * ```ts
 * import type { SimTrade } from "./market.ts";
 * const trade: SimTrade = { tradeId: 1, side: "buy", ticks: 10, lots: 5, ordType: "limit", time: 0 };
 * console.log(trade.tradeId);
 * ```
 */
export interface SimTrade {
  /** Consecutive per symbol. */
  readonly tradeId: number;
  /** Taker side. */
  readonly side: "buy" | "sell";
  /** Price in ticks. */
  readonly ticks: number;
  /** Quantity in lots. */
  readonly lots: number;
  /** `limit` or `market`. */
  readonly ordType: "limit" | "market";
  /** Market time in ms. */
  readonly time: number;
}

/**
 * The most levels each side keeps: Kraken's deepest book subscription.
 *
 * @example
 * ```ts
 * import { SIM_MAX_DEPTH } from "./market.ts";
 * console.log(SIM_MAX_DEPTH); // 1000
 * ```
 */
export const SIM_MAX_DEPTH = 1000;

/**
 * The truth of one symbol.
 *
 * @example
 * ```ts
 * import { SimMarket } from "./market.ts";
 * const market = new SimMarket(1);
 * const btc = market.symbol("BTC/USD");
 * console.log(btc.bids.length, btc.asks[0].ticks > btc.bids[0].ticks); // 1000 true
 * ```
 */
export class SimSymbolState {
  /** The pair's definition. */
  readonly pair: SimSymbol;
  /** Bids, highest first. */
  bids: SimLevel[] = [];
  /** Asks, lowest first. */
  asks: SimLevel[] = [];
  /** Trades so far (the most recent kept). */
  readonly trades: SimTrade[] = [];
  /** Id of the last trade. */
  lastTradeId: number;
  /** Volume traded, in lots. */
  volumeLots = 0;

  /**
   * Creates the symbol with a full, uncrossed book around its price.
   *
   * @param pair The pair.
   * @param random The market's generator.
   */
  constructor(pair: SimSymbol, random: SeededRandom) {
    this.pair = pair;
    const mid = Math.round(pair.price * 10 ** pair.pricePrecision);
    const spacing = Math.max(1, Math.round(mid / 200_000));
    for (let i = 0; i < SIM_MAX_DEPTH; i++) {
      this.bids.push(simLevel(mid - spacing * (i + 1), randomLots(random, pair), pair));
      this.asks.push(simLevel(mid + spacing * (i + 1), randomLots(random, pair), pair));
    }
    this.lastTradeId = 1_000_000 + Math.floor(random.next() * 1_000_000);
  }

  /** Tick spacing between neighbouring levels. */
  get spacing(): number {
    return Math.max(1, Math.round(this.bids[0].ticks / 200_000));
  }
}

function randomLots(random: SeededRandom, pair: SimSymbol): number {
  // Mostly small orders, sometimes large; never zero.
  const scale = 10 ** pair.qtyPrecision;
  const size = random.next() < 0.9 ? random.next() * 0.5 : random.next() * 20;
  return Math.max(1, Math.round(size * scale));
}

/**
 * What one market step changed for one symbol.
 *
 * @example
 * ```ts
 * import { SimMarket } from "./market.ts";
 * const market = new SimMarket(7);
 * const changes = market.step(100);
 * console.log(changes.length > 0);
 * ```
 */
export interface SimChange {
  /** The pair. */
  readonly symbol: string;
  /** Trades of this step, in order. */
  readonly trades: readonly SimTrade[];
  /** Whether the book changed. */
  readonly bookChanged: boolean;
}

/**
 * The seeded market of every simulated symbol.
 *
 * @example
 * ```ts
 * import { SimMarket } from "./market.ts";
 * const a = new SimMarket(42);
 * const b = new SimMarket(42);
 * a.step(100);
 * b.step(100);
 * console.log(a.symbol("ETH/USD").bids[0].ticks === b.symbol("ETH/USD").bids[0].ticks); // true
 * ```
 */
export class SimMarket {
  /** The seed it was made with: what the orders behind its levels are drawn from too. */
  readonly seed: number;
  readonly #random: SeededRandom;
  readonly #symbols = new Map<string, SimSymbolState>();

  /**
   * Creates the market.
   *
   * @param seed Seed of every random move.
   * @param pairs The symbols (default {@link DEFAULT_SIM_SYMBOLS}).
   */
  constructor(seed: number, pairs: readonly SimSymbol[] = DEFAULT_SIM_SYMBOLS) {
    this.seed = seed;
    this.#random = new SeededRandom(seed);
    for (const pair of pairs) {
      this.#symbols.set(pair.symbol, new SimSymbolState(pair, this.#random));
    }
  }

  /** Every symbol's state. */
  get symbols(): IterableIterator<SimSymbolState> {
    return this.#symbols.values();
  }

  /** Whether the market has `symbol`. */
  has(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /**
   * One symbol's state.
   *
   * @param symbol The pair.
   * @returns Its state.
   * @throws {RangeError} When the market does not have it.
   */
  symbol(symbol: string): SimSymbolState {
    const state = this.#symbols.get(symbol);
    if (state === undefined) throw new RangeError(`no simulated symbol ${symbol}`);
    return state;
  }

  /**
   * Moves the market one step: for each symbol, a few book changes near the top, sometimes a
   * trade that takes liquidity and moves the price.
   *
   * @param time Market time in ms.
   * @returns What changed, per symbol.
   */
  step(time: number): SimChange[] {
    const changes: SimChange[] = [];
    for (const state of this.#symbols.values()) {
      const trades: SimTrade[] = [];
      let bookChanged = false;
      const moves = Math.floor(this.#random.next() * 4);
      for (let i = 0; i < moves; i++) {
        this.#moveLevel(state);
        bookChanged = true;
      }
      if (this.#random.next() < 0.25) {
        trades.push(...this.#trade(state, time));
        bookChanged = true;
      }
      bookChanged = this.#tighten(state) || bookChanged;
      if (bookChanged || trades.length > 0) {
        changes.push({ symbol: state.pair.symbol, trades, bookChanged });
      }
    }
    return changes;
  }

  /** A new, changed or cancelled order somewhere in the top of one side. */
  #moveLevel(state: SimSymbolState): void {
    const random = this.#random;
    const bid = random.next() < 0.5;
    const side = bid ? state.bids : state.asks;
    // Activity concentrates at the top, as in real books.
    const index = Math.min(side.length - 1, Math.floor(random.next() ** 3 * 40));
    const roll = random.next();
    if (roll < 0.45) {
      side[index] = simLevel(side[index].ticks, randomLots(random, state.pair), state.pair);
    } else if (roll < 0.7 && side.length > 20) {
      side.splice(index, 1);
      this.#refill(state, bid);
    } else {
      // A new level between two existing ones, when there is room.
      const above = index === 0 ? undefined : side[index - 1];
      const here = side[index];
      const towardsTop = bid ? 1 : -1;
      const candidate = here.ticks + towardsTop;
      const free = above === undefined
        ? (bid ? candidate < state.asks[0].ticks : candidate > state.bids[0].ticks)
        : candidate !== above.ticks;
      if (free) {
        side.splice(index, 0, simLevel(candidate, randomLots(random, state.pair), state.pair));
      }
      if (side.length > SIM_MAX_DEPTH) side.length = SIM_MAX_DEPTH;
    }
  }

  /** Market makers: a spread wider than a few ticks attracts new best levels. */
  #tighten(state: SimSymbolState): boolean {
    const spacing = state.spacing;
    let changed = false;
    while (state.asks[0].ticks - state.bids[0].ticks > 3 * spacing && this.#random.next() < 0.8) {
      const bid = this.#random.next() < 0.5;
      const lots = randomLots(this.#random, state.pair);
      if (bid) state.bids.unshift(simLevel(state.bids[0].ticks + spacing, lots, state.pair));
      else state.asks.unshift(simLevel(state.asks[0].ticks - spacing, lots, state.pair));
      if (state.bids.length > SIM_MAX_DEPTH) state.bids.length = SIM_MAX_DEPTH;
      if (state.asks.length > SIM_MAX_DEPTH) state.asks.length = SIM_MAX_DEPTH;
      changed = true;
    }
    return changed;
  }

  /** Keeps a side full: a new level at its far end. */
  #refill(state: SimSymbolState, bid: boolean): void {
    const side = bid ? state.bids : state.asks;
    while (side.length < SIM_MAX_DEPTH) {
      const last = side[side.length - 1];
      const ticks = bid ? last.ticks - state.spacing : last.ticks + state.spacing;
      if (ticks <= 0) break;
      side.push(simLevel(ticks, randomLots(this.#random, state.pair), state.pair));
    }
  }

  /** A market order that takes from the best level of one side. */
  #trade(state: SimSymbolState, time: number): SimTrade[] {
    const random = this.#random;
    const buy = random.next() < 0.5;
    const book = buy ? state.asks : state.bids;
    const trades: SimTrade[] = [];
    let wanted = randomLots(random, state.pair);
    const ordType = random.next() < 0.7 ? "limit" : "market";
    while (wanted > 0 && book.length > 1) {
      const best = book[0];
      const lots = Math.min(wanted, best.lots);
      trades.push({
        tradeId: ++state.lastTradeId,
        side: buy ? "buy" : "sell",
        ticks: best.ticks,
        lots,
        ordType,
        time,
      });
      state.volumeLots += lots;
      wanted -= lots;
      if (lots === best.lots) book.shift();
      else book[0] = simLevel(best.ticks, best.lots - lots, state.pair);
      if (trades.length >= 5) break;
    }
    this.#refill(state, !buy);
    state.trades.push(...trades);
    if (state.trades.length > 100) state.trades.splice(0, state.trades.length - 100);
    return trades;
  }
}
