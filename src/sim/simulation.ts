/**
 * The seeded simulation: the real client (`KrakenWs`: its session, its driver, its streams)
 * against the fake exchange in virtual time, over in-memory sockets, under a fault schedule drawn
 * from the seed. Streams are read as a user reads them, one of them slowly. The invariants hold
 * the client to what the exchange fed, to its own session's state and to what its streams
 * delivered; a failing seed reruns exactly.
 *
 * One seed in ten also runs the authenticated side: an account at the exchange, the client's
 * second connection with its token, its `executions` and `balances` streams, and a seeded trader
 * placing, amending and cancelling orders while the private faults fire. Its checks
 * (`AccountInvariants`) hold each trading request to what the exchange received and answered, each
 * account message to its `sequence`, and the open orders a consumer rebuilds to the exchange's.
 *
 * One seed in twenty-five also subscribes level 3 (experimental): one or two pairs at depths drawn
 * from the seed, through the client's level 3 connection (with the account's token), under the
 * book faults aimed at that connection. Its checks (`Level3Invariants`) hold every level 3 book to
 * the exchange's truth order by order, every frame to a book or a gap, every corrupted checksum to
 * a resync, and the client to Kraken's level 3 rate counter.
 *
 * @module
 */

import type { DriverProbe } from "../client/driver.ts";
import { probedClient } from "../client/kraken_ws.ts";
import { KrakenClosedError } from "../client/kraken_closed_error.ts";
import type { KrakenEvent } from "../core/events.ts";
import { SeededRandom } from "../core/seeded_random.ts";
import type { BookDepth } from "../book/order_book.ts";
import type { Level3Depth } from "../book/level3_book.ts";
import type { OhlcInterval, SubscriptionRequest } from "../core/subscription.ts";
import { VirtualClock } from "../core/virtual_clock.ts";
import { Exchange, type ExchangeOutput } from "../exchange/exchange.ts";
import {
  drawFault,
  type FaultKind,
  PRIVATE_FAULT_KINDS,
  randomFaultSchedule,
  type ScheduledFault,
} from "../exchange/faults.ts";
import type { Feed } from "../exchange/feed.ts";
import { SimMarket } from "../exchange/market.ts";
import { MarketFeed } from "../exchange/market_feed.ts";
import { ReplayFeed } from "../exchange/replay_feed.ts";
import {
  AccountInvariants,
  Invariants,
  type InvariantStats,
  Level3Invariants,
  type StreamWatch,
  type Tamper,
} from "./invariants.ts";
import type { KrakenWs } from "../client/kraken_ws.ts";
import { recordedFrames } from "./recorded_frames.ts";
import { VirtualExchange } from "./virtual_exchange.ts";

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
  /** A scripted schedule instead of the random one: times from the start, at the client's link. */
  readonly schedule?: readonly ScheduledFault[];
  /**
   * Serve a recording instead of the seeded market; every recorded channel and symbol is
   * subscribed.
   */
  readonly replay?: {
    /** The file's lines: raw Kraken frames, or `record`'s recording lines. */
    readonly lines: readonly string[];
    /** 1 plays at the recorded pace (default), 10 ten times faster. */
    readonly speed?: number;
  };
  /**
   * The subscriptions to open, one stream each, instead of those the seed picks (or, over a
   * recording, every recorded one).
   */
  readonly subscriptions?: readonly SubscriptionRequest[];
  /**
   * Sees every event the client routes to its streams, in order, as its tap would (not those
   * addressed to one stream: an overflow gap, the book a stream starts from).
   */
  readonly onEvent?: (event: KrakenEvent) => void;
  /** Events each of the client's streams holds before it overflows (default 256). */
  readonly bufferSize?: number;
  /**
   * Makes the client lie, through its driver's probe: only for testing the checks themselves,
   * by seeing a lying client caught.
   */
  readonly tamper?: Tamper;
  /**
   * Also runs the authenticated side (experimental): an account with money in every asset of the
   * market, the client's `executions` and `balances` streams, and a seeded trader placing,
   * amending and cancelling orders and arming the dead man's switch, while the private faults
   * fire. Default: one seed in ten (those whose remainder by 10 is 1), decided from the seed, when
   * neither `schedule` nor `subscriptions` is given; never over a recording, where nothing trades.
   */
  readonly account?: boolean;
  /**
   * Also subscribes level 3 (experimental): one or two pairs at depths drawn from the seed (10 and
   * 100 mostly, 1000 sometimes), on the client's level 3 connection with the account's token,
   * while the book faults hit that connection (`level3Schedule`'s, or random ones). Default: one
   * seed in twenty-five (those whose remainder by 25 is 3) when neither `schedule` nor
   * `subscriptions` is given, and whenever `subscriptions` asks for a `level3` one; never over a
   * recording, which has no orders.
   */
  readonly level3?: boolean;
  /**
   * Faults for the level 3 connection instead of random ones: times from the start, each thrown at
   * the level 3 connection open then (if any).
   */
  readonly level3Schedule?: readonly ScheduledFault[];
}

/**
 * What a run did and what it found wrong.
 *
 * @example
 * ```ts
 * import { runSimulation } from "./simulation.ts";
 * const report = await runSimulation({ seed: 1, durationMs: 20_000 });
 * console.log(report.violations.length); // 0
 * ```
 */
export interface SimulationReport {
  /** The run's seed. */
  readonly seed: number;
  /** Broken invariants, in the order found; empty when the client never lied. */
  readonly violations: string[];
  /** Counters of the run. */
  readonly stats: InvariantStats;
}

/**
 * Virtual time of one run, unless told otherwise: two minutes.
 *
 * @example
 * ```ts
 * import { DEFAULT_DURATION_MS } from "./simulation.ts";
 * console.log(DEFAULT_DURATION_MS); // 120000
 * ```
 */
export const DEFAULT_DURATION_MS = 120_000;

/**
 * The command that reruns one seed exactly.
 *
 * @param seed The seed.
 * @param durationMs The run's virtual duration, when not the default.
 * @returns The command line.
 *
 * @example
 * ```ts
 * import { seedCommand } from "./simulation.ts";
 * console.log(seedCommand(42)); // "deno task sim-test --seed 42"
 * ```
 */
export function seedCommand(seed: number, durationMs?: number): string {
  const duration = durationMs === undefined || durationMs === DEFAULT_DURATION_MS
    ? ""
    : ` --duration ${durationMs}`;
  return `deno task sim-test --seed ${seed}${duration}`;
}

/** One way time of every message between the client and the exchange. */
const LATENCY_MS = 5;
/**
 * Events each stream holds: small enough that the slow reader overflows early in every run, big
 * enough for a trade snapshot (50) in one go.
 */
const BUFFER_SIZE = 256;
/** The slow reader's pace: behind the run's event rate, so its stream overflows. */
const SLOW_READS_PER_SECOND = 20;
/**
 * Microtask turns with no event read after which the readers are taken to be waiting for more:
 * a stream hands an event over within a few turns of a read.
 */
const IDLE_TURNS = 12;
/** After the run, how long closing the client may take. */
const CLOSE_WAIT_MS = 10_000;

/** A pair the exchange does not list: Kraken refuses it. */
const UNLISTED_SYMBOL = "NOT/LISTED";

/** One seed in this many also runs the authenticated side, unless told: those whose remainder is 1. */
const ACCOUNT_SEED_SHARE = 10;
/** The simulated account's key and secret (base64, as Kraken issues them). */
const SIM_API_KEY = "sim-key";
const SIM_API_SECRET = btoa("the simulated account's secret");
/** Where the client finds the authenticated endpoint and the token endpoint. */
const SIM_AUTH_URL = "wss://sim.invalid/auth/v2";
const SIM_REST_URL = "https://sim.invalid";
/** Money in every asset of the market: enough that most orders are funded, not all. */
const SIM_BALANCES: Readonly<Record<string, string>> = {
  USD: "2000000",
  BTC: "20",
  ETH: "400",
  SOL: "5000",
  XRP: "1500000",
};
/** Where the client finds the level 3 endpoint (the virtual exchange's `/l3/` path). */
const SIM_LEVEL3_URL = "wss://sim.invalid/l3/v2";
/**
 * One seed in this many also subscribes level 3, unless told: those whose remainder is 3. Level 3
 * costs a run about half a second more (the exchange explains every level of its pairs with
 * orders, the client decodes and checks every order): one in twenty-five keeps `sim-test` within
 * budget, `sim-test --level3` runs it on every seed.
 */
const LEVEL3_SEED_SHARE = 25;
const LEVEL3_SEED_REMAINDER = 3;
/** Level 3 depths a seed draws from: 10 and 100 mostly, 1000 sometimes. */
const LEVEL3_DEPTHS: readonly Level3Depth[] = [10, 10, 10, 100, 100, 1000];
/** Mean time between random faults on one level 3 connection, from its opening. */
const LEVEL3_FAULT_GAP_MS = 8000;
/**
 * The faults drawn for a level 3 connection: those of one connection (the whole exchange's, an
 * outage or maintenance, come from the run's schedule; a 1008 close, final, is never drawn; an
 * oversized frame, 9 MB to build and scan, is the public connections' to test).
 */
const LEVEL3_FAULT_KINDS: readonly FaultKind[] = [
  "drop_connection",
  "close_1001",
  "close_1011",
  "stall",
  "wrong_checksum",
  "drop_update",
  "duplicate_frame",
  "malformed_json",
  "unknown_channel",
  "exceeded_msg_rate",
  "slow",
];
/** Mean time between random private faults on one private connection. */
const PRIVATE_FAULT_GAP_MS = 15_000;
/** The trader's first call, and the longest pause between two. */
const TRADER_START_MS = 1500;
const TRADER_MAX_PAUSE_MS = 1800;

/** Subscriptions a seed asks for: a few books at various depths, trades, a ticker, a candle. */
function pickSubscriptions(
  random: SeededRandom,
  symbols: readonly string[],
): SubscriptionRequest[] {
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

/** One `level3` stream a run opens: its pairs, at one depth. */
interface Level3Stream {
  readonly symbols: readonly string[];
  readonly depth: Level3Depth;
}

/**
 * The level 3 streams a seed asks for: one or two pairs, each at a depth of its own, or both in
 * one stream. Drawn from a generator of their own, so nothing else a seed draws changes.
 */
function pickLevel3(seed: number, symbols: readonly string[]): Level3Stream[] {
  const random = new SeededRandom((seed ^ 0x1e3d5c7b) >>> 0);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)];
  const first = pick(symbols);
  const depth = pick(LEVEL3_DEPTHS);
  if (random.next() < 0.6) return [{ symbols: [first], depth }];
  const second = pick(symbols.filter((symbol) => symbol !== first));
  if (second === undefined) return [{ symbols: [first], depth }];
  return random.next() < 0.5
    ? [{ symbols: [first, second], depth }]
    : [{ symbols: [first], depth }, { symbols: [second], depth: pick(LEVEL3_DEPTHS) }];
}

/**
 * The faults of level 3 connection `connection`, opened (accepted) at `openedAt`: the scripted
 * ones due while it may be open, or random ones drawn for it from the seed until the run ends;
 * times from its opening, as the exchange's `scripted` faults are.
 */
function level3Faults(
  seed: number,
  connection: number,
  openedAt: number,
  end: number,
  schedule: readonly ScheduledFault[] | undefined,
): ScheduledFault[] {
  if (schedule !== undefined) {
    return schedule.filter((fault) => fault.at >= openedAt)
      .map((fault) => ({ ...fault, at: fault.at - openedAt }));
  }
  const random = new SeededRandom((seed ^ Math.imul(connection, 0x85ebca6b) ^ 0x2f0e1d3c) >>> 0);
  const faults: ScheduledFault[] = [];
  for (let at = 0;;) {
    const fault = drawFault(random, LEVEL3_FAULT_GAP_MS, LEVEL3_FAULT_KINDS);
    at += fault.at;
    if (openedAt + at >= end) return faults;
    faults.push({ ...fault, at });
  }
}

/** Every channel and symbol a recording holds, at its recorded depth. */
function recordedSubscriptions(feed: ReplayFeed): SubscriptionRequest[] {
  return feed.subscriptions.flatMap((held): SubscriptionRequest[] => {
    switch (held.channel) {
      case "book":
        return [{ channel: "book", symbol: held.symbol, depth: (held.depth ?? 10) as BookDepth }];
      case "trade":
        return [{ channel: "trade", symbol: held.symbol }];
      case "ticker":
        return [{ channel: "ticker", symbol: held.symbol, trigger: "trades" }];
      case "ohlc":
        return [{
          channel: "ohlc",
          symbol: held.symbol,
          interval: (held.interval ?? 1) as OhlcInterval,
        }];
      default:
        return [];
    }
  });
}

/** A stream's name in violation messages. */
function streamName(request: SubscriptionRequest): string {
  switch (request.channel) {
    case "book":
    case "level3":
      return `${request.channel}(${request.symbol}, depth ${request.depth})`;
    case "trade":
      return `trades(${request.symbol})`;
    case "ticker":
      return `ticker(${request.symbol}, ${request.trigger})`;
    case "ohlc":
      return `ohlc(${request.symbol}, ${request.interval} min)`;
  }
}

/** How many events a reader may still take; past them it waits until more are granted. */
class ReadBudget {
  #left: number;
  #wake: (() => void) | undefined;

  constructor(left: number) {
    this.#left = left;
  }

  /** Resolves once a read is allowed, and takes it. */
  async take(): Promise<void> {
    while (this.#left <= 0) await new Promise<void>((resolve) => this.#wake = resolve);
    this.#left--;
  }

  /** Allows `reads` more. */
  grant(reads: number): void {
    this.#left += reads;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** The run's stream readers, and a way to let them catch up between two moments. */
class Readers {
  #progress = 0;
  #running = 0;
  readonly #failures: string[] = [];

  /** Readers still reading. */
  get running(): number {
    return this.#running;
  }

  /** Streams that failed other than by the server ending the connection for good. */
  get failures(): readonly string[] {
    return this.#failures;
  }

  /** Reads `stream` to its end, telling `watch` each event; at `budget`'s pace when given. */
  read(
    name: string,
    stream: ReadableStream<KrakenEvent>,
    watch: StreamWatch,
    budget?: ReadBudget,
  ): void {
    this.#running++;
    const reader = stream.getReader();
    const loop = async () => {
      try {
        for (;;) {
          await budget?.take();
          const result = await reader.read();
          this.#progress++;
          if (result.done) return;
          watch.read(result.value);
        }
      } catch (error) {
        // Close 1008 ends data streams with this error, once what they held was read.
        if (!(error instanceof KrakenClosedError)) this.#failures.push(`${name}: ${error}`);
      } finally {
        this.#running--;
        this.#progress++;
      }
    };
    void loop();
  }

  /** Lets the readers read all they can, with no time passing. */
  async drain(): Promise<void> {
    while (this.#running > 0) {
      const before = this.#progress;
      await this.settle();
      if (this.#progress === before) return;
    }
  }

  /** Lets the readers run until none has read anything for a few microtask turns. */
  async settle(): Promise<void> {
    for (let idle = 0; idle < IDLE_TURNS;) {
      const before = this.#progress;
      await undefined;
      idle = this.#progress === before ? idle + 1 : 0;
    }
  }
}

/** Decimal text of `units` counted in 10^-`decimals`. */
function unitsText(units: number, decimals: number): string {
  const digits = String(units).padStart(decimals + 1, "0");
  return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** An order the trader placed and believes open. */
interface TraderOrder {
  orderId: string;
  readonly clOrdId: string | undefined;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  lots: number;
  ticks: number;
}

/**
 * The token requests of the client's authenticated connection. Signing and checking a request
 * take real time (Web Crypto), so the run waits for each, with its clock stopped, before time
 * moves on: a seed reruns exactly.
 */
class TokenRequests {
  /** Token requests the driver began and whose `fetch` has not answered yet. */
  #busy = 0;
  readonly #virtual: VirtualExchange;

  constructor(virtual: VirtualExchange) {
    this.#virtual = virtual;
  }

  /** Whether a token request is under way. */
  get busy(): boolean {
    return this.#busy > 0;
  }

  /** The driver began a token request (it signs, then fetches). */
  began(): void {
    this.#busy++;
  }

  /** The client's `fetch`: the exchange's token endpoint, answered whole. */
  readonly fetch: typeof fetch = async (input, init) => {
    try {
      const response = await this.#virtual.fetch(input, init);
      const body = await response.json();
      // Read at once, so what follows is microtasks only.
      const { ok, status } = response;
      return { ok, status, json: () => Promise.resolve(body) } as unknown as Response;
    } finally {
      this.#busy--;
    }
  };

  /** Waits in real time until no token request is under way. */
  async wait(): Promise<void> {
    while (this.#busy > 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * A seeded trader on the client's authenticated connection: limit orders that rest and some that
 * cross, market orders, amends, edits, cancels, batches, now and then `cancelAll` and the dead
 * man's switch. Every order has a `cl_ord_id` of its own; every call is handed to the checks.
 */
class Trader {
  readonly #kraken: KrakenWs;
  readonly #market: SimMarket;
  readonly #random: SeededRandom;
  readonly #checks: AccountInvariants;
  readonly #clock: VirtualClock;
  readonly #prefix: string;
  readonly #open: TraderOrder[] = [];
  #placed = 0;
  #calls = 0;
  #switchOn = false;
  #until = 0;
  #stopped = false;

  constructor(
    kraken: KrakenWs,
    market: SimMarket,
    seed: number,
    checks: AccountInvariants,
    clock: VirtualClock,
  ) {
    this.#kraken = kraken;
    this.#market = market;
    this.#random = new SeededRandom((seed ^ 0x7ade5) >>> 0);
    this.#checks = checks;
    this.#clock = clock;
    this.#prefix = `s${seed}-`;
  }

  /** Trades from `from` until `until`. */
  start(from: number, until: number): void {
    this.#until = until;
    this.#clock.setTimeout(() => this.#act(), from);
  }

  /** Places nothing more. */
  stop(): void {
    this.#stopped = true;
  }

  #act(): void {
    // A client the server ended for good (a 1008 close) takes no more calls.
    if (this.#stopped || this.#clock.now() >= this.#until || this.#kraken.state === "closed") {
      return;
    }
    this.#one();
    this.#clock.setTimeout(
      () => this.#act(),
      100 + Math.floor(this.#random.next() * TRADER_MAX_PAUSE_MS),
    );
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random.next() * items.length)];
  }

  #one(): void {
    const roll = this.#random.next();
    const known = this.#open.length > 0;
    if (roll < 0.34 || !known) this.#add(this.#random.next() < 0.2 ? "cross" : "rest");
    else if (roll < 0.42) this.#add("market");
    else if (roll < 0.56) this.#amend(this.#pick(this.#open));
    else if (roll < 0.70) this.#cancel([this.#pick(this.#open)]);
    else if (roll < 0.74) this.#cancel([this.#pick(this.#open), this.#pick(this.#open)]);
    else if (roll < 0.79) this.#edit(this.#pick(this.#open));
    else if (roll < 0.85) this.#batchAdd();
    else if (roll < 0.89) this.#batchCancel();
    else if (roll < 0.93) {
      this.#call("cancel_all", [], this.#kraken.cancelAll(), () => this.#open.splice(0));
    } else if (roll < 0.97) {
      this.#switchOn = !this.#switchOn;
      try {
        this.#kraken.deadManSwitch(this.#switchOn ? 20 + Math.floor(this.#random.next() * 40) : 0);
      } catch (error) {
        // The authenticated connection ended for good (a fault closed it): no switch to set.
        if (!(error instanceof KrakenClosedError)) throw error;
      }
    } else this.#add("rest");
  }

  /** One call, handed to the checks; `then` follows what it did. */
  #call<T>(
    method: string,
    clOrdIds: readonly string[],
    promise: Promise<T>,
    then: (value: T) => void = () => {},
  ): void {
    const label = `call #${++this.#calls} ${method}${
      clOrdIds.length > 0 ? ` ${clOrdIds.join(",")}` : ""
    }`;
    this.#checks.track(label, clOrdIds, promise);
    promise.then(then, () => {});
  }

  /** A new order's terms: a pair, a side, a size, and a price by how it meets the book. */
  #terms(how: "rest" | "cross" | "market") {
    const state = this.#pick([...this.#market.symbols]);
    const pair = state.pair;
    const side = this.#random.next() < 0.5 ? "buy" as const : "sell" as const;
    const bid = state.bids[0]?.ticks;
    const ask = state.asks[0]?.ticks;
    if (bid === undefined || ask === undefined) return undefined;
    // Sized on what the book shows, so a taker fills a few levels, not thousands.
    const top = (side === "buy" ? state.asks : state.bids).slice(0, 3);
    const shown = top.reduce((sum, level) => sum + level.lots, 0);
    const lots = Math.max(1, Math.round(shown * (0.05 + this.#random.next() * 1.2)));
    const away = Math.floor(this.#random.next() * 25);
    const ticks = how === "cross"
      ? (side === "buy" ? ask + away : bid - away)
      : (side === "buy" ? bid - away : ask + away);
    return { symbol: pair.symbol, pair, side, lots, ticks: Math.max(1, ticks) };
  }

  #clOrdId(): string {
    return `${this.#prefix}${++this.#placed}`;
  }

  #add(how: "rest" | "cross" | "market"): void {
    const terms = this.#terms(how);
    if (terms === undefined) return;
    const { symbol, pair, side, lots, ticks } = terms;
    const clOrdId = this.#clOrdId();
    const promise = this.#kraken.addOrder({
      symbol,
      side,
      orderType: how === "market" ? "market" : "limit",
      orderQty: unitsText(lots, pair.qtyPrecision),
      ...(how === "market" ? {} : { limitPrice: unitsText(ticks, pair.pricePrecision) }),
      clOrdId,
    });
    this.#call("add_order", [clOrdId], promise, (result) => {
      if (how !== "market") {
        this.#open.push({ orderId: result.orderId, clOrdId, symbol, side, lots, ticks });
      }
      if (this.#open.length > 40) this.#open.shift();
    });
  }

  #amend(order: TraderOrder): void {
    const pair = this.#market.symbol(order.symbol).pair;
    const lots = order.lots + 1 + Math.floor(this.#random.next() * order.lots);
    const ticks = Math.max(1, order.ticks + Math.floor(this.#random.next() * 9) - 4);
    const byClient = order.clOrdId !== undefined && this.#random.next() < 0.5;
    const promise = this.#kraken.amendOrder({
      ...(byClient ? { clOrdId: order.clOrdId } : { orderId: order.orderId }),
      orderQty: unitsText(lots, pair.qtyPrecision),
      limitPrice: unitsText(ticks, pair.pricePrecision),
    });
    this.#call("amend_order", [], promise, () => {
      order.lots = lots;
      order.ticks = ticks;
    });
  }

  #edit(order: TraderOrder): void {
    const pair = this.#market.symbol(order.symbol).pair;
    const ticks = Math.max(1, order.ticks + Math.floor(this.#random.next() * 9) - 4);
    const promise = this.#kraken.editOrder({
      orderId: order.orderId,
      symbol: order.symbol,
      limitPrice: unitsText(ticks, pair.pricePrecision),
    });
    this.#call("edit_order", [], promise, (result) => {
      order.orderId = result.orderId;
      order.ticks = ticks;
    });
  }

  #cancel(orders: readonly TraderOrder[]): void {
    const unique = [...new Set(orders)];
    const byClient = unique.every((order) => order.clOrdId !== undefined) &&
      this.#random.next() < 0.4;
    const promise = this.#kraken.cancelOrder(
      byClient
        ? { clOrdId: unique.map((order) => order.clOrdId!) }
        : { orderId: unique.map((order) => order.orderId) },
    );
    this.#call("cancel_order", [], promise, () => this.#forget(unique));
  }

  #forget(orders: readonly TraderOrder[]): void {
    for (const order of orders) {
      const index = this.#open.indexOf(order);
      if (index >= 0) this.#open.splice(index, 1);
    }
  }

  #batchAdd(): void {
    const first = this.#terms("rest");
    if (first === undefined) return;
    const count = 2 + Math.floor(this.#random.next() * 3);
    const orders = Array.from({ length: count }, (_, index) => {
      const ticks = Math.max(
        1,
        first.side === "buy" ? first.ticks - index * 3 : first.ticks + index * 3,
      );
      return { lots: first.lots, ticks, clOrdId: this.#clOrdId() };
    });
    const promise = this.#kraken.batchAdd({
      symbol: first.symbol,
      orders: orders.map((order) => ({
        side: first.side,
        orderType: "limit" as const,
        orderQty: unitsText(order.lots, first.pair.qtyPrecision),
        limitPrice: unitsText(order.ticks, first.pair.pricePrecision),
        clOrdId: order.clOrdId,
      })),
    });
    this.#call("batch_add", orders.map((order) => order.clOrdId), promise, (results) => {
      results.forEach((result, index) => {
        const orderId = (result as { orderId?: string }).orderId;
        if (orderId === undefined) return;
        const order = orders[index];
        this.#open.push({ ...order, orderId, symbol: first.symbol, side: first.side });
      });
    });
  }

  #batchCancel(): void {
    if (this.#open.length < 2) return;
    const orders = [...new Set([this.#pick(this.#open), this.#pick(this.#open)])];
    if (orders.length < 2) return;
    const promise = this.#kraken.batchCancel({ orders: orders.map((order) => order.orderId) });
    this.#call("batch_cancel", [], promise, () => this.#forget(orders));
  }
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
 * const report = await runSimulation({
 *   seed: 3,
 *   durationMs: 30_000,
 *   schedule: [{ at: 5000, kind: "wrong_checksum" }],
 *   tamper: {
 *     effects: (_input, effects) =>
 *       effects.filter((effect) =>
 *         !(effect.type === "emit" && effect.event.type === "gap" && effect.event.reason === "checksum")
 *       ),
 *   },
 * });
 * console.log(report.violations.some((violation) => violation.includes("checksum gap"))); // true
 * ```
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const seed = options.seed >>> 0;
  const duration = options.durationMs ?? DEFAULT_DURATION_MS;
  const clock = new VirtualClock(0);
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  // A run told its faults or its subscriptions is about those, unless asked for the account.
  const withAccount = options.replay === undefined &&
    (options.account ??
      (options.schedule === undefined && options.subscriptions === undefined &&
        seed % ACCOUNT_SEED_SHARE === 1));
  // Level 3 when told, when a subscription asks for it, or on one seed in 25 left to itself.
  const askedLevel3 = options.subscriptions?.some((request) => request.channel === "level3") ??
    false;
  const withLevel3 = options.replay === undefined &&
    (askedLevel3 ||
      (options.level3 ??
        (options.schedule === undefined && options.subscriptions === undefined &&
          seed % LEVEL3_SEED_SHARE === LEVEL3_SEED_REMAINDER)));
  const withAuth = withAccount || withLevel3;
  const randomFaults = options.schedule === undefined && options.faults !== false;
  const schedule = options.schedule ??
    (options.faults === false
      ? []
      : randomFaultSchedule(seed ^ 0x27d4eb2f, duration, options.meanFaultGapMs ?? 6000));
  let feed: Feed<unknown>;
  let picked: SubscriptionRequest[];
  let market: SimMarket | undefined;
  if (options.replay === undefined) {
    market = new SimMarket(seed);
    feed = new MarketFeed(market);
    picked = pickSubscriptions(random, [...market.symbols].map((state) => state.pair.symbol));
    // One seed in four also asks for a pair Kraken does not list: its refusal comes inside a
    // batched request whose other symbols go on (decided from the seed, not drawn, so every
    // other seed's run stays what it was).
    if (seed % 4 === 0) picked.push({ channel: "trade", symbol: UNLISTED_SYMBOL });
  } else {
    const replay = new ReplayFeed(recordedFrames(options.replay.lines), options.replay.speed ?? 1);
    feed = replay;
    picked = recordedSubscriptions(replay);
  }
  const requests = (options.subscriptions ?? picked).filter((request) =>
    request.channel !== "level3"
  );
  const level3Streams: Level3Stream[] = !withLevel3
    ? []
    : options.subscriptions === undefined
    ? (market === undefined ? [] : pickLevel3(
      seed,
      [...market.symbols].map((state) => state.pair.symbol),
    ))
    : options.subscriptions.flatMap((request) =>
      request.channel === "level3" ? [{ symbols: [request.symbol], depth: request.depth }] : []
    );
  // Each level 3 connection's faults, set as the client makes its socket (the exchange reads them
  // when it accepts the connection).
  const level3Scripted: Record<number, ScheduledFault[]> = {};
  const exchange = new Exchange({
    feed,
    latencyMs: LATENCY_MS,
    seed,
    faults: {
      schedule: withAccount && randomFaults
        ? [...schedule, ...privateFaultSchedule(seed, duration)]
        : schedule,
      scripted: level3Scripted,
      // Drawn on private connections only: the public ones keep the schedule they had.
      ...(withAccount && randomFaults
        ? { random: { meanGapMs: PRIVATE_FAULT_GAP_MS, kinds: PRIVATE_FAULT_KINDS } }
        : {}),
    },
    ...(withAuth
      ? {
        account: {
          apiKey: SIM_API_KEY,
          apiSecret: SIM_API_SECRET,
          ...(withAccount ? { balances: SIM_BALANCES } : {}),
        },
      }
      : {}),
  });
  const invariants = new Invariants(clock, options.tamper);
  // With `auth` the client has an authenticated connection, used or not: its checks account for
  // its events (`events()` carries them) even when the run trades nothing.
  const accountChecks = withAuth
    ? new AccountInvariants(clock, invariants, options.tamper?.account)
    : undefined;
  const account = withAccount ? accountChecks : undefined;
  const level3 = withLevel3
    ? new Level3Invariants(clock, invariants, options.tamper?.level3)
    : undefined;
  // Exchange connections are numbered as the client makes its sockets, the first 1.
  const privateLinks = new Set<number>();
  const level3Links = new Set<number>();
  let sockets = 0;
  const observe = (output: ExchangeOutput) => {
    if (accountChecks !== undefined && privateLinks.has(output.connection ?? 0)) {
      accountChecks.observe(output);
    } else if (level3 !== undefined && level3Links.has(output.connection ?? 0)) {
      level3.observe(output);
    } else invariants.observe(output);
  };
  const level3Faulted = options.faults !== false &&
    (options.level3Schedule !== undefined || options.schedule === undefined);
  const virtual = new VirtualExchange(exchange, clock, observe);
  const tokens = new TokenRequests(virtual);
  const kraken = probedClient(
    {
      url: "wss://sim.invalid/v2",
      clock,
      reconnect: { seed },
      bufferSize: options.bufferSize ?? BUFFER_SIZE,
      webSocket: (url) => {
        const socket = virtual.webSocket(url);
        const connection = ++sockets;
        if (url === SIM_AUTH_URL) {
          privateLinks.add(connection);
          accountChecks?.socketMade(connection);
        }
        if (url === SIM_LEVEL3_URL) {
          level3Links.add(connection);
          level3?.socketMade(connection);
          if (level3Faulted) {
            // Accepted one latency from now, unless refused (then never opened).
            level3Scripted[connection] = level3Faults(
              seed,
              connection,
              clock.now() + LATENCY_MS,
              duration,
              options.level3Schedule,
            );
          }
        }
        return socket;
      },
      ...(!withAuth ? {} : {
        auth: { apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET },
        authUrl: SIM_AUTH_URL,
        level3Url: SIM_LEVEL3_URL,
        restUrl: SIM_REST_URL,
        fetch: tokens.fetch,
      }),
    },
    watched(invariants, options.onEvent),
    accountChecks === undefined ? undefined : tokenWatched(accountChecks.probe, tokens),
    level3 === undefined ? undefined : tokenWatched(level3.probe, tokens),
  );

  const readers = new Readers();
  for (const request of requests) {
    const name = streamName(request);
    const watch = invariants.watchStream({ name, requests: [request] });
    readers.read(name, open(kraken, request), watch);
  }
  for (const stream of level3Streams) {
    const name = `level3(${stream.symbols.join(", ")}, depth ${stream.depth})`;
    const watch = level3!.watchStream(name, stream.symbols, stream.depth);
    readers.read(name, kraken.level3(stream.symbols, { depth: stream.depth }), watch);
  }
  if (account !== undefined) {
    const executions = account.watchStream("executions", "executions");
    readers.read("executions", kraken.executions(), executions);
    const balances = account.watchStream("balances", "balances");
    readers.read("balances", kraken.balances(), balances);
  }
  // One consumer of everything that reads slowly: its stream must overflow, and say so.
  const slow = new ReadBudget(0);
  const slowName = "events() read slowly";
  const publicWatch = invariants.watchStream({ name: slowName, requests: [] });
  // With `auth`, `events()` merges every connection's events, each in its own order.
  const privateWatch = accountChecks?.watchStream(`${slowName} (authenticated)`);
  const level3Watch = level3?.watchStream(`${slowName} (level 3)`);
  readers.read(
    slowName,
    kraken.events(),
    privateWatch === undefined && level3Watch === undefined ? publicWatch : {
      read: (event) =>
        (privateWatch !== undefined && accountChecks!.owns(event.seq)
          ? privateWatch
          : level3Watch !== undefined && level3!.owns(event.seq)
          ? level3Watch
          : publicWatch).read(event),
    },
    slow,
  );
  const pace = () => {
    slow.grant(SLOW_READS_PER_SECOND);
    clock.setTimeout(pace, 1000);
  };
  clock.setTimeout(pace, 1000);
  const trader = account === undefined || market === undefined
    ? undefined
    : new Trader(kraken, market, seed, account, clock);
  trader?.start(TRADER_START_MS, duration);

  const settle = async () => {
    await readers.settle();
    while (tokens.busy) {
      await tokens.wait();
      await readers.settle();
    }
  };
  const afterStep = account === undefined ? undefined : () => account.step(exchange.account);
  await runUntil(clock, settle, () => false, duration, afterStep);
  trader?.stop();
  // The end: every stream is read to its end, the slow one too, once the client has closed.
  slow.grant(Infinity);
  let closed = false;
  void kraken.close().then(() => closed = true);
  await runUntil(clock, settle, () => closed, duration + CLOSE_WAIT_MS);
  await readers.drain();
  if (!closed) invariants.violations.push(`the client did not close within ${CLOSE_WAIT_MS} ms`);
  if (readers.running > 0) invariants.violations.push(`${readers.running} streams never ended`);
  for (const failure of readers.failures) invariants.violations.push(`stream failed: ${failure}`);
  accountChecks?.finish(exchange.account);
  level3?.finish();
  invariants.finish();
  return { seed, violations: invariants.violations, stats: invariants.stats };
}

/**
 * Private faults at seeded times of a run with the account, one of each kind, besides those
 * drawn at random on each private connection.
 */
function privateFaultSchedule(seed: number, duration: number): ScheduledFault[] {
  const random = new SeededRandom((seed ^ 0x3c6ef372) >>> 0);
  const span = Math.max(1000, duration - 20_000);
  return PRIVATE_FAULT_KINDS.map((kind) => ({
    at: 5000 + Math.floor(random.next() * span),
    kind,
  }));
}

/**
 * A probe of a connection that takes a token (the authenticated one, a level 3 one), also telling
 * `tokens` of every token request its driver begins.
 */
function tokenWatched(probe: DriverProbe, tokens: TokenRequests): DriverProbe {
  const effects = probe.effects ?? ((_input, given) => given);
  return {
    ...probe,
    effects: (input, given) => {
      const carried = effects(input, given);
      for (const effect of carried) {
        // A token is fetched before every socket opens, and when the session asks for one.
        if (effect.type === "open" || effect.type === "fetchToken") tokens.began();
      }
      return carried;
    },
  };
}

/** The checks' probe, also showing `onEvent` every event the client emits. */
function watched(
  invariants: Invariants,
  onEvent: ((event: KrakenEvent) => void) | undefined,
): DriverProbe {
  const probe = invariants.probe;
  const effects = probe.effects;
  if (onEvent === undefined || effects === undefined) return probe;
  return {
    ...probe,
    effects: (input, given) => {
      const carried = effects(input, given);
      for (const effect of carried) {
        if (effect.type === "emit" && effect.consumer === undefined) onEvent(effect.event);
      }
      return carried;
    },
  };
}

/** Opens the client's stream of one subscription. */
function open(
  kraken: ReturnType<typeof probedClient>,
  request: SubscriptionRequest,
): ReadableStream<KrakenEvent> {
  switch (request.channel) {
    case "book":
      return kraken.book(request.symbol, { depth: request.depth });
    case "level3":
      return kraken.level3(request.symbol, { depth: request.depth });
    case "trade":
      return kraken.trades(request.symbol);
    case "ticker":
      return kraken.ticker(request.symbol, { trigger: request.trigger });
    case "ohlc":
      return kraken.ohlc(request.symbol, { interval: request.interval });
  }
}

/**
 * Moves the clock from moment to moment (each moment's timers all fire), letting the readers
 * catch up after each (`settle`), then `afterStep`, until `done` or the clock would pass `end`.
 */
async function runUntil(
  clock: VirtualClock,
  settle: () => Promise<void>,
  done: () => boolean,
  end: number,
  afterStep?: () => void,
): Promise<void> {
  await settle();
  while (!done()) {
    const next = clock.nextAt();
    if (next === undefined || next > end) break;
    clock.advance(next - clock.now());
    await settle();
    afterStep?.();
  }
  if (!done() && clock.now() < end) clock.advance(end - clock.now());
  await settle();
}
