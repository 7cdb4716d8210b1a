/**
 * The seeded simulation: the client's sans-I/O session against the simulator's market and server
 * side, in virtual time, with no socket, under a random fault schedule drawn from the seed. After
 * every step it checks that the client never lies: every book it shows is the truth, every loss
 * is a gap event, every connection attempt respects backoff and budget, every queue its bound.
 *
 * @module
 */

import { bookChecksum } from "../book/checksum.ts";
import { CHECKSUM_LEVELS } from "../book/checksum.ts";
import { VirtualClock } from "../core/virtual_clock.ts";
import type { DataChannel, KrakenEvent, SubscriptionState } from "../core/events.ts";
import { RECONNECT_DEFAULTS } from "../core/reconnect_policy.ts";
import { SeededRandom } from "../core/seeded_random.ts";
import { Session, type SessionEffect, type SessionInput } from "../core/session.ts";
import { subscriptionKey, type SubscriptionRequest } from "../core/subscription.ts";
import type { BookLevel } from "../protocol/messages.ts";
import {
  FrameFaults,
  MALFORMED_FRAME,
  oversizedFrame,
  randomFaultSchedule,
  type ScheduledFault,
  UNKNOWN_CHANNEL_FRAME,
} from "./faults.ts";
import { SimMarket } from "./market.ts";
import { errorFrame } from "./requests.ts";
import { type SimFrame, SimSession } from "./sim_session.ts";

/**
 * Settings of one simulated run.
 *
 * @example
 * ```ts
 * import type { SimulationOptions } from "./simulation.ts";
 * const options: SimulationOptions = { seed: 7, durationMs: 60_000 };
 * console.log(options.seed);
 * ```
 */
export interface SimulationOptions {
  /** Seed of everything: market, subscriptions, faults, client jitter. */
  readonly seed: number;
  /** Virtual time the run lasts (default 120 000 ms). */
  readonly durationMs?: number;
  /** Faults on (default true). */
  readonly faults?: boolean;
  /** Mean time between random faults (default 6000 ms). */
  readonly meanFaultGapMs?: number;
  /** A scripted schedule instead of the random one. */
  readonly schedule?: readonly ScheduledFault[];
  /**
   * Rewrites what the client's session decided before the run acts on it: only for testing the
   * checks themselves, by making a client that lies and seeing it caught.
   */
  readonly tamper?: (effects: SessionEffect[]) => SessionEffect[];
}

/**
 * The command that replays one seed exactly.
 *
 * @param seed The seed.
 * @param durationMs The run's virtual duration, when not the default.
 * @returns The command line.
 *
 * @example
 * ```ts
 * import { replayCommand } from "./simulation.ts";
 * console.log(replayCommand(42)); // "deno task sim-test --seed 42"
 * ```
 */
export function replayCommand(seed: number, durationMs?: number): string {
  const duration = durationMs === undefined || durationMs === DEFAULT_DURATION_MS
    ? ""
    : ` --duration ${durationMs}`;
  return `deno task sim-test --seed ${seed}${duration}`;
}

/**
 * What a run did and what it found wrong.
 *
 * @example
 * ```ts
 * import { runSimulation } from "./simulation.ts";
 * const report = runSimulation({ seed: 1, durationMs: 20_000 });
 * console.log(report.violations.length); // 0
 * ```
 */
export interface SimulationReport {
  /** The run's seed. */
  readonly seed: number;
  /** Broken invariants, in the order found; empty when the client never lied. */
  readonly violations: string[];
  /** Counters of the run. */
  readonly stats: {
    frames: number;
    books: number;
    trades: number;
    gaps: number;
    resyncs: number;
    connections: number;
    faults: number;
  };
}

/** Virtual time of one run, unless told otherwise. */
export const DEFAULT_DURATION_MS = 120_000;
const LATENCY_MS = 5;
const SLOW_LATENCY_MS = 200;
const MARKET_STEP_MS = 100;
const MAX_FRAME_BYTES = 256 * 1024;
/** The session's own timers: connect, reconnect, ping, tick, stable, pace, close. */
const MAX_CONNECTION_TIMERS = 7;

/** The server's side of one client connection. */
interface Link {
  readonly connection: number;
  readonly session: SimSession;
  alive: boolean;
  stalledUntil: number;
  slowUntil: number;
  lastDeliveryAt: number;
}

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
 * States in which a subscription was acknowledged on its link and so was receiving data (or about
 * to): losing the link loses what it would have received.
 */
const RECEIVING: ReadonlySet<SubscriptionState | undefined> = new Set<SubscriptionState>([
  "awaiting_snapshot",
  "synced",
  "resyncing",
  "stale",
]);

/** What a data frame fed on the client's current link obliges the client to emit on that input. */
interface FrameExpectation {
  readonly kind: DataChannel;
  readonly symbol: string;
  /** The subscription's state when the frame came. */
  readonly state: SubscriptionState | undefined;
  /** For ohlc: the candle's interval. */
  readonly interval?: number;
}

/** The interval of an ohlc frame, from its text (the simulator's frames carry one candle each). */
function candleInterval(text: string): number | undefined {
  const interval = /"interval":(\d+)/.exec(text)?.[1];
  return interval === undefined ? undefined : Number(interval);
}

/** Subscriptions a seed asks for: a few books at various depths, trades, a ticker, a candle. */
function pickSubscriptions(random: SeededRandom, market: SimMarket): SubscriptionRequest[] {
  const symbols = [...market.symbols].map((state) => state.pair.symbol);
  const requests: SubscriptionRequest[] = [];
  const depths = [10, 10, 25, 100, 1000] as const;
  for (const symbol of symbols) {
    if (random.next() < 0.7) {
      requests.push({
        channel: "book",
        symbol,
        depth: depths[Math.floor(random.next() * depths.length)],
      });
    }
    if (random.next() < 0.6) requests.push({ channel: "trade", symbol });
    if (random.next() < 0.3) {
      requests.push({ channel: "ticker", symbol, trigger: random.next() < 0.5 ? "bbo" : "trades" });
    }
    if (random.next() < 0.2) requests.push({ channel: "ohlc", symbol, interval: 1 });
  }
  if (requests.length === 0) requests.push({ channel: "book", symbol: symbols[0], depth: 10 });
  return requests;
}

/**
 * Runs one seed to the end and returns what it found.
 *
 * @param options The seed and settings.
 * @returns The report.
 *
 * @example
 * ```ts
 * import { runSimulation } from "./simulation.ts";
 * // A client that hides its checksum gaps is caught: it applied a corrupted frame and said nothing.
 * const report = runSimulation({
 *   seed: 3,
 *   durationMs: 30_000,
 *   schedule: [{ at: 5000, kind: "wrong_checksum" }],
 *   tamper: (effects) =>
 *     effects.filter((effect) =>
 *       !(effect.type === "emit" && effect.event.type === "gap" && effect.event.reason === "checksum")
 *     ),
 * });
 * console.log(report.violations.some((violation) => violation.includes("checksum gap"))); // true
 * ```
 */
export function runSimulation(options: SimulationOptions): SimulationReport {
  const seed = options.seed >>> 0;
  const duration = options.durationMs ?? DEFAULT_DURATION_MS;
  const clock = new VirtualClock(0);
  const market = new SimMarket(seed);
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  const schedule = options.schedule ??
    (options.faults === false
      ? []
      : randomFaultSchedule(seed ^ 0x27d4eb2f, duration, options.meanFaultGapMs ?? 6000));
  const client = new Session({ url: "sim://kraken", seed, maxFrameBytes: MAX_FRAME_BYTES });
  const frameFaults = new FrameFaults();
  const violations: string[] = [];
  const stats = { frames: 0, books: 0, trades: 0, gaps: 0, resyncs: 0, connections: 0, faults: 0 };
  const timers = new Map<string, unknown>();
  const links = new Map<number, Link>();
  const violate = (message: string) => {
    if (violations.length < 20) violations.push(`t=${clock.now()}: ${message}`);
  };

  // What the checks need to remember.
  /** The frame being fed to the client: its book events are held against its view. */
  let feeding: SimFrame | undefined;
  /**
   * Symbols whose book lost an update below the top 10 that no later snapshot repaired, each with
   * that loss's number in `framesSent`.
   */
  const blindBelowTop = new Map<string, number>();
  /** Frames the server sent or lost so far: numbers them in the order the client's feed has them. */
  let framesSent = 0;
  const deliveredTrades = new Map<string, number[]>();
  const sequenceGaps = new Map<string, [number, number][]>();
  const attempts: number[] = [];
  /** The system state the server announces; and whether the client was last told maintenance. */
  let system = "online";
  let toldMaintenance = false;
  /** Until then every connection attempt is refused. */
  let outageUntil = 0;
  let closedAt: number | undefined;
  let badFramesFed = 0;
  let unknownFramesFed = 0;
  /** Inputs handled so far: orders departures from `synced` against gaps. */
  let inputCount = 0;
  /** Every subscription the run asks for, by the session's key. */
  const watched = new Map<string, WatchedSubscription>();

  /** The watched subscriptions of `channel` and `symbol` (and `interval`, when given). */
  function watchedFor(
    channel: DataChannel | undefined,
    symbol: string | undefined,
    interval?: number,
  ): WatchedSubscription[] {
    const found: WatchedSubscription[] = [];
    for (const subscription of watched.values()) {
      const request = subscription.request;
      if (request.channel !== channel || request.symbol !== symbol) continue;
      if (interval !== undefined && request.channel === "ohlc" && request.interval !== interval) {
        continue;
      }
      found.push(subscription);
    }
    return found;
  }

  /**
   * The client's link died. Each subscription that was receiving on it lost whatever was sent
   * until it is acknowledged on a new link: a `reconnect` gap is owed. Judged from the states
   * before the input that killed the link, since that input already moves them to `pending`.
   */
  function linkDied(): void {
    for (const subscription of watched.values()) {
      if (RECEIVING.has(subscription.state)) subscription.owesReconnectGap = true;
    }
  }

  /** A data event of `channel` and `symbol`: none may come while a reconnect gap is owed. */
  function checkResumedData(channel: DataChannel, symbol: string, interval?: number): void {
    for (const subscription of watchedFor(channel, symbol, interval)) {
      if (!subscription.owesReconnectGap) continue;
      violate(`${subscription.key} delivered data after a reconnect without a reconnect gap`);
      subscription.owesReconnectGap = false;
    }
  }

  function check(event: KrakenEvent): void {
    switch (event.type) {
      case "book": {
        stats.books++;
        checkResumedData("book", event.symbol);
        const frame = feeding;
        if (frame?.book === undefined || frame.symbol !== event.symbol) {
          violate(`book event for ${event.symbol} without a book frame being applied`);
          return;
        }
        if (
          bookChecksum(event.asks, event.bids) !== event.checksum ||
          event.checksum !== frame.book.checksum
        ) {
          violate(`book event for ${event.symbol} fails its checksum`);
        }
        if (
          event.bids.length > 0 && event.asks.length > 0 &&
          event.bids[0].price >= event.asks[0].price
        ) {
          violate(`book event for ${event.symbol} is crossed`);
        }
        // Kraken's checksum covers the top 10 only: a loss below it cannot be seen until the
        // next snapshot, so there only the top 10 must match.
        const rows = blindBelowTop.has(event.symbol) ? CHECKSUM_LEVELS : frame.book.depth;
        const same = (shown: readonly BookLevel[], truth: readonly BookLevel[]) => {
          const count = Math.min(rows, truth.length);
          if (Math.min(rows, shown.length) !== count) return false;
          for (let i = 0; i < count; i++) {
            const level = shown[i];
            if (level.priceText !== truth[i].priceText || level.qtyText !== truth[i].qtyText) {
              return false;
            }
          }
          return true;
        };
        if (!same(event.bids, frame.book.bids) || !same(event.asks, frame.book.asks)) {
          violate(`book event for ${event.symbol} differs from the truth`);
        }
        return;
      }
      case "trade": {
        stats.trades++;
        checkResumedData("trade", event.symbol);
        const ids = deliveredTrades.get(event.symbol) ?? [];
        if (ids.length > 0 && event.tradeId <= ids[ids.length - 1]) {
          violate(`trade ${event.tradeId} of ${event.symbol} delivered out of order or twice`);
        }
        ids.push(event.tradeId);
        deliveredTrades.set(event.symbol, ids);
        return;
      }
      case "ticker":
        checkResumedData("ticker", event.symbol);
        return;
      case "ohlc":
        checkResumedData("ohlc", event.symbol, event.interval);
        return;
      case "gap": {
        stats.gaps++;
        if (event.reason === "checksum" || event.reason === "crossed") stats.resyncs++;
        if (event.reason === "sequence" && event.symbol !== undefined) {
          const ranges = sequenceGaps.get(event.symbol) ?? [];
          ranges.push([event.fromTradeId!, event.toTradeId!]);
          sequenceGaps.set(event.symbol, ranges);
        }
        for (const subscription of watchedFor(event.channel, event.symbol)) {
          subscription.lastGapAt = inputCount;
          if (event.reason === "reconnect") subscription.owesReconnectGap = false;
        }
        if (event.reason === "decode") badFramesFed--;
        return;
      }
      case "error":
        if (event.code === "unknown") unknownFramesFed--;
        return;
      case "state": {
        if (event.scope === "connection") {
          if (event.to === "closed") closedAt = clock.now();
          return;
        }
        for (const subscription of watchedFor(event.channel, event.symbol)) {
          subscription.announced = event.to;
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * After each input: reads every subscription's state from the session and holds the client to
   * it. Leaving `synced` loses data, so a gap for that subscription must come before it is synced
   * again (the session's state cannot be bent by rewriting its events, so a client that hides
   * the gap cannot also hide the loss). A subscription that resumes after its link died must have
   * had its reconnect gap. And the `state` events must say what the session did.
   */
  function checkStates(): void {
    for (const subscription of watched.values()) {
      const previous = subscription.state;
      const state = client.subscriptionState(subscription.request);
      const announced = subscription.announced;
      // A subscription the session no longer holds was last announced in a final state.
      const agrees = announced === state ||
        (state === undefined && (announced === "unsubscribed" || announced === "rejected"));
      if (state === previous && agrees) continue;
      if (previous === "synced" && state !== "synced") subscription.leftSyncedAt = inputCount;
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
  }

  /** Events the client emitted on the input being handled. */
  let emitted: KrakenEvent[] = [];

  /** Hands the client one input, carries out its effects, checks; returns the events it emitted. */
  function input(message: SessionInput): KrakenEvent[] {
    inputCount++;
    emitted = [];
    // The harness delivers the end of the client's current link: whatever the client makes of it.
    if (message.type === "closed" && message.connection === client.connection) linkDied();
    let effects: SessionEffect[];
    try {
      effects = client.handle(message, clock.now());
      if (options.tamper !== undefined) effects = options.tamper(effects);
    } catch (error) {
      violate(
        `the session threw on ${message.type}: ${error instanceof Error ? error.message : error}`,
      );
      return [];
    }
    for (const effect of effects) perform(effect);
    checkStates();
    if (client.pendingRequests > 2 * client.subscriptionCount + 2) {
      violate(
        `${client.pendingRequests} requests pending for ${client.subscriptionCount} subscriptions`,
      );
    }
    // Connection timers, one resync timer per subscription: anything more is a leak.
    if (timers.size > MAX_CONNECTION_TIMERS + client.subscriptionCount) {
      violate(`${timers.size} timers set for ${client.subscriptionCount} subscriptions`);
    }
    return emitted;
  }

  function perform(effect: SessionEffect): void {
    switch (effect.type) {
      case "open": {
        const now = clock.now();
        if (closedAt !== undefined) {
          violate("a connection attempt after the client closed for good");
        }
        if (
          toldMaintenance && attempts.length > 0 &&
          now - attempts[attempts.length - 1] < 5000
        ) {
          violate(`attempts ${now - attempts[attempts.length - 1]} ms apart during maintenance`);
        }
        if (attempts.length > 0 && attempts[attempts.length - 1] === now) {
          violate("two connection attempts at the same instant");
        }
        attempts.push(now);
        const window = attempts.filter((at) => at > now - RECONNECT_DEFAULTS.attemptWindowMs);
        if (window.length > RECONNECT_DEFAULTS.maxAttempts) {
          violate("over the connection attempt budget");
        }
        stats.connections++;
        const link: Link = {
          connection: effect.connection,
          session: new SimSession(market),
          alive: true,
          stalledUntil: 0,
          slowUntil: 0,
          lastDeliveryAt: 0,
        };
        links.set(effect.connection, link);
        if (now < outageUntil) {
          // Nobody answers: the attempt fails as a refused connection does.
          link.alive = false;
          later(
            LATENCY_MS,
            () => input({ type: "closed", connection: link.connection, code: 1006, reason: "" }),
          );
          return;
        }
        later(LATENCY_MS, () => {
          if (!link.alive) return;
          input({ type: "opened", connection: link.connection });
          send(link, link.session.status(clock.now(), system));
        });
        return;
      }
      case "close": {
        const link = links.get(effect.connection);
        if (link === undefined) return;
        // The client abandons its current link (judged dead, or never opened).
        if (link.alive && effect.connection === client.connection) linkDied();
        link.alive = false;
        later(
          LATENCY_MS,
          () =>
            input({ type: "closed", connection: link.connection, code: effect.code, reason: "" }),
        );
        return;
      }
      case "send": {
        const link = links.get(effect.connection);
        if (link === undefined || !link.alive) return;
        later(LATENCY_MS, () => {
          if (!link.alive) return;
          const text = effect.text;
          if (text.includes('"method":"subscribe"') && frameFaults.takeRateLimit()) {
            const reqIdText = /"req_id":(\d+)/.exec(text)?.[1];
            const reqId = reqIdText === undefined ? undefined : Number(reqIdText);
            feed(link, errorFrame(clock.now(), "subscribe", "Exceeded msg rate", reqId));
            return;
          }
          for (const frame of link.session.receive(text, clock.now())) send(link, frame);
        });
        return;
      }
      case "setTimer": {
        const previous = timers.get(effect.id);
        if (previous !== undefined) clock.clearTimeout(previous);
        const id = effect.id;
        timers.set(
          id,
          clock.setTimeout(() => {
            timers.delete(id);
            input({ type: "timer", id });
          }, effect.delayMs),
        );
        return;
      }
      case "cancelTimer": {
        const handle = timers.get(effect.id);
        if (handle !== undefined) clock.clearTimeout(handle);
        timers.delete(effect.id);
        return;
      }
      case "emit":
        emitted.push(effect.event);
        check(effect.event);
    }
  }

  function later(ms: number, callback: () => void): void {
    clock.setTimeout(callback, ms);
  }

  /** Passes a server frame through the frame faults to the client, in order, with latency. */
  function send(link: Link, frame: SimFrame): void {
    const { frames, fate } = frameFaults.apply(frame);
    if (fate !== "sent") stats.faults++;
    if (fate === "dropped" && frame.kind === "book") {
      const depth = frame.book?.depth ?? 10;
      // A lost update is caught by the checksum only if it touched the top 10.
      if (depth > CHECKSUM_LEVELS) blindBelowTop.set(frame.symbol!, ++framesSent);
    }
    for (const out of frames) deliver(link, out, fate === "corrupted");
  }

  /** Queues `frame` to reach the client after the link's latency; `corrupted`: its checksum lies. */
  function deliver(link: Link, frame: SimFrame, corrupted = false): void {
    const sentAs = ++framesSent;
    const now = clock.now();
    if (!link.alive || now < link.stalledUntil) return;
    const latency = now < link.slowUntil ? SLOW_LATENCY_MS : LATENCY_MS;
    const at = Math.max(now + latency, link.lastDeliveryAt);
    link.lastDeliveryAt = at;
    clock.setTimeout(() => {
      if (!link.alive) return;
      if (frame.book?.snapshot) {
        // A snapshot repairs the losses sent before it, not one lost while it was on its way.
        const lostAs = blindBelowTop.get(frame.symbol!);
        if (lostAs !== undefined && lostAs < sentAs) blindBelowTop.delete(frame.symbol!);
      }
      feed(link, frame.text, frame, corrupted);
    }, at - now);
  }

  function feed(link: Link, text: string, frame?: SimFrame, corrupted = false): void {
    stats.frames++;
    const current = link.connection === client.connection;
    if (current && (text === MALFORMED_FRAME || text.length > MAX_FRAME_BYTES)) badFramesFed++;
    if (current && text === UNKNOWN_CHANNEL_FRAME) unknownFramesFed++;
    if (current && frame?.kind === "status") {
      toldMaintenance = text.includes('"system":"maintenance"');
    }
    const expectation = current && frame !== undefined ? dataExpectation(frame) : undefined;
    feeding = frame;
    const events = input({ type: "frame", connection: link.connection, text });
    feeding = undefined;
    if (expectation !== undefined) checkFrameAnswered(expectation, corrupted, events);
  }

  /**
   * What a data frame about to be fed on the client's current link obliges the client to do,
   * from the state its subscription is in before the frame; undefined when nothing (no such
   * subscription, or one that legitimately does not apply data now: pending, resyncing, stale, a
   * book awaiting its snapshot that gets an update, or trades it already has).
   */
  function dataExpectation(frame: SimFrame): FrameExpectation | undefined {
    const symbol = frame.symbol;
    if (symbol === undefined) return undefined;
    switch (frame.kind) {
      case "book": {
        const state = watchedFor("book", symbol)[0]?.state;
        const snapshot = frame.book?.snapshot === true;
        const applied = state === "synced" || (state === "awaiting_snapshot" && snapshot);
        return applied ? { kind: "book", symbol, state } : undefined;
      }
      case "trade": {
        if (watchedFor("trade", symbol)[0]?.state !== "synced") return undefined;
        // Trades it already delivered are not news: a repeat may produce nothing.
        const last = deliveredTrades.get(symbol)?.at(-1);
        const news = (frame.tradeIds ?? []).some((id) => last === undefined || id > last);
        return news ? { kind: "trade", symbol, state: "synced" } : undefined;
      }
      case "ticker":
      case "ohlc": {
        const interval = frame.kind === "ohlc" ? candleInterval(frame.text) : undefined;
        const state = watchedFor(frame.kind, symbol, interval)[0]?.state;
        return state === "synced" ? { kind: frame.kind, symbol, state, interval } : undefined;
      }
      default:
        return undefined;
    }
  }

  /** Holds the events of the input that fed a data frame to what the frame obliged. */
  function checkFrameAnswered(
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
          // The simulation knows this frame's checksum is wrong: an applied book must fail it.
          if (!gapFor(["checksum"])) {
            violate(`corrupted book frame for ${symbol} fed while ${state} made no checksum gap`);
          }
        } else if (
          !events.some((event) => event.type === "book" && event.symbol === symbol) && !gapFor()
        ) {
          violate(
            `book frame for ${symbol} fed while ${state} made neither a book event nor a gap`,
          );
        }
        return;
      case "trade":
        if (
          !events.some((event) => event.type === "trade" && event.symbol === symbol) &&
          !gapFor(["sequence"])
        ) {
          violate(
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
          violate(`${kind} frame for ${symbol} fed while synced made no ${kind} event`);
        }
        return;
    }
  }

  function currentLink(): Link | undefined {
    const link = links.get(client.connection);
    return link?.alive ? link : undefined;
  }

  function fault(scheduled: ScheduledFault): void {
    const link = currentLink();
    stats.faults++;
    const now = clock.now();
    switch (scheduled.kind) {
      case "outage":
      case "drop_connection":
      case "close_1001":
      case "close_1008":
      case "close_1011": {
        if (scheduled.kind === "outage") outageUntil = now + (scheduled.durationMs ?? 30_000);
        if (link === undefined) return;
        link.alive = false;
        const code = scheduled.kind === "drop_connection" || scheduled.kind === "outage"
          ? 1006
          : Number(scheduled.kind.slice(6));
        later(
          LATENCY_MS,
          () => input({ type: "closed", connection: link.connection, code, reason: "" }),
        );
        return;
      }
      case "stall":
        if (link !== undefined) link.stalledUntil = now + (scheduled.durationMs ?? 15_000);
        return;
      case "slow":
        if (link !== undefined) link.slowUntil = now + (scheduled.durationMs ?? 5000);
        return;
      case "maintenance":
        if (link === undefined) return;
        system = "maintenance";
        deliver(link, link.session.status(now, system));
        later(scheduled.durationMs ?? 5000, () => {
          system = "online";
          const after = currentLink();
          if (after !== undefined) deliver(after, after.session.status(clock.now(), "online"));
        });
        return;
      case "malformed_json":
        if (link !== undefined) deliver(link, { kind: "reply", text: MALFORMED_FRAME });
        return;
      case "unknown_channel":
        if (link !== undefined) deliver(link, { kind: "reply", text: UNKNOWN_CHANNEL_FRAME });
        return;
      case "oversized_frame":
        if (link !== undefined) {
          deliver(link, { kind: "reply", text: oversizedFrame(MAX_FRAME_BYTES + 1024) });
        }
        return;
      default:
        frameFaults.arm(scheduled.kind);
    }
  }

  // The market and the server's heartbeats run on their own clock.
  const marketStep = () => {
    const now = clock.now();
    const changes = market.step(now);
    const link = currentLink();
    if (link !== undefined && now >= link.stalledUntil) {
      for (const frame of link.session.step(changes, now)) send(link, frame);
      const heartbeat = link.session.heartbeat(now);
      if (heartbeat !== undefined) send(link, heartbeat);
    }
    if (now + MARKET_STEP_MS <= duration) clock.setTimeout(marketStep, MARKET_STEP_MS);
  };
  clock.setTimeout(marketStep, MARKET_STEP_MS);
  for (const scheduled of schedule) clock.setTimeout(() => fault(scheduled), scheduled.at);

  let consumer = 0;
  for (const request of pickSubscriptions(random, market)) {
    const key = subscriptionKey(request);
    watched.set(key, {
      request,
      key,
      state: undefined,
      announced: undefined,
      leftSyncedAt: undefined,
      lastGapAt: -1,
      owesReconnectGap: false,
    });
    input({ type: "subscribe", consumer: ++consumer, request });
  }
  clock.advance(duration);

  // Loss must be covered: every trade id between the first and last delivered was delivered or
  // lies in a sequence gap.
  for (const [symbol, ids] of deliveredTrades) {
    const covered = new Set(ids);
    for (const [from, to] of sequenceGaps.get(symbol) ?? []) {
      for (let id = from; id <= to; id++) covered.add(id);
    }
    for (let id = ids[0]; id <= ids[ids.length - 1]; id++) {
      if (!covered.has(id)) {
        violate(`trade ${id} of ${symbol} was lost without a gap`);
        break;
      }
    }
  }
  if (badFramesFed > 0) violate(`${badFramesFed} undecodable frames without a decode gap`);
  if (unknownFramesFed > 0) violate(`${unknownFramesFed} unknown frames without an error event`);
  return { seed, violations, stats };
}
