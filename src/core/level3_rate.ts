/**
 * Kraken's rate counter for level 3 subscriptions: each symbol subscribed costs by depth, against
 * a budget per second.
 *
 * @module
 */

import type { Level3Depth } from "../book/level3_book.ts";

/**
 * What one symbol's level 3 subscription costs on Kraken's counter, by depth.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { LEVEL3_SUBSCRIPTION_COST } from "@kraken-ws/sdk/extended";
 * console.log(LEVEL3_SUBSCRIPTION_COST[1000]); // 100
 * ```
 */
export const LEVEL3_SUBSCRIPTION_COST: Readonly<Record<Level3Depth, number>> = Object.freeze({
  10: 5,
  100: 25,
  1000: 100,
});

/**
 * Kraken's counter budget per second for a standard client (pro clients have 500).
 *
 * @experimental
 *
 * @example
 * ```ts
 * import { LEVEL3_RATE_BUDGET } from "@kraken-ws/sdk/extended";
 * console.log(LEVEL3_RATE_BUDGET); // 200
 * ```
 */
export const LEVEL3_RATE_BUDGET = 200;

/**
 * The most symbols one level 3 request of `depth` may name so that, at one request a second, the
 * counter stays within `budget`.
 *
 * @param depth The depth subscribed.
 * @param budget The counter's budget per second.
 * @returns At least 1.
 *
 * @example
 * ```ts
 * import { level3SymbolsPerRequest } from "@kraken-ws/sdk/extended";
 * console.log(level3SymbolsPerRequest(10), level3SymbolsPerRequest(1000)); // 40 2
 * ```
 */
export function level3SymbolsPerRequest(
  depth: Level3Depth,
  budget: number = LEVEL3_RATE_BUDGET,
): number {
  return Math.max(1, Math.floor(budget / LEVEL3_SUBSCRIPTION_COST[depth]));
}
