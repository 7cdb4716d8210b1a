/**
 * The account's matching against the seeded market's book, sans I/O. The account's orders are
 * shadows: they never enter the public book (so the public feed and every seed's market stay
 * exactly what they were), but they take the book's liquidity as a real order would. Within one
 * market step a level's quantity is used at most once across all the account's orders; the next
 * step's book is taken as it is (the market does not know the account traded).
 *
 * @module
 */

/**
 * A level of the book the engine reads: integer ticks and lots, as the seeded market holds them.
 *
 * @example
 * ```ts
 * import type { EngineLevel } from "./matching_engine.ts";
 * const level: EngineLevel = { ticks: 635001, lots: 100000 };
 * console.log(level.ticks);
 * ```
 */
export interface EngineLevel {
  /** Price in ticks. */
  readonly ticks: number;
  /** Quantity in lots. */
  readonly lots: number;
}

/**
 * One fill against the book: at a level's price, some of its quantity.
 *
 * @example
 * ```ts
 * import type { BookFill } from "./matching_engine.ts";
 * const fill: BookFill = { ticks: 635001n, lots: 5n };
 * console.log(fill.lots);
 * ```
 */
export interface BookFill {
  /** The level's price, in ticks. */
  readonly ticks: bigint;
  /** Quantity taken, in lots. */
  readonly lots: bigint;
}

/**
 * The book's liquidity the account already took during the current market step, per pair, side
 * and price.
 *
 * @example
 * ```ts
 * import { StepLiquidity } from "./matching_engine.ts";
 * const used = new StepLiquidity();
 * used.take("BTC/USD", "asks", 10n, 3n);
 * console.log(used.taken("BTC/USD", "asks", 10n)); // 3n
 * used.reset();
 * console.log(used.taken("BTC/USD", "asks", 10n)); // 0n
 * ```
 */
export class StepLiquidity {
  #taken = new Map<string, bigint>();

  /** A new market step: the book is whole again. */
  reset(): void {
    this.#taken = new Map();
  }

  /**
   * What was taken at a level this step.
   *
   * @param symbol The pair.
   * @param side `bids` or `asks`.
   * @param ticks The level's price.
   * @returns Lots taken.
   */
  taken(symbol: string, side: "bids" | "asks", ticks: bigint): bigint {
    return this.#taken.get(`${symbol}|${side}|${ticks}`) ?? 0n;
  }

  /**
   * Records lots taken at a level.
   *
   * @param symbol The pair.
   * @param side `bids` or `asks`.
   * @param ticks The level's price.
   * @param lots Lots taken.
   */
  take(symbol: string, side: "bids" | "asks", ticks: bigint, lots: bigint): void {
    const key = `${symbol}|${side}|${ticks}`;
    this.#taken.set(key, (this.#taken.get(key) ?? 0n) + lots);
  }
}

/**
 * Whether a limit order at `limitTicks` would take liquidity now: a buy at or above the best ask,
 * a sell at or below the best bid.
 *
 * @param side The order's side.
 * @param limitTicks Its limit.
 * @param bids The book's bids, best first.
 * @param asks The book's asks, best first.
 * @returns Whether it crosses.
 *
 * @example
 * ```ts
 * import { crosses } from "./matching_engine.ts";
 * const bids = [{ ticks: 99, lots: 1 }];
 * const asks = [{ ticks: 101, lots: 1 }];
 * console.log(crosses("buy", 101n, bids, asks), crosses("buy", 100n, bids, asks)); // true false
 * ```
 */
export function crosses(
  side: "buy" | "sell",
  limitTicks: bigint,
  bids: readonly EngineLevel[],
  asks: readonly EngineLevel[],
): boolean {
  const best = side === "buy" ? asks[0] : bids[0];
  if (best === undefined) return false;
  return side === "buy" ? BigInt(best.ticks) <= limitTicks : BigInt(best.ticks) >= limitTicks;
}

/**
 * What an order of `side` for `wantLots` could take from the opposite side of the book now, best
 * level first, never past `limitTicks` (no limit: a market order) nor the liquidity already taken
 * this step. Nothing is recorded: the caller takes what it uses with {@link StepLiquidity.take}.
 *
 * @param symbol The pair.
 * @param side The order's side: a buy reads the asks, a sell the bids.
 * @param levels The opposite side, best first.
 * @param limitTicks The order's limit, if any.
 * @param wantLots What the order still wants.
 * @param used Liquidity taken this step.
 * @returns The fills, in book order; their lots sum to at most `wantLots`.
 *
 * @example
 * ```ts
 * import { availableFills, StepLiquidity } from "./matching_engine.ts";
 * const asks = [{ ticks: 100, lots: 2 }, { ticks: 101, lots: 5 }, { ticks: 102, lots: 9 }];
 * const fills = availableFills("X/Y", "buy", asks, 101n, 4n, new StepLiquidity());
 * console.log(fills); // [ { ticks: 100n, lots: 2n }, { ticks: 101n, lots: 2n } ]
 * ```
 */
export function availableFills(
  symbol: string,
  side: "buy" | "sell",
  levels: readonly EngineLevel[],
  limitTicks: bigint | undefined,
  wantLots: bigint,
  used: StepLiquidity,
): BookFill[] {
  const book = side === "buy" ? "asks" : "bids";
  const fills: BookFill[] = [];
  let want = wantLots;
  for (const level of levels) {
    if (want <= 0n) break;
    const ticks = BigInt(level.ticks);
    if (limitTicks !== undefined && (side === "buy" ? ticks > limitTicks : ticks < limitTicks)) {
      break;
    }
    const free = BigInt(level.lots) - used.taken(symbol, book, ticks);
    if (free <= 0n) continue;
    const lots = free < want ? free : want;
    fills.push({ ticks, lots });
    want -= lots;
  }
  return fills;
}
