/**
 * Trades, tickers and candles: delivered only for a synced subscription; trades checked for gaps
 * in their ids.
 *
 * @module
 */

import type { OhlcMessage, TickerMessage, TradeMessage } from "../protocol/messages.ts";
import type { SessionContext } from "./session_context.ts";
import type { SubscriptionRegistry } from "./subscription_registry.ts";

/**
 * The trade, ticker and OHLC feeds of one session.
 *
 * @example
 * ```ts
 * import { DataChannels } from "./data_channels.ts";
 * import { Requests } from "./requests.ts";
 * import { SessionContext } from "./session_context.ts";
 * import { SubscriptionRegistry } from "./subscription_registry.ts";
 * const context = new SessionContext();
 * const link = { connected: true, connection: 1 };
 * const registry = new SubscriptionRegistry(context, new Requests(context, link, 10, 10_000, 100), link, 60_000);
 * const data = new DataChannels(context, registry);
 * const effects = context.begin(0);
 * data.tickers({ kind: "ticker", type: "update", data: [] });
 * console.log(effects.length); // 0: nothing subscribed
 * ```
 */
export class DataChannels {
  readonly #context: SessionContext;
  readonly #registry: SubscriptionRegistry;

  /**
   * Creates the feeds.
   *
   * @param context The session's shared outbox.
   * @param registry The session's subscriptions.
   */
  constructor(context: SessionContext, registry: SubscriptionRegistry) {
    this.#context = context;
    this.#registry = registry;
  }

  /**
   * Trades in id order; a jump is a `sequence` gap first, a repeat is dropped. A snapshot (the
   * last trades, asked for after a loss) is taken in id order whatever order it lists them in, so
   * what the consumer has not seen is delivered once, in order, and only ids still missing are a
   * gap.
   */
  trades(message: TradeMessage): void {
    const snapshot = message.type === "snapshot";
    const trades = snapshot
      ? [...message.data].sort((a, b) => a.tradeId - b.tradeId)
      : message.data;
    for (const trade of trades) {
      const subscription = this.#registry.receive(`trade|${trade.symbol}`);
      if (subscription === undefined || subscription.state !== "synced") continue;
      const last = subscription.lastTradeId;
      if (last !== undefined) {
        // A repeat (a snapshot overlapping what we had, or a duplicated frame) is not news.
        if (trade.tradeId <= last) continue;
        if (trade.tradeId > last + 1) {
          this.#context.emit({
            type: "gap",
            reason: "sequence",
            channel: "trade",
            symbol: trade.symbol,
            fromTradeId: last + 1,
            toTradeId: trade.tradeId - 1,
          });
        }
      }
      subscription.lastTradeId = trade.tradeId;
      this.#context.emit({ ...trade, type: "trade", snapshot });
    }
  }

  /** Tickers. */
  tickers(message: TickerMessage): void {
    const snapshot = message.type === "snapshot";
    for (const ticker of message.data) {
      const subscription = this.#registry.receive(`ticker|${ticker.symbol}`);
      if (subscription === undefined || subscription.state !== "synced") continue;
      this.#context.emit({ ...ticker, type: "ticker", snapshot });
    }
  }

  /** Candles. */
  candles(message: OhlcMessage): void {
    const snapshot = message.type === "snapshot";
    for (const candle of message.data) {
      const subscription = this.#registry.receive(`ohlc|${candle.symbol}|${candle.interval}`);
      if (subscription === undefined || subscription.state !== "synced") continue;
      this.#context.emit({ ...candle, type: "ohlc", snapshot });
    }
  }
}
