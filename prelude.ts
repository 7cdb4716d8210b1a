/**
 * The frozen API of the SDK: the names here keep their meaning for the whole major version.
 *
 * So far it holds the market-data value types every stream will carry: book levels, trades,
 * tickers, candles and system status, each number with its exact wire text.
 *
 * @example
 * ```ts
 * import type { BookLevel } from "@kraken-ws/sdk/prelude";
 * const level: BookLevel = { price: 63498, priceText: "63498.0", qty: 0.1, qtyText: "0.10000000" };
 * console.log(level.priceText);
 * ```
 *
 * @module
 */

export type {
  BookLevel,
  Candle,
  StatusInfo,
  SystemState,
  Ticker,
  Trade,
} from "./src/protocol/messages.ts";
