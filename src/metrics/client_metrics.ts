/**
 * The client's health as Prometheus metrics: a tap that counts what a `KrakenWs` receives
 * and emits. The client calls it synchronously, so nothing is sampled and nothing is missed.
 *
 * @module
 */

import type { KrakenWsTap } from "../core/tap.ts";
import {
  isConnectionAttempt,
  isDecodeError,
  isGap,
  isReconnect,
  isResync,
} from "../core/counted_events.ts";
import type {
  ConnectionState,
  DataChannel,
  GapEvent,
  KrakenEvent,
  StateEvent,
  SubscriptionState,
} from "../core/events.ts";
import { BoundedLabelValues } from "./bounded_label_values.ts";
import type { Counter, CounterSeries } from "./counter.ts";
import type { Gauge } from "./gauge.ts";
import type { Histogram } from "./histogram.ts";
import type { MetricsRegistry } from "./registry.ts";
import { parseRfc3339 } from "./rfc3339.ts";
import { utf8ByteLength } from "./utf8_byte_length.ts";

/**
 * Options of {@link ClientMetrics}.
 *
 * @example
 * ```ts
 * import type { ClientMetricsOptions } from "@kraken-ws/sdk/extended";
 * const options: ClientMetricsOptions = { prefix: "eu_feed_", symbolLimit: 200 };
 * console.log(options.prefix);
 * ```
 */
export interface ClientMetricsOptions {
  /** Put before every metric name (default `kraken_ws_`); two clients in one registry need two. */
  readonly prefix?: string;
  /** Distinct symbols per metric before the rest fold into `other` (default 1000). */
  readonly symbolLimit?: number;
}

/**
 * Bucket bounds of the exchange delay, in seconds: a healthy link is tens of milliseconds, a
 * congested one seconds; past a minute the feed is as good as lost.
 *
 * @example
 * ```ts
 * import { EXCHANGE_DELAY_BUCKETS } from "@kraken-ws/sdk/extended";
 * console.log(EXCHANGE_DELAY_BUCKETS.at(-1)); // 60
 * ```
 */
export const EXCHANGE_DELAY_BUCKETS: readonly number[] = Object.freeze([
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
]);

const CONNECTION_STATES: readonly ConnectionState[] = [
  "idle",
  "connecting",
  "open",
  "live",
  "backoff",
  "closing",
  "closed",
];

const DATA_CHANNELS: readonly DataChannel[] = ["book", "trade", "ticker", "ohlc"];

/** The states a subscription can be in and stay in; the other two end it. */
const LIVE_SUBSCRIPTION_STATES: readonly SubscriptionState[] = [
  "pending",
  "awaiting_snapshot",
  "synced",
  "resyncing",
  "stale",
  "unsubscribing",
];

/** Close codes common enough to be told apart; any other folds into `close_other`. */
const NAMED_CLOSE_CODES = new Set(["1000", "1001", "1006", "1011", "1012", "1013"]);

/** The `cause` label of a reconnect: why the connection went to `backoff`, one of a fixed few. */
function reconnectCause(cause: string): string {
  if (cause === "stale") return "stale";
  if (cause === "connect timeout") return "connect_timeout";
  const close = /^close (\d+)/.exec(cause);
  if (close === null) return "other";
  return NAMED_CLOSE_CODES.has(close[1]) ? `close_${close[1]}` : "close_other";
}

/** The label value for an event that concerns no single channel, or no single symbol. */
const NONE = "none";

/**
 * Counts what a client receives and emits into a {@link MetricsRegistry}, as a
 * {@link KrakenWsTap}. Resyncs, reconnects, connection attempts, gaps and decode errors are what
 * `src/core/counted_events.ts` defines ({@link isResync}, {@link isReconnect},
 * {@link isConnectionAttempt}, {@link isGap}, {@link isDecodeError}), the definitions the live
 * view counts by too. Every name starts with the prefix (default `kraken_ws_`):
 *
 * - `frames_received_total`, `received_bytes_total` (UTF-8): frames as received.
 * - `decode_errors_total`: decode errors, frames that could not be decoded.
 * - `connection_state{state}`: 1 for the current state, 0 for the others.
 * - `connection_attempts_total`: connection attempts, transitions to `connecting`.
 * - `reconnects_total{cause}`: reconnects, transitions from `backoff` to `connecting`; `cause` is
 *   why the connection went to that `backoff`: `close_1000`, `close_1001`, `close_1006`,
 *   `close_1011`, `close_1012`, `close_1013`, `close_other`, `stale`, `connect_timeout` or `other`.
 * - `checksum_mismatches_total{symbol}`: books that failed their checksum (`checksum` gaps).
 * - `resyncs_total{symbol}`: resyncs, subscriptions moved to `resyncing`, whatever the cause.
 * - `gaps_total{channel,reason}`: gaps, data lost between Kraken and the client (every reason but
 *   `overflow`, which the two `stream_` metrics count).
 * - `events_total{type,channel}`: events emitted.
 * - `stream_overflows_total{stream}`, `stream_dropped_events_total{stream}`: a consumer too slow
 *   for its stream (`stream` is the channel, or `events` for the unified stream).
 * - `subscriptions{channel,state}`: subscriptions per live state; `subscriptions_ended_total`
 *   counts those that reached `unsubscribed` or `rejected`.
 * - `exchange_delay_seconds{channel}`: histogram of receipt time minus Kraken's `timestamp`, for
 *   data updates that carry one; `exchange_timestamp_errors_total{channel}` counts timestamps
 *   that are not RFC 3339.
 *
 * Symbols come from the wire, so each metric keeps at most `symbolLimit` of them and folds the
 * rest into `other`. Every other label has a fixed set of values.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "@kraken-ws/sdk";
 * import { ClientMetrics } from "@kraken-ws/sdk/extended";
 * import { renderPrometheusText } from "@kraken-ws/sdk/extended";
 *
 * const registry = new MetricsRegistry();
 * const metrics = new ClientMetrics(registry);
 * // Given to a client as its tap: new KrakenWs({ tap: metrics }).
 * metrics.frame('{"channel":"heartbeat"}', 0);
 * metrics.event({
 *   type: "gap",
 *   reason: "checksum",
 *   channel: "book",
 *   symbol: "BTC/USD",
 *   expected: 1,
 *   computed: 2,
 *   seq: 1,
 *   time: 0,
 * });
 * const text = renderPrometheusText(registry);
 * console.log(text.includes('kraken_ws_gaps_total{channel="book",reason="checksum"} 1')); // true
 * ```
 */
export class ClientMetrics implements KrakenWsTap {
  /** Series of the counters without labels, held to skip the lookup on every frame. */
  readonly #framesReceived: CounterSeries;
  readonly #bytesReceived: CounterSeries;
  readonly #decodeErrors: Counter;
  readonly #connectionState: Gauge<"state">;
  readonly #connectionAttempts: Counter;
  readonly #reconnects: Counter<"cause">;
  readonly #checksumMismatches: Counter<"symbol">;
  readonly #resyncs: Counter<"symbol">;
  readonly #gaps: Counter<"channel" | "reason">;
  readonly #events: Counter<"type" | "channel">;
  readonly #streamOverflows: Counter<"stream">;
  readonly #streamDropped: Counter<"stream">;
  readonly #subscriptions: Gauge<"channel" | "state">;
  readonly #subscriptionsEnded: Counter<"channel" | "state">;
  readonly #exchangeDelay: Histogram<"channel">;
  readonly #timestampErrors: Counter<"channel">;
  readonly #checksumSymbols: BoundedLabelValues;
  readonly #resyncSymbols: BoundedLabelValues;
  /** Label lookups for `events_total` cost a string build; the pairs are few and fixed. */
  readonly #eventSeries = new Map<string, CounterSeries>();
  /** Why the connection last went to `backoff`: the `cause` of the reconnect that ends it. */
  #backoffCause = "other";

  /**
   * Registers the metrics; a prefix that makes an invalid name, or names the registry already
   * holds, is a `RangeError`.
   *
   * @param registry Where the metrics live.
   * @param options Prefix and symbol cap.
   */
  constructor(registry: MetricsRegistry, options: ClientMetricsOptions = {}) {
    const prefix = options.prefix ?? "kraken_ws_";
    const symbolLimit = options.symbolLimit ?? 1000;
    this.#checksumSymbols = new BoundedLabelValues(symbolLimit);
    this.#resyncSymbols = new BoundedLabelValues(symbolLimit);
    this.#framesReceived = registry.counter({
      name: `${prefix}frames_received_total`,
      help: "WebSocket frames received, before decoding.",
    }).labels({});
    this.#bytesReceived = registry.counter({
      name: `${prefix}received_bytes_total`,
      help: "UTF-8 bytes of the WebSocket frames received.",
    }).labels({});
    this.#decodeErrors = registry.counter({
      name: `${prefix}decode_errors_total`,
      help: "Decode errors: frames that could not be decoded.",
    });
    this.#connectionState = registry.gauge({
      name: `${prefix}connection_state`,
      help: "1 for the connection's current state, 0 for the others.",
      labelNames: ["state"],
    });
    this.#connectionAttempts = registry.counter({
      name: `${prefix}connection_attempts_total`,
      help: "Connection attempts: transitions to connecting, the first and every retry.",
    });
    this.#reconnects = registry.counter({
      name: `${prefix}reconnects_total`,
      help: "Reconnects: transitions from backoff to connecting (counted at the retry, not at " +
        "the loss), by why the connection went to backoff.",
      labelNames: ["cause"],
    });
    this.#checksumMismatches = registry.counter({
      name: `${prefix}checksum_mismatches_total`,
      help: "Book messages whose checksum did not match, by symbol.",
      labelNames: ["symbol"],
    });
    this.#resyncs = registry.counter({
      name: `${prefix}resyncs_total`,
      help: "Resyncs: subscriptions moved to resyncing to get a fresh snapshot, whatever the " +
        "cause (checksum, crossed, undecodable frame, deeper depth, already subscribed), by symbol.",
      labelNames: ["symbol"],
    });
    this.#gaps = registry.counter({
      name: `${prefix}gaps_total`,
      help: "Gaps: data lost between Kraken and the client, by channel and reason (overflows " +
        "are stream_overflows_total).",
      labelNames: ["channel", "reason"],
    });
    this.#events = registry.counter({
      name: `${prefix}events_total`,
      help: "Events emitted by the client, by type and channel.",
      labelNames: ["type", "channel"],
    });
    this.#streamOverflows = registry.counter({
      name: `${prefix}stream_overflows_total`,
      help: "Times a stream's consumer fell behind and events were dropped from it.",
      labelNames: ["stream"],
    });
    this.#streamDropped = registry.counter({
      name: `${prefix}stream_dropped_events_total`,
      help: "Events dropped from streams whose consumer fell behind.",
      labelNames: ["stream"],
    });
    this.#subscriptions = registry.gauge({
      name: `${prefix}subscriptions`,
      help: "Subscriptions by channel and state.",
      labelNames: ["channel", "state"],
    });
    this.#subscriptionsEnded = registry.counter({
      name: `${prefix}subscriptions_ended_total`,
      help: "Subscriptions that ended, unsubscribed or rejected, by channel.",
      labelNames: ["channel", "state"],
    });
    this.#exchangeDelay = registry.histogram({
      name: `${prefix}exchange_delay_seconds`,
      help: "Receipt time minus Kraken's timestamp of data updates, by channel.",
      labelNames: ["channel"],
      buckets: EXCHANGE_DELAY_BUCKETS,
    });
    this.#timestampErrors = registry.counter({
      name: `${prefix}exchange_timestamp_errors_total`,
      help: "Data updates whose timestamp is not RFC 3339, by channel.",
      labelNames: ["channel"],
    });
    // Series that exist from the start read 0 rather than missing on dashboards and alerts.
    for (const state of CONNECTION_STATES) {
      this.#connectionState.labels({ state }).set(state === "idle" ? 1 : 0);
    }
    for (const channel of DATA_CHANNELS) {
      for (const state of LIVE_SUBSCRIPTION_STATES) this.#subscriptions.labels({ channel, state });
    }
  }

  /**
   * Counts a frame and its UTF-8 bytes.
   *
   * @param text The frame as received.
   * @param _receivedAt Its receipt time, part of the tap's shape; a count needs no time.
   */
  frame(text: string, _receivedAt?: number): void {
    this.#framesReceived.inc();
    this.#bytesReceived.inc(utf8ByteLength(text));
  }

  /**
   * Counts an event the client emitted.
   *
   * @param event The event.
   */
  event(event: KrakenEvent): void {
    const channel = "channel" in event && event.channel !== undefined
      ? event.channel
      : event.type === "book" || event.type === "trade" || event.type === "ticker" ||
          event.type === "ohlc" || event.type === "instrument"
      ? event.type
      : NONE;
    this.#eventCounter(event.type, channel).inc();
    switch (event.type) {
      case "book":
      case "trade":
      case "ticker":
      case "ohlc":
        if (!event.snapshot && event.timestamp !== undefined) {
          this.#observeDelay(event.type, event.timestamp, event.time);
        }
        return;
      case "state":
        this.#stateChanged(event);
        return;
      case "gap":
        if (!isGap(event)) return;
        this.#gaps.labels({ channel, reason: event.reason }).inc();
        if (event.reason === "checksum") {
          const symbol = this.#checksumSymbols.of(event.symbol ?? NONE);
          this.#checksumMismatches.labels({ symbol }).inc();
        }
        return;
      case "error":
        if (isDecodeError(event)) this.#decodeErrors.inc();
        return;
    }
  }

  /**
   * Counts a stream overflow and the events it dropped.
   *
   * @param gap The `overflow` gap delivered to that stream.
   */
  overflow(gap: GapEvent): void {
    const stream = gap.channel ?? "events";
    this.#streamOverflows.labels({ stream }).inc();
    this.#streamDropped.labels({ stream }).inc(gap.reason === "overflow" ? gap.dropped : 0);
  }

  #eventCounter(type: KrakenEvent["type"], channel: string): CounterSeries {
    const key = `${type} ${channel}`;
    let series = this.#eventSeries.get(key);
    if (series === undefined) {
      series = this.#events.labels({ type, channel });
      this.#eventSeries.set(key, series);
    }
    return series;
  }

  #observeDelay(channel: DataChannel, timestamp: string, receivedAt: number): void {
    const sent = parseRfc3339(timestamp);
    if (sent === undefined) {
      this.#timestampErrors.labels({ channel }).inc();
      return;
    }
    // Whole seconds first, so the large epoch values cancel exactly before any division.
    const delay = (receivedAt - sent.epochSeconds * 1000) / 1000 - sent.nanoseconds / 1e9;
    // A negative delay is the local clock running behind Kraken's, which this cannot measure;
    // observed as is, it would also make the histogram's sum go down, breaking `rate()`.
    this.#exchangeDelay.labels({ channel }).observe(Math.max(0, delay));
  }

  #stateChanged(event: StateEvent): void {
    if (event.scope === "connection") {
      // All states, not just `from`: clients that share a registry one after another start
      // again from `idle`.
      for (const state of CONNECTION_STATES) {
        this.#connectionState.labels({ state }).set(state === event.to ? 1 : 0);
      }
      if (event.to === "backoff") this.#backoffCause = reconnectCause(event.cause);
      if (isConnectionAttempt(event)) this.#connectionAttempts.inc();
      if (isReconnect(event)) this.#reconnects.labels({ cause: this.#backoffCause }).inc();
      return;
    }
    if (isResync(event)) {
      this.#resyncs.labels({ symbol: this.#resyncSymbols.of(event.symbol ?? NONE) }).inc();
    }
    const channel = event.channel;
    if (LIVE_SUBSCRIPTION_STATES.includes(event.from)) {
      this.#subscriptions.labels({ channel, state: event.from }).dec();
    }
    if (LIVE_SUBSCRIPTION_STATES.includes(event.to)) {
      this.#subscriptions.labels({ channel, state: event.to }).inc();
    } else {
      this.#subscriptionsEnded.labels({ channel, state: event.to }).inc();
    }
  }
}
