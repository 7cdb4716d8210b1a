/**
 * The fake exchange's one frame writer: every frame Kraken sends, with its envelopes, its strings
 * and its number text. Prices and quantities go out as the exact text they were given, so trailing
 * zeros survive, as on Kraken; a seeded market and a replayed recording write through the same
 * functions.
 *
 * @module
 */

import type { Level3Order } from "../protocol/level3_messages.ts";
import type { BookLevel, Trade } from "../protocol/messages.ts";
import type { SimSymbol } from "./market.ts";

/**
 * RFC 3339 with microseconds, as Kraken prints its times.
 *
 * @param ms Time in ms since the epoch.
 * @returns The text, like `2026-01-01T00:00:00.000000Z`.
 *
 * @example
 * ```ts
 * import { krakenTime } from "./frames.ts";
 * console.log(krakenTime(0)); // "1970-01-01T00:00:00.000000Z"
 * ```
 */
export function krakenTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/**
 * Kraken's acknowledgement of one symbol's subscribe or unsubscribe.
 *
 * @param now Server time in ms.
 * @param method What it answers.
 * @param result The `result` object.
 * @param reqId The request's `req_id`, echoed when it had one.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { ackFrame } from "./frames.ts";
 * console.log(ackFrame(0, "subscribe", { channel: "trade", symbol: "BTC/USD" }, 7).includes('"req_id":7')); // true
 * ```
 */
export function ackFrame(
  now: number,
  method: string,
  result: Record<string, unknown>,
  reqId: number | undefined,
): string {
  return JSON.stringify({
    method,
    result,
    success: true,
    time_in: krakenTime(now),
    time_out: krakenTime(now),
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

/**
 * Kraken's error reply: `error` is a string, `symbol` is named when the error is about one.
 *
 * @param now Server time in ms.
 * @param method The method that failed.
 * @param error Kraken's text, like `Currency pair not supported XBT/USD`.
 * @param reqId The request's `req_id`, echoed when it had one.
 * @param symbol The symbol concerned, if any.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { errorFrame } from "./frames.ts";
 * console.log(JSON.parse(errorFrame(0, "subscribe", "Exceeded msg rate", 3)).success); // false
 * ```
 */
export function errorFrame(
  now: number,
  method: string,
  error: string,
  reqId: number | undefined,
  symbol?: string,
): string {
  return JSON.stringify({
    error,
    method,
    success: false,
    ...(symbol === undefined ? {} : { symbol }),
    time_in: krakenTime(now),
    time_out: krakenTime(now),
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

/**
 * Kraken's answer to a `ping`.
 *
 * @param now Server time in ms.
 * @param reqId The ping's `req_id`.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { pongFrame } from "./frames.ts";
 * console.log(JSON.parse(pongFrame(0, 9)).method); // "pong"
 * ```
 */
export function pongFrame(now: number, reqId: number | undefined): string {
  return JSON.stringify({
    method: "pong",
    ...(reqId === undefined ? {} : { req_id: reqId }),
    time_in: krakenTime(now),
    time_out: krakenTime(now),
  });
}

/**
 * A connection id like Kraken's: above 2^63, so never a JS number; made from the time of
 * connecting.
 *
 * @param now Server time in ms when the connection opened.
 * @returns The id.
 *
 * @example
 * ```ts
 * import { connectionIdAt } from "./frames.ts";
 * console.log(connectionIdAt(0) > 2n ** 63n); // true
 * ```
 */
export function connectionIdAt(now: number): bigint {
  return 12393906104898154338n + BigInt(Math.floor(now));
}

/**
 * The `status` frame Kraken sends on connect and whenever the system state changes.
 *
 * @param now Server time in ms.
 * @param system `online`, `maintenance`, `cancel_only` or `post_only`.
 * @param connectionId The connection's id (default: one made from `now`); a connection keeps
 *   its id across status changes.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { statusFrame } from "./frames.ts";
 * console.log(statusFrame(0, "maintenance").includes('"system":"maintenance"')); // true
 * ```
 */
export function statusFrame(
  now: number,
  system: string,
  connectionId: bigint = connectionIdAt(now),
): string {
  // The connection id is above 2^63 on Kraken: printed from a bigint, never a float.
  return `{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"${system}","api_version":"v2","connection_id":${connectionId}}]}`;
}

/**
 * Kraken's heartbeat, sent about once a second while subscribed and otherwise silent.
 *
 * @example
 * ```ts
 * import { HEARTBEAT_FRAME } from "./frames.ts";
 * console.log(JSON.parse(HEARTBEAT_FRAME).channel); // "heartbeat"
 * ```
 */
export const HEARTBEAT_FRAME = '{"channel":"heartbeat"}';

/** Levels as Kraken writes them: price and quantity from their exact text. */
function levelsJson(levels: readonly BookLevel[]): string {
  return levels.map((level) => `{"price":${level.priceText},"qty":${level.qtyText}}`).join(",");
}

/**
 * What a book frame carries: one symbol's levels (all of them for a snapshot, the changes for an
 * update) and the checksum of the book after it.
 *
 * @example
 * ```ts
 * import type { BookFrameData } from "./frames.ts";
 * const data: BookFrameData = { symbol: "BTC/USD", bids: [], asks: [], checksum: 0 };
 * console.log(data.symbol);
 * ```
 */
export interface BookFrameData {
  /** The pair. */
  readonly symbol: string;
  /** Bid levels, in the order they go out. */
  readonly bids: readonly BookLevel[];
  /** Ask levels, in the order they go out. */
  readonly asks: readonly BookLevel[];
  /** CRC-32 of the top 10 of the book after this frame. */
  readonly checksum: number;
  /** RFC 3339 time; left out when absent, as in some of Kraken's snapshots. */
  readonly timestamp?: string;
}

/**
 * A `book` frame, at any depth.
 *
 * @param type Snapshot or update.
 * @param data The symbol, levels and checksum.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { bookFrame } from "./frames.ts";
 * const text = bookFrame("snapshot", { symbol: "BTC/USD", bids: [], asks: [], checksum: 0 });
 * console.log(JSON.parse(text).data[0].checksum); // 0
 * ```
 */
export function bookFrame(type: "snapshot" | "update", data: BookFrameData): string {
  const timestamp = data.timestamp === undefined
    ? ""
    : `,"timestamp":${JSON.stringify(data.timestamp)}`;
  return `{"channel":"book","type":"${type}","data":[{"symbol":${
    JSON.stringify(data.symbol)
  },"bids":[${levelsJson(data.bids)}],"asks":[${
    levelsJson(data.asks)
  }],"checksum":${data.checksum}${timestamp}}]}`;
}

/**
 * The text fields of one trade as a frame carries them: a decoded {@link Trade} fits.
 *
 * @example
 * ```ts
 * import type { TradeText } from "./frames.ts";
 * const trade: TradeText = {
 *   symbol: "BTC/USD", side: "buy", priceText: "63500.0", qtyText: "0.10000000",
 *   ordType: "limit", tradeId: 1, timestamp: "2026-01-01T00:00:00.000000Z",
 * };
 * console.log(trade.tradeId);
 * ```
 */
export type TradeText = Pick<
  Trade,
  "symbol" | "side" | "priceText" | "qtyText" | "ordType" | "tradeId" | "timestamp"
>;

/**
 * A `trade` frame.
 *
 * @param type Snapshot or update.
 * @param trades The trades, in exchange order.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { tradeFrame } from "./frames.ts";
 * const text = tradeFrame("update", [{
 *   symbol: "BTC/USD", side: "sell", priceText: "63500.0", qtyText: "0.10000000",
 *   ordType: "market", tradeId: 42, timestamp: "2026-01-01T00:00:00.000000Z",
 * }]);
 * console.log(text.includes('"qty":0.10000000')); // true
 * ```
 */
export function tradeFrame(type: "snapshot" | "update", trades: readonly TradeText[]): string {
  const items = trades.map((trade) =>
    `{"symbol":${
      JSON.stringify(trade.symbol)
    },"side":"${trade.side}","price":${trade.priceText},"qty":${trade.qtyText},"ord_type":"${trade.ordType}","trade_id":${trade.tradeId},"timestamp":${
      JSON.stringify(trade.timestamp)
    }}`
  );
  return `{"channel":"trade","type":"${type}","data":[${items.join(",")}]}`;
}

/**
 * The number text of a ticker item, each exactly as it goes out.
 *
 * @example
 * ```ts
 * import type { TickerText } from "./frames.ts";
 * const fields = (ticker: TickerText) => ticker.last;
 * console.log(typeof fields);
 * ```
 */
export interface TickerText {
  /** The pair. */
  readonly symbol: string;
  /** Best bid. */
  readonly bid: string;
  /** Its quantity. */
  readonly bidQty: string;
  /** Best ask. */
  readonly ask: string;
  /** Its quantity. */
  readonly askQty: string;
  /** Last trade price. */
  readonly last: string;
  /** Volume of the day. */
  readonly volume: string;
  /** Volume-weighted average price. */
  readonly vwap: string;
  /** Lowest price of the day. */
  readonly low: string;
  /** Highest price of the day. */
  readonly high: string;
  /** Price change, signed. */
  readonly change: string;
  /** Price change in percent, signed. */
  readonly changePct: string;
  /** RFC 3339 time. */
  readonly timestamp: string;
}

/**
 * A `ticker` frame.
 *
 * @param type Snapshot or update.
 * @param ticker The item's text.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { tickerFrame } from "./frames.ts";
 * const text = tickerFrame("snapshot", {
 *   symbol: "SOL/USD", bid: "142.00", bidQty: "1.00000000", ask: "142.01", askQty: "2.00000000",
 *   last: "142.00", volume: "10.00000000", vwap: "142.00", low: "141.00", high: "143.00",
 *   change: "-1.00", changePct: "-0.70", timestamp: "2026-01-01T00:00:00.000000Z",
 * });
 * console.log(JSON.parse(text).data[0].change_pct); // -0.7
 * ```
 */
export function tickerFrame(type: "snapshot" | "update", ticker: TickerText): string {
  return `{"channel":"ticker","type":"${type}","data":[{"symbol":${
    JSON.stringify(ticker.symbol)
  },"bid":${ticker.bid},"bid_qty":${ticker.bidQty},"ask":${ticker.ask},"ask_qty":${ticker.askQty},"last":${ticker.last},"volume":${ticker.volume},"vwap":${ticker.vwap},"low":${ticker.low},"high":${ticker.high},"change":${ticker.change},"change_pct":${ticker.changePct},"timestamp":"${ticker.timestamp}"}]}`;
}

/**
 * The text of one candle, each number exactly as it goes out.
 *
 * @example
 * ```ts
 * import type { CandleText } from "./frames.ts";
 * const close = (candle: CandleText) => candle.close;
 * console.log(typeof close);
 * ```
 */
export interface CandleText {
  /** The pair. */
  readonly symbol: string;
  /** First trade price of the interval. */
  readonly open: string;
  /** Highest. */
  readonly high: string;
  /** Lowest. */
  readonly low: string;
  /** Last. */
  readonly close: string;
  /** Volume-weighted average price. */
  readonly vwap: string;
  /** Number of trades. */
  readonly trades: number;
  /** Volume. */
  readonly volume: string;
  /** RFC 3339 start of the interval. */
  readonly intervalBegin: string;
  /** Interval in minutes. */
  readonly interval: number;
  /** RFC 3339 end of the interval (Kraken's deprecated `timestamp`). */
  readonly timestamp: string;
}

/**
 * An `ohlc` frame.
 *
 * @param type Snapshot or update.
 * @param candle The candle's text.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { ohlcFrame } from "./frames.ts";
 * const text = ohlcFrame("update", {
 *   symbol: "BTC/USD", open: "1.0", high: "2.0", low: "1.0", close: "2.0", vwap: "1.5", trades: 2,
 *   volume: "3.00000000", intervalBegin: "2026-01-01T00:00:00.000000000Z", interval: 1,
 *   timestamp: "2026-01-01T00:01:00.000000Z",
 * });
 * console.log(JSON.parse(text).data[0].interval); // 1
 * ```
 */
export function ohlcFrame(type: "snapshot" | "update", candle: CandleText): string {
  return `{"channel":"ohlc","type":"${type}","data":[{"symbol":${
    JSON.stringify(candle.symbol)
  },"open":${candle.open},"high":${candle.high},"low":${candle.low},"close":${candle.close},"vwap":${candle.vwap},"trades":${candle.trades},"volume":${candle.volume},"interval_begin":"${candle.intervalBegin}","interval":${candle.interval},"timestamp":"${candle.timestamp}"}]}`;
}

/**
 * The `instrument` snapshot of some pairs: each pair's precisions and increments, and their
 * assets.
 *
 * @param pairs The pairs.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { instrumentFrame } from "./frames.ts";
 * import { DEFAULT_SIM_SYMBOLS } from "./market.ts";
 * console.log(JSON.parse(instrumentFrame(DEFAULT_SIM_SYMBOLS)).data.pairs.length); // 4
 * ```
 */
export function instrumentFrame(pairs: readonly SimSymbol[]): string {
  const items = pairs.map((pair) => {
    const [base, quote] = pair.symbol.split("/");
    return {
      symbol: pair.symbol,
      base,
      quote,
      status: "online",
      qty_precision: pair.qtyPrecision,
      qty_increment: Number(`1e-${pair.qtyPrecision}`),
      price_precision: pair.pricePrecision,
      cost_precision: 5,
      marginable: false,
      has_index: true,
      cost_min: 0.5,
      tick_size: Number(`1e-${pair.pricePrecision}`),
      price_increment: Number(`1e-${pair.pricePrecision}`),
      qty_min: Number(`1e-${Math.min(4, pair.qtyPrecision)}`),
    };
  });
  const assets = [...new Set(items.flatMap((pair) => [pair.base, pair.quote]))].map((id) => ({
    id,
    status: "enabled",
    precision: 10,
    precision_display: 5,
    borrowable: false,
    collateral_value: 0,
    margin_rate: 0,
  }));
  return JSON.stringify({
    channel: "instrument",
    type: "snapshot",
    data: { assets, pairs: items },
  });
}

/**
 * What a `level3` frame carries: one symbol's orders (the visible book for a snapshot, the order
 * events for an update) and the level 3 checksum of the book after it.
 *
 * @example
 * ```ts
 * import type { Level3FrameData } from "./frames.ts";
 * const data: Level3FrameData = { symbol: "BTC/USD", bids: [], asks: [], checksum: 0 };
 * console.log(data.symbol);
 * ```
 */
export interface Level3FrameData {
  /** The pair. */
  readonly symbol: string;
  /** Bid orders (snapshot) or bid order events (update, each with its `event`), in order. */
  readonly bids: readonly Level3Order[];
  /** Ask orders or ask order events, in order. */
  readonly asks: readonly Level3Order[];
  /** Kraken's level 3 checksum of the top 10 price levels after this frame. */
  readonly checksum: number;
  /** RFC 3339 time of the frame. */
  readonly timestamp?: string;
}

/** Orders as Kraken writes them: an update's `event` first, price and quantity from their text. */
function ordersJson(orders: readonly Level3Order[]): string {
  return orders.map((order) =>
    `{${order.event === undefined ? "" : `"event":"${order.event}",`}"order_id":${
      JSON.stringify(order.orderId)
    },"limit_price":${order.limitPriceText},"order_qty":${order.orderQtyText},"timestamp":${
      JSON.stringify(order.timestamp)
    }}`
  ).join(",");
}

/**
 * A `level3` frame, as Kraken's `ws-l3` endpoint sends it.
 *
 * @param type Snapshot or update.
 * @param data The symbol, orders and checksum.
 * @returns The frame's text.
 *
 * @example
 * ```ts
 * import { level3Frame } from "./frames.ts";
 * const text = level3Frame("update", {
 *   symbol: "BTC/USD", checksum: 7, bids: [], asks: [{
 *     event: "delete", orderId: "OABCDE-FGHIJ-KLMNOP", limitPrice: 63500, limitPriceText: "63500.0",
 *     orderQty: 0.1, orderQtyText: "0.10000000", timestamp: "2026-01-01T00:00:00.000000000Z",
 *   }],
 * });
 * console.log(text.includes('"event":"delete","order_id":"OABCDE-FGHIJ-KLMNOP","limit_price":63500.0,"order_qty":0.10000000')); // true
 * ```
 */
export function level3Frame(type: "snapshot" | "update", data: Level3FrameData): string {
  const timestamp = data.timestamp === undefined
    ? ""
    : `,"timestamp":${JSON.stringify(data.timestamp)}`;
  return `{"channel":"level3","type":"${type}","data":[{"symbol":${
    JSON.stringify(data.symbol)
  },"bids":[${ordersJson(data.bids)}],"asks":[${
    ordersJson(data.asks)
  }],"checksum":${data.checksum}${timestamp}}]}`;
}
