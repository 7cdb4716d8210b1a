/**
 * The stable building blocks of the SDK, for users who assemble their own pipeline: the v2
 * decoder and encoder, exact decimal text, the L2 order book engine and Kraken's CRC-32 checksum,
 * the sans-I/O session with its state machine and reconnect policy, the virtual clock, Prometheus
 * metrics, and recordings (the recording line format, the recorder tap and the verifier). Every
 * module here is portable: no `Deno.*`, no `node:`. The local Kraken simulator and the seeded
 * simulation need Deno and live in `@kraken-ws/sdk/sim`.
 *
 * Everything here follows semantic versioning; anything marked `@experimental` may change in a
 * minor release.
 *
 * @example
 * ```ts
 * import { decode, OrderBook } from "@kraken-ws/sdk/extended";
 *
 * const book = new OrderBook("BTC/USD", 10);
 * const message = decode(
 *   '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",' +
 *     '"bids":[{"price":100.0,"qty":1.00000000}],"asks":[{"price":101.0,"qty":2.00000000}],' +
 *     '"checksum":1424606772}]}',
 * );
 * if (message.kind === "book") console.log(book.apply(message.type, message.data[0]).status); // "ok"
 * ```
 *
 * @module
 */

export * from "./prelude.ts";
export {
  Session,
  type SessionEffect,
  type SessionInput,
  type SessionOptions,
  type SubscriptionStatus,
} from "./src/core/session.ts";
export {
  CONNECTION_TRANSITIONS,
  type ConnectionTransition,
  type ConnectionTrigger,
  IllegalInputError,
  nextConnectionState,
} from "./src/core/connection_machine.ts";
export {
  IllegalSubscriptionTransitionError,
  nextSubscriptionState,
  SUBSCRIPTION_TRANSITIONS,
  type SubscriptionTransition,
  type SubscriptionTrigger,
} from "./src/core/subscription_machine.ts";
export {
  type CountedGapReason,
  isConnectionAttempt,
  isDecodeError,
  isGap,
  isReconnect,
  isResync,
} from "./src/core/counted_events.ts";
export { RECONNECT_DEFAULTS, ReconnectPolicy } from "./src/core/reconnect_policy.ts";
export { SeededRandom } from "./src/core/seeded_random.ts";
export {
  type InstrumentRequest,
  OHLC_INTERVALS,
  subscriptionKey,
  type SubscriptionRequest,
} from "./src/core/subscription.ts";
export type { UnstampedEvent } from "./src/core/events.ts";
export { SYSTEM_CLOCK } from "./src/client/system_clock.ts";
export { type ClientTapSource, combineTaps } from "./src/core/tap.ts";
export { eventChannel, eventSymbol } from "./src/core/event_topic.ts";
export { VirtualClock } from "./src/core/virtual_clock.ts";
export { type OverflowRecovery, StreamQueue } from "./src/client/stream_queue.ts";
export { BookStreamQueue } from "./src/client/book_stream_queue.ts";
export { EventStream } from "./src/client/event_stream.ts";
export type { BookChange } from "./src/book/book_side.ts";
export { levelChanges } from "./src/book/level_changes.ts";
export { decode, type DecodeOptions, DEFAULT_MAX_FRAME_BYTES } from "./src/protocol/decode.ts";
export {
  encodePing,
  encodeSubscribe,
  encodeUnsubscribe,
  type SubscriptionParams,
} from "./src/protocol/encode.ts";
export { checksumDigits, padDecimalText, plainDecimalText } from "./src/protocol/decimal_text.ts";
export type {
  AckMessage,
  BookMessage,
  BookPayload,
  DecodeError,
  DecodeErrorReason,
  FrameType,
  HeartbeatMessage,
  InstrumentMessage,
  JsonValue,
  KrakenMessage,
  OhlcMessage,
  PongMessage,
  RejectionMessage,
  StatusInfo,
  StatusMessage,
  SubscriptionResult,
  TickerMessage,
  TradeMessage,
  UnknownMessage,
} from "./src/protocol/messages.ts";
export {
  BOOK_DEPTHS,
  type BookDepth,
  type BookState,
  type BookVerdict,
  OrderBook,
  type OrderBookOptions,
} from "./src/book/order_book.ts";
export {
  bookChecksum,
  CHECKSUM_LEVELS,
  ChecksumFold,
  digestLevel,
  type Precision,
} from "./src/book/checksum.ts";
export { crc32, CRC32_TABLE, crc32Finish, crc32Update } from "./src/book/crc32.ts";
export { SingleValueMetric } from "./src/metrics/single_value_metric.ts";
export { Counter, CounterSeries } from "./src/metrics/counter.ts";
export { Gauge, GaugeSeries } from "./src/metrics/gauge.ts";
export {
  DEFAULT_BUCKETS,
  Histogram,
  type HistogramOptions,
  HistogramSeries,
} from "./src/metrics/histogram.ts";
export type { MetricOptions } from "./src/metrics/metric_options.ts";
export type { LabelValues } from "./src/metrics/series_map.ts";
export type {
  Collectable,
  CollectedMetric,
  CollectedSample,
  MetricType,
} from "./src/metrics/collected.ts";
export { PROMETHEUS_TEXT_CONTENT_TYPE, renderPrometheusText } from "./src/metrics/exposition.ts";
export {
  ClientMetrics,
  type ClientMetricsOptions,
  EXCHANGE_DELAY_BUCKETS,
} from "./src/metrics/client_metrics.ts";
export { parseRfc3339, type Rfc3339Instant } from "./src/metrics/rfc3339.ts";
export {
  encodeEvent,
  encodeFrame,
  encodeHeader,
  encodeRecorderOverflow,
  isRecordedEvent,
  isRecorderOverflow,
  parseRecordingLine,
  type RecordedEvent,
  type RecordingHeader,
  type RecordingLine,
} from "./src/recording/recording_line.ts";
export {
  type LineSink,
  Recorder,
  type RecorderCounts,
  type RecorderOptions,
} from "./src/recording/recorder.ts";
export {
  type BookFactory,
  type BookReport,
  type CrossedEntry,
  type ErrorEntry,
  type LineRef,
  type MismatchEntry,
  type RecorderOverflowEntry,
  RecordingVerifier,
  type RecordingVerifierOptions,
  type VerificationReport,
} from "./src/recording/recording_verifier.ts";
export { decimalDifference, decimalMidpoint } from "./src/protocol/decimal_arithmetic.ts";
export { Fifo } from "./src/core/fifo.ts";
export { concatDigests, digestPair } from "./src/book/checksum.ts";
export { decimalSum } from "./src/protocol/decimal_arithmetic.ts";
export type {
  Level3Event,
  Level3Message,
  Level3Order,
  Level3Payload,
} from "./src/protocol/level3_messages.ts";
export {
  LEVEL3_DEPTHS,
  Level3Book,
  type Level3Depth,
  type Level3OrderLocation,
  type Level3QueuePosition,
} from "./src/book/level3_book.ts";
export type { Level3PriceLevel } from "./src/book/level3_side.ts";
export { level3Checksum } from "./src/book/level3_checksum.ts";
export {
  type AssetBalance,
  type BalancesMessage,
  type BalanceWallet,
  type Execution,
  type ExecutionContingent,
  type ExecutionFee,
  type ExecutionsMessage,
  type ExecutionTriggers,
  type LedgerEntry,
  TRADING_METHODS,
  type TradingMethod,
  type TradingReply,
} from "./src/protocol/private_messages.ts";
export {
  type AddOrderParams,
  type AddOrderResult,
  type AmendOrderParams,
  type AmendOrderResult,
  type BatchAddEntry,
  type BatchAddParams,
  type BatchAddResult,
  type BatchCancelParams,
  type BatchCancelResult,
  type BatchOrder,
  type CancelAllOrdersAfterParams,
  type CancelAllOrdersAfterResult,
  type CancelAllParams,
  type CancelAllResult,
  type CancelOrderParams,
  type CancelOrderResult,
  type ConditionalClose,
  type ConditionalOrderType,
  type DecimalInput,
  type EditOrderParams,
  type EditOrderResult,
  encodeTradingRequest,
  type FeePreference,
  type OrderSide,
  type OrderTriggers,
  type OrderType,
  type PriceType,
  redactToken,
  type StpType,
  type TimeInForce,
  type TradingParamsByMethod,
  tradingParamsJson,
  tradingResult,
  type TradingResultByMethod,
  type TriggerReference,
} from "./src/protocol/trading_requests.ts";
export { signRestRequest } from "./src/protocol/rest_signature.ts";
export {
  KRAKEN_REST_URL,
  type KrakenAuth,
  KrakenAuthError,
  nextNonce,
  type RestTokenOptions,
  restTokenSource,
} from "./src/client/token_source.ts";
export {
  KrakenNotSentError,
  KrakenOutcomeUnknownError,
  KrakenRequestError,
} from "./src/client/trading_errors.ts";
export type { TradingCallOptions } from "./src/client/account_connection.ts";
export { KrakenInternalError } from "./src/client/kraken_internal_error.ts";
export {
  type BalancesStreamEvent,
  type ExecutionsStreamEvent,
  KRAKEN_AUTH_URL,
  type Level3StreamEvent,
} from "./src/client/kraken_ws.ts";
export {
  KRAKEN_LEVEL3_URL,
  LEVEL3_SYMBOLS_PER_CONNECTION,
} from "./src/client/level3_connections.ts";
export type { Level3BookEvent } from "./src/core/level3_event.ts";
export {
  LEVEL3_RATE_BUDGET,
  LEVEL3_SUBSCRIPTION_COST,
  level3SymbolsPerRequest,
} from "./src/core/level3_rate.ts";
export type {
  BalancesEvent,
  DeadManSwitchEvent,
  ExecutionsEvent,
} from "./src/core/account_events.ts";
export type {
  BalancesRequest,
  ExecutionsRequest,
  UnkeyedRequest,
} from "./src/core/subscription.ts";
export type { TradingOrder, TradingOutcome } from "./src/core/trading.ts";
export { EventCounter } from "./src/core/event_counter.ts";
