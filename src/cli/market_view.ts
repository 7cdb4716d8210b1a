/**
 * `MarketView`: what a live terminal view shows, kept up to date from the client's events. It
 * holds only what fits on a screen (the top levels, the last trades, the recent lifecycle), so it
 * stays the same size however long it runs.
 *
 * @module
 */

import type { KrakenWsTap } from "../core/tap.ts";
import {
  type CountedGapReason,
  isDecodeError,
  isGap,
  isReconnect,
  isResync,
} from "../core/counted_events.ts";
import type {
  ConnectionState,
  GapEvent,
  KrakenEvent,
  StateEvent,
  SubscriptionState,
} from "../core/events.ts";
import type { BookLevel, SystemState, Trade } from "../protocol/messages.ts";
import { decimalDifference } from "../protocol/decimal_arithmetic.ts";

/**
 * Sizes of a {@link MarketView}. All are optional.
 *
 * @example
 * ```ts
 * import type { MarketViewOptions } from "./market_view.ts";
 * const options: MarketViewOptions = { symbols: ["BTC/USD"], levels: 10, trades: 8 };
 * console.log(options.symbols);
 * ```
 */
export interface MarketViewOptions {
  /** The pairs shown, in this order; data of other pairs only counts. */
  readonly symbols: readonly string[];
  /** Levels kept per side of each book (default 10). */
  readonly levels?: number;
  /** Trades kept per pair, newest first (default 10). */
  readonly trades?: number;
  /** Lifecycle entries kept, oldest dropped first (default 50). */
  readonly logEntries?: number;
  /** Client time the view starts at, in ms, for elapsed times (default 0). */
  readonly startedAt?: number;
}

/**
 * Where one subscription stands, from its last `state` event.
 *
 * @example
 * ```ts
 * import type { SubscriptionStatus } from "./market_view.ts";
 * const status: SubscriptionStatus = { state: "resyncing", cause: "mismatch", attempt: 1 };
 * console.log(status.state);
 * ```
 */
export interface SubscriptionStatus {
  /** Its state; `pending` until the first state event. */
  readonly state: SubscriptionState;
  /** Why it got there. */
  readonly cause: string;
  /** Consecutive failed resyncs, while `resyncing`. */
  readonly attempt?: number;
}

/**
 * One pair as the view shows it.
 *
 * @example
 * ```ts
 * import { MarketView, type SymbolView } from "./market_view.ts";
 * const pair: SymbolView = new MarketView({ symbols: ["BTC/USD"] }).symbols[0];
 * console.log(pair.symbol, pair.valid, pair.spread); // BTC/USD false undefined
 * ```
 */
export interface SymbolView {
  /** The pair. */
  readonly symbol: string;
  /** Top bids of the last verified book, highest first. */
  readonly bids: readonly BookLevel[];
  /** Top asks of the last verified book, lowest first. */
  readonly asks: readonly BookLevel[];
  /** Kraken's checksum of the last verified book. */
  readonly checksum: number | undefined;
  /** Best ask minus best bid, exact, in wire text; undefined while a side is empty. */
  readonly spread: string | undefined;
  /** True while the book subscription is in sync: the levels shown are the current book. */
  readonly valid: boolean;
  /** The book subscription's state. */
  readonly book: SubscriptionStatus;
  /** The trade subscription's state. */
  readonly trade: SubscriptionStatus;
  /** The last trades, newest first. */
  readonly trades: readonly Trade[];
  /** Books received for this pair. */
  readonly bookUpdates: number;
  /** Trades received for this pair. */
  readonly tradeCount: number;
  /** Kraken's words when it refused a subscription of this pair. */
  readonly rejection: string | undefined;
}

/**
 * What the view has counted since it started. Resyncs, reconnects, gaps and decode errors are
 * counted as `src/core/counted_events.ts` defines them, as `ClientMetrics` counts them too.
 *
 * @example
 * ```ts
 * import { MarketView } from "./market_view.ts";
 * const view = new MarketView({ symbols: ["BTC/USD"] });
 * view.frame('{"channel":"heartbeat"}', 0);
 * console.log(view.counters.frames); // 1
 * ```
 */
export interface MarketCounters {
  /** Frames received (through {@link MarketView.frame}). */
  readonly frames: number;
  /** Verified books received. */
  readonly bookUpdates: number;
  /** Trades received. */
  readonly trades: number;
  /** Gaps, data lost between Kraken and the client, by reason (`isGap`). */
  readonly gaps: Readonly<Record<CountedGapReason, number>>;
  /** Streams that fell behind and dropped events, one per overflow ({@link MarketView.overflow}). */
  readonly overflows: number;
  /** Subscriptions moved to `resyncing` for a fresh snapshot, whatever the cause (`isResync`). */
  readonly resyncs: number;
  /** Connection attempts after a lost or failed one, `backoff` to `connecting` (`isReconnect`). */
  readonly reconnects: number;
  /** Frames that could not be decoded (`isDecodeError`). */
  readonly decodeErrors: number;
  /** Other error events: rejections, unknown frames, protocol and internal errors. */
  readonly errors: number;
}

/**
 * A notable moment: the connection changed state, a subscription resynced or recovered, data was
 * lost, the exchange changed status, or something failed.
 *
 * @example
 * ```ts
 * import type { LogEntry } from "./market_view.ts";
 * const entry: LogEntry = { time: 1200, level: "warning", text: "gap checksum book BTC/USD" };
 * console.log(entry.text);
 * ```
 */
export interface LogEntry {
  /** Client time, in ms. */
  readonly time: number;
  /** `warning` for trouble, `info` for the rest. */
  readonly level: "info" | "warning";
  /** What happened, for a human. */
  readonly text: string;
}

/**
 * What a renderer reads: the view at one moment.
 *
 * @example
 * ```ts
 * import { MarketView, type MarketViewState } from "./market_view.ts";
 * const state: MarketViewState = new MarketView({ symbols: ["BTC/USD"] });
 * console.log(state.connection); // idle
 * ```
 */
export interface MarketViewState {
  /** Client time the view started at. */
  readonly startedAt: number;
  /** The connection's state. */
  readonly connection: ConnectionState;
  /** Why the connection is in that state. */
  readonly connectionCause: string;
  /** The exchange's last reported status, like `online` or `maintenance`. */
  readonly system: SystemState | undefined;
  /** The pairs shown, in order. */
  readonly symbols: readonly SymbolView[];
  /** Counts since the start. */
  readonly counters: MarketCounters;
  /** Recent notable moments, oldest first. */
  readonly log: readonly LogEntry[];
}

/**
 * One pair in a {@link MarketSummary}.
 *
 * @example
 * ```ts
 * import type { SymbolSummary } from "./market_view.ts";
 * const pair: SymbolSummary = {
 *   symbol: "BTC/USD", bookState: "synced",
 *   bookUpdates: 3, trades: 2,
 * };
 * console.log(pair.symbol);
 * ```
 */
export interface SymbolSummary {
  /** The pair. */
  readonly symbol: string;
  /** Best bid price text of the last verified book. */
  readonly bestBid?: string;
  /** Best ask price text of the last verified book. */
  readonly bestAsk?: string;
  /** Their exact difference. */
  readonly spread?: string;
  /** The book subscription's final state. */
  readonly bookState: SubscriptionState;
  /** Books received. */
  readonly bookUpdates: number;
  /** Trades received. */
  readonly trades: number;
  /** Kraken's words when it refused a subscription of this pair. */
  readonly rejection?: string;
}

/**
 * The view reduced to plain data, for the end of a run.
 *
 * @example
 * ```ts
 * import { MarketView } from "./market_view.ts";
 * const summary = new MarketView({ symbols: ["BTC/USD"], startedAt: 1000 }).summary(21_000);
 * console.log(summary.elapsedMs, summary.connection); // 20000 idle
 * ```
 */
export interface MarketSummary {
  /** How long the view ran, in ms. */
  readonly elapsedMs: number;
  /** The connection's final state. */
  readonly connection: ConnectionState;
  /** Why it is in that state. */
  readonly connectionCause: string;
  /** Counts over the run. */
  readonly counters: MarketCounters;
  /** Each pair at the end. */
  readonly symbols: readonly SymbolSummary[];
}

/** The mutable record behind a {@link SymbolView}. */
class SymbolRecord implements SymbolView {
  bids: readonly BookLevel[] = [];
  asks: readonly BookLevel[] = [];
  checksum: number | undefined;
  book: SubscriptionStatus = { state: "pending", cause: "starting" };
  trade: SubscriptionStatus = { state: "pending", cause: "starting" };
  trades: Trade[] = [];
  bookUpdates = 0;
  tradeCount = 0;
  rejection: string | undefined;

  constructor(readonly symbol: string) {}

  get spread(): string | undefined {
    const [bid] = this.bids;
    const [ask] = this.asks;
    return bid === undefined || ask === undefined
      ? undefined
      : decimalDifference(ask.priceText, bid.priceText);
  }

  get valid(): boolean {
    return this.book.state === "synced" && this.bids.length + this.asks.length > 0;
  }
}

/** Subscription states worth a log line: trouble, and the way back from it. */
const LOGGED_SUBSCRIPTION_STATES: ReadonlySet<SubscriptionState> = new Set([
  "synced",
  "resyncing",
  "stale",
  "rejected",
]);

const NO_GAPS: Readonly<Record<CountedGapReason, number>> = {
  checksum: 0,
  crossed: 0,
  sequence: 0,
  reconnect: 0,
  resubscribe: 0,
  decode: 0,
};

/** A gap in words: what was lost and how much. */
function describeGap(gap: GapEvent): string {
  const where = [gap.channel, gap.symbol].filter((part) => part !== undefined).join(" ");
  const head = where === "" ? `gap ${gap.reason}` : `gap ${gap.reason} ${where}`;
  switch (gap.reason) {
    case "checksum":
      return `${head}: expected ${gap.expected}, computed ${gap.computed}`;
    case "sequence":
      return "fromSequence" in gap
        ? `${head}: messages ${gap.fromSequence}-${gap.toSequence} missing`
        : `${head}: trade ids ${gap.fromTradeId}-${gap.toTradeId} missing`;
    case "reconnect":
    case "resubscribe":
      return gap.fromTime === undefined || gap.toTime === undefined
        ? head
        : `${head}: ${((gap.toTime - gap.fromTime) / 1000).toFixed(1)} s without data`;
    case "overflow":
      return `${head}: ${gap.dropped} dropped`;
    default:
      return head;
  }
}

/**
 * The live state of a market view. Feed it every event with {@link MarketView.apply}, and every
 * frame and stream overflow with {@link MarketView.frame} and {@link MarketView.overflow} (it is
 * a `KrakenWsTap` for those: pass it, or a tap that calls it, as the client's `tap`). Everything
 * it holds is bounded.
 *
 * Each event must reach it once: events come from `events()` or from the subscription streams, and
 * a caller reading both takes data from one and lifecycle from the other. Overflow gaps come from
 * the tap only, since each reaches only the stream that overflowed; `apply` passes them over.
 *
 * @example
 * ```ts
 * import { MarketView } from "./market_view.ts";
 * const view = new MarketView({ symbols: ["BTC/USD"] });
 * view.apply({
 *   type: "book", seq: 1, time: 0, symbol: "BTC/USD", checksum: 1, snapshot: true, validated: true,
 *   changes: [],
 *   bids: [{ price: 100, priceText: "100.0", qty: 1, qtyText: "1.00000000" }],
 *   asks: [{ price: 101, priceText: "101.5", qty: 2, qtyText: "2.00000000" }],
 * });
 * console.log(view.symbols[0].spread); // "1.5"
 * ```
 */
export class MarketView implements MarketViewState, KrakenWsTap {
  readonly startedAt: number;
  readonly #levels: number;
  readonly #tradesKept: number;
  readonly #logKept: number;
  readonly #records: SymbolRecord[];
  readonly #bySymbol = new Map<string, SymbolRecord>();
  readonly #log: LogEntry[] = [];
  #connection: ConnectionState = "idle";
  #connectionCause = "not started";
  #system: SystemState | undefined;
  #counters = {
    frames: 0,
    bookUpdates: 0,
    trades: 0,
    gaps: { ...NO_GAPS },
    overflows: 0,
    resyncs: 0,
    reconnects: 0,
    decodeErrors: 0,
    errors: 0,
  };

  /**
   * Creates an empty view.
   *
   * @param options The pairs and the sizes; see {@link MarketViewOptions}.
   */
  constructor(options: MarketViewOptions) {
    this.startedAt = options.startedAt ?? 0;
    this.#levels = options.levels ?? 10;
    this.#tradesKept = options.trades ?? 10;
    this.#logKept = options.logEntries ?? 50;
    this.#records = [...new Set(options.symbols)].map((symbol) => new SymbolRecord(symbol));
    for (const record of this.#records) this.#bySymbol.set(record.symbol, record);
  }

  /** The connection's state. */
  get connection(): ConnectionState {
    return this.#connection;
  }

  /** Why the connection is in its state. */
  get connectionCause(): string {
    return this.#connectionCause;
  }

  /** The exchange's last reported status. */
  get system(): SystemState | undefined {
    return this.#system;
  }

  /** The pairs shown, in order. */
  get symbols(): readonly SymbolView[] {
    return this.#records;
  }

  /** Counts since the start. */
  get counters(): MarketCounters {
    return this.#counters;
  }

  /** Recent notable moments, oldest first. */
  get log(): readonly LogEntry[] {
    return this.#log;
  }

  /**
   * Counts one frame received; the client calls it when the view is (part of) its tap.
   *
   * @param _text The frame.
   * @param _receivedAt Client time of receipt.
   */
  frame(_text: string, _receivedAt: number): void {
    this.#counters.frames++;
  }

  /**
   * Counts and logs one stream that fell behind; the client calls it when the view is (part of)
   * its tap, once for every overflow of any of its streams.
   *
   * @param gap The `overflow` gap, with how many events the stream dropped.
   */
  overflow(gap: GapEvent): void {
    this.#counters.overflows++;
    this.note(gap.time, "warning", describeGap(gap));
  }

  /**
   * Takes one event of the client into the view.
   *
   * @param event The event.
   */
  apply(event: KrakenEvent): void {
    switch (event.type) {
      case "book": {
        this.#counters.bookUpdates++;
        const record = this.#bySymbol.get(event.symbol);
        if (record === undefined) return;
        record.bookUpdates++;
        record.bids = event.bids.slice(0, this.#levels);
        record.asks = event.asks.slice(0, this.#levels);
        record.checksum = event.checksum;
        return;
      }
      case "trade": {
        this.#counters.trades++;
        const record = this.#bySymbol.get(event.symbol);
        if (record === undefined) return;
        record.tradeCount++;
        record.trades.unshift(event);
        if (record.trades.length > this.#tradesKept) record.trades.length = this.#tradesKept;
        return;
      }
      case "state":
        this.#state(event);
        return;
      case "gap":
        // An overflow gap was counted and logged when the tap reported it.
        if (!isGap(event)) return;
        this.#counters.gaps[event.reason]++;
        this.note(event.time, "warning", describeGap(event));
        return;
      case "status":
        if (event.system !== this.#system) {
          this.note(
            event.time,
            event.system === "online" ? "info" : "warning",
            `status ${event.system}`,
          );
        }
        this.#system = event.system;
        return;
      case "error": {
        if (isDecodeError(event)) this.#counters.decodeErrors++;
        else this.#counters.errors++;
        const where = [event.channel, event.symbol].filter((part) => part !== undefined)
          .map((part) => ` ${part}`).join("");
        this.note(event.time, "warning", `error ${event.code}${where}: ${event.message}`);
        const record = event.symbol === undefined ? undefined : this.#bySymbol.get(event.symbol);
        if (record !== undefined && event.code === "rejected") record.rejection = event.message;
        return;
      }
      default:
        // Tickers and candles are not part of this view.
        return;
    }
  }

  /**
   * The view as plain data.
   *
   * @param now Client time now, in ms.
   * @returns The summary.
   */
  summary(now: number): MarketSummary {
    return {
      elapsedMs: now - this.startedAt,
      connection: this.#connection,
      connectionCause: this.#connectionCause,
      counters: { ...this.#counters, gaps: { ...this.#counters.gaps } },
      symbols: this.#records.map((record) => {
        const bestBid = record.bids[0]?.priceText;
        const bestAsk = record.asks[0]?.priceText;
        const spread = record.spread;
        return {
          symbol: record.symbol,
          ...(bestBid === undefined ? {} : { bestBid }),
          ...(bestAsk === undefined ? {} : { bestAsk }),
          ...(spread === undefined ? {} : { spread }),
          bookState: record.book.state,
          bookUpdates: record.bookUpdates,
          trades: record.tradeCount,
          ...(record.rejection === undefined ? {} : { rejection: record.rejection }),
        };
      }),
    };
  }

  #state(event: StateEvent): void {
    if (event.scope === "connection") {
      this.#connection = event.to;
      this.#connectionCause = event.cause;
      if (isReconnect(event)) this.#counters.reconnects++;
      const trouble = event.to === "backoff" ||
        (event.to === "closed" && event.from !== "closing" && event.from !== "idle");
      this.note(
        event.time,
        trouble ? "warning" : "info",
        `connection ${event.from} -> ${event.to} (${event.cause})`,
      );
      return;
    }
    // The client closing ends every subscription; the view keeps how each stood before.
    if (event.cause === "closed" && event.to === "unsubscribed") return;
    if (isResync(event)) this.#counters.resyncs++;
    const record = event.symbol === undefined ? undefined : this.#bySymbol.get(event.symbol);
    if (record !== undefined) {
      const status: SubscriptionStatus = {
        state: event.to,
        cause: event.cause,
        ...(event.attempt === undefined ? {} : { attempt: event.attempt }),
      };
      if (event.channel === "book") record.book = status;
      if (event.channel === "trade") record.trade = status;
    }
    if (!LOGGED_SUBSCRIPTION_STATES.has(event.to)) return;
    const attempt = event.attempt === undefined ? "" : `, attempt ${event.attempt}`;
    this.note(
      event.time,
      event.to === "synced" ? "info" : "warning",
      `${event.channel} ${event.symbol} ${event.from} -> ${event.to} (${event.cause}${attempt})`,
    );
  }

  /**
   * Adds a line of the caller's to the log: the demo says which fault it just threw.
   *
   * @param time Client time in ms.
   * @param level How it is shown.
   * @param text What happened.
   */
  note(time: number, level: LogEntry["level"], text: string): void {
    this.#log.push({ time, level, text });
    if (this.#log.length > this.#logKept) this.#log.splice(0, this.#log.length - this.#logKept);
  }
}
