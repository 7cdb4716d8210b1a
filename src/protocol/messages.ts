/**
 * Typed messages of Kraken's Spot WebSocket API v2, as `decode` returns them.
 *
 * Field names are the wire names in camelCase. Every price, quantity and other decimal keeps its
 * wire text beside its number: field `price` has `priceText`, `bidQty` has `bidQtyText`, and so on.
 * The text is the truth (checksums are computed from it); the number is a convenience view.
 *
 * @module
 */

import type { Level3Message } from "./level3_messages.ts";
import type { BalancesMessage, ExecutionsMessage, TradingReply } from "./private_messages.ts";

/**
 * Plain JSON data, as kept for parts of a frame the SDK does not interpret.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "@kraken-ws/sdk/extended";
 * const value: JsonValue = { a: [1, "b", null, true] };
 * console.log(value);
 * ```
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | {
  [key: string]: JsonValue;
};

/**
 * Whether a data frame replaces state (`snapshot`) or changes it (`update`).
 *
 * @example
 * ```ts
 * import type { FrameType } from "@kraken-ws/sdk/extended";
 * const type: FrameType = "snapshot";
 * console.log(type);
 * ```
 */
export type FrameType = "snapshot" | "update";

/**
 * One price level of an L2 book, with the exact wire text of both numbers.
 *
 * @example
 * ```ts
 * import type { BookLevel } from "@kraken-ws/sdk";
 * const level: BookLevel = { price: 63498, priceText: "63498.0", qty: 0.1, qtyText: "0.10000000" };
 * console.log(level.qtyText);
 * ```
 */
export interface BookLevel {
  /** Price as a number (a view of `priceText`). */
  readonly price: number;
  /** Price exactly as sent. */
  readonly priceText: string;
  /** Quantity as a number (a view of `qtyText`); 0 deletes the level in an update. */
  readonly qty: number;
  /** Quantity exactly as sent. */
  readonly qtyText: string;
}

/**
 * The payload of a `book` frame for one symbol.
 *
 * @example
 * ```ts
 * import type { BookPayload } from "@kraken-ws/sdk/extended";
 * const payload: BookPayload = { symbol: "BTC/USD", bids: [], asks: [], checksum: 0 };
 * console.log(payload.symbol);
 * ```
 */
export interface BookPayload {
  /** Pair, like `BTC/USD`. */
  readonly symbol: string;
  /** Bid levels in wire order. */
  readonly bids: readonly BookLevel[];
  /** Ask levels in wire order. */
  readonly asks: readonly BookLevel[];
  /** CRC-32 of the top of the book after this frame, unsigned 32-bit. */
  readonly checksum: number;
  /** RFC 3339 exchange time; some old snapshots have none. */
  readonly timestamp?: string;
}

/**
 * A `book` channel frame.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":0}]}');
 * if (message.kind === "book") console.log(message.data[0].symbol);
 * ```
 */
export interface BookMessage {
  /** Discriminant. */
  readonly kind: "book";
  /** Snapshot or update. */
  readonly type: FrameType;
  /** Kraken sends one item; kept as a list so nothing is ever dropped. */
  readonly data: readonly BookPayload[];
}

/**
 * One trade.
 *
 * @example
 * ```ts
 * import type { Trade } from "@kraken-ws/sdk";
 * const trade: Trade = {
 *   symbol: "BTC/USD", side: "buy", price: 1, priceText: "1.0", qty: 2, qtyText: "2.00000000",
 *   ordType: "limit", tradeId: 7, timestamp: "2026-07-07T23:00:04.585581Z",
 * };
 * console.log(trade.tradeId);
 * ```
 */
export interface Trade {
  /** Pair. */
  readonly symbol: string;
  /** Taker side. */
  readonly side: "buy" | "sell";
  /** Price as a number. */
  readonly price: number;
  /** Price exactly as sent. */
  readonly priceText: string;
  /** Quantity as a number. */
  readonly qty: number;
  /** Quantity exactly as sent. */
  readonly qtyText: string;
  /** `limit` or `market`. */
  readonly ordType: string;
  /** Sequence number, unique per book; consecutive within a symbol. */
  readonly tradeId: number;
  /** RFC 3339 exchange time. */
  readonly timestamp: string;
}

/**
 * A `trade` channel frame.
 *
 * @example
 * ```ts
 * import type { TradeMessage } from "@kraken-ws/sdk/extended";
 * const message: TradeMessage = { kind: "trade", type: "update", data: [] };
 * console.log(message.data.length);
 * ```
 */
export interface TradeMessage {
  /** Discriminant. */
  readonly kind: "trade";
  /** Snapshot (the last 50 trades) or update. */
  readonly type: FrameType;
  /** Trades in wire order. */
  readonly data: readonly Trade[];
}

/**
 * Level 1 data for one pair.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1.0,"bid_qty":1,"ask":2.0,"ask_qty":1,"last":1.5,"volume":9,"vwap":1.4,"low":1,"high":2,"change":0.5,"change_pct":50.0}]}');
 * if (message.kind === "ticker") console.log(message.data[0].bidText); // "1.0"
 * ```
 */
export interface Ticker {
  /** Pair. */
  readonly symbol: string;
  /** Best bid. */
  readonly bid: number;
  /** Best bid as sent. */
  readonly bidText: string;
  /** Best bid quantity. */
  readonly bidQty: number;
  /** Best bid quantity as sent. */
  readonly bidQtyText: string;
  /** Best ask. */
  readonly ask: number;
  /** Best ask as sent. */
  readonly askText: string;
  /** Best ask quantity. */
  readonly askQty: number;
  /** Best ask quantity as sent. */
  readonly askQtyText: string;
  /** Last trade price. */
  readonly last: number;
  /** Last trade price as sent. */
  readonly lastText: string;
  /** 24 h volume. */
  readonly volume: number;
  /** 24 h volume as sent. */
  readonly volumeText: string;
  /** 24 h volume-weighted average price. */
  readonly vwap: number;
  /** 24 h vwap as sent. */
  readonly vwapText: string;
  /** 24 h low. */
  readonly low: number;
  /** 24 h low as sent. */
  readonly lowText: string;
  /** 24 h high. */
  readonly high: number;
  /** 24 h high as sent. */
  readonly highText: string;
  /** 24 h price change. */
  readonly change: number;
  /** 24 h price change as sent. */
  readonly changeText: string;
  /** 24 h price change in percent. */
  readonly changePct: number;
  /** 24 h price change in percent as sent. */
  readonly changePctText: string;
  /** RFC 3339 time of the last change, on newer frames. */
  readonly timestamp?: string;
}

/**
 * A `ticker` channel frame.
 *
 * @example
 * ```ts
 * import type { TickerMessage } from "@kraken-ws/sdk/extended";
 * const message: TickerMessage = { kind: "ticker", type: "snapshot", data: [] };
 * console.log(message.type);
 * ```
 */
export interface TickerMessage {
  /** Discriminant. */
  readonly kind: "ticker";
  /** Snapshot or update. */
  readonly type: FrameType;
  /** One entry per pair. */
  readonly data: readonly Ticker[];
}

/**
 * One OHLC candle; an update repeats `intervalBegin` with fresher values.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":1,"high":2,"low":1,"close":2,"vwap":1.5,"trades":3,"volume":4,"interval_begin":"2026-01-01T00:00:00.000000000Z","interval":1}]}');
 * if (message.kind === "ohlc") console.log(message.data[0].intervalBegin);
 * ```
 */
export interface Candle {
  /** Pair. */
  readonly symbol: string;
  /** Opening price. */
  readonly open: number;
  /** Opening price as sent. */
  readonly openText: string;
  /** Highest price. */
  readonly high: number;
  /** Highest price as sent. */
  readonly highText: string;
  /** Lowest price. */
  readonly low: number;
  /** Lowest price as sent. */
  readonly lowText: string;
  /** Closing (latest) price. */
  readonly close: number;
  /** Closing price as sent. */
  readonly closeText: string;
  /** Volume-weighted average price. */
  readonly vwap: number;
  /** Vwap as sent. */
  readonly vwapText: string;
  /** Number of trades. */
  readonly trades: number;
  /** Volume. */
  readonly volume: number;
  /** Volume as sent. */
  readonly volumeText: string;
  /** RFC 3339 start of the interval. */
  readonly intervalBegin: string;
  /** Interval in minutes. */
  readonly interval: number;
  /** RFC 3339 end of the interval (deprecated by Kraken). */
  readonly timestamp?: string;
}

/**
 * An `ohlc` channel frame.
 *
 * @example
 * ```ts
 * import type { OhlcMessage } from "@kraken-ws/sdk/extended";
 * const message: OhlcMessage = { kind: "ohlc", type: "update", data: [] };
 * console.log(message.kind);
 * ```
 */
export interface OhlcMessage {
  /** Discriminant. */
  readonly kind: "ohlc";
  /** Snapshot or update. */
  readonly type: FrameType;
  /** Candles in wire order. */
  readonly data: readonly Candle[];
}

/**
 * One tradable pair from the `instrument` channel. Its precisions are numbers; its increments and
 * limits are decimals, each as a number beside its exact wire text (`priceIncrementText` is
 * `1e-08` when Kraken writes `1e-08`; `plainDecimalText` of `@kraken-ws/sdk/extended` spells it
 * out). A field Kraken left out, or sent as `null`, is absent.
 *
 * @example
 * ```ts
 * import type { InstrumentPair } from "@kraken-ws/sdk";
 * const pair: InstrumentPair = {
 *   symbol: "BTC/USD", base: "BTC", quote: "USD", status: "online",
 *   pricePrecision: 1, qtyPrecision: 8, priceIncrement: 0.1, priceIncrementText: "0.1", fields: {},
 * };
 * console.log(pair.pricePrecision, pair.priceIncrementText);
 * ```
 */
export interface InstrumentPair {
  /** Pair. */
  readonly symbol: string;
  /** Base asset. */
  readonly base: string;
  /** Quote asset. */
  readonly quote: string;
  /** Trading status of the pair, like `online`, `cancel_only`, `post_only`, `delisted`. */
  readonly status: string;
  /** Decimals of a price: book prices are printed with this many. */
  readonly pricePrecision: number;
  /** Decimals of a quantity: book quantities are printed with this many. */
  readonly qtyPrecision: number;
  /** Decimals of an order's cost (price times quantity). */
  readonly costPrecision?: number;
  /** Smallest step of an order's price (a view of `priceIncrementText`). */
  readonly priceIncrement?: number;
  /** Smallest step of an order's price, exactly as sent. */
  readonly priceIncrementText?: string;
  /** Smallest step of an order's quantity (a view of `qtyIncrementText`). */
  readonly qtyIncrement?: number;
  /** Smallest step of an order's quantity, exactly as sent. */
  readonly qtyIncrementText?: string;
  /** Smallest order quantity, in the base asset (a view of `qtyMinText`). */
  readonly qtyMin?: number;
  /** Smallest order quantity, exactly as sent. */
  readonly qtyMinText?: string;
  /** Smallest order cost, in the quote asset (a view of `costMinText`). */
  readonly costMin?: number;
  /** Smallest order cost, exactly as sent. */
  readonly costMinText?: string;
  /** Whether the pair can be traded on margin. */
  readonly marginable?: boolean;
  /** Whether the pair has an index price. */
  readonly hasIndex?: boolean;
  /** Initial margin requirement, as a fraction (a view of `marginInitialText`). */
  readonly marginInitial?: number;
  /** Initial margin requirement, exactly as sent. */
  readonly marginInitialText?: string;
  /** Largest long margin position, in the base asset (a view of `positionLimitLongText`). */
  readonly positionLimitLong?: number;
  /** Largest long margin position, exactly as sent. */
  readonly positionLimitLongText?: string;
  /** Largest short margin position, in the base asset (a view of `positionLimitShortText`). */
  readonly positionLimitShort?: number;
  /** Largest short margin position, exactly as sent. */
  readonly positionLimitShortText?: string;
  /**
   * Every field but the six always present (`symbol` to `qty_precision`), as received, by wire
   * name: the typed fields above come from here, and a field this SDK does not know stays here.
   */
  readonly fields: { readonly [key: string]: JsonValue };
}

/**
 * One asset from the `instrument` channel. Its precisions are numbers; its collateral value,
 * margin rate and multiplier are decimals, each as a number beside its exact wire text. A field
 * Kraken left out, or sent as `null`, is absent.
 *
 * @example
 * ```ts
 * import type { InstrumentAsset } from "@kraken-ws/sdk";
 * const asset: InstrumentAsset = { id: "BTC", status: "enabled", precision: 10, fields: {} };
 * console.log(asset.id, asset.precision);
 * ```
 */
export interface InstrumentAsset {
  /** Asset, like `BTC`. */
  readonly id: string;
  /** Its status, like `enabled`, `depositonly`, `withdrawalonly`, `disabled`. */
  readonly status: string;
  /** Decimals of its balances. */
  readonly precision?: number;
  /** Decimals it is usually shown with. */
  readonly precisionDisplay?: number;
  /** Whether it can be borrowed on margin. */
  readonly borrowable?: boolean;
  /** Its value as margin collateral, as a fraction (a view of `collateralValueText`). */
  readonly collateralValue?: number;
  /** Its value as margin collateral, exactly as sent. */
  readonly collateralValueText?: string;
  /** Interest rate of borrowing it (a view of `marginRateText`). */
  readonly marginRate?: number;
  /** Interest rate of borrowing it, exactly as sent. */
  readonly marginRateText?: string;
  /** Units of the asset per unit traded (a view of `multiplierText`). */
  readonly multiplier?: number;
  /** Units of the asset per unit traded, exactly as sent. */
  readonly multiplierText?: string;
  /**
   * Every field but `id` and `status`, as received, by wire name: the typed fields above come
   * from here, and a field this SDK does not know stays here.
   */
  readonly fields: { readonly [key: string]: JsonValue };
}

/**
 * An `instrument` channel frame.
 *
 * @example
 * ```ts
 * import type { InstrumentMessage } from "@kraken-ws/sdk/extended";
 * const message: InstrumentMessage = { kind: "instrument", type: "snapshot", assets: [], pairs: [] };
 * console.log(message.pairs.length);
 * ```
 */
export interface InstrumentMessage {
  /** Discriminant. */
  readonly kind: "instrument";
  /** Snapshot (every asset and pair) or update (those that changed). */
  readonly type: FrameType;
  /** Assets. */
  readonly assets: readonly InstrumentAsset[];
  /** Pairs. */
  readonly pairs: readonly InstrumentPair[];
}

/**
 * The trading engine's state as `status` reports it; other strings pass through.
 *
 * @example
 * ```ts
 * import type { SystemState } from "@kraken-ws/sdk";
 * const state: SystemState = "maintenance";
 * console.log(state);
 * ```
 */
export type SystemState =
  | "online"
  | "maintenance"
  | "cancel_only"
  | "post_only"
  | (string & Record<never, never>);

/**
 * One entry of a `status` frame.
 *
 * @example
 * ```ts
 * import type { StatusInfo } from "@kraken-ws/sdk";
 * const info: StatusInfo = { system: "online", apiVersion: "v2", connectionId: "4421894013101914413", version: "2.0.10" };
 * console.log(info.connectionId);
 * ```
 */
export interface StatusInfo {
  /** Trading engine state. */
  readonly system: SystemState;
  /** API version, `v2`. */
  readonly apiVersion?: string;
  /** Connection identifier as decimal text: it exceeds 2^53, so it never becomes a JS number. */
  readonly connectionId?: string;
  /** Server software version. */
  readonly version?: string;
  /** Scheduled maintenance advisories, as received. */
  readonly upcomingMaintenance?: readonly JsonValue[];
  /** Unresolved incidents, as received. */
  readonly emergency?: readonly JsonValue[];
}

/**
 * A `status` channel frame.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"channel":"status","type":"update","data":[{"system":"maintenance","api_version":"v2","version":"2.0.6"}]}');
 * if (message.kind === "status") console.log(message.data[0].system);
 * ```
 */
export interface StatusMessage {
  /** Discriminant. */
  readonly kind: "status";
  /** Always `update` in practice. */
  readonly type: FrameType;
  /** Usually one entry. */
  readonly data: readonly StatusInfo[];
}

/**
 * A `heartbeat`: the link is alive and nothing else was sent.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * console.log(decode('{"channel":"heartbeat"}').kind); // "heartbeat"
 * ```
 */
export interface HeartbeatMessage {
  /** Discriminant. */
  readonly kind: "heartbeat";
}

/**
 * The reply to a `ping`.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"method":"pong","req_id":3,"time_in":"a","time_out":"b"}');
 * if (message.kind === "pong") console.log(message.reqId); // 3
 * ```
 */
export interface PongMessage {
  /** Discriminant. */
  readonly kind: "pong";
  /** Echo of the ping's `req_id`. */
  readonly reqId?: number;
  /** RFC 3339 time the server received the ping. */
  readonly timeIn?: string;
  /** RFC 3339 time the server answered. */
  readonly timeOut?: string;
  /** Server warnings, if any. */
  readonly warnings: readonly string[];
}

/**
 * What a subscription request asked for or an acknowledgement confirmed.
 *
 * @example
 * ```ts
 * import type { SubscriptionResult } from "@kraken-ws/sdk/extended";
 * const result: SubscriptionResult = { channel: "book", symbol: "BTC/USD", depth: 10, snapshot: true };
 * console.log(result.depth);
 * ```
 */
export interface SubscriptionResult {
  /** Channel name. */
  readonly channel: string;
  /** The one symbol this acknowledgement covers (none for `instrument`). */
  readonly symbol?: string;
  /** Book depth. */
  readonly depth?: number;
  /** Whether a snapshot was requested. */
  readonly snapshot?: boolean;
  /** Ticker trigger, `trades` or `bbo`. */
  readonly eventTrigger?: string;
  /** OHLC interval in minutes. */
  readonly interval?: number;
}

/**
 * A successful `subscribe` or `unsubscribe` acknowledgement (Kraken sends one per symbol).
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"req_id":7}');
 * if (message.kind === "ack") console.log(message.result.symbol, message.reqId);
 * ```
 */
export interface AckMessage {
  /** Discriminant. */
  readonly kind: "ack";
  /** The request this answers. */
  readonly method: "subscribe" | "unsubscribe";
  /** What was subscribed or unsubscribed. */
  readonly result: SubscriptionResult;
  /** Echo of the request's `req_id`. */
  readonly reqId?: number;
  /** Deprecation notices and the like, from `result.warnings`. */
  readonly warnings: readonly string[];
  /** RFC 3339 receive time at the server. */
  readonly timeIn?: string;
  /** RFC 3339 send time at the server. */
  readonly timeOut?: string;
}

/**
 * A failed request: Kraken's `error` string, matched by `reqId` and `symbol`.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"error":"Currency pair not supported XBT/USD","method":"subscribe","success":false,"symbol":"XBT/USD"}');
 * if (message.kind === "rejection") console.log(message.error);
 * ```
 */
export interface RejectionMessage {
  /** Discriminant. */
  readonly kind: "rejection";
  /** The method that failed, as sent by the server. */
  readonly method: string;
  /** Kraken's error text, like `Subscription depth not supported`. */
  readonly error: string;
  /** Echo of the request's `req_id`. */
  readonly reqId?: number;
  /** The symbol the error is about, when the server names one. */
  readonly symbol?: string;
  /** The channel, when the server names one. */
  readonly channel?: string;
  /** RFC 3339 receive time at the server. */
  readonly timeIn?: string;
  /** RFC 3339 send time at the server. */
  readonly timeOut?: string;
}

/**
 * A frame of a channel or method this SDK does not know: kept whole, so new Kraken features break
 * nothing.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"channel":"level9","data":[1]}');
 * if (message.kind === "unknown") console.log(message.channel, message.raw);
 * ```
 */
export interface UnknownMessage {
  /** Discriminant. */
  readonly kind: "unknown";
  /** The frame's `channel`, if it has one. */
  readonly channel?: string;
  /** The frame's `method`, if it has one. */
  readonly method?: string;
  /** The frame as plain data (numbers as JS numbers). */
  readonly value: JsonValue;
  /** The frame exactly as received. */
  readonly raw: string;
}

/**
 * Why a frame could not be decoded.
 *
 * @example
 * ```ts
 * import type { DecodeErrorReason } from "@kraken-ws/sdk/extended";
 * const reason: DecodeErrorReason = "malformed_json";
 * console.log(reason);
 * ```
 */
export type DecodeErrorReason =
  | "malformed_json"
  | "too_large"
  | "too_deep"
  | "wrong_type"
  | "missing_field"
  | "out_of_range"
  | "internal";

/**
 * A frame that could not be decoded: the reason, a human detail and a short excerpt of the input.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const result = decode("{not json");
 * if (result.kind === "decodeError") console.log(result.reason, result.detail, result.excerpt);
 * ```
 */
export interface DecodeError {
  /** Discriminant. */
  readonly kind: "decodeError";
  /** The kind of failure. */
  readonly reason: DecodeErrorReason;
  /** What exactly was wrong. */
  readonly detail: string;
  /** Offset in the frame where it was found. */
  readonly offset: number;
  /** At most 80 characters of the frame around the offset. */
  readonly excerpt: string;
  /** Length of the frame in UTF-16 code units. */
  readonly length: number;
}

/**
 * Every message `decode` can return, discriminated on `kind`.
 *
 * @example
 * ```ts
 * import { decode } from "@kraken-ws/sdk/extended";
 * const message = decode('{"channel":"heartbeat"}');
 * switch (message.kind) {
 *   case "heartbeat": console.log("alive"); break;
 *   default: break;
 * }
 * ```
 */
export type KrakenMessage =
  | BookMessage
  | TradeMessage
  | TickerMessage
  | OhlcMessage
  | InstrumentMessage
  | Level3Message
  | StatusMessage
  | HeartbeatMessage
  | PongMessage
  | AckMessage
  | RejectionMessage
  | ExecutionsMessage
  | BalancesMessage
  | TradingReply
  | UnknownMessage;
