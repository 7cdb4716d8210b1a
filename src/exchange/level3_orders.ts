/**
 * The individual orders behind the seeded market's price levels: the truth Kraken's `level3`
 * channel is served from. The market itself only knows each level's total quantity; this layer
 * follows it step by step and explains every change with orders, as a matching engine would:
 * a level that grows gets a new order at the back of its queue, a level that shrinks is filled
 * from the front (the front order's quantity lowered, or the order gone) or loses an order
 * cancelled from anywhere in its queue, and a level that disappears loses all its orders (a price
 * change is a delete at one price and an add at another).
 *
 * Orders draw on their own generators (seeded from the market's seed and the pair), never on the
 * market's: the market, and so every L2 frame of every seed, moves exactly as it did before
 * orders existed. A pair's orders are made the first time a `level3` subscription asks for it
 * (a run that never asks pays nothing), and are followed from then on.
 *
 * @module
 */

import { SeededRandom } from "../core/seeded_random.ts";
import type { Level3Order } from "../protocol/level3_messages.ts";
import { formatUnits } from "./fixed_units.ts";
import { KrakenIds } from "./kraken_ids.ts";
import type { SimChange, SimLevel, SimMarket, SimSymbol, SimTrade } from "./market.ts";

/**
 * One resting order of the truth: a level 3 order (with its exact text) and its quantity in lots.
 * Never changed: a fill replaces it with a new object of the same id, so a view holding the old
 * object sees the change by identity.
 *
 * @example
 * ```ts
 * import type { SimOrder } from "./level3_orders.ts";
 * const order: SimOrder = {
 *   orderId: "OABCDE-FGHIJ-KLMNOP", limitPrice: 63498, limitPriceText: "63498.0",
 *   orderQty: 0.001, orderQtyText: "0.00100000", timestamp: "2026-01-01T00:00:00.000000000Z", lots: 100000,
 * };
 * console.log(order.lots);
 * ```
 */
export interface SimOrder extends Level3Order {
  /** Quantity in units of 10^-qtyPrecision. */
  readonly lots: number;
}

/**
 * One price level of the truth with its queue of orders, first to fill first. Shaped as a
 * `Level3PriceLevel`, so the level 3 checksum reads it as it is.
 *
 * @example
 * ```ts
 * import { SimOrders } from "./level3_orders.ts";
 * import { SimMarket } from "./market.ts";
 * const level = new SimOrders(new SimMarket(1)).track("BTC/USD").bids[0];
 * console.log(level.orders.length > 0, level.lots === level.source.lots); // true true
 * ```
 */
export class SimOrderLevel {
  /** Price in ticks. */
  readonly ticks: number;
  /** Price as a number. */
  readonly price: number;
  /** Price as Kraken prints it. */
  readonly priceText: string;
  /** The queue, first to fill first; empty once the level is gone. */
  orders: SimOrder[] = [];
  /** Sum of the queue's lots: the market level's quantity. */
  lots = 0;
  /** Counts every change of the queue: a view that saw this version needs nothing sent. */
  version = 0;
  /** The market level last explained (levels are replaced whenever they change). */
  source: SimLevel;
  /** The last sync that saw the level in the market. */
  epoch = 0;

  /**
   * Opens an empty level for a market level.
   *
   * @param source The market's level.
   */
  constructor(source: SimLevel) {
    this.ticks = source.ticks;
    this.price = source.price;
    this.priceText = source.priceText;
    this.source = source;
  }
}

/**
 * One pair's orders: both sides' levels best first, exactly the market's levels.
 *
 * @example
 * ```ts
 * import { SimOrders } from "./level3_orders.ts";
 * import { SimMarket } from "./market.ts";
 * const market = new SimMarket(1);
 * const btc = new SimOrders(market).track("BTC/USD");
 * console.log(btc.asks.length, btc.asks[0].lots === market.symbol("BTC/USD").asks[0].lots); // 1000 true
 * ```
 */
export class SimSymbolOrders {
  /** The pair. */
  readonly pair: SimSymbol;
  /** Bid levels, highest first. */
  bids: SimOrderLevel[] = [];
  /** Ask levels, lowest first. */
  asks: SimOrderLevel[] = [];
  /** Counts the syncs that changed anything: a view that saw this version has nothing to send. */
  version = 0;
  readonly #byTicks = {
    bids: new Map<number, SimOrderLevel>(),
    asks: new Map<number, SimOrderLevel>(),
  };
  readonly #ids: KrakenIds;
  readonly #random: SeededRandom;
  #epoch = 0;

  /**
   * Explains the pair's current levels with orders.
   *
   * @param pair The pair.
   * @param seed The market's seed.
   * @param levels The market's levels now.
   * @param now The time (orders already resting are dated up to ten minutes before it).
   */
  constructor(
    pair: SimSymbol,
    seed: number,
    levels: { readonly bids: readonly SimLevel[]; readonly asks: readonly SimLevel[] },
    now: number,
  ) {
    this.pair = pair;
    const salt = hashText(pair.symbol);
    // Generators of their own: the market's draws, and so every L2 frame, stay as they were.
    this.#ids = new KrakenIds((seed ^ salt ^ 0x13a3_0d3e) >>> 0);
    this.#random = new SeededRandom((seed ^ Math.imul(salt, 0x9e37_79b9) ^ 0x0bde_75a1) >>> 0);
    this.sync(levels, now, true);
  }

  /**
   * Follows the market's levels: each change is explained with orders.
   *
   * @param levels The market's levels now.
   * @param now The time of the step.
   * @param resting Whether these are orders that were already there (dated in the past).
   * @param trades The step's trades: what they took from a level is filled from its front.
   */
  sync(
    levels: { readonly bids: readonly SimLevel[]; readonly asks: readonly SimLevel[] },
    now: number,
    resting = false,
    trades: readonly SimTrade[] = [],
  ): void {
    const epoch = ++this.#epoch;
    const taken = { bids: new Map<number, number>(), asks: new Map<number, number>() };
    for (const trade of trades) {
      // A buy takes from the asks, a sell from the bids.
      const side = taken[trade.side === "buy" ? "asks" : "bids"];
      side.set(trade.ticks, (side.get(trade.ticks) ?? 0) + trade.lots);
    }
    let changed = this.#syncSide("bids", levels.bids, epoch, now, resting, taken.bids);
    changed = this.#syncSide("asks", levels.asks, epoch, now, resting, taken.asks) || changed;
    if (changed) this.version++;
  }

  #syncSide(
    side: "bids" | "asks",
    levels: readonly SimLevel[],
    epoch: number,
    now: number,
    resting: boolean,
    taken: ReadonlyMap<number, number>,
  ): boolean {
    const byTicks = this.#byTicks[side];
    const next = new Array<SimOrderLevel>(levels.length);
    let changed = false;
    for (let i = 0; i < levels.length; i++) {
      const source = levels[i];
      let level = byTicks.get(source.ticks);
      if (level === undefined) {
        level = new SimOrderLevel(source);
        byTicks.set(source.ticks, level);
        this.#open(level, source.lots, now, resting);
        changed = true;
      } else if (level.source !== source) {
        level.source = source;
        if (source.lots !== level.lots) {
          this.#adjust(level, source.lots, taken.get(source.ticks) ?? 0, now);
          changed = true;
        }
      }
      level.epoch = epoch;
      next[i] = level;
    }
    // A level the market no longer has: every order left it (filled through, or cancelled).
    for (const [ticks, level] of byTicks) {
      if (level.epoch === epoch) continue;
      byTicks.delete(ticks);
      level.orders = [];
      level.lots = 0;
      level.version++;
      changed = true;
    }
    this[side] = next;
    return changed;
  }

  /** A new level: one to three orders summing to its quantity. */
  #open(level: SimOrderLevel, lots: number, now: number, resting: boolean): void {
    const random = this.#random;
    const count = Math.min(lots, 1 + Math.floor(random.next() * 3));
    const sizes: number[] = [];
    const times: number[] = [];
    let left = lots;
    for (let i = 0; i < count; i++) {
      // Every order keeps at least one lot for each order after it.
      const size = i === count - 1 ? left : 1 + Math.floor(random.next() * (left - (count - i)));
      left -= size;
      sizes.push(size);
      times.push(resting ? now - Math.floor(random.next() * 600_000) : now);
    }
    // A queue is in time order: the oldest order fills first.
    times.sort((a, b) => a - b);
    for (let i = 0; i < count; i++) level.orders.push(this.#order(level, sizes[i], times[i]));
    level.lots = lots;
    level.version++;
  }

  /**
   * The level's quantity went from `level.lots` to `lots`: orders explain the difference. What a
   * trade took (`traded`) fills the front of the queue; the rest of a fall is a cancel from
   * anywhere or a fill from the front.
   */
  #adjust(level: SimOrderLevel, lots: number, traded: number, now: number): void {
    const random = this.#random;
    const orders = level.orders;
    if (lots > level.lots) {
      orders.push(this.#order(level, lots - level.lots, now));
    } else {
      let fall = level.lots - lots;
      const fromFront = Math.min(fall, traded);
      fall -= fromFront;
      // Sometimes an order anywhere in the queue is cancelled, when one fits in the fall.
      if (random.next() < 0.5) {
        const fitting: number[] = [];
        for (let i = 0; i < orders.length; i++) if (orders[i].lots <= fall) fitting.push(i);
        if (fitting.length > 0) {
          const index = fitting[Math.floor(random.next() * fitting.length)];
          fall -= orders[index].lots;
          orders.splice(index, 1);
        }
      }
      // The trades' part, and the rest, fill the front of the queue.
      fall += fromFront;
      while (fall > 0) {
        const front = orders[0];
        if (front.lots <= fall) {
          fall -= front.lots;
          orders.shift();
        } else {
          orders[0] = this.#withLots(front, front.lots - fall);
          fall = 0;
        }
      }
    }
    level.lots = lots;
    level.version++;
  }

  #order(level: SimOrderLevel, lots: number, at: number): SimOrder {
    const orderQtyText = formatUnits(lots, this.pair.qtyPrecision);
    return {
      orderId: this.#ids.next("O"),
      limitPrice: level.price,
      limitPriceText: level.priceText,
      orderQty: Number(orderQtyText),
      orderQtyText,
      timestamp: nanoTime(at, this.#random),
      lots,
    };
  }

  /** The same order after a partial fill: its place in the queue and its time stay. */
  #withLots(order: SimOrder, lots: number): SimOrder {
    const orderQtyText = formatUnits(lots, this.pair.qtyPrecision);
    return { ...order, orderQty: Number(orderQtyText), orderQtyText, lots };
  }
}

/**
 * RFC 3339 with nanoseconds, as Kraken dates level 3 orders: the millisecond of `ms` and six
 * drawn digits below it, so orders of one step are not all at the same instant.
 */
function nanoTime(ms: number, random: SeededRandom): string {
  const below = String(Math.floor(random.next() * 1_000_000)).padStart(6, "0");
  return new Date(ms).toISOString().replace("Z", `${below}Z`);
}

/** FNV-1a of a pair's name: each pair's orders get generators of their own. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The orders behind the market's levels, for every pair a `level3` subscription asked for.
 *
 * @example
 * ```ts
 * import { SimOrders } from "./level3_orders.ts";
 * import { SimMarket } from "./market.ts";
 * const market = new SimMarket(5);
 * const orders = new SimOrders(market);
 * const eth = orders.track("ETH/USD", 0);
 * for (let step = 1; step <= 20; step++) orders.sync(market.step(step * 100), step * 100);
 * const truth = market.symbol("ETH/USD");
 * console.log(eth.bids.every((level, i) => level.ticks === truth.bids[i].ticks && level.lots === truth.bids[i].lots)); // true
 * ```
 */
export class SimOrders {
  readonly #market: SimMarket;
  readonly #symbols = new Map<string, SimSymbolOrders>();

  /**
   * Follows `market`; no pair is explained until asked for.
   *
   * @param market The seeded market.
   */
  constructor(market: SimMarket) {
    this.#market = market;
  }

  /** Whether the market has `symbol`. */
  has(symbol: string): boolean {
    return this.#market.has(symbol);
  }

  /**
   * One pair's orders, made now from its current levels the first time it is asked for.
   *
   * @param symbol The pair.
   * @param now The time, to date the orders already resting (default 0).
   * @returns Its orders, followed from now on.
   * @throws {RangeError} When the market does not have the pair.
   */
  track(symbol: string, now = 0): SimSymbolOrders {
    let orders = this.#symbols.get(symbol);
    if (orders === undefined) {
      const state = this.#market.symbol(symbol);
      orders = new SimSymbolOrders(state.pair, this.#market.seed, state, now);
      this.#symbols.set(symbol, orders);
    }
    return orders;
  }

  /**
   * Follows one market step: the pairs followed whose book changed explain the change.
   *
   * @param changes What the market's `step` returned.
   * @param now The step's time.
   */
  sync(changes: readonly SimChange[], now: number): void {
    if (this.#symbols.size === 0) return;
    for (const change of changes) {
      if (!change.bookChanged) continue;
      const orders = this.#symbols.get(change.symbol);
      if (orders !== undefined) {
        orders.sync(this.#market.symbol(change.symbol), now, false, change.trades);
      }
    }
  }
}
