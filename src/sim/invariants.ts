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
import { bookChecksum, CHECKSUM_LEVELS } from "../book/checksum.ts";
import type { DriverProbe, DriverView, StreamTarget } from "../client/driver.ts";
import type { BookEvent, DataChannel, KrakenEvent, SubscriptionState } from "../core/events.ts";
import { Fifo } from "../core/fifo.ts";
import { RECONNECT_DEFAULTS } from "../core/reconnect_policy.ts";
import type { SessionEffect, SessionInput } from "../core/session.ts";
import { subscriptionKey, type SubscriptionRequest } from "../core/subscription.ts";
import type { ExchangeOutput } from "../exchange/exchange.ts";
import { MALFORMED_FRAME, UNKNOWN_CHANNEL_FRAME } from "../exchange/faults.ts";
import type { SimFrame } from "../exchange/feed.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../protocol/decode.ts";
import type { BookLevel } from "../protocol/messages.ts";

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
}

/** A stream being read, and what it owes. */
interface Watched {
  readonly name: string;
  readonly channel: DataChannel | undefined;
  readonly symbols: ReadonlySet<string>;
  readonly interval: number | undefined;
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
  };
}

/** Whether `event` is the event `emitted`, as far as routing may not change it. */
function sameEvent(event: KrakenEvent, emitted: Owed): boolean {
  return event.type === emitted.type && event.seq === emitted.seq &&
    eventChannel(event) === emitted.channel && eventSymbol(event) === emitted.symbol;
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
  };
  /** The hooks to give the client's driver. */
  readonly probe: DriverProbe;
  readonly #clock: { now(): number };
  readonly #tamper: Tamper;
  #view: DriverView | undefined;
  readonly #watched = new Map<string, WatchedSubscription>();
  /** The same, by `channel|symbol`. */
  readonly #byTopic = new Map<string, WatchedSubscription[]>();
  readonly #streams: Watched[] = [];
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
    const stream: Watched = {
      name: spec.name,
      channel: first?.channel,
      symbols: new Set(spec.requests.map((request) => request.symbol)),
      interval: first?.channel === "ohlc" ? first.interval : undefined,
      owed: new Fifo(),
      rejected: new Set(),
      missing: 0,
      dropped: 0,
      lastSeq: 0,
    };
    this.#streams.push(stream);
    return { read: (event) => this.#read(stream, event) };
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
            this.#owe(effect.event);
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
    if (session.pendingRequests > 2 * session.subscriptionCount + 2) {
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
      const previous = subscription.state;
      const state = session.subscriptionState(subscription.request);
      const announced = subscription.announced;
      // A subscription the session no longer holds was last announced in a final state.
      const agrees = announced === state ||
        (state === undefined && (announced === "unsubscribed" || announced === "rejected"));
      if (state === previous && agrees) continue;
      // Trades that left `synced` may come back with nothing lost: their ids are held instead.
      if (previous === "synced" && state !== "synced" && subscription.request.channel !== "trade") {
        subscription.leftSyncedAt = this.#inputCount;
      }
      const leftSyncedAt = subscription.leftSyncedAt;
      if (state === "synced" && previous !== "synced" && leftSyncedAt !== undefined) {
        if (subscription.lastGapAt < leftSyncedAt) {
          this.#violate(`${subscription.key} was synced again after losing sync without a gap`);
        }
        subscription.leftSyncedAt = undefined;
      }
      const resumed = state === "synced" || state === "awaiting_snapshot";
      if (resumed && previous !== state && subscription.owesReconnectGap) {
        this.#violate(`${subscription.key} resumed after a reconnect without a reconnect gap`);
        subscription.owesReconnectGap = false;
      }
      if (!agrees) {
        this.#violate(`${subscription.key} is ${state} but its state events say ${announced}`);
        subscription.announced = state;
      }
      subscription.state = state;
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

  // ---- streams --------------------------------------------------------------------------------

  /** An event the client emitted: every stream that carries it owes it to its reader. */
  #owe(event: KrakenEvent): void {
    let owed: Owed | undefined;
    for (const stream of this.#streams) {
      if (stream.channel !== undefined && stream.rejected.size === stream.symbols.size) continue;
      if (!carries(stream, event)) continue;
      stream.owed.push(owed ??= owedOf(event));
      if (event.type === "error" && event.code === "rejected" && event.symbol !== undefined) {
        stream.rejected.add(event.symbol);
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
      if (this.#addressedSeqs.has(event.seq)) return;
      this.#violate(`${stream.name} delivered seq ${event.seq}, which the client never emitted`);
      return;
    }
    owed.shift();
    if (!sameEvent(event, emitted)) {
      this.#violate(`${stream.name} delivered seq ${event.seq} changed from what was emitted`);
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
    // Every event a stream owed was read, or counted by an overflow gap: nothing lost silently.
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
