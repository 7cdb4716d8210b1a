/**
 * Events the client emits: market data and lifecycle, discriminated on `type`. Every event carries
 * `seq`, increasing per client, and `time`, the client's clock when it was produced.
 *
 * @module
 */

import type { BookChange } from "../book/book_side.ts";
import type { BalancesEvent, DeadManSwitchEvent, ExecutionsEvent } from "./account_events.ts";
import type { Level3BookEvent } from "./level3_event.ts";
import type {
  BookLevel,
  Candle,
  InstrumentAsset,
  InstrumentPair,
  SystemState,
  Ticker,
  Trade,
} from "../protocol/messages.ts";

/**
 * Fields every event has.
 *
 * @example
 * ```ts
 * import type { EventBase } from "@kraken-ws/sdk";
 * const base: EventBase = { seq: 1, time: 0 };
 * console.log(base.seq);
 * ```
 */
export interface EventBase {
  /** Per-client sequence number, increasing by one for each event produced. */
  readonly seq: number;
  /** Client time in ms (the injected clock; `Date.now()` by default) when the event was made. */
  readonly time: number;
}

/**
 * A verified order book: the top levels of both sides after a message that matched Kraken's
 * checksum and is not crossed. Its level arrays are frozen and shared; holding them never sees
 * later changes.
 *
 * @example
 * ```ts
 * import type { BookEvent } from "@kraken-ws/sdk";
 * function mid(event: BookEvent): number | undefined {
 *   const [bid] = event.bids;
 *   const [ask] = event.asks;
 *   return bid && ask ? (bid.price + ask.price) / 2 : undefined;
 * }
 * console.log(typeof mid);
 * ```
 */
export interface BookEvent extends EventBase {
  /** Discriminant. */
  readonly type: "book";
  /** Pair. */
  readonly symbol: string;
  /**
   * Best bids, highest first, up to the stream's depth: a frozen array shared with the book and
   * every other stream (no copy per event, whatever the depth); it never changes once handed out.
   */
  readonly bids: readonly BookLevel[];
  /** Best asks, lowest first, up to the stream's depth; frozen and shared like `bids`. */
  readonly asks: readonly BookLevel[];
  /**
   * The levels this message changed in this stream's view, bids then asks: a quantity set, or a
   * level removed (zero quantity: deleted, or cut at the depth), to follow the book without
   * diffing it. After a snapshot it lists every level. Empty on the book a stream starts from
   * (joining a book in sync, or after an `overflow` gap): take that one whole. A stream shallower
   * than its subscription gets changes counted against its own view, so a level moving into view
   * is a change.
   */
  readonly changes: readonly BookChange[];
  /** Kraken's checksum, which this book matched. */
  readonly checksum: number;
  /** Exchange time of the message, when Kraken sent one. */
  readonly timestamp?: string;
  /** True when this book came from a snapshot. */
  readonly snapshot: boolean;
  /** Always true: books that failed validation are never delivered. */
  readonly validated: true;
}

/**
 * One trade, in exchange order; a jump in `tradeId` comes with a `gap` event first.
 *
 * @example
 * ```ts
 * import type { TradeEvent } from "@kraken-ws/sdk";
 * const describe = (event: TradeEvent) => `${event.side} ${event.qtyText} @ ${event.priceText}`;
 * console.log(typeof describe);
 * ```
 */
export interface TradeEvent extends EventBase, Trade {
  /** Discriminant. */
  readonly type: "trade";
  /** True when the trade came from a snapshot (recent trades on subscribe). */
  readonly snapshot: boolean;
}

/**
 * Level 1 data for one pair.
 *
 * @example
 * ```ts
 * import type { TickerEvent } from "@kraken-ws/sdk";
 * const spread = (event: TickerEvent) => event.ask - event.bid;
 * console.log(typeof spread);
 * ```
 */
export interface TickerEvent extends EventBase, Ticker {
  /** Discriminant. */
  readonly type: "ticker";
  /** True when it came from a snapshot. */
  readonly snapshot: boolean;
}

/**
 * One candle; a later event with the same `intervalBegin` supersedes it.
 *
 * @example
 * ```ts
 * import type { OhlcEvent } from "@kraken-ws/sdk";
 * const range = (event: OhlcEvent) => event.high - event.low;
 * console.log(typeof range);
 * ```
 */
export interface OhlcEvent extends EventBase, Candle {
  /** Discriminant. */
  readonly type: "ohlc";
  /** True when it came from a snapshot. */
  readonly snapshot: boolean;
}

/**
 * Kraken's reference data: pairs with their precisions, increments and limits, and assets. A
 * snapshot (`snapshot: true`) is the whole list, and replaces what was known: it comes first and
 * again after every reconnect or resubscribe. An update lists only the pairs and assets that
 * changed (a new listing, a status, a precision).
 *
 * @example
 * ```ts
 * import type { InstrumentEvent, InstrumentPair } from "@kraken-ws/sdk";
 * const pairs = new Map<string, InstrumentPair>();
 * function keep(event: InstrumentEvent): void {
 *   if (event.snapshot) pairs.clear();
 *   for (const pair of event.pairs) pairs.set(pair.symbol, pair);
 * }
 * console.log(typeof keep);
 * ```
 */
export interface InstrumentEvent extends EventBase {
  /** Discriminant. */
  readonly type: "instrument";
  /** True for the whole list, false for the pairs and assets that changed. */
  readonly snapshot: boolean;
  /** Pairs, in wire order. */
  readonly pairs: readonly InstrumentPair[];
  /** Assets, in wire order. */
  readonly assets: readonly InstrumentAsset[];
}

/**
 * States of the connection. See the transition table in the README.
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kraken-ws/sdk";
 * const state: ConnectionState = "live";
 * console.log(state);
 * ```
 */
export type ConnectionState =
  | "idle"
  | "connecting"
  | "open"
  | "live"
  | "backoff"
  | "closing"
  | "closed";

/**
 * States of one subscription.
 *
 * - `pending`: waiting to be sent, or sent and waiting for its acknowledgement.
 * - `awaiting_snapshot`: acknowledged; a book waits for its snapshot.
 * - `synced`: delivering data.
 * - `resyncing`: a book failed validation and is being subscribed again.
 * - `stale`: silent past its timeout; being subscribed again.
 * - `unsubscribing`: no stream needs it any more; waiting for the unsubscribe.
 * - `unsubscribed`: gone; final. A new subscription starts with a transition from here (or from
 *   `rejected`, when asked again) to `pending`.
 * - `rejected`: Kraken refused it; final.
 *
 * @example
 * ```ts
 * import type { SubscriptionState } from "@kraken-ws/sdk";
 * const state: SubscriptionState = "resyncing";
 * console.log(state);
 * ```
 */
export type SubscriptionState =
  | "pending"
  | "awaiting_snapshot"
  | "synced"
  | "resyncing"
  | "stale"
  | "unsubscribing"
  | "unsubscribed"
  | "rejected";

/**
 * A channel the client subscribes to. Each subscription of `book`, `trade`, `ticker` and `ohlc` is
 * for one pair; `instrument` is one subscription for every pair, so its events name no `symbol`.
 * `executions` and `balances` (experimental) are the account's, on the authenticated connection:
 * one subscription each, naming no `symbol` either. `level3` (experimental) is the order-by-order
 * book of one pair, on Kraken's level 3 endpoint.
 *
 * @example
 * ```ts
 * import type { DataChannel } from "@kraken-ws/sdk";
 * const channel: DataChannel = "book";
 * console.log(channel);
 * ```
 */
export type DataChannel =
  | "book"
  | "trade"
  | "ticker"
  | "ohlc"
  | "instrument"
  | "executions"
  | "balances"
  | "level3";

/**
 * A transition of the connection or of one subscription, with what caused it. A subscription of
 * one pair names its `symbol`; the `instrument` subscription, for every pair, names none.
 *
 * @example
 * ```ts
 * import type { StateEvent } from "@kraken-ws/sdk";
 * function show(event: StateEvent): string {
 *   const what = event.scope === "connection"
 *     ? "connection"
 *     : [event.channel, event.symbol].filter((part) => part !== undefined).join(" ");
 *   return `${what}: ${event.from} -> ${event.to} (${event.cause})`;
 * }
 * console.log(typeof show);
 * ```
 */
export type StateEvent =
  | (EventBase & {
    /** Discriminant. */
    readonly type: "state";
    /** The connection changed state. */
    readonly scope: "connection";
    /** State before. */
    readonly from: ConnectionState;
    /** State after. */
    readonly to: ConnectionState;
    /** Why, like `opened`, `close 1006`, `stale`, `retry`, `user`. */
    readonly cause: string;
    /**
     * `private` for the authenticated connection, `level3` for a level 3 one (experimental);
     * absent for the public one.
     */
    readonly link?: "private" | "level3";
  })
  | (EventBase & {
    /** Discriminant. */
    readonly type: "state";
    /** One subscription changed state. */
    readonly scope: "subscription";
    /** Its channel. */
    readonly channel: DataChannel;
    /** Its pair; none for `instrument`, which is for every pair. */
    readonly symbol?: string;
    /** Its candle interval, for `ohlc`. */
    readonly interval?: number;
    /** State before. */
    readonly from: SubscriptionState;
    /** State after. */
    readonly to: SubscriptionState;
    /** Why. */
    readonly cause: string;
    /** Consecutive failed resync attempts, for `resyncing`. */
    readonly attempt?: number;
  });

/**
 * Why data was lost.
 *
 * - `checksum`, `crossed`: a book failed validation; it is resynced.
 * - `sequence`: trade ids jumped; `fromTradeId`..`toTradeId` are missing. On `executions` and
 *   `balances` (experimental): the subscription's `sequence` jumped; messages
 *   `fromSequence`..`toSequence` were not delivered (the messages skipped, and the one that showed
 *   it), and it is subscribed again for a fresh snapshot; what it drops until then is a
 *   `resubscribe` gap.
 * - `reconnect`: the connection was down from `fromTime` to `toTime`.
 * - `resubscribe`: the subscription went silent or its snapshot never came, and was subscribed
 *   again; nothing was delivered from `fromTime` to `toTime`.
 * - `overflow`: a consumer was too slow; `dropped` events were dropped from its stream.
 * - `decode`: a frame could not be decoded; what it carried is unknown.
 *
 * @example
 * ```ts
 * import type { GapReason } from "@kraken-ws/sdk";
 * const reason: GapReason = "checksum";
 * console.log(reason);
 * ```
 */
export type GapReason =
  | "checksum"
  | "crossed"
  | "sequence"
  | "reconnect"
  | "resubscribe"
  | "overflow"
  | "decode";

/**
 * What every gap has: where the loss was, when it is about one subscription.
 *
 * @example
 * ```ts
 * import type { GapEventBase } from "@kraken-ws/sdk";
 * const where = (gap: GapEventBase) => `${gap.channel ?? "all"} ${gap.symbol ?? ""}`;
 * console.log(typeof where);
 * ```
 */
export interface GapEventBase extends EventBase {
  /** Discriminant. */
  readonly type: "gap";
  /** The channel, when the gap is about one subscription. */
  readonly channel?: DataChannel;
  /** The pair, when the gap is about one subscription of one pair (`instrument` names none). */
  readonly symbol?: string;
}

/**
 * Data was lost, here and for this reason. Loss is never silent: every drop has one of these. A
 * union on `reason`: each reason carries its own fields, so no `!` is needed after a check.
 *
 * @example
 * ```ts
 * import type { GapEvent } from "@kraken-ws/sdk";
 * function show(gap: GapEvent): string {
 *   switch (gap.reason) {
 *     case "sequence": return `trades ${gap.fromTradeId}..${gap.toTradeId} missing`;
 *     case "checksum": return `expected ${gap.expected}, computed ${gap.computed}`;
 *     case "reconnect":
 *     case "resubscribe": return `nothing from ${gap.fromTime} to ${gap.toTime}`;
 *     case "overflow": return `${gap.dropped} events dropped`;
 *     default: return gap.reason;
 *   }
 * }
 * console.log(typeof show);
 * ```
 */
export type GapEvent =
  | (GapEventBase & {
    /** A book failed Kraken's checksum; it is resynced. */
    readonly reason: "checksum";
    /** The checksum Kraken sent. */
    readonly expected: number;
    /** The checksum of the book as applied. */
    readonly computed: number;
  })
  | (GapEventBase & {
    /** A book verified but was crossed; it is resynced. */
    readonly reason: "crossed";
  })
  | (GapEventBase & {
    /** Trade ids jumped: these are missing. */
    readonly reason: "sequence";
    /** First missing trade id. */
    readonly fromTradeId: number;
    /** Last missing trade id. */
    readonly toTradeId: number;
    /** Only on an account channel's gap. */
    readonly fromSequence?: undefined;
    /** Only on an account channel's gap. */
    readonly toSequence?: undefined;
  })
  | (GapEventBase & {
    /** The account channel's `sequence` jumped: these messages are missing (experimental). */
    readonly reason: "sequence";
    /** `executions` or `balances`. */
    readonly channel: "executions" | "balances";
    /** First message number not delivered. */
    readonly fromSequence: number;
    /** Last message number not delivered: the one that showed the jump. */
    readonly toSequence: number;
    /** Only on a trade gap. */
    readonly fromTradeId?: undefined;
    /** Only on a trade gap. */
    readonly toTradeId?: undefined;
  })
  | (GapEventBase & {
    /** The connection was down, or the subscription was subscribed again. */
    readonly reason: "reconnect" | "resubscribe";
    /** Client time of the last frame or data before the gap. */
    readonly fromTime: number;
    /** Client time the subscription was acknowledged again. */
    readonly toTime: number;
  })
  | (GapEventBase & {
    /** A consumer was too slow. */
    readonly reason: "overflow";
    /** How many events this stream dropped. */
    readonly dropped: number;
  })
  | (GapEventBase & {
    /** A frame could not be decoded; what it carried is unknown. */
    readonly reason: "decode";
  });

/**
 * A `status` frame from Kraken: the trading engine's state, on connect and on change.
 *
 * @example
 * ```ts
 * import type { StatusEvent } from "@kraken-ws/sdk";
 * const down = (event: StatusEvent) => event.system === "maintenance";
 * console.log(typeof down);
 * ```
 */
export interface StatusEvent extends EventBase {
  /** Discriminant. */
  readonly type: "status";
  /** `online`, `maintenance`, `cancel_only`, `post_only`, … */
  readonly system: SystemState;
  /** Server API version. */
  readonly apiVersion?: string;
  /** Connection id as decimal text. */
  readonly connectionId?: string;
  /** Server software version. */
  readonly version?: string;
  /**
   * `private` for the authenticated connection, `level3` for a level 3 one (experimental); absent
   * for the public one.
   */
  readonly link?: "private" | "level3";
}

/**
 * Kinds of error events.
 *
 * - `rejected`: Kraken refused a subscription; its stream ends after this event.
 * - `decode`: a frame could not be decoded (with `excerpt`).
 * - `unknown`: a frame of a channel or method this SDK does not know (with `excerpt`).
 * - `protocol`: Kraken sent something the session cannot place (an answer to no request).
 * - `internal`: a defect in the SDK; the client keeps going.
 * - `auth`: the authenticated connection could not get a token (experimental); it retries with
 *   backoff. The message never holds a key, a secret or a token.
 *
 * @example
 * ```ts
 * import type { ErrorCode } from "@kraken-ws/sdk";
 * const code: ErrorCode = "rejected";
 * console.log(code);
 * ```
 */
export type ErrorCode = "rejected" | "decode" | "unknown" | "protocol" | "internal" | "auth";

/**
 * Something went wrong; the client goes on. A `rejected` error ends its subscription's stream.
 *
 * @example
 * ```ts
 * import type { ErrorEvent } from "@kraken-ws/sdk";
 * const show = (event: ErrorEvent) => `${event.code}: ${event.message}`;
 * console.log(typeof show);
 * ```
 */
export interface ErrorEvent extends EventBase {
  /** Discriminant. */
  readonly type: "error";
  /** What kind of error. */
  readonly code: ErrorCode;
  /** Human description; for `rejected`, Kraken's own text. */
  readonly message: string;
  /** The channel concerned, if any. */
  readonly channel?: DataChannel;
  /** The pair concerned, if any (`instrument` names none). */
  readonly symbol?: string;
  /** The OHLC interval concerned, for an `ohlc` subscription. */
  readonly interval?: number;
  /** For `decode` and `unknown`: a short excerpt of the frame. */
  readonly excerpt?: string;
}

/**
 * Every event the client emits.
 *
 * @example
 * ```ts
 * import type { KrakenEvent } from "@kraken-ws/sdk";
 * function count(events: KrakenEvent[]): number {
 *   return events.filter((event) => event.type === "gap").length;
 * }
 * console.log(count([]));
 * ```
 */
export type KrakenEvent =
  | BookEvent
  | TradeEvent
  | TickerEvent
  | OhlcEvent
  | InstrumentEvent
  | StateEvent
  | GapEvent
  | StatusEvent
  | ErrorEvent
  | ExecutionsEvent
  | BalancesEvent
  | DeadManSwitchEvent
  | Level3BookEvent;

/**
 * An event before the client stamps its `seq` and `time`: what the session produces. Spelled out
 * per member so each keeps its own fields.
 *
 * @example
 * ```ts
 * import type { UnstampedEvent } from "@kraken-ws/sdk/extended";
 * const event: UnstampedEvent = { type: "gap", reason: "decode" };
 * console.log(event.type);
 * ```
 */
export type UnstampedEvent = KrakenEvent extends infer E
  ? E extends KrakenEvent ? Omit<E, "seq" | "time"> : never
  : never;
