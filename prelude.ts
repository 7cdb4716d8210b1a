/**
 * The frozen API of the SDK: the client, its options, its events and its errors. Names here keep
 * their meaning for the whole major version.
 *
 * @example
 * ```ts ignore
 * import { KrakenWs } from "@kraken-ws/sdk/prelude";
 *
 * await using kraken = new KrakenWs();
 * for await (const event of kraken.trades(["BTC/USD", "ETH/USD"])) {
 *   if (event.type === "trade") console.log(event.symbol, event.side, event.qtyText, "@", event.priceText);
 *   if (event.type === "gap") console.log("missing trades", event.fromTradeId, "to", event.toTradeId);
 * }
 * ```
 *
 * @module
 */

export {
  type BookStreamEvent,
  type InstrumentStreamEvent,
  KRAKEN_PUBLIC_URL,
  KrakenClosedError,
  KrakenWs,
  type KrakenWsOptions,
  type OhlcStreamEvent,
  type TickerStreamEvent,
  type TradeStreamEvent,
} from "./src/client/kraken_ws.ts";
export type { EventFilter } from "./src/client/driver.ts";
export type {
  BookEvent,
  ConnectionState,
  DataChannel,
  ErrorCode,
  ErrorEvent,
  EventBase,
  GapEvent,
  GapEventBase,
  GapReason,
  InstrumentEvent,
  KrakenEvent,
  OhlcEvent,
  StateEvent,
  StatusEvent,
  SubscriptionState,
  TickerEvent,
  TradeEvent,
} from "./src/core/events.ts";
export type { ReconnectOptions } from "./src/core/reconnect_policy.ts";
export { bookMid, bookSpread } from "./src/core/book_quote.ts";
export { SubscriptionConflictError } from "./src/core/session.ts";
export type { OhlcInterval } from "./src/core/subscription.ts";
export type { BookDepth } from "./src/book/order_book.ts";
export type { Clock } from "./src/core/clock.ts";
export type { ClientTapSource, KrakenWsTap } from "./src/core/tap.ts";
export { MetricsRegistry } from "./src/metrics/registry.ts";
export { metricsHandler } from "./src/metrics/handler.ts";
export type {
  BookLevel,
  Candle,
  InstrumentAsset,
  InstrumentPair,
  StatusInfo,
  SystemState,
  Ticker,
  Trade,
} from "./src/protocol/messages.ts";
