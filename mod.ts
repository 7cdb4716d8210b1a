/**
 * Kraken Spot WebSocket API v2 for Deno and edge runtimes: exact numbers, order books checked
 * against Kraken's CRC-32, no dependencies. This entry re-exports the frozen API of
 * `@kraken-ws/sdk/prelude`; the building blocks are in `@kraken-ws/sdk/extended`.
 *
 * @example
 * ```ts
 * import type { Trade } from "@kraken-ws/sdk";
 * const show = (trade: Trade) => `${trade.side} ${trade.qtyText} @ ${trade.priceText}`;
 * console.log(typeof show);
 * ```
 *
 * @module
 */

export * from "./prelude.ts";
