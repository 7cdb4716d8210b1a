/**
 * The checks that hold a client to the truth, whichever driver runs the exchange. They rest on
 * what the exchange fed (its outputs, each frame with its oracle), the session's own state (read
 * through the client's driver, never taken from its word), and what the client's streams
 * delivered. A client's events are held against all three, so a client that lies is caught: a
 * wrong book, a hidden loss, a reconnect without backoff, a leaked timer, a stream fed another
 * symbol's events, an overflow that loses its gap.
 *
 * @module
 */

import { eventChannel, eventSymbol } from "../core/event_topic.ts";
import { TRADING_METHODS } from "../protocol/private_messages.ts";
import { bookChecksum, CHECKSUM_LEVELS } from "../book/checksum.ts";
import type { DriverProbe, DriverView, StreamTarget } from "../client/driver.ts";
import type { BookEvent, DataChannel, KrakenEvent, SubscriptionState } from "../core/events.ts";
import { Fifo } from "../core/fifo.ts";
import { RECONNECT_DEFAULTS } from "../core/reconnect_policy.ts";
import type { SessionEffect, SessionInput } from "../core/session.ts";
import { subscriptionKey, type SubscriptionRequest } from "../core/subscription.ts";
import type { ExchangeOutput } from "../exchange/exchange.ts";
import {
  MALFORMED_FRAME,
  MALFORMED_LEVEL3_FRAME,
  UNKNOWN_CHANNEL_FRAME,
} from "../exchange/faults.ts";
import { LEVEL3_SYMBOL_LIMIT_ERROR } from "../exchange/level3_feed.ts";
import { level3Checksum } from "../book/level3_checksum.ts";
import type { Level3PriceLevel } from "../book/level3_side.ts";
import type { Level3BookEvent } from "../core/level3_event.ts";
import type { Level3Oracle, SimFrame } from "../exchange/feed.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../protocol/decode.ts";
import type { BookLevel } from "../protocol/messages.ts";
import type { BalancesEvent, ExecutionsEvent } from "../core/account_events.ts";
import type { TradingOrder, TradingOutcome } from "../core/trading.ts";
import type { UnkeyedRequest } from "../core/subscription.ts";
import type { Account } from "../exchange/account.ts";
import {
  KrakenNotSentError,
  KrakenOutcomeUnknownError,
  KrakenRequestError,
} from "../client/trading_errors.ts";

/**
 * A client made to lie, only to show the checks catch it: the driver's probe hooks, rewriting what
 * the session decided (`effects`) or what reaches a stream (`deliver`).
 *
 * @example
 * ```ts
 * import type { Tamper } from "./invariants.ts";
 * // A client that never shows a trade.
 * const tamper: Tamper = {
 *   effects: (_input, effects) =>
 *     effects.filter((effect) => effect.type !== "emit" || effect.event.type !== "trade"),
 * };
 * console.log(typeof tamper.effects);
 * ```
 */
export interface Tamper {
  /** Rewrites each input's effects before the driver carries them out. */
  readonly effects?: (input: SessionInput, effects: SessionEffect[]) => SessionEffect[];
  /** Rewrites (or drops, with undefined) each event about to be queued on a stream. */
  readonly deliver?: (stream: StreamTarget, event: KrakenEvent) => KrakenEvent | undefined;
  /** The same hooks on the authenticated connection's driver, in runs with the account. */
  readonly account?: {
    /** Rewrites each input's effects before the driver carries them out. */
    readonly effects?: (input: SessionInput, effects: SessionEffect[]) => SessionEffect[];
    /** Rewrites (or drops, with undefined) each event about to be queued on a stream. */
    readonly deliver?: (stream: StreamTarget, event: KrakenEvent) => KrakenEvent | undefined;
  };
  /** The same hooks on the level 3 connection's driver, in runs with level 3. */
  readonly level3?: {
    /** Rewrites each input's effects before the driver carries them out. */
    readonly effects?: (input: SessionInput, effects: SessionEffect[]) => SessionEffect[];
    /** Rewrites (or drops, with undefined) each event about to be queued on a stream. */
    readonly deliver?: (stream: StreamTarget, event: KrakenEvent) => KrakenEvent | undefined;
  };
}

/**
 * What a run counted.
 *
 * @example
 * ```ts
 * import type { InvariantStats } from "./invariants.ts";
 * const show = (stats: InvariantStats) => `${stats.books} books, ${stats.gaps} gaps`;
 * console.log(typeof show);
 * ```
 */
export interface InvariantStats {
  /** Frames fed to the client. */
  frames: number;
  /** Book events. */
  books: number;
  /** Trade events. */
  trades: number;
  /** Gap events. */
  gaps: number;
  /** Checksum and crossed-book gaps. */
  resyncs: number;
  /** Connection attempts. */
  connections: number;
  /** Faults thrown, and frames a fault changed. */
  faults: number;
  /** Trading calls the run's trader made (runs with the account). */
  tradingCalls: number;
  /** Times the open orders rebuilt from `executions` were held against the exchange's. */
  openOrderChecks: number;
  /** Level 3 book events, each held against the exchange's truth (runs with level 3). */
  level3Books: number;
  /** Level 3 checksum and crossed-book gaps (runs with level 3). */
  level3Resyncs: number;
}

/**
 * What a stream being read is: the same as what the client was asked for.
 *
 * @example
 * ```ts
 * import type { StreamSpec } from "./invariants.ts";
 * const spec: StreamSpec = { name: "book BTC/USD", requests: [{ channel: "book", symbol: "BTC/USD", depth: 10 }] };
 * console.log(spec.name);
 * ```
 */
export interface StreamSpec {
  /** For messages. */
  readonly name: string;
  /** The stream's subscriptions, one per symbol, all of one channel; none for `events()`. */
  readonly requests: readonly SubscriptionRequest[];
}

/**
 * The reading end of a watched stream: tell it each event read.
 *
 * @example
 * ```ts
 * import type { StreamWatch } from "./invariants.ts";
 * const readAll = async (stream: ReadableStream, watch: StreamWatch) => {
 *   for await (const event of stream) watch.read(event);
 * };
 * console.log(typeof readAll);
 * ```
 */
export interface StreamWatch {
  /** An event the stream delivered. */
  read(event: KrakenEvent): void;
}

/** The session's own timers: connect, reconnect, ping, tick, stable, pace, close. */
const MAX_CONNECTION_TIMERS = 7;
const MAX_VIOLATIONS = 20;

/**
 * States in which a subscription was acknowledged on its link and so was receiving data (or about
 * to): losing the link loses what it would have received.
 */
const RECEIVING: ReadonlySet<SubscriptionState | undefined> = new Set<SubscriptionState>([
  "awaiting_snapshot",
  "synced",
  "resyncing",
  "stale",
]);

/**
 * One subscription the run asked for, as the checks follow it. Its state is read from the session
 * after every input rather than taken from the `state` events, which a lying client writes; the
 * events are held against it instead.
 */
interface WatchedSubscription {
  readonly request: SubscriptionRequest;
  /** The session's key of it, for violation messages. */
  readonly key: string;
  /** The session's state of it after the last input; undefined while the session holds none. */
  state: SubscriptionState | undefined;
  /** What its last `state` event said it became. */
  announced: SubscriptionState | undefined;
  /** The input at which it last left `synced`, until it is synced again. */
  leftSyncedAt: number | undefined;
  /** The input at which the last gap for it was emitted. */
  lastGapAt: number;
  /** Its link died while it was receiving: a `reconnect` gap is owed before its next data. */
  owesReconnectGap: boolean;
}

/**
 * Holds one subscription to the state the session now gives it (`state`), after input
 * `inputCount`. Leaving `synced` loses data, so a gap for it must come before it is synced again
 * (the session's state cannot be bent by rewriting its events, so a client that hides the gap
 * cannot also hide the loss); one that resumes after its link died must have had its reconnect
 * gap; and its `state` events must say what the session did. Trades that leave `synced` may come
 * back with nothing lost: their ids are held instead.
 */
function checkSubscriptionState(
  subscription: WatchedSubscription,
  state: SubscriptionState | undefined,
  inputCount: number,
  violate: (message: string) => void,
): void {
  const previous = subscription.state;
  const announced = subscription.announced;
  // A subscription the session no longer holds was last announced in a final state.
  const agrees = announced === state ||
    (state === undefined && (announced === "unsubscribed" || announced === "rejected"));
  if (state === previous && agrees) return;
  if (previous === "synced" && state !== "synced" && subscription.request.channel !== "trade") {
    subscription.leftSyncedAt = inputCount;
  }
  const leftSyncedAt = subscription.leftSyncedAt;
  if (state === "synced" && previous !== "synced" && leftSyncedAt !== undefined) {
    if (subscription.lastGapAt < leftSyncedAt) {
      violate(`${subscription.key} was synced again after losing sync without a gap`);
    }
    subscription.leftSyncedAt = undefined;
  }
  const resumed = state === "synced" || state === "awaiting_snapshot";
  if (resumed && previous !== state && subscription.owesReconnectGap) {
    violate(`${subscription.key} resumed after a reconnect without a reconnect gap`);
    subscription.owesReconnectGap = false;
  }
  if (!agrees) {
    violate(`${subscription.key} is ${state} but its state events say ${announced}`);
    subscription.announced = state;
  }
  subscription.state = state;
}

/** What a data frame fed on the client's current link obliges the client to emit on that input. */
interface FrameExpectation {
  readonly kind: DataChannel;
  readonly symbol: string;
  /** The subscription's state when the frame came. */
  readonly state: SubscriptionState | undefined;
  /** For ohlc: the candle's interval. */
  readonly interval?: number;
}

/** A frame the exchange delivered, waiting for the client to take it. */
interface Delivered {
  readonly text: string;
  readonly frame: SimFrame;
  readonly serial: number;
  readonly corrupted: boolean;
}

/** An event a stream owes its reader: enough of it to know it again, not its books. */
interface Owed {
  readonly seq: number;
  readonly type: KrakenEvent["type"];
  readonly channel: DataChannel | undefined;
  readonly symbol: string | undefined;
  /**
   * A level 3 book, itself: every stream is handed the very event emitted (a `book` event may be
   * cut to a stream's depth, a level 3 one never is), so one rewritten on its way is caught.
   */
  readonly event?: Level3BookEvent;
}

/** A stream being read, and what it owes. */
interface Watched {
  readonly name: string;
  readonly channel: DataChannel | undefined;
  readonly symbols: ReadonlySet<string>;
  readonly interval: number | undefined;
  /** How many subscriptions it covers: when Kraken rejected them all, it ends. */
  readonly subscriptions: number;
  /** Events the client emitted that this stream carries, not yet read. */
  readonly owed: Fifo<Owed>;
  /** Symbols whose subscription was rejected: when all are, the stream ends. */
  readonly rejected: Set<string>;
  /** Emitted events it carried that were never read. */
  missing: number;
  /** What its overflow gaps said they dropped. */
  dropped: number;
  lastSeq: number;
}

/** The interval of an ohlc frame, from its text (the exchange's frames carry one candle each). */
function candleInterval(text: string): number | undefined {
  const interval = /"interval":(\d+)/.exec(text)?.[1];
  return interval === undefined ? undefined : Number(interval);
}

/**
 * Whether a stream carries `event`, as the client documents its streams: `events()` everything; a
 * data stream the data, gaps, errors and subscription states of its channel and symbols (of its
 * interval, for candles, their errors and states), and every gap no one can place.
 */
function carries(stream: Watched, event: KrakenEvent): boolean {
  if (stream.channel === undefined) return true;
  const channel = eventChannel(event);
  if (channel === undefined) return event.type === "gap";
  if (channel !== stream.channel) return false;
  const symbol = eventSymbol(event);
  if (symbol !== undefined && !stream.symbols.has(symbol)) return false;
  const interval = event.type === "ohlc" || event.type === "error" ||
      (event.type === "state" && event.scope === "subscription")
    ? event.interval
    : undefined;
  return interval === undefined || interval === stream.interval;
}

/** What a stream owes of `event`. */
function owedOf(event: KrakenEvent): Owed {
  return {
    seq: event.seq,
    type: event.type,
    channel: eventChannel(event),
    symbol: eventSymbol(event),
    ...(event.type === "level3" ? { event } : {}),
  };
}

/** Whether `event` is the event `emitted`, as far as routing may not change it. */
function sameEvent(event: KrakenEvent, emitted: Owed): boolean {
  return event.type === emitted.type && event.seq === emitted.seq &&
    eventChannel(event) === emitted.channel && eventSymbol(event) === emitted.symbol &&
    (emitted.event === undefined || emitted.event === event);
}

/** What a stream covers, for {@link StreamLedger.watch}. */
interface LedgerSpec {
  readonly name: string;
  /** Its channel; undefined for `events()`. */
  readonly channel: DataChannel | undefined;
  /** Its symbols; none for `events()` and the channels of no pair. */
  readonly symbols: ReadonlySet<string>;
  readonly interval: number | undefined;
}

/**
 * The streams of one driver being read, and what each owes its reader: every event the driver
 * emitted that the stream carries is read, in order and unchanged, or counted by an overflow gap.
 */
class StreamLedger {
  readonly #streams: Watched[] = [];
  readonly #violate: (message: string) => void;
  readonly #addressed: (seq: number) => boolean;

  /**
   * @param violate Reports a broken invariant.
   * @param addressed Whether the driver addressed event `seq` to one stream alone.
   */
  constructor(violate: (message: string) => void, addressed: (seq: number) => boolean) {
    this.#violate = violate;
    this.#addressed = addressed;
  }

  /** A stream about to be opened: from now on it owes what it carries. */
  watch(spec: LedgerSpec): StreamWatch & { readonly owing: () => number } {
    const stream: Watched = {
      ...spec,
      // A data stream of no pair (`instrument`, the account's) is one subscription.
      subscriptions: spec.channel !== undefined && spec.symbols.size === 0 ? 1 : spec.symbols.size,
      owed: new Fifo(),
      rejected: new Set(),
      missing: 0,
      dropped: 0,
      lastSeq: 0,
    };
    this.#streams.push(stream);
    return { read: (event) => this.#read(stream, event), owing: () => stream.owed.size };
  }

  /** An event the client emitted: every stream that carries it owes it to its reader. */
  owe(event: KrakenEvent): void {
    let owed: Owed | undefined;
    for (const stream of this.#streams) {
      if (stream.channel !== undefined && stream.rejected.size === stream.subscriptions) continue;
      if (!carries(stream, event)) continue;
      stream.owed.push(owed ??= owedOf(event));
      if (
        event.type === "error" && event.code === "rejected" &&
        (event.symbol !== undefined || stream.symbols.size === 0)
      ) {
        stream.rejected.add(event.symbol ?? "");
      }
    }
  }

  /** An event a stream delivered: one it carries, in order, the very event the client emitted. */
  #read(stream: Watched, event: KrakenEvent): void {
    if (event.seq <= stream.lastSeq) {
      this.#violate(`${stream.name} delivered seq ${event.seq} after ${stream.lastSeq}`);
    }
    stream.lastSeq = Math.max(stream.lastSeq, event.seq);
    if (!carries(stream, event)) {
      const symbol = eventSymbol(event);
      const about = symbol === undefined ? "" : ` of ${symbol}`;
      this.#violate(`${stream.name} delivered a ${event.type} event${about} it does not carry`);
      return;
    }
    if (event.type === "gap" && event.reason === "overflow") {
      // A queue's own gap, in the place of what it dropped (a conflated book takes its seq).
      stream.dropped += event.dropped ?? 0;
      return;
    }
    const owed = stream.owed;
    while (owed.size > 0 && owed.peek()!.seq < event.seq) {
      owed.shift();
      stream.missing++;
    }
    const emitted = owed.peek();
    if (emitted === undefined || emitted.seq !== event.seq) {
      if (this.#addressed(event.seq)) return;
      this.#violate(`${stream.name} delivered seq ${event.seq}, which the client never emitted`);
      return;
    }
    owed.shift();
    if (!sameEvent(event, emitted)) {
      this.#violate(`${stream.name} delivered seq ${event.seq} changed from what was emitted`);
    }
  }

  /** Every event a stream owed was read, or counted by an overflow gap: nothing lost silently. */
  finish(): void {
    for (const stream of this.#streams) {
      const missing = stream.missing + stream.owed.size;
      if (missing > stream.dropped) {
        this.#violate(
          `${stream.name} lost ${missing - stream.dropped} events without an overflow gap`,
        );
      } else if (missing < stream.dropped) {
        this.#violate(
          `${stream.name} counted ${stream.dropped - missing} more events dropped than it lost`,
        );
      }
    }
  }
}

/** One side of a book event as last found equal to the truth, level for level. */
interface VerifiedSide {
  readonly shown: readonly BookLevel[];
  readonly truth: readonly BookLevel[];
  /** How many levels were compared. */
  readonly count: number;
}

/** How far a level may have moved since the last book, as levels come and go above it. */
const MAX_SHIFT = 2;

/**
 * Whether the first `rows` levels of `given` are the truth, by their exact text; undefined when
 * not, else what was compared. A pair of levels whose objects were found equal last time, at one
 * position then, is equal still: books share unchanged levels from one event to the next (moved
 * up or down as levels come and go above them), so mostly only what changed is compared again.
 */
function sameLevels(
  given: readonly BookLevel[],
  truth: readonly BookLevel[],
  rows: number,
  before: VerifiedSide | undefined,
): VerifiedSide | undefined {
  // The client's books are frozen arrays, whose elements V8 reads several times slower (and
  // slows every site that also reads others): a plain copy, made at memcpy speed, is read instead.
  const shown = [...given];
  const count = Math.min(rows, truth.length);
  if (Math.min(rows, shown.length) !== count) return undefined;
  const known = before?.count ?? 0;
  const shownBefore = before?.shown ?? [];
  const truthBefore = before?.truth ?? [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const level = shown[i];
    const expected = truth[i];
    let at = i + offset;
    if (at < known && shownBefore[at] === level && truthBefore[at] === expected) continue;
    let seen = false;
    for (let shift = 1; shift <= MAX_SHIFT && !seen; shift++) {
      for (const moved of [offset + shift, offset - shift]) {
        at = i + moved;
        if (at >= 0 && at < known && shownBefore[at] === level && truthBefore[at] === expected) {
          offset = moved;
          seen = true;
          break;
        }
      }
    }
    if (seen) continue;
    if (level.priceText !== expected.priceText || level.qtyText !== expected.qtyText) {
      return undefined;
    }
  }
  return { shown, truth, count };
}

/**
 * The checks of one run. Give {@link Invariants.probe} to the client (`probedClient`), every
 * exchange output to {@link Invariants.observe}, every stream read to a
 * {@link Invariants.watchStream} made before the stream is opened, and call
 * {@link Invariants.finish} once every stream has ended.
 *
 * @example
 * ```ts
 * import { Invariants } from "./invariants.ts";
 * import { VirtualClock } from "../core/virtual_clock.ts";
 * const invariants = new Invariants(new VirtualClock(0));
 * invariants.finish();
 * console.log(invariants.violations); // []
 * ```
 */
export class Invariants {
  /** Broken invariants, in the order found (at most 20). */
  readonly violations: string[] = [];
  /** What the run counted. */
  readonly stats: InvariantStats = {
    frames: 0,
    books: 0,
    trades: 0,
    gaps: 0,
    resyncs: 0,
    connections: 0,
    faults: 0,
    tradingCalls: 0,
    openOrderChecks: 0,
    level3Books: 0,
    level3Resyncs: 0,
  };
  /** The hooks to give the client's driver. */
  readonly probe: DriverProbe;
  readonly #clock: { now(): number };
  readonly #tamper: Tamper;
  #view: DriverView | undefined;
  readonly #watched = new Map<string, WatchedSubscription>();
  /** The same, by `channel|symbol`. */
  readonly #byTopic = new Map<string, WatchedSubscription[]>();
  /** The streams being read, and what each owes. */
  readonly #ledger: StreamLedger;
  /** Frames the exchange delivered, per exchange connection, until the client takes them. */
  readonly #delivered = new Map<number, Fifo<Delivered>>();
  /** The exchange connection each client connection is. */
  readonly #links = new Map<number, number>();
  /** The frame being fed: its book events are held against its view. */
  #feeding: Delivered | undefined;
  /**
   * Symbols whose book lost an update below the top 10 that no later snapshot repaired, each with
   * that loss's serial.
   */
  readonly #blindBelowTop = new Map<string, number>();
  readonly #deliveredTrades = new Map<string, number[]>();
  readonly #sequenceGaps = new Map<string, [number, number][]>();
  readonly #attempts: number[] = [];
  /** The session's timers, as its effects set, cancel and fire them. */
  readonly #timers = new Set<string>();
  #toldMaintenance = false;
  #closedAt: number | undefined;
  #badFramesFed = 0;
  #unknownFramesFed = 0;
  /** Inputs handled so far: orders departures from `synced` against gaps. */
  #inputCount = 0;
  /** The session's connection after the last input. */
  #connection = 0;
  /** Each symbol's last book event found equal to the truth. */
  readonly #verified = new Map<string, { bids: VerifiedSide; asks: VerifiedSide }>();
  /** Events the session addressed to one stream, by `seq`. */
  readonly #addressedSeqs = new Set<number>();
  /** The serial of the last duplicated frame delivered. */
  #duplicated = 0;

  /**
   * Creates the checks of one run.
   *
   * @param clock The run's clock, for violation times.
   * @param tamper A lie to tell, to test the checks.
   */
  constructor(clock: { now(): number }, tamper: Tamper = {}) {
    this.#clock = clock;
    this.#tamper = tamper;
    this.#ledger = new StreamLedger(
      (message) => this.#violate(message),
      (seq) => this.#addressedSeqs.has(seq),
    );
    this.probe = {
      attached: (view) => this.#view = view,
      effects: (input, effects) => this.#effects(input, effects),
      ...(tamper.deliver === undefined ? {} : { deliver: tamper.deliver }),
    };
  }

  #violate(message: string): void {
    if (this.violations.length < MAX_VIOLATIONS) {
      this.violations.push(`t=${this.#clock.now()}: ${message}`);
    }
  }

  /**
   * Reports a broken invariant found by another check of the run (the authenticated side's).
   *
   * @param message What broke.
   */
  report(message: string): void {
    this.#violate(message);
  }

  /**
   * A stream the run is about to open and will read to its end. Call before opening it: what the
   * client emits from then on is what it owes.
   *
   * @param spec What the stream is.
   * @returns Where to report what it delivers.
   */
  watchStream(spec: StreamSpec): StreamWatch {
    for (const request of spec.requests) {
      const key = subscriptionKey(request);
      if (this.#watched.has(key)) continue;
      const subscription: WatchedSubscription = {
        request,
        key,
        state: undefined,
        announced: undefined,
        leftSyncedAt: undefined,
        lastGapAt: -1,
        owesReconnectGap: false,
      };
      this.#watched.set(key, subscription);
      const topic = `${request.channel}|${request.symbol}`;
      this.#byTopic.set(topic, [...this.#byTopic.get(topic) ?? [], subscription]);
    }
    const first = spec.requests[0];
    return this.#ledger.watch({
      name: spec.name,
      channel: first?.channel,
      symbols: new Set(spec.requests.map((request) => request.symbol)),
      interval: first?.channel === "ohlc" ? first.interval : undefined,
    });
  }

  /**
   * An output of the exchange, as its driver carried it out (a frame as it was sent).
   *
   * @param output The output.
   */
  observe(output: ExchangeOutput): void {
    switch (output.type) {
      case "deliver": {
        // A duplicated frame is one fault, delivered twice.
        if (
          output.fate === "corrupted" ||
          (output.fate === "duplicated" && output.serial !== this.#duplicated)
        ) {
          this.stats.faults++;
          this.#duplicated = output.serial;
        }
        let queue = this.#delivered.get(output.connection);
        if (queue === undefined) this.#delivered.set(output.connection, queue = new Fifo());
        queue.push({
          text: output.text,
          frame: output.frame,
          serial: output.serial,
          corrupted: output.fate === "corrupted",
        });
        return;
      }
      case "lost":
        this.stats.faults++;
        // A lost update is caught by the checksum only if it touched the top 10.
        if (
          output.frame.kind === "book" && output.frame.symbol !== undefined &&
          (output.frame.book?.depth ?? 10) > CHECKSUM_LEVELS
        ) this.#blindBelowTop.set(output.frame.symbol, output.serial);
        return;
      case "fault":
        this.stats.faults++;
        return;
      default:
        return;
    }
  }

  /** The frame the client is taking on `connection`: the next one the exchange delivered there. */
  #frameOf(connection: number, text: string): Delivered | undefined {
    const linked = this.#links.get(connection);
    if (linked !== undefined) {
      const queue = this.#delivered.get(linked);
      for (let head = queue?.shift(); head !== undefined; head = queue!.shift()) {
        if (head.text === text) return head;
      }
      return undefined;
    }
    // A new link: the exchange connection whose next frame this is (the newest, on a tie).
    let found: number | undefined;
    for (const [exchangeConnection, queue] of this.#delivered) {
      if (queue.peek()?.text === text && (found === undefined || exchangeConnection > found)) {
        found = exchangeConnection;
      }
    }
    if (found === undefined) return undefined;
    // The client uses one link at a time: what older links still hold never reaches it.
    for (const exchangeConnection of this.#delivered.keys()) {
      if (exchangeConnection < found) this.#delivered.delete(exchangeConnection);
    }
    this.#links.clear();
    this.#links.set(connection, found);
    return this.#delivered.get(found)!.shift();
  }

  // ---- each input ------------------------------------------------------------------------------

  #effects(input: SessionInput, given: SessionEffect[]): SessionEffect[] {
    const effects = this.#tamper.effects === undefined ? given : this.#tamper.effects(input, given);
    const view = this.#view;
    if (view === undefined) return effects;
    this.#inputCount++;
    if (input.type === "timer") this.#timers.delete(input.id);
    if (view.timerCount !== this.#timers.size) {
      this.#violate(
        `the driver holds ${view.timerCount} timers, the session set ${this.#timers.size}`,
      );
    }
    const previous = this.#connection;
    // The end of the client's current link, by the server or by the client (judged dead, or
    // never opened): whatever the client makes of it.
    if (input.type === "closed" && input.connection === previous) this.#linkDied();
    if (effects.some((effect) => effect.type === "close" && effect.connection === previous)) {
      this.#linkDied();
    }
    let expectation: FrameExpectation | undefined;
    let fed: Delivered | undefined;
    if (input.type === "frame") {
      this.stats.frames++;
      fed = this.#frameOf(input.connection, input.text);
      if (input.connection === previous) expectation = this.#fedOnCurrentLink(input.text, fed);
    }
    this.#feeding = fed;
    const emitted: KrakenEvent[] = [];
    for (const effect of effects) {
      switch (effect.type) {
        case "emit":
          if (effect.consumer === undefined) {
            emitted.push(effect.event);
            this.#check(effect.event);
            this.#ledger.owe(effect.event);
          } else this.#addressed(effect.event);
          break;
        case "open":
          this.#attempt();
          break;
        case "setTimer":
          this.#timers.add(effect.id);
          break;
        case "cancelTimer":
          this.#timers.delete(effect.id);
          break;
      }
    }
    this.#feeding = undefined;
    if (expectation !== undefined) {
      this.#checkFrameAnswered(expectation, fed?.corrupted ?? false, emitted);
    }
    const session = view.session;
    this.#checkStates();
    if (session.pendingRequests > 3 * session.subscriptionCount) {
      this.#violate(
        `${session.pendingRequests} requests pending for ${session.subscriptionCount} subscriptions`,
      );
    }
    // Connection timers, one resync timer per subscription: anything more is a leak.
    if (this.#timers.size > MAX_CONNECTION_TIMERS + session.subscriptionCount) {
      this.#violate(
        `${this.#timers.size} timers set for ${session.subscriptionCount} subscriptions`,
      );
    }
    this.#connection = session.connection;
    return effects;
  }

  /** Bookkeeping of a frame fed on the client's current link; what it obliges the client to do. */
  #fedOnCurrentLink(text: string, fed: Delivered | undefined): FrameExpectation | undefined {
    if (text === MALFORMED_FRAME || text.length > DEFAULT_MAX_FRAME_BYTES) this.#badFramesFed++;
    if (text === UNKNOWN_CHANNEL_FRAME) this.#unknownFramesFed++;
    if (fed === undefined) return undefined;
    const frame = fed.frame;
    if (frame.kind === "status") this.#toldMaintenance = text.includes('"system":"maintenance"');
    if (frame.book?.snapshot && frame.symbol !== undefined) {
      // A snapshot repairs the losses made before it, not one lost while it was on its way.
      const lostAt = this.#blindBelowTop.get(frame.symbol);
      if (lostAt !== undefined && lostAt < fed.serial) this.#blindBelowTop.delete(frame.symbol);
    }
    return this.#dataExpectation(frame);
  }

  /**
   * The client's link died. Each subscription that was receiving on it lost whatever was sent
   * until it is acknowledged on a new link: a `reconnect` gap is owed. Judged from the states
   * before the input that killed the link, since that input already moves them to `pending`.
   * Trades are the exception: their ids tell exactly what was lost, the snapshot asked for on
   * resubscribing recovers what it can, and what it cannot must lie in a `sequence` gap (held
   * against the ids when the run ends).
   */
  #linkDied(): void {
    for (const subscription of this.#watched.values()) {
      if (subscription.request.channel === "trade") continue;
      if (RECEIVING.has(subscription.state)) subscription.owesReconnectGap = true;
    }
  }

  #attempt(): void {
    const now = this.#clock.now();
    const attempts = this.#attempts;
    if (this.#closedAt !== undefined) {
      this.#violate("a connection attempt after the client closed for good");
    }
    const last = attempts.at(-1);
    if (this.#toldMaintenance && last !== undefined && now - last < 5000) {
      this.#violate(`attempts ${now - last} ms apart during maintenance`);
    }
    if (last === now) this.#violate("two connection attempts at the same instant");
    attempts.push(now);
    const window = attempts.filter((at) => at > now - RECONNECT_DEFAULTS.attemptWindowMs);
    if (window.length > RECONNECT_DEFAULTS.maxAttempts) {
      this.#violate("over the connection attempt budget");
    }
    this.stats.connections++;
  }

  /** The watched subscriptions of `channel` and `symbol` (and `interval`, when given). */
  #watchedFor(
    channel: DataChannel | undefined,
    symbol: string | undefined,
    interval?: number,
  ): readonly WatchedSubscription[] {
    const found = this.#byTopic.get(`${channel}|${symbol}`) ?? [];
    return interval === undefined
      ? found
      : found.filter((subscription) =>
        subscription.request.channel !== "ohlc" || subscription.request.interval === interval
      );
  }

  /** A data event of `channel` and `symbol`: none may come while a reconnect gap is owed. */
  #checkResumedData(channel: DataChannel, symbol: string, interval?: number): void {
    for (const subscription of this.#watchedFor(channel, symbol, interval)) {
      if (!subscription.owesReconnectGap) continue;
      this.#violate(`${subscription.key} delivered data after a reconnect without a reconnect gap`);
      subscription.owesReconnectGap = false;
    }
  }

  #check(event: KrakenEvent): void {
    switch (event.type) {
      case "book":
        this.stats.books++;
        this.#checkResumedData("book", event.symbol);
        this.#checkBook(event);
        return;
      case "trade": {
        this.stats.trades++;
        this.#checkResumedData("trade", event.symbol);
        const ids = this.#deliveredTrades.get(event.symbol) ?? [];
        if (ids.length > 0 && event.tradeId <= ids[ids.length - 1]) {
          this.#violate(
            `trade ${event.tradeId} of ${event.symbol} delivered out of order or twice`,
          );
        }
        ids.push(event.tradeId);
        this.#deliveredTrades.set(event.symbol, ids);
        return;
      }
      case "ticker":
        this.#checkResumedData("ticker", event.symbol);
        return;
      case "ohlc":
        this.#checkResumedData("ohlc", event.symbol, event.interval);
        return;
      case "gap": {
        this.stats.gaps++;
        if (event.reason === "checksum" || event.reason === "crossed") this.stats.resyncs++;
        if (event.reason === "sequence" && "fromTradeId" in event && event.symbol !== undefined) {
          const ranges = this.#sequenceGaps.get(event.symbol) ?? [];
          ranges.push([event.fromTradeId!, event.toTradeId!]);
          this.#sequenceGaps.set(event.symbol, ranges);
        }
        for (const subscription of this.#watchedFor(event.channel, event.symbol)) {
          subscription.lastGapAt = this.#inputCount;
          if (event.reason === "reconnect") subscription.owesReconnectGap = false;
        }
        if (event.reason === "decode") this.#badFramesFed--;
        return;
      }
      case "error":
        if (event.code === "unknown") this.#unknownFramesFed--;
        if (event.code === "internal") this.#violate(`the client failed: ${event.message}`);
        return;
      case "state":
        if (event.scope === "connection") {
          if (event.to === "closed") this.#closedAt = this.#clock.now();
          return;
        }
        for (const subscription of this.#watchedFor(event.channel, event.symbol)) {
          subscription.announced = event.to;
        }
        return;
      default:
        return;
    }
  }

  /** A book event is the book the frame being applied makes: valid, uncrossed, the truth. */
  #checkBook(event: BookEvent): void {
    const frame = this.#feeding?.frame;
    if (frame?.book === undefined || frame.symbol !== event.symbol) {
      this.#violate(`book event for ${event.symbol} without a book frame being applied`);
      return;
    }
    this.#checkValid(event);
    if (event.checksum !== frame.book.checksum) {
      this.#violate(`book event for ${event.symbol} fails its checksum`);
    }
    // Kraken's checksum covers the top 10 only: a loss below it cannot be seen until the next
    // snapshot, so there only the top 10 must match.
    const rows = this.#blindBelowTop.has(event.symbol) ? CHECKSUM_LEVELS : frame.book.depth;
    const before = this.#verified.get(event.symbol);
    const bids = sameLevels(event.bids, frame.book.bids, rows, before?.bids);
    const asks = bids && sameLevels(event.asks, frame.book.asks, rows, before?.asks);
    if (bids === undefined || asks === undefined) {
      this.#verified.delete(event.symbol);
      this.#violate(`book event for ${event.symbol} differs from the truth`);
    } else this.#verified.set(event.symbol, { bids, asks });
  }

  /** A book event matches its own checksum and is not crossed. */
  #checkValid(event: BookEvent): void {
    if (bookChecksum(event.asks, event.bids) !== event.checksum) {
      this.#violate(`book event for ${event.symbol} fails its checksum`);
    }
    if (
      event.bids.length > 0 && event.asks.length > 0 && event.bids[0].price >= event.asks[0].price
    ) {
      this.#violate(`book event for ${event.symbol} is crossed`);
    }
  }

  /**
   * An event the session addressed to one stream: the overflow gap of a stream that fell behind
   * (its loss is the stream's, not the subscription's: the stream accounts for it), or the book a
   * new stream starts from (valid, though no frame made it now).
   */
  #addressed(event: KrakenEvent): void {
    if (event.type === "gap" && event.reason === "overflow") return;
    if (event.type === "book") this.#checkValid(event);
    this.#addressedSeqs.add(event.seq);
  }

  /**
   * After each input: reads every subscription's state from the session and holds the client to
   * it. Leaving `synced` loses data, so a gap for that subscription must come before it is synced
   * again (the session's state cannot be bent by rewriting its events, so a client that hides
   * the gap cannot also hide the loss). A subscription that resumes after its link died must have
   * had its reconnect gap. And the `state` events must say what the session did.
   */
  #checkStates(): void {
    const session = this.#view!.session;
    for (const subscription of this.#watched.values()) {
      const state = session.subscriptionState(subscription.request);
      checkSubscriptionState(
        subscription,
        state,
        this.#inputCount,
        (message) => this.#violate(message),
      );
    }
  }

  /**
   * What a data frame about to be fed on the client's current link obliges the client to do,
   * from the state its subscription is in before the frame; undefined when nothing (no such
   * subscription, or one that legitimately does not apply data now: pending, resyncing, stale, a
   * book awaiting its snapshot that gets an update, or trades it already has).
   */
  #dataExpectation(frame: SimFrame): FrameExpectation | undefined {
    const symbol = frame.symbol;
    if (symbol === undefined) return undefined;
    switch (frame.kind) {
      case "book": {
        const state = this.#watchedFor("book", symbol)[0]?.state;
        const snapshot = frame.book?.snapshot === true;
        const applied = frame.book !== undefined &&
          (state === "synced" || (state === "awaiting_snapshot" && snapshot));
        return applied ? { kind: "book", symbol, state } : undefined;
      }
      case "trade": {
        if (this.#watchedFor("trade", symbol)[0]?.state !== "synced") return undefined;
        // Trades it already delivered are not news: a repeat may produce nothing.
        const last = this.#deliveredTrades.get(symbol)?.at(-1);
        const news = (frame.tradeIds ?? []).some((id) => last === undefined || id > last);
        return news ? { kind: "trade", symbol, state: "synced" } : undefined;
      }
      case "ticker":
      case "ohlc": {
        const interval = frame.kind === "ohlc" ? candleInterval(frame.text) : undefined;
        const state = this.#watchedFor(frame.kind, symbol, interval)[0]?.state;
        return state === "synced" ? { kind: frame.kind, symbol, state, interval } : undefined;
      }
      default:
        return undefined;
    }
  }

  /** Holds the events of the input that fed a data frame to what the frame obliged. */
  #checkFrameAnswered(
    expected: FrameExpectation,
    corrupted: boolean,
    events: readonly KrakenEvent[],
  ): void {
    const { kind, symbol, state } = expected;
    const gapFor = (reasons?: readonly string[]) =>
      events.some((event) =>
        event.type === "gap" && event.channel === kind && event.symbol === symbol &&
        (reasons === undefined || reasons.includes(event.reason))
      );
    switch (kind) {
      case "book":
        if (corrupted) {
          // The exchange knows this frame's checksum is wrong: an applied book must fail it.
          if (!gapFor(["checksum"])) {
            this.#violate(
              `corrupted book frame for ${symbol} fed while ${state} made no checksum gap`,
            );
          }
        } else if (
          !events.some((event) => event.type === "book" && event.symbol === symbol) && !gapFor()
        ) {
          this.#violate(
            `book frame for ${symbol} fed while ${state} made neither a book event nor a gap`,
          );
        }
        return;
      case "trade":
        if (
          !events.some((event) => event.type === "trade" && event.symbol === symbol) &&
          !gapFor(["sequence"])
        ) {
          this.#violate(
            `new trades for ${symbol} fed while synced made neither a trade nor a sequence gap`,
          );
        }
        return;
      case "ticker":
      case "ohlc":
        if (
          !events.some((event) =>
            event.type === kind && event.symbol === symbol &&
            (event.type !== "ohlc" || expected.interval === undefined ||
              event.interval === expected.interval)
          )
        ) {
          this.#violate(`${kind} frame for ${symbol} fed while synced made no ${kind} event`);
        }
        return;
    }
  }

  /** The checks that need the whole run: call once every stream read to its end. */
  finish(): void {
    // Loss must be covered: every trade id between the first and last delivered was delivered or
    // lies in a sequence gap.
    for (const [symbol, ids] of this.#deliveredTrades) {
      const covered = new Set(ids);
      for (const [from, to] of this.#sequenceGaps.get(symbol) ?? []) {
        for (let id = from; id <= to; id++) covered.add(id);
      }
      for (let id = ids[0]; id <= ids[ids.length - 1]; id++) {
        if (!covered.has(id)) {
          this.#violate(`trade ${id} of ${symbol} was lost without a gap`);
          break;
        }
      }
    }
    if (this.#badFramesFed > 0) {
      this.#violate(`${this.#badFramesFed} undecodable frames without a decode gap`);
    }
    if (this.#unknownFramesFed > 0) {
      this.#violate(`${this.#unknownFramesFed} unknown frames without an error event`);
    }
    this.#ledger.finish();
  }
}

// ---- the authenticated side -----------------------------------------------------------------

/**
 * The most a frame can take on a link: the `slow` fault's delay. A frame never overtakes an
 * earlier one, so one that arrives more than this after a moment was sent after that moment.
 */
const MAX_FRAME_DELAY_MS = 200;

/** The trading methods, as sent. */
const TRADING_METHOD_NAMES: ReadonlySet<string> = new Set(TRADING_METHODS);

/** The methods that place orders: each of their `cl_ord_id`s may reach the exchange once. */
const PLACING: ReadonlySet<string> = new Set(["add_order", "batch_add"]);

/** Order statuses after which an order is no longer open. */
const CLOSED_STATUSES: ReadonlySet<string> = new Set(["filled", "canceled", "expired"]);

/** One trading request of the client, from the call to its settlement. */
interface TrackedOrder {
  /** The driver's order, as the session was handed it. */
  readonly order: TradingOrder;
  /** What its send begins with, up to its token. */
  readonly prefix: string;
  /** The trader's call, for messages. */
  label: string;
  /** The `cl_ord_id`s it places. */
  clOrdIds: readonly string[];
  /** Its `req_id`, once sent. */
  reqId: number | undefined;
  /** Times it was sent. */
  sends: number;
  /** Its settlements, as the session made them. */
  readonly settles: TradingOutcome["status"][];
  /** What the caller's promise did. */
  result:
    | { readonly status: "resolved"; readonly value: unknown }
    | { readonly status: "rejected"; readonly error: unknown }
    | undefined;
}

/** The exchange's answer to one trading request, or one of its answers. */
interface ExchangeReply {
  readonly success: boolean;
  readonly result: unknown;
  readonly error: string | undefined;
}

/** A frame a private connection delivered, waiting for the client to take it. */
interface PrivateDelivered {
  readonly text: string;
  readonly frame: SimFrame;
  /** When it arrived. */
  readonly at: number;
  /** Its place among every frame the exchange made. */
  readonly serial: number;
}

/**
 * One account channel as the checks follow its messages. A segment is what a consumer rebuilds
 * from: a snapshot delivered, then each next message of the same subscription, by `sequence`.
 */
interface AccountFeed {
  readonly channel: "executions" | "balances";
  readonly request: UnkeyedRequest;
  /** The session's state of it after the last input. */
  state: SubscriptionState | undefined;
  /** The segment being delivered: the exchange connection and the last sequence delivered. */
  segment: { readonly connection: number; last: number } | undefined;
  /** Whether any message was delivered yet. */
  delivered: boolean;
  /** Whether a gap of the channel was emitted since the last message delivered. */
  gapSince: boolean;
}

/** An open order as a consumer rebuilds it from `executions`, and as the exchange holds it. */
interface OpenOrderView {
  readonly qty: string | undefined;
  readonly filled: string | undefined;
  readonly price: string | undefined;
}

/** Whether a quantity's text is zero. */
function isZero(text: string): boolean {
  return /^0*\.?0*$/.test(text);
}

/** One open order, for messages and comparisons. */
function showOrder(id: string, order: OpenOrderView): string {
  return `${id} (qty ${order.qty}, filled ${order.filled ?? "0"}, price ${order.price})`;
}

/** The hooks of the authenticated connection's driver a run may rewrite. */
type AccountTamper = NonNullable<Tamper["account"]>;

/**
 * The checks of the authenticated side of one run: the trading requests sent once and settled
 * once, as the exchange saw them; the account channels' messages each delivered or reported lost;
 * the open orders a consumer rebuilds from `executions` held against the exchange's. Give
 * {@link AccountInvariants.probe} to the client as its account probe, report every private
 * socket it makes ({@link AccountInvariants.socketMade}) and every output of a private connection
 * ({@link AccountInvariants.observe}), track every trading call
 * ({@link AccountInvariants.track}), call {@link AccountInvariants.step} after each moment, and
 * {@link AccountInvariants.finish} at the end.
 *
 * @example
 * ```ts
 * import { AccountInvariants, Invariants } from "./invariants.ts";
 * import { VirtualClock } from "../core/virtual_clock.ts";
 * import { Account } from "../exchange/account.ts";
 * const clock = new VirtualClock(0);
 * const invariants = new Invariants(clock);
 * const account = new AccountInvariants(clock, invariants);
 * account.finish(new Account({ apiKey: "k", apiSecret: "c2VjcmV0" }, undefined, 1));
 * console.log(invariants.violations); // []
 * ```
 */
export class AccountInvariants {
  /** The hooks to give the authenticated connection's driver. */
  readonly probe: DriverProbe;
  readonly #clock: { now(): number };
  readonly #invariants: Invariants;
  readonly #tamper: AccountTamper;
  #view: DriverView | undefined;
  readonly #ledger: StreamLedger;
  /** Every event the driver emitted or addressed, by `seq`: how a merged stream's are told apart. */
  readonly #seqs = new Set<number>();
  /** Events addressed to one stream. */
  readonly #addressed = new Set<number>();
  /** The exchange connection each client connection is. */
  readonly #exchangeOf = new Map<number, number>();
  readonly #delivered = new Map<number, Fifo<PrivateDelivered>>();
  /** `executions` messages the exchange lost, per connection, the client has not yet seen past. */
  readonly #losses = new Map<number, { readonly serial: number; readonly sequence: number }[]>();
  /** The client's connection after the last input. */
  #connection = 0;
  /** When the last frame the client took on its current link arrived, and on which connection. */
  #lastFed: { readonly connection: number; readonly at: number } | undefined;
  readonly #feeds: Record<"executions" | "balances", AccountFeed> = {
    executions: this.#feed("executions"),
    balances: this.#feed("balances"),
  };
  /** The driver's trading orders, by id. */
  readonly #orders = new Map<number, TrackedOrder>();
  /** Orders not sent yet, in the order asked. */
  readonly #unsent: TrackedOrder[] = [];
  /** The last order the session was handed and no call claimed yet. */
  #unclaimed: TrackedOrder | undefined;
  /** Sent requests by `req_id`: a trader's order, or the dead man's switch's. */
  readonly #sent = new Map<number, TrackedOrder | "switch">();
  /** The exchange's answers, by `req_id`. */
  readonly #replies = new Map<number, ExchangeReply[]>();
  /** Calls refused before anything was asked of the session. */
  readonly #refusedAtCall: string[] = [];
  /** The open orders the `executions` stream's reader rebuilt. */
  readonly #rebuilt = new Map<string, OpenOrderView>();
  #rebuiltVersion = 0;
  /** The `executions` stream overflowed since its last snapshot: the consumer cannot rebuild. */
  #overflowed = false;
  /** The exchange's open orders as last seen, and when they last changed. */
  #truth: { readonly print: string; readonly since: number } = { print: "", since: 0 };
  /** What was last compared: nothing again until one side changes. */
  #compared = "";
  #executionsWatch: { readonly owing: () => number } | undefined;

  /**
   * Creates the checks of a run's authenticated side.
   *
   * @param clock The run's clock.
   * @param invariants The run's checks: violations and counters go there.
   * @param tamper A lie to tell on the authenticated connection, to test the checks.
   */
  constructor(clock: { now(): number }, invariants: Invariants, tamper: AccountTamper = {}) {
    this.#clock = clock;
    this.#invariants = invariants;
    this.#tamper = tamper;
    this.#ledger = new StreamLedger(
      (message) => this.#violate(message),
      (seq) => this.#addressed.has(seq),
    );
    this.probe = {
      attached: (view) => this.#view = view,
      effects: (input, effects) => this.#effects(input, effects),
      ...(tamper.deliver === undefined ? {} : { deliver: tamper.deliver }),
    };
  }

  #feed(channel: "executions" | "balances"): AccountFeed {
    return {
      channel,
      request: { channel },
      state: undefined,
      segment: undefined,
      delivered: false,
      gapSince: false,
    };
  }

  #violate(message: string): void {
    this.#invariants.report(message);
  }

  /**
   * Whether the authenticated connection's driver emitted event `seq`: `events()` merges both
   * connections' events, each in its own order.
   *
   * @param seq The event's number.
   * @returns Whether it is this driver's.
   */
  owns(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /**
   * A stream of the authenticated connection about to be opened: `executions`, `balances`, or
   * (none) its part of `events()`. What the `executions` stream delivers is also what the
   * checks rebuild the open orders from, as a consumer would.
   *
   * @param name For messages.
   * @param channel The stream's channel.
   * @returns Where to report what it delivers.
   */
  watchStream(name: string, channel?: "executions" | "balances"): StreamWatch {
    const watch = this.#ledger.watch({ name, channel, symbols: new Set(), interval: undefined });
    if (channel !== "executions") return watch;
    this.#executionsWatch = watch;
    return {
      read: (event) => {
        watch.read(event);
        if (event.type === "executions") this.#rebuild(event);
        // What the stream dropped is lost to the consumer until the next snapshot.
        if (event.type === "gap" && event.reason === "overflow") this.#overflowed = true;
      },
    };
  }

  /** A consumer's open orders: a snapshot replaces them; updates merge by order id. */
  #rebuild(event: ExecutionsEvent): void {
    const orders = this.#rebuilt;
    if (event.snapshot) {
      orders.clear();
      this.#overflowed = false;
    }
    for (const execution of event.executions) {
      // A snapshot's fills (`snap_trades`) are history, not orders.
      if (event.snapshot && execution.execType === "trade") continue;
      const status = execution.orderStatus;
      if (status !== undefined && CLOSED_STATUSES.has(status)) {
        orders.delete(execution.orderId);
        continue;
      }
      const known = orders.get(execution.orderId);
      orders.set(execution.orderId, {
        qty: execution.orderQtyText ?? known?.qty,
        filled: execution.cumQtyText ?? known?.filled,
        price: execution.limitPriceText ?? known?.price,
      });
    }
    this.#rebuiltVersion++;
  }

  /**
   * The client made a socket to the authenticated endpoint: exchange connection `connection` is
   * its session's current connection (a socket is only made for the connection being opened).
   *
   * @param connection The exchange's number of the connection.
   */
  socketMade(connection: number): void {
    const session = this.#view?.session;
    if (session !== undefined) this.#exchangeOf.set(session.connection, connection);
  }

  /**
   * An output of a private connection, as the exchange's driver carried it out.
   *
   * @param output The output.
   */
  observe(output: ExchangeOutput): void {
    if (output.type === "fault") this.#invariants.stats.faults++;
    if (output.type !== "deliver" && output.type !== "lost") return;
    if (output.frame.kind === "reply" && output.frame.text.includes('"req_id"')) {
      this.#reply(output.frame.text);
    }
    if (output.type !== "deliver") {
      this.#invariants.stats.faults++;
      if (output.frame.kind === "executions") {
        // Lost on its way: the client cannot know until the next message shows the jump.
        const losses = this.#losses.get(output.connection) ?? [];
        losses.push({ serial: output.serial, sequence: output.frame.sequence ?? 0 });
        this.#losses.set(output.connection, losses);
      }
      return;
    }
    let queue = this.#delivered.get(output.connection);
    if (queue === undefined) this.#delivered.set(output.connection, queue = new Fifo());
    queue.push({ text: output.text, frame: output.frame, at: output.at, serial: output.serial });
  }

  /** The exchange answered a request (delivered or lost): its answer is the truth. */
  #reply(text: string): void {
    let parsed: {
      method?: unknown;
      req_id?: unknown;
      success?: unknown;
      result?: unknown;
      error?: unknown;
    };
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof parsed.method !== "string" || !TRADING_METHOD_NAMES.has(parsed.method)) return;
    if (typeof parsed.req_id !== "number") return;
    const replies = this.#replies.get(parsed.req_id) ?? [];
    replies.push({
      success: parsed.success === true,
      result: parsed.result,
      error: typeof parsed.error === "string" ? parsed.error : undefined,
    });
    this.#replies.set(parsed.req_id, replies);
  }

  /**
   * A trading call the trader just made (synchronously after calling it): its promise is held to
   * the exchange's truth.
   *
   * @param label The call, for messages.
   * @param clOrdIds The `cl_ord_id`s it places.
   * @param promise Its promise.
   */
  track(label: string, clOrdIds: readonly string[], promise: Promise<unknown>): void {
    const tracked = this.#unclaimed;
    this.#unclaimed = undefined;
    this.#invariants.stats.tradingCalls++;
    if (tracked === undefined) {
      // Refused before anything was asked of the session: its parameters did not check.
      this.#refusedAtCall.push(label);
      promise.then(
        () => this.#violate(`${label} resolved, though the session was never asked to send it`),
        () => {},
      );
      return;
    }
    tracked.label = label;
    tracked.clOrdIds = clOrdIds;
    promise.then(
      (value) => tracked.result = { status: "resolved", value },
      (error) => tracked.result = { status: "rejected", error },
    );
  }

  // ---- each input ------------------------------------------------------------------------------

  #effects(input: SessionInput, given: SessionEffect[]): SessionEffect[] {
    const effects = this.#tamper.effects === undefined ? given : this.#tamper.effects(input, given);
    const view = this.#view;
    if (view === undefined) return effects;
    const current = this.#connection;
    if (input.type === "order") this.#ordered(input.order);
    let fed: PrivateDelivered | undefined;
    if (input.type === "frame") {
      fed = this.#frameOf(input.connection, input.text);
      if (input.connection !== current) fed = undefined;
      const exchange = this.#exchangeOf.get(input.connection);
      if (fed !== undefined && exchange !== undefined) {
        this.#lastFed = { connection: exchange, at: fed.at };
      }
    }
    const linkDied = (input.type === "closed" && input.connection === current) ||
      effects.some((effect) => effect.type === "close" && effect.connection === current);
    const events: KrakenEvent[] = [];
    for (const effect of effects) {
      switch (effect.type) {
        case "emit":
          this.#seqs.add(effect.event.seq);
          if (effect.consumer === undefined) {
            events.push(effect.event);
            this.#ledger.owe(effect.event);
            if (effect.event.type === "error" && effect.event.code === "internal") {
              this.#violate(`the authenticated connection failed: ${effect.event.message}`);
            }
          } else this.#addressed.add(effect.event.seq);
          break;
        case "send":
          this.#sentText(effect.text);
          break;
        case "open":
          this.#invariants.stats.connections++;
          break;
        case "settle":
          this.#settled(effect.id, effect.outcome);
          break;
      }
    }
    const exchange = this.#exchangeOf.get(current);
    for (const feed of Object.values(this.#feeds)) {
      this.#follow(feed, fed?.frame.kind === feed.channel ? fed : undefined, exchange, events);
      if (linkDied) feed.segment = undefined;
    }
    for (const feed of Object.values(this.#feeds)) {
      feed.state = view.session.subscriptionState(feed.request);
    }
    this.#connection = view.session.connection;
    return effects;
  }

  /** The frame the client is taking on `connection`: the next one its exchange connection sent. */
  #frameOf(connection: number, text: string): PrivateDelivered | undefined {
    const exchange = this.#exchangeOf.get(connection);
    const queue = exchange === undefined ? undefined : this.#delivered.get(exchange);
    for (let head = queue?.shift(); head !== undefined; head = queue!.shift()) {
      if (head.text === text) return head;
    }
    return undefined;
  }

  /**
   * Holds one input's events of an account channel to its messages. Each message fed on the
   * current link while the subscription is synced is delivered as the next of its segment, or
   * its loss reported: a jump in `sequence` as a `sequence` gap naming exactly the messages
   * missing. A segment ends with any gap or with its link; the next starts with a snapshot, and
   * only after a gap of the channel: a consumer never rebuilds across a loss it was not told of.
   */
  #follow(
    feed: AccountFeed,
    fed: PrivateDelivered | undefined,
    connection: number | undefined,
    events: readonly KrakenEvent[],
  ): void {
    const channel = feed.channel;
    const frame = fed;
    const sequence = frame?.frame.sequence;
    const segment = feed.segment;
    const synced = feed.state === "synced";
    // The segment this frame continues, if it does: the session was synced on it.
    const onSegment = synced && segment !== undefined && segment.connection === connection;
    // Synced with nothing delivered on it yet: its messages count from 1, its snapshot.
    const next = onSegment ? segment.last + 1 : synced && segment === undefined ? 1 : undefined;
    const jumped = next !== undefined && sequence !== undefined && sequence > next;
    let delivered = false;
    let gapped = false;
    for (const event of events) {
      if (event.type === "gap" && event.channel === channel) {
        gapped = true;
        feed.gapSince = true;
        if (event.reason === "sequence") {
          // The messages skipped, and the one that showed the jump (not delivered either).
          const from = next;
          const to = sequence;
          if (!jumped || event.fromSequence !== from || event.toSequence !== to) {
            this.#violate(
              `${channel} sequence gap ${event.fromSequence}..${event.toSequence} names what was ` +
                `not lost (${
                  jumped ? `${from}..${to}` : "nothing"
                } was, on connection ${connection})`,
            );
          }
        }
        feed.segment = undefined;
        continue;
      }
      if (event.type !== channel) continue;
      const seq = (event as ExecutionsEvent | BalancesEvent).sequence;
      const snapshot = (event as ExecutionsEvent | BalancesEvent).snapshot;
      if (frame === undefined || delivered) {
        this.#violate(`${channel} seq ${seq} delivered, but no message of it was taken then`);
        continue;
      }
      delivered = true;
      const isSnapshot = /"type":"snapshot"/.test(frame.text);
      if (seq !== sequence || snapshot !== isSnapshot) {
        this.#violate(
          `${channel} message seq ${sequence} delivered as seq ${seq}${
            snapshot === isSnapshot ? "" : `, snapshot ${snapshot}`
          }`,
        );
      }
      if (snapshot) {
        if (feed.delivered && !feed.gapSince) {
          this.#violate(
            `${channel} snapshot (seq ${seq}, connection ${connection}) delivered with no gap ` +
              `since the last message delivered: what came between was lost unreported`,
          );
        }
        feed.segment = { connection: connection ?? 0, last: seq };
      } else {
        const now = feed.segment;
        if (now === undefined) {
          this.#violate(
            `${channel} update seq ${seq} delivered with no snapshot before it on its subscription`,
          );
        } else if (now.connection !== connection || seq !== now.last + 1) {
          this.#violate(
            `${channel} seq ${seq} (connection ${connection}) delivered after seq ${now.last} ` +
              `(connection ${now.connection})`,
          );
        }
        feed.segment = { connection: connection ?? 0, last: seq };
      }
      feed.delivered = true;
      feed.gapSince = false;
      if (channel === "executions" && connection !== undefined) {
        const losses = this.#losses.get(connection);
        // A snapshot comes after what its subscription's predecessor lost; an update after
        // what its own subscription lost before it.
        const past = (loss: { serial: number; sequence: number }) =>
          snapshot ? loss.serial < frame.serial : loss.sequence < seq;
        if (losses !== undefined) {
          this.#losses.set(
            connection,
            losses.filter((loss) => !past(loss)),
          );
        }
      }
    }
    if (frame === undefined || sequence === undefined || delivered || !synced) return;
    // Taken while synced, not delivered: a repeat, a jump (whose gap was checked above), or lost.
    if (onSegment && sequence <= segment.last) return;
    if (jumped) {
      if (!gapped) {
        this.#violate(
          `${channel} messages ${next}..${sequence - 1} lost on connection ` +
            `${connection} without a sequence gap`,
        );
      }
    } else if (!gapped) {
      this.#violate(
        `${channel} message seq ${sequence} taken while synced was neither delivered nor ` +
          `reported in a gap`,
      );
    }
    feed.segment = undefined;
  }

  // ---- trading ---------------------------------------------------------------------------------

  #ordered(order: TradingOrder): void {
    const inner = order.params.trim().slice(1, -1).trim();
    const tracked: TrackedOrder = {
      order,
      prefix: `{"method":${JSON.stringify(order.method)},"params":{${
        inner === "" ? "" : `${inner},`
      }"token":`,
      label: `order #${order.id} ${order.method}`,
      clOrdIds: [],
      reqId: undefined,
      sends: 0,
      settles: [],
      result: undefined,
    };
    this.#orders.set(order.id, tracked);
    this.#unsent.push(tracked);
    this.#unclaimed = tracked;
  }

  /** A frame the client sent: a trading request is some call's, sent once. */
  #sentText(text: string): void {
    const method = /^\{"method":"([a-z_]+)"/.exec(text)?.[1];
    if (method === undefined || !TRADING_METHOD_NAMES.has(method)) return;
    const reqId = Number(/"req_id":(\d+)\}$/.exec(text)?.[1]);
    const known = this.#sent.get(reqId);
    if (known !== undefined) {
      const label = known === "switch" ? `dead man's switch req_id ${reqId}` : known.label;
      if (known !== "switch") known.sends++;
      this.#violate(`${label} sent again (req_id ${reqId})`);
      return;
    }
    const index = this.#unsent.findIndex((tracked) => text.startsWith(tracked.prefix));
    if (index < 0) {
      if (method === "cancel_all_orders_after") this.#sent.set(reqId, "switch");
      else this.#violate(`a ${method} request (req_id ${reqId}) was sent that no call asked for`);
      return;
    }
    const [tracked] = this.#unsent.splice(index, 1);
    tracked.reqId = reqId;
    tracked.sends++;
    this.#sent.set(reqId, tracked);
  }

  #settled(id: number, outcome: TradingOutcome): void {
    const tracked = this.#orders.get(id);
    if (tracked === undefined) {
      this.#violate(`order #${id} settled, but no call made it`);
      return;
    }
    tracked.settles.push(outcome.status);
    if (tracked.settles.length > 1) {
      this.#violate(`${tracked.label} settled ${tracked.settles.length} times`);
    }
    if (outcome.status === "unsent") {
      if (tracked.sends > 0) this.#violate(`${tracked.label} settled as never sent, but was sent`);
      const index = this.#unsent.indexOf(tracked);
      if (index >= 0) this.#unsent.splice(index, 1);
    } else if (tracked.sends === 0) {
      this.#violate(`${tracked.label} settled as ${outcome.status}, but was never sent`);
    }
  }

  // ---- the open orders -------------------------------------------------------------------------

  /**
   * After each moment: at a quiescent point the open orders the `executions` stream's reader
   * rebuilt are the exchange's, id for id, with the exact text of quantity, filled quantity and
   * price. Quiescent: the executions subscription synced with a snapshot delivered on the current
   * link, nothing lost since, every event read, and a frame taken on that link that left the
   * exchange after its open orders last changed (so every message of that change came before it).
   *
   * @param account The exchange's account.
   */
  step(account: Account): void {
    const now = this.#clock.now();
    const truth = new Map<string, OpenOrderView>();
    for (const order of account.openOrders()) {
      truth.set(order.orderId, { qty: order.qty, filled: order.filled, price: order.price });
    }
    const print = [...truth].map(([id, order]) => showOrder(id, order)).sort().join(", ");
    if (print !== this.#truth.print) this.#truth = { print, since: now };
    const feed = this.#feeds.executions;
    const connection = this.#exchangeOf.get(this.#connection);
    const lastFed = this.#lastFed;
    const quiescent = feed.state === "synced" && feed.segment !== undefined &&
      feed.segment.connection === connection && lastFed?.connection === connection &&
      lastFed.at > this.#truth.since + MAX_FRAME_DELAY_MS &&
      (this.#losses.get(connection)?.length ?? 0) === 0 &&
      (this.#executionsWatch?.owing() ?? 0) === 0 && !this.#overflowed;
    if (!quiescent) return;
    const compared = `${this.#rebuiltVersion}|${print}`;
    if (compared === this.#compared) return;
    this.#compared = compared;
    this.#invariants.stats.openOrderChecks++;
    const differences: string[] = [];
    for (const [id, order] of truth) {
      const rebuilt = this.#rebuilt.get(id);
      if (rebuilt === undefined) {
        differences.push(`missing ${showOrder(id, order)}`);
        continue;
      }
      const filled = rebuilt.filled === undefined
        ? isZero(order.filled!)
        : rebuilt.filled === order.filled;
      if (rebuilt.qty !== order.qty || rebuilt.price !== order.price || !filled) {
        differences.push(`${showOrder(id, rebuilt)} is ${showOrder(id, order)}`);
      }
    }
    for (const [id, rebuilt] of this.#rebuilt) {
      if (!truth.has(id)) differences.push(`extra ${showOrder(id, rebuilt)}`);
    }
    if (differences.length > 0) {
      this.#violate(
        `open orders rebuilt from executions differ from the exchange's: ` +
          differences.slice(0, 3).join("; "),
      );
    }
  }

  // ---- the end ---------------------------------------------------------------------------------

  /**
   * The checks that need the whole run, once every stream was read to its end: each request the
   * exchange received was sent once by one call, each `cl_ord_id` placed once, and each call
   * settled once, as the exchange's truth has it.
   *
   * @param account The exchange's account.
   */
  finish(account: Account): void {
    this.#ledger.finish();
    const received = new Map<number, number>();
    const placed = new Map<string, number[]>();
    for (const record of account.requests) {
      if (record.reqId === undefined || !this.#sent.has(record.reqId)) {
        this.#violate(
          `the exchange received ${record.method} req_id ${record.reqId} on connection ` +
            `${record.connection}, which the client never sent`,
        );
        continue;
      }
      received.set(record.reqId, (received.get(record.reqId) ?? 0) + 1);
      if (!PLACING.has(record.method)) continue;
      for (const clOrdId of record.clOrdIds) {
        placed.set(clOrdId, [...placed.get(clOrdId) ?? [], record.connection]);
      }
    }
    for (const [clOrdId, connections] of placed) {
      if (connections.length > 1) {
        this.#violate(
          `cl_ord_id ${clOrdId} reached the exchange ${connections.length} times ` +
            `(connections ${connections.join(", ")})`,
        );
      }
    }
    for (const [reqId, sent] of this.#sent) {
      const count = received.get(reqId) ?? 0;
      if (count > 1) {
        const label = sent === "switch" ? "a dead man's switch request" : sent.label;
        this.#violate(`${label} (req_id ${reqId}) reached the exchange ${count} times`);
      }
    }
    for (const tracked of this.#orders.values()) this.#held(tracked, received);
  }

  /** One call, settled once, its outcome the exchange's truth. */
  #held(tracked: TrackedOrder, received: ReadonlyMap<number, number>): void {
    const label = tracked.label;
    if (tracked.settles.length === 0) this.#violate(`${label} was never settled`);
    const result = tracked.result;
    if (result === undefined) {
      this.#violate(`${label}: its promise never settled`);
      return;
    }
    const reached = tracked.reqId === undefined ? 0 : received.get(tracked.reqId) ?? 0;
    const replies = tracked.reqId === undefined ? [] : this.#replies.get(tracked.reqId) ?? [];
    if (result.status === "resolved") {
      if (reached === 0) {
        this.#violate(`${label} resolved, but the exchange never received it`);
        return;
      }
      if (replies.length === 0 || replies.some((reply) => !reply.success)) {
        this.#violate(`${label} resolved, but the exchange did not answer it with success`);
        return;
      }
      if (tracked.order.method === "add_order") {
        const orderId = (result.value as { orderId?: string }).orderId;
        const issued = replies.map((reply) => (reply.result as { order_id?: string }).order_id);
        if (orderId === undefined || !issued.includes(orderId)) {
          this.#violate(
            `${label} resolved with order ${orderId}, but the exchange placed ${issued.join(", ")}`,
          );
        }
      }
      return;
    }
    const error = result.error;
    if (error instanceof KrakenNotSentError) {
      if (reached > 0 || tracked.sends > 0) {
        this.#violate(`${label} rejected as not sent, but the exchange received it`);
      }
    } else if (error instanceof KrakenRequestError) {
      if (!replies.some((reply) => !reply.success && reply.error === error.message)) {
        this.#violate(
          `${label} refused with "${error.message}", which the exchange did not answer it`,
        );
      }
    } else if (!(error instanceof KrakenOutcomeUnknownError)) {
      this.#violate(`${label} failed with ${error}`);
    }
  }
}

// ---- level 3 ---------------------------------------------------------------------------------

/** An order as the checks' model of a level 3 book holds it: what an event's order is held to. */
interface TruthOrder {
  readonly orderId: string;
  readonly limitPriceText: string;
  readonly orderQtyText: string;
}

/** A price level of the model; `version` counts its changes (an unchanged one is not compared). */
interface TruthLevel {
  readonly price: number;
  readonly priceText: string;
  readonly orders: TruthOrder[];
  version: number;
  /** The level of an event last found equal to it, and its version then. */
  shown?: Level3PriceLevel;
  shownVersion?: number;
}

/** An order event read from a level 3 frame. */
interface ParsedOrder extends TruthOrder {
  readonly event: string | undefined;
}

/** A level 3 frame, read. */
interface ParsedLevel3 {
  readonly symbol: string;
  readonly snapshot: boolean;
  readonly bids: readonly ParsedOrder[];
  readonly asks: readonly ParsedOrder[];
}

/** One order of a frame, in the exchange's own layout (`level3Frame`): texts kept exactly. */
const ORDER_PATTERN =
  /\{(?:"event":"([a-z]+)",)?"order_id":"([^"]*)","limit_price":([^,}]+),"order_qty":([^,}]+)/g;

function parsedOrders(text: string): ParsedOrder[] {
  const orders: ParsedOrder[] = [];
  for (const match of text.matchAll(ORDER_PATTERN)) {
    orders.push({
      event: match[1],
      orderId: match[2],
      limitPriceText: match[3],
      orderQtyText: match[4],
    });
  }
  return orders;
}

/**
 * Reads a level 3 frame the exchange made, from its text, not through the client's decoder: the
 * checks keep their own model of each book, independent of the client's.
 */
function parseLevel3(text: string): ParsedLevel3 | undefined {
  const symbol = /"symbol":"([^"]*)"/.exec(text)?.[1];
  const bids = text.indexOf('"bids":[');
  const asks = text.indexOf('],"asks":[', bids);
  const end = text.indexOf('],"checksum":', asks);
  if (symbol === undefined || bids < 0 || asks < 0 || end < 0) return undefined;
  return {
    symbol,
    snapshot: text.startsWith('{"channel":"level3","type":"snapshot"'),
    bids: parsedOrders(text.slice(bids + '"bids":['.length, asks)),
    asks: parsedOrders(text.slice(asks + '],"asks":['.length, end)),
  };
}

/** One side of the model: levels best first. */
class TruthSide {
  readonly levels: TruthLevel[] = [];
  readonly #bids: boolean;

  constructor(bids: boolean) {
    this.#bids = bids;
  }

  /** Where a level of `price` is, or would go. */
  #search(price: number): number {
    const levels = this.levels;
    let low = 0;
    let high = levels.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = levels[middle].price;
      if (this.#bids ? at > price : at < price) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The level of `price`, made (empty) when there is none. */
  levelFor(price: number, priceText: string): TruthLevel {
    const at = this.#search(price);
    const found = this.levels[at];
    if (found?.price === price) return found;
    const level: TruthLevel = { price, priceText, orders: [], version: 0 };
    this.levels.splice(at, 0, level);
    return level;
  }

  remove(level: TruthLevel): void {
    const at = this.#search(level.price);
    if (this.levels[at] === level) this.levels.splice(at, 1);
  }
}

/**
 * The checks' model of one level 3 subscription on one exchange connection: every level 3 frame
 * the exchange made for it, delivered or lost, applied in the order made and cut to the depth, as
 * a client that missed nothing holds it. Held to the exchange's oracle (order count, checksum) at
 * every frame the client takes, and the client's events held to it.
 */
class Level3Truth {
  readonly depth: number;
  bids = new TruthSide(true);
  asks = new TruthSide(false);
  #where = new Map<string, { readonly side: TruthSide; readonly level: TruthLevel }>();
  /** The serial of an update lost since its last snapshot: the client may not know of it yet. */
  lostSince: number | undefined;
  /**
   * Not held to anything until its next snapshot: it missed one (a frame the exchange made while
   * the link was stalled is never sent), or disagreed with the exchange's oracle.
   */
  unknown: boolean;

  constructor(depth: number, snapshot: boolean) {
    this.depth = depth;
    this.unknown = !snapshot;
  }

  /** Orders held. */
  get count(): number {
    return this.#where.size;
  }

  /** Applies one frame: a snapshot replaces the book; an update's events apply in order. */
  apply(frame: ParsedLevel3, lost: boolean, serial: number): void {
    if (frame.snapshot) {
      this.bids = new TruthSide(true);
      this.asks = new TruthSide(false);
      this.#where = new Map();
      this.lostSince = undefined;
      this.unknown = false;
    } else if (lost) this.lostSince ??= serial;
    for (const order of frame.bids) this.#event(this.bids, order);
    for (const order of frame.asks) this.#event(this.asks, order);
    this.#cut(this.bids);
    this.#cut(this.asks);
  }

  /** Kraken's level 3 checksum of the model (it reads only the texts of the top 10 levels). */
  checksum(): number {
    const top = (side: TruthSide) =>
      side.levels.slice(0, CHECKSUM_LEVELS) as unknown as Level3PriceLevel[];
    return level3Checksum(top(this.asks), top(this.bids));
  }

  #event(side: TruthSide, order: ParsedOrder): void {
    const held = this.#where.get(order.orderId);
    const qty = Number(order.orderQtyText);
    const price = Number(order.limitPriceText);
    const kept: TruthOrder = {
      orderId: order.orderId,
      limitPriceText: order.limitPriceText,
      orderQtyText: order.orderQtyText,
    };
    if (order.event === "delete") {
      if (held !== undefined) this.#remove(order.orderId, held.side, held.level);
      return;
    }
    if (order.event === "modify") {
      if (held === undefined) return;
      if (held.side === side && held.level.price === price && qty > 0) {
        // A modify keeps the order's place in its queue.
        const level = held.level;
        level.orders[level.orders.findIndex((old) => old.orderId === order.orderId)] = kept;
        level.version++;
        return;
      }
    }
    if (held !== undefined) this.#remove(order.orderId, held.side, held.level);
    if (!(qty > 0)) return;
    const level = side.levelFor(price, order.limitPriceText);
    level.orders.push(kept);
    level.version++;
    this.#where.set(order.orderId, { side, level });
  }

  #remove(orderId: string, side: TruthSide, level: TruthLevel): void {
    level.orders.splice(level.orders.findIndex((order) => order.orderId === orderId), 1);
    level.version++;
    this.#where.delete(orderId);
    if (level.orders.length === 0) side.remove(level);
  }

  /** A level pushed below the depth is cut, as the client cuts it (Kraken sends nothing). */
  #cut(side: TruthSide): void {
    while (side.levels.length > this.depth) {
      for (const order of side.levels.pop()!.orders) this.#where.delete(order.orderId);
    }
  }
}

/** One level 3 subscription the run asked for, as the checks follow it. */
interface Level3Watched extends WatchedSubscription {
  /** When a frame of it with a corrupted checksum was applied: its next book must be a snapshot. */
  corruptedAt: number | undefined;
}

/** A frame a level 3 connection delivered, waiting for the client to take it. */
interface Level3Delivered {
  readonly text: string;
  readonly frame: SimFrame;
  readonly serial: number;
  readonly corrupted: boolean;
}

/** What the checks know of one level 3 connection of the exchange. */
interface Level3Link {
  readonly number: number;
  /** Frames delivered, until the client takes them. */
  readonly delivered: Fifo<Level3Delivered>;
  /** Level 3 frames made on it (delivered or lost) not yet applied to the models, by serial. */
  readonly unapplied: {
    readonly serial: number;
    readonly frame: SimFrame;
    readonly lost: boolean;
  }[];
  /** The model of each symbol's book on it. */
  readonly models: Map<string, Level3Truth>;
  /** The serial of the last level 3 frame delivered (a duplicate's copies share it). */
  lastDelivered: number;
  /** `Exceeded msg rate` answers a fault forced on it, not seen yet. */
  forcedRate: number;
}

/** A level 3 frame being fed, with the model of its book after it. */
interface Level3Fed {
  readonly delivered: Level3Delivered;
  readonly model: Level3Truth | undefined;
  readonly link: Level3Link;
}

/** What a level 3 frame fed on the current link obliges the client to emit on that input. */
interface Level3Expectation {
  readonly symbol: string;
  readonly state: SubscriptionState | undefined;
  readonly corrupted: boolean;
}

/** One level 3 book in this many (and every snapshot) has the model's checksum computed too. */
const MODEL_CHECKSUM_EVERY = 8;

/** The hooks of the level 3 connection's driver a run may rewrite. */
type Level3Tamper = NonNullable<Tamper["level3"]>;

/** What an event's level (or a level of the truth) looks like in a message. */
function showLevel(level: { readonly priceText: string; readonly orders: readonly TruthOrder[] }) {
  const orders = level.orders.slice(0, 4).map((order) => `${order.orderId} ${order.orderQtyText}`);
  return `${level.priceText} [${orders.join(", ")}${level.orders.length > 4 ? ", …" : ""}]`;
}

/**
 * The checks of the level 3 side of a run (experimental): the client's level 3 connection, its
 * `level3` streams and its part of `events()`.
 *
 * - Every level 3 book the client emits is the truth after the frame being applied: its price
 *   levels, each level's orders in queue order (ids, exact quantity and price text), cut to the
 *   depth, `validated`, with the frame's checksum and snapshot flag. The truth is the checks' own
 *   model of each book on each exchange connection (every level 3 frame the exchange made,
 *   delivered or lost, applied in order), itself held to the exchange's oracle (`SimFrame.level3`:
 *   order count and checksum) at every frame the client takes. After an update was lost, and
 *   until the next snapshot, only what Kraken's checksum covers can be held to it: the top 10
 *   levels' prices and quantities.
 * - Every level 3 frame fed while its subscription applies frames (synced, or a snapshot awaited)
 *   makes a book or a gap of its symbol on that input; one whose checksum the exchange corrupted,
 *   a `checksum` gap; and the next book of that symbol is a snapshot: the client resynced. A
 *   subscription that left `synced` had a gap before it is synced again; one whose link died, a
 *   `reconnect` gap before its next data. Undecodable frames make `decode` gaps, unknown ones
 *   `unknown` errors.
 * - Every event the driver emitted reaches each stream that carries it, itself (a level 3 book is
 *   never copied), or is counted by an overflow gap; a delivered book matches its own checksum
 *   and is not crossed.
 * - The exchange never answers a level 3 request with `Exceeded msg rate` (unless a fault forced
 *   it) or the symbol limit's error: the client keeps to Kraken's rate counter and limits.
 *
 * Give {@link Level3Invariants.probe} to the client as its level 3 probe, report every level 3
 * socket it makes ({@link Level3Invariants.socketMade}) and every output of a level 3 connection
 * ({@link Level3Invariants.observe}), watch each stream before opening it, and call
 * {@link Level3Invariants.finish} at the end.
 *
 * @example
 * ```ts
 * import { Invariants, Level3Invariants } from "./invariants.ts";
 * import { VirtualClock } from "../core/virtual_clock.ts";
 * const clock = new VirtualClock(0);
 * const invariants = new Invariants(clock);
 * const level3 = new Level3Invariants(clock, invariants);
 * level3.finish();
 * console.log(invariants.violations); // []
 * ```
 */
export class Level3Invariants {
  /** The hooks to give the level 3 connection's driver. */
  readonly probe: DriverProbe;
  readonly #clock: { now(): number };
  readonly #invariants: Invariants;
  readonly #tamper: Level3Tamper;
  #view: DriverView | undefined;
  readonly #ledger: StreamLedger;
  /** Every event the driver emitted or addressed, by `seq`: how a merged stream's are told apart. */
  readonly #seqs = new Set<number>();
  /** Events addressed to one stream. */
  readonly #addressed = new Set<number>();
  /** The exchange connection each client connection is. */
  readonly #exchangeOf = new Map<number, number>();
  readonly #links = new Map<number, Level3Link>();
  /** The watched subscriptions, by symbol (one depth per symbol, as Kraken allows). */
  readonly #watched = new Map<string, Level3Watched>();
  /** The level 3 books the driver emitted or addressed: one delivered that is not was rewritten. */
  readonly #books = new WeakSet<Level3BookEvent>();
  /** The frame being fed. */
  #feeding: Level3Fed | undefined;
  /** The client's connection after the last input. */
  #connection = 0;
  #inputCount = 0;
  #badFramesFed = 0;
  #unknownFramesFed = 0;
  /** The serial of the last duplicated frame delivered. */
  #duplicated = 0;
  /** Level 3 books held to the model so far. */
  #booksChecked = 0;

  /**
   * Creates the checks of a run's level 3 side.
   *
   * @param clock The run's clock.
   * @param invariants The run's checks: violations and counters go there.
   * @param tamper A lie to tell on the level 3 connection, to test the checks.
   */
  constructor(clock: { now(): number }, invariants: Invariants, tamper: Level3Tamper = {}) {
    this.#clock = clock;
    this.#invariants = invariants;
    this.#tamper = tamper;
    this.#ledger = new StreamLedger(
      (message) => this.#violate(message),
      (seq) => this.#addressed.has(seq),
    );
    this.probe = {
      attached: (view) => this.#view ??= view,
      effects: (input, effects) => this.#effects(input, effects),
      ...(tamper.deliver === undefined ? {} : { deliver: tamper.deliver }),
    };
  }

  #violate(message: string): void {
    this.#invariants.report(message);
  }

  /**
   * Whether the level 3 connection's driver emitted event `seq`: `events()` merges every
   * connection's events, each in its own order.
   *
   * @param seq The event's number.
   * @returns Whether it is this driver's.
   */
  owns(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /**
   * A stream of the level 3 connection about to be opened: `level3(symbols, { depth })`, or (no
   * symbols) its part of `events()`.
   *
   * @param name For messages.
   * @param symbols The stream's pairs; none for `events()`.
   * @param depth The stream's depth.
   * @returns Where to report what it delivers.
   */
  watchStream(name: string, symbols: readonly string[] = [], depth = 10): StreamWatch {
    for (const symbol of symbols) {
      if (this.#watched.has(symbol)) continue;
      const request = { channel: "level3", symbol, depth } as SubscriptionRequest;
      this.#watched.set(symbol, {
        request,
        key: subscriptionKey(request),
        state: undefined,
        announced: undefined,
        leftSyncedAt: undefined,
        lastGapAt: -1,
        owesReconnectGap: false,
        corruptedAt: undefined,
      });
    }
    const watch = this.#ledger.watch({
      name,
      channel: symbols.length === 0 ? undefined : "level3",
      symbols: new Set(symbols),
      interval: undefined,
    });
    return {
      read: (event) => {
        watch.read(event);
        // A book other than those emitted was made on the way: it is held to its own checksum.
        if (event.type === "level3" && !this.#books.has(event)) {
          this.#checkValid(event, `${name} delivered a level3 book`);
        }
      },
    };
  }

  /**
   * The client made a socket to the level 3 endpoint: exchange connection `connection` is its
   * session's current connection.
   *
   * @param connection The exchange's number of the connection.
   */
  socketMade(connection: number): void {
    const session = this.#view?.session;
    if (session !== undefined) this.#exchangeOf.set(session.connection, connection);
  }

  #link(number: number): Level3Link {
    let link = this.#links.get(number);
    if (link === undefined) {
      link = {
        number,
        delivered: new Fifo(),
        unapplied: [],
        models: new Map(),
        lastDelivered: 0,
        forcedRate: 0,
      };
      this.#links.set(number, link);
    }
    return link;
  }

  /**
   * An output of a level 3 connection, as the exchange's driver carried it out.
   *
   * @param output The output.
   */
  observe(output: ExchangeOutput): void {
    const stats = this.#invariants.stats;
    switch (output.type) {
      case "deliver": {
        if (
          output.fate === "corrupted" ||
          (output.fate === "duplicated" && output.serial !== this.#duplicated)
        ) {
          stats.faults++;
          this.#duplicated = output.serial;
        }
        const link = this.#link(output.connection);
        link.delivered.push({
          text: output.text,
          frame: output.frame,
          serial: output.serial,
          corrupted: output.fate === "corrupted",
        });
        if (output.frame.kind === "level3" && output.serial !== link.lastDelivered) {
          link.lastDelivered = output.serial;
          this.#unapplied(link, output.serial, output.frame, false);
        }
        if (output.frame.kind === "reply") this.#answered(link, output.text);
        return;
      }
      case "lost":
        stats.faults++;
        if (output.frame.kind === "level3") {
          this.#unapplied(this.#link(output.connection), output.serial, output.frame, true);
        }
        return;
      case "fault":
        stats.faults++;
        if (output.kind === "exceeded_msg_rate" && output.connection !== undefined) {
          this.#link(output.connection).forcedRate++;
        }
        return;
      default:
        return;
    }
  }

  /** A frame made on `link`, in its place by serial (a lost one is told before earlier arrive). */
  #unapplied(link: Level3Link, serial: number, frame: SimFrame, lost: boolean): void {
    const unapplied = link.unapplied;
    let at = unapplied.length;
    while (at > 0 && unapplied[at - 1].serial > serial) at--;
    unapplied.splice(at, 0, { serial, frame, lost });
  }

  /** An answer of the level 3 endpoint: never the rate counter's or the symbol limit's refusal. */
  #answered(link: Level3Link, text: string): void {
    // Kraken's errors start so (the oversized frame a fault sends, 9 MB, is not read through).
    if (!text.startsWith('{"error":')) return;
    if (text.includes('"Exceeded msg rate"')) {
      if (link.forcedRate > 0) link.forcedRate--;
      else {
        this.#violate(
          `the exchange answered "Exceeded msg rate" to a level3 request on connection ` +
            `${link.number}: the client overran Kraken's level 3 rate counter`,
        );
      }
    }
    if (text.includes(LEVEL3_SYMBOL_LIMIT_ERROR)) {
      this.#violate(
        `the exchange refused a level3 symbol on connection ${link.number}: ` +
          `"${LEVEL3_SYMBOL_LIMIT_ERROR}"`,
      );
    }
  }

  // ---- each input ------------------------------------------------------------------------------

  #effects(input: SessionInput, given: SessionEffect[]): SessionEffect[] {
    const effects = this.#tamper.effects === undefined ? given : this.#tamper.effects(input, given);
    const view = this.#view;
    if (view === undefined) return effects;
    this.#inputCount++;
    const current = this.#connection;
    if (
      (input.type === "closed" && input.connection === current) ||
      effects.some((effect) => effect.type === "close" && effect.connection === current)
    ) this.#linkDied();
    let fed: Level3Fed | undefined;
    let expectation: Level3Expectation | undefined;
    if (input.type === "frame") {
      fed = this.#take(input.connection, input.text);
      if (input.connection === current) expectation = this.#fedOnCurrentLink(input.text, fed);
    }
    this.#feeding = fed;
    const emitted: KrakenEvent[] = [];
    for (const effect of effects) {
      if (effect.type === "open") this.#invariants.stats.connections++;
      if (effect.type !== "emit") continue;
      const event = effect.event;
      this.#seqs.add(event.seq);
      if (event.type === "level3") this.#books.add(event);
      if (effect.consumer === undefined) {
        emitted.push(event);
        this.#check(event);
        this.#ledger.owe(event);
      } else {
        // The overflow gap of a stream that fell behind, or the book a new stream starts from.
        this.#addressed.add(event.seq);
        if (event.type === "level3") this.#checkValid(event, "a level3 book addressed to a stream");
      }
    }
    this.#feeding = undefined;
    if (expectation !== undefined) this.#checkFrameAnswered(expectation, emitted);
    this.#checkStates(view);
    this.#connection = view.session.connection;
    return effects;
  }

  /**
   * The frame the client is taking on `connection`: the next one its exchange connection
   * delivered. A level 3 frame brings the models up to it (lost frames before it included), and
   * the model of its book is held to the exchange's oracle.
   */
  #take(connection: number, text: string): Level3Fed | undefined {
    const number = this.#exchangeOf.get(connection);
    const link = number === undefined ? undefined : this.#links.get(number);
    if (link === undefined) return undefined;
    let delivered: Level3Delivered | undefined;
    for (let head = link.delivered.shift(); head !== undefined; head = link.delivered.shift()) {
      if (head.text === text) {
        delivered = head;
        break;
      }
    }
    if (delivered === undefined) return undefined;
    const frame = delivered.frame;
    if (frame.kind !== "level3" || frame.symbol === undefined || frame.level3 === undefined) {
      return { delivered, model: undefined, link };
    }
    const unapplied = link.unapplied;
    let applied = 0;
    // Frames the client takes while not applying them (resyncing) are not held to anything.
    while (applied < unapplied.length && unapplied[applied].serial <= delivered.serial) {
      const { frame: made, lost, serial } = unapplied[applied++];
      const parsed = parseLevel3(made.text);
      if (parsed === undefined || made.level3 === undefined) continue;
      let model = link.models.get(parsed.symbol);
      if (model === undefined || model.depth !== made.level3.depth) {
        model = new Level3Truth(made.level3.depth, parsed.snapshot);
        link.models.set(parsed.symbol, model);
      }
      model.apply(parsed, lost, serial);
    }
    unapplied.splice(0, applied);
    const model = link.models.get(frame.symbol);
    // The count at every frame; the checksum too when a book is held to the model.
    if (model !== undefined) this.#heldToOracle(model, frame.symbol, frame.level3, link, false);
    return { delivered, model, link };
  }

  /**
   * The model after a frame is what the exchange says a client holds then: as many orders (and,
   * when `checksum`, the same checksum). When not, the model is not used until its next snapshot.
   */
  #heldToOracle(
    model: Level3Truth,
    symbol: string,
    oracle: Level3Oracle,
    link: Level3Link,
    checksum: boolean,
  ): void {
    if (model.unknown) return;
    const count = model.count;
    const sum = checksum ? model.checksum() : oracle.checksum;
    if (count === oracle.orders && sum === oracle.checksum) return;
    model.unknown = true;
    this.#violate(
      `the checks' model of level3 ${symbol} on connection ${link.number} (${count} orders, ` +
        `checksum ${sum}) is not the exchange's (${oracle.orders} orders, checksum ` +
        `${oracle.checksum}): the simulator or its checks are wrong`,
    );
  }

  /** Bookkeeping of a frame fed on the client's current link; what it obliges the client to do. */
  #fedOnCurrentLink(text: string, fed: Level3Fed | undefined): Level3Expectation | undefined {
    if (text === MALFORMED_LEVEL3_FRAME || text.length > DEFAULT_MAX_FRAME_BYTES) {
      this.#badFramesFed++;
    }
    if (text === UNKNOWN_CHANNEL_FRAME) this.#unknownFramesFed++;
    const frame = fed?.delivered.frame;
    const symbol = frame?.symbol;
    if (frame?.kind !== "level3" || symbol === undefined || frame.level3 === undefined) {
      return undefined;
    }
    const subscription = this.#watched.get(symbol);
    const state = subscription?.state;
    const applied = state === "synced" || (state === "awaiting_snapshot" && frame.level3.snapshot);
    if (subscription === undefined || !applied) return undefined;
    const corrupted = fed!.delivered.corrupted;
    if (corrupted) subscription.corruptedAt = this.#clock.now();
    return { symbol, state, corrupted };
  }

  /**
   * The client's link died: each subscription that was receiving on it lost whatever was sent
   * until it is acknowledged on a new link, so a `reconnect` gap is owed.
   */
  #linkDied(): void {
    for (const subscription of this.#watched.values()) {
      if (RECEIVING.has(subscription.state)) subscription.owesReconnectGap = true;
    }
  }

  #check(event: KrakenEvent): void {
    const stats = this.#invariants.stats;
    switch (event.type) {
      case "level3":
        stats.level3Books++;
        this.#checkBook(event);
        return;
      case "gap": {
        stats.gaps++;
        if (event.reason === "decode") this.#badFramesFed--;
        if (event.channel !== "level3" || event.symbol === undefined) return;
        if (event.reason === "checksum" || event.reason === "crossed") stats.level3Resyncs++;
        const subscription = this.#watched.get(event.symbol);
        if (subscription === undefined) return;
        subscription.lastGapAt = this.#inputCount;
        if (event.reason === "reconnect") subscription.owesReconnectGap = false;
        return;
      }
      case "error":
        if (event.code === "unknown") this.#unknownFramesFed--;
        if (event.code === "internal") {
          this.#violate(`the level 3 connection failed: ${event.message}`);
        }
        return;
      case "state": {
        if (event.scope !== "subscription" || event.channel !== "level3") return;
        const subscription = event.symbol === undefined
          ? undefined
          : this.#watched.get(event.symbol);
        if (subscription !== undefined) subscription.announced = event.to;
        return;
      }
      default:
        return;
    }
  }

  /**
   * A level 3 book is the truth after the frame being applied: the first after a corrupted
   * checksum a snapshot, none owed a reconnect gap, each level and order the model's.
   */
  #checkBook(event: Level3BookEvent): void {
    const symbol = event.symbol;
    const subscription = this.#watched.get(symbol);
    if (subscription?.owesReconnectGap) {
      this.#violate(`${subscription.key} delivered data after a reconnect without a reconnect gap`);
      subscription.owesReconnectGap = false;
    }
    if (event.validated !== true) this.#violate(`level3 event for ${symbol} is not validated`);
    if (subscription?.corruptedAt !== undefined) {
      if (!event.snapshot) {
        this.#violate(
          `level3 ${symbol}: the first book after a corrupted checksum ` +
            `(t=${subscription.corruptedAt}) is not a snapshot: the client did not resync`,
        );
      }
      subscription.corruptedAt = undefined;
    }
    const fed = this.#feeding;
    const frame = fed?.delivered.frame;
    const oracle = frame?.level3;
    if (frame?.symbol !== symbol || oracle === undefined) {
      this.#violate(`level3 event for ${symbol} without a level3 frame of it being applied`);
      return;
    }
    if (event.checksum !== oracle.checksum) {
      this.#violate(`level3 event for ${symbol} fails its checksum`);
    }
    if (event.snapshot !== oracle.snapshot) {
      this.#violate(
        `level3 event for ${symbol} says snapshot ${event.snapshot} for a ${
          oracle.snapshot ? "snapshot" : "update"
        } frame`,
      );
    }
    const model = fed!.model;
    if (model === undefined) return;
    // The model's checksum is held to the exchange's now and then (its order count at every
    // frame), and whenever a book differs from it: the model, not the client, may be wrong.
    if (++this.#booksChecked % MODEL_CHECKSUM_EVERY === 0 || event.snapshot) {
      this.#heldToOracle(model, symbol, oracle, fed!.link, true);
    }
    if (model.unknown) return;
    // After a loss only what Kraken's checksum covers can be held: the top 10 levels' prices and
    // quantities, not the order ids.
    const blind = model.lostSince !== undefined;
    const rows = blind ? CHECKSUM_LEVELS : model.depth;
    const difference = this.#differs(event.bids, model.bids.levels, "bids", rows, !blind) ??
      this.#differs(event.asks, model.asks.levels, "asks", rows, !blind);
    if (difference === undefined) return;
    this.#heldToOracle(model, symbol, oracle, fed!.link, true);
    if (model.unknown) return;
    this.#violate(
      blind
        ? `level3 event for ${symbol} differs from the truth in its checksummed top ` +
          `${CHECKSUM_LEVELS} levels, after an update was lost: ${difference}`
        : `level3 event for ${symbol} differs from the truth: ${difference}`,
    );
  }

  /**
   * How the first `rows` levels of `shown` differ from the truth's, if they do: prices, and each
   * order in queue order (its id too when `ids`). A level of an event found equal to a level of
   * the truth is equal still while that level has not changed (an event's levels are frozen):
   * books share unchanged levels from one event to the next, so mostly only what changed is
   * compared again.
   */
  #differs(
    shown: readonly Level3PriceLevel[],
    truth: readonly TruthLevel[],
    side: "bids" | "asks",
    rows: number,
    ids: boolean,
  ): string | undefined {
    const count = Math.min(rows, truth.length);
    if (Math.min(rows, shown.length) !== count) {
      return `${shown.length} ${side} levels, the truth ${truth.length}`;
    }
    for (let i = 0; i < count; i++) {
      const view = shown[i];
      const level = truth[i];
      if (ids && level.shown === view && level.shownVersion === level.version) continue;
      const orders = view.orders;
      let equal = view.priceText === level.priceText && orders.length === level.orders.length;
      for (let j = 0; equal && j < orders.length; j++) {
        const order = orders[j];
        const expected = level.orders[j];
        equal = order.orderQtyText === expected.orderQtyText &&
          order.limitPriceText === expected.limitPriceText &&
          (!ids || order.orderId === expected.orderId);
      }
      if (!equal) {
        return `${side} level ${i} is ${showLevel(view)}, the truth ${showLevel(level)}`;
      }
      if (ids) {
        level.shown = view;
        level.shownVersion = level.version;
      }
    }
    return undefined;
  }

  /** A level 3 book matches its own checksum and is not crossed. */
  #checkValid(event: Level3BookEvent, what: string): void {
    if (level3Checksum(event.asks, event.bids) !== event.checksum) {
      this.#violate(`${what} of ${event.symbol} that fails its checksum`);
    }
    const bid = event.bids[0];
    const ask = event.asks[0];
    if (bid !== undefined && ask !== undefined && bid.price >= ask.price) {
      this.#violate(`${what} of ${event.symbol} that is crossed`);
    }
  }

  /** Holds the events of the input that fed a level 3 frame to what the frame obliged. */
  #checkFrameAnswered(expected: Level3Expectation, events: readonly KrakenEvent[]): void {
    const { symbol, state } = expected;
    const gapFor = (reasons?: readonly string[]) =>
      events.some((event) =>
        event.type === "gap" && event.channel === "level3" && event.symbol === symbol &&
        (reasons === undefined || reasons.includes(event.reason))
      );
    if (expected.corrupted) {
      // The exchange knows this frame's checksum is wrong: an applied book must fail it.
      if (!gapFor(["checksum"])) {
        this.#violate(
          `corrupted level3 frame for ${symbol} fed while ${state} made no checksum gap`,
        );
      }
    } else if (
      !events.some((event) => event.type === "level3" && event.symbol === symbol) && !gapFor()
    ) {
      this.#violate(
        `level3 frame for ${symbol} fed while ${state} made neither a level3 event nor a gap`,
      );
    }
  }

  /**
   * After each input: each subscription's state, read from the session. One that left `synced`
   * had a gap before it is synced again; one owed a reconnect gap does not resume without it; the
   * `state` events say what the session did.
   */
  #checkStates(view: DriverView): void {
    const session = view.session;
    for (const subscription of this.#watched.values()) {
      const state = session.subscriptionState(subscription.request);
      checkSubscriptionState(
        subscription,
        state,
        this.#inputCount,
        (message) => this.#violate(message),
      );
    }
  }

  /** The checks that need the whole run: call once every stream was read to its end. */
  finish(): void {
    if (this.#badFramesFed > 0) {
      this.#violate(`${this.#badFramesFed} undecodable level3 frames without a decode gap`);
    }
    if (this.#unknownFramesFed > 0) {
      this.#violate(`${this.#unknownFramesFed} unknown level3 frames without an error event`);
    }
    this.#ledger.finish();
  }
}
