/**
 * The fake Kraken, sans I/O: one core that owns the connections (opened, or refused during an
 * outage), each link's latency and delivery order, every fault, the request rate limit and the
 * exchange-wide maintenance window, and answers with time-stamped outputs. It reads no clock and
 * sets no timer: time comes in with every input, and `advance(now)` hands out what is due. The
 * socket simulator and the seeded simulation are two drivers of this one core.
 *
 * Connections are public or private (authenticated). Private ones also serve the exchange's one
 * {@link Account}: executions, balances and trading, with tokens the exchange issues after the
 * token endpoint checked a request's signature (see `token_endpoint.ts`). Level 3 connections (Kraken's
 * `ws-l3` endpoint) serve the `level3` channel: the orders behind the seeded market's levels,
 * behind the same tokens.
 *
 * @module
 */

import { SeededRandom } from "../core/seeded_random.ts";
import { Account, type AccountOptions } from "./account.ts";
import { Agenda } from "./agenda.ts";
import { ConnectionFeed } from "./connection_feed.ts";
import {
  drawFault,
  FAULT_KINDS,
  type FaultKind,
  FrameFaults,
  isPrivateFault,
  MALFORMED_FRAME,
  MALFORMED_LEVEL3_FRAME,
  oversizedFrame,
  PRIVATE_FAULT_KINDS,
  type ScheduledFault,
  UNKNOWN_CHANNEL_FRAME,
} from "./faults.ts";
import type { Feed, SimFrame, SimSubscription } from "./feed.ts";
import { errorFrame } from "./frames.ts";
import { Level3Feed } from "./level3_feed.ts";
import { MarketFeed } from "./market_feed.ts";
import { PrivateFeed } from "./private_feed.ts";

/**
 * Faults to throw: on a timeline, per connection on a script, or at random from the seed.
 *
 * @example
 * ```ts
 * import type { ExchangeFaults } from "./exchange.ts";
 * const faults: ExchangeFaults = {
 *   schedule: [{ at: 5000, kind: "maintenance", durationMs: 3000 }],
 *   scripted: { 2: [{ at: 1000, kind: "wrong_checksum" }] },
 * };
 * console.log(faults.schedule?.length); // 1
 * ```
 */
export interface ExchangeFaults {
  /**
   * Faults at times after the exchange started, each thrown at the newest open connection (an
   * outage or maintenance needs none; a private fault, the newest private one).
   */
  readonly schedule?: readonly ScheduledFault[];
  /** Per connection number (the first is 1): faults at times after that connection opened. */
  readonly scripted?: Readonly<Record<number, readonly ScheduledFault[]>>;
  /** On every connection, faults at random, on average one per `meanGapMs`. */
  readonly random?: {
    /** Mean time between two faults on one connection. */
    readonly meanGapMs: number;
    /**
     * Only these kinds (default: all but `close_1008`, which ends a client for good; on a private
     * connection the private kinds too). Private kinds are only thrown at private connections.
     */
    readonly kinds?: readonly FaultKind[];
  };
}

/**
 * Settings of an {@link Exchange}. Only `feed` is needed.
 *
 * @example
 * ```ts
 * import type { ExchangeOptions } from "./exchange.ts";
 * import { MarketFeed } from "./market_feed.ts";
 * import { SimMarket } from "./market.ts";
 * const options: ExchangeOptions = { feed: new MarketFeed(new SimMarket(1)), latencyMs: 5 };
 * console.log(options.latencyMs);
 * ```
 */
export interface ExchangeOptions {
  /** What it serves: the seeded market or a recording. */
  readonly feed: Feed<unknown>;
  /** Time the exchange starts, in ms (default 0): the schedule's and the market's zero. */
  readonly start?: number;
  /** Time between market steps (default 100 ms). */
  readonly stepMs?: number;
  /** One-way time of every message on a link, either way (default 0: a socket adds its own). */
  readonly latencyMs?: number;
  /** Seed of random faults (default 1). */
  readonly seed?: number;
  /** Faults to throw. */
  readonly faults?: ExchangeFaults;
  /** Subscribe and unsubscribe requests per second past which Kraken answers `Exceeded msg rate` (default 20). */
  readonly maxRequestsPerSecond?: number;
  /** Size of an oversized frame (default 9 MiB: past any client's default limit of 8 MiB). */
  readonly oversizedFrameBytes?: number;
  /**
   * The account private connections serve (default: one with no key the token endpoint accepts
   * and no money). Its orders trade on the seeded market's books; with a replay feed no pair
   * trades (balances and subscriptions still work).
   */
  readonly account?: AccountOptions;
}

/**
 * Which endpoint a connection came to: Kraken's public one (`ws.kraken.com`), its authenticated
 * one (`ws-auth.kraken.com`), or its level 3 one (`ws-l3.kraken.com`, the `level3` channel only).
 *
 * @example
 * ```ts
 * import type { ConnectionKind } from "./exchange.ts";
 * const kind: ConnectionKind = "level3";
 * console.log(kind);
 * ```
 */
export type ConnectionKind = "public" | "private" | "level3";

/**
 * What the exchange tells its driver, each at the time it reaches the client's side of the link:
 *
 * - `open`: the connection is accepted; `refuse`: it is not (an outage): the client's socket
 *   fails to open.
 * - `deliver`: a frame arrives (`fate` says what a frame fault did to it; `serial` orders every
 *   frame the exchange made, lost ones included).
 * - `close`: a close frame arrives, with Kraken's code and reason (also the answer to a client's
 *   close); `drop`: the link is lost with no close frame.
 * - `lost` and `fault`: for observers only, nothing to carry out: a frame a fault swallowed, and
 *   a fault thrown (at `connection`, when it had one).
 *
 * @example
 * ```ts
 * import type { ExchangeOutput } from "./exchange.ts";
 * const show = (output: ExchangeOutput) =>
 *   output.type === "deliver" ? `#${output.connection} ${output.text}` : output.type;
 * console.log(show({ at: 0, connection: 1, type: "drop" })); // "drop"
 * ```
 */
export type ExchangeOutput =
  | { readonly at: number; readonly connection: number; readonly type: "open" }
  | { readonly at: number; readonly connection: number; readonly type: "refuse" }
  | {
    readonly at: number;
    readonly connection: number;
    readonly type: "deliver";
    readonly text: string;
    readonly frame: SimFrame;
    readonly serial: number;
    readonly fate: "sent" | "corrupted" | "duplicated";
  }
  | {
    readonly at: number;
    readonly connection: number;
    readonly type: "close";
    readonly code: number;
    readonly reason: string;
  }
  | { readonly at: number; readonly connection: number; readonly type: "drop" }
  | {
    readonly at: number;
    readonly connection: number;
    readonly type: "lost";
    readonly frame: SimFrame;
    readonly serial: number;
  }
  | {
    readonly at: number;
    readonly connection: number | undefined;
    readonly type: "fault";
    readonly kind: FaultKind;
  };

/**
 * What the exchange knows of one connection.
 *
 * @example
 * ```ts
 * import type { ConnectionInfo } from "./exchange.ts";
 * const show = (info: ConnectionInfo) => `#${info.number}: ${info.framesSent} frames`;
 * console.log(typeof show);
 * ```
 */
export interface ConnectionInfo {
  /** 1 for the first connection, counting up. */
  readonly number: number;
  /** Public, private (authenticated) or level 3. */
  readonly kind: ConnectionKind;
  /** Whether it is still open. */
  readonly open: boolean;
  /** Frames delivered on it. */
  readonly framesSent: number;
  /** Requests received on it. */
  readonly requestsReceived: number;
  /** Subscriptions it holds (a level 3 connection's are `level3` ones). */
  readonly subscriptions: readonly SimSubscription[];
  /** Private subscriptions it holds. */
  readonly privateSubscriptions: readonly ("executions" | "balances")[];
  /** Faults thrown at it, in order. */
  readonly faults: readonly FaultKind[];
}

/** A fault drawn at random never ends a client for good unless asked for. */
const RANDOM_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((kind) => kind !== "close_1008");
/** On a private connection the private faults join them. */
const RANDOM_PRIVATE_KINDS: readonly FaultKind[] = [...RANDOM_KINDS, ...PRIVATE_FAULT_KINDS];

/** Kraken's reasons, as seen in practice. */
const CLOSE_REASONS: Readonly<Record<number, string>> = {
  1001: "CloudFlare WebSocket proxy restarting",
  1008: "Policy violation",
  1011: "keepalive ping timeout",
};

/** While a link is slow each frame takes this long, whatever its latency. */
const SLOW_DELAY_MS = 200;
const DEFAULT_DURATIONS: Readonly<Partial<Record<FaultKind, number>>> = {
  stall: 15_000,
  slow: 5000,
  maintenance: 5000,
  outage: 30_000,
};
const RATE_WINDOW_MS = 1000;

/** One client connection, seen from the exchange. */
class Link {
  readonly number: number;
  readonly kind: ConnectionKind;
  readonly feed: ConnectionFeed;
  readonly frameFaults = new FrameFaults();
  readonly faults: FaultKind[] = [];
  requestTimes: number[] = [];
  state: "pending" | "open" | "closed" = "pending";
  framesSent = 0;
  requestsReceived = 0;
  stalledUntil = 0;
  slowUntil = 0;
  /** When the last frame in flight arrives: later frames never overtake it. */
  releaseAt = 0;
  /** Armed private faults: executions or balances messages to lose. */
  skipSequences = 0;
  /** Armed private faults: trading requests whose reply the link is dropped before. */
  dropsWithOrder = 0;
  /** Armed private faults: trading requests whose reply is lost. */
  swallowedReplies = 0;

  constructor(number: number, kind: ConnectionKind, feed: ConnectionFeed) {
    this.number = number;
    this.kind = kind;
    this.feed = feed;
  }
}

/**
 * The fake Kraken. Inputs: {@link Exchange.connect}, {@link Exchange.receive},
 * {@link Exchange.disconnect}, {@link Exchange.inject}, {@link Exchange.calm}, each with the time;
 * outputs: {@link Exchange.advance}, to be called whenever {@link Exchange.nextDueAt} has come.
 *
 * @example
 * ```ts
 * import { Exchange } from "./exchange.ts";
 * import { MarketFeed } from "./market_feed.ts";
 * import { SimMarket } from "./market.ts";
 * const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)), latencyMs: 5 });
 * const connection = exchange.connect(0);
 * console.log(exchange.advance(5).map((output) => output.type)); // ["open"]
 * exchange.receive(connection, '{"method":"ping","req_id":1}', 5);
 * // The status sent on opening, then the pong.
 * console.log(exchange.advance(20).map((output) => `${output.at} ${output.type}`)); // ["10 deliver", "15 deliver"]
 * ```
 */
export class Exchange {
  readonly #feed: Feed<unknown>;
  readonly #latency: number;
  readonly #stepMs: number;
  readonly #seed: number;
  readonly #faults: ExchangeFaults;
  readonly #maxRequestsPerSecond: number;
  readonly #oversizedFrameBytes: number;
  readonly #account: Account;
  readonly #agenda = new Agenda();
  readonly #links: Link[] = [];
  readonly #open = new Set<Link>();
  #outputs: ExchangeOutput[] = [];
  #now: number;
  #serial = 0;
  #system: "online" | "maintenance" = "online";
  #maintenanceUntil = 0;
  #outageUntil = 0;
  #calm = false;
  #cancelAfterScheduled: number | undefined;

  /**
   * Creates the exchange; its market steps and its schedule count from `options.start`.
   *
   * @param options Settings.
   */
  constructor(options: ExchangeOptions) {
    this.#feed = options.feed;
    this.#latency = options.latencyMs ?? 0;
    this.#stepMs = options.stepMs ?? 100;
    this.#seed = options.seed ?? 1;
    this.#faults = options.faults ?? {};
    this.#maxRequestsPerSecond = options.maxRequestsPerSecond ?? 20;
    this.#oversizedFrameBytes = options.oversizedFrameBytes ?? 9 * 1024 * 1024;
    this.#now = options.start ?? 0;
    this.#account = new Account(
      options.account ?? { apiKey: "", apiSecret: "" },
      options.feed instanceof MarketFeed ? options.feed.market : undefined,
      this.#seed,
    );
    const step = (at: number) => {
      this.#step(at);
      this.#agenda.add(at + this.#stepMs, step);
    };
    this.#agenda.add(this.#now + this.#stepMs, step);
    for (const fault of this.#faults.schedule ?? []) {
      this.#agenda.add(
        this.#now + fault.at,
        () =>
          this.#fault(
            this.#newestOpen(isPrivateFault(fault.kind) ? "private" : undefined),
            fault.kind,
            fault.durationMs,
          ),
      );
    }
  }

  /** Every connection so far, the first first. */
  get connections(): ConnectionInfo[] {
    return this.#links.map((link) => ({
      number: link.number,
      kind: link.kind,
      open: link.state === "open",
      framesSent: link.framesSent,
      requestsReceived: link.requestsReceived,
      subscriptions: link.feed.subscriptions,
      privateSubscriptions: link.feed.privateSubscriptions,
      faults: [...link.faults],
    }));
  }

  /**
   * The account private connections serve: its open orders, balances and the log of every
   * trading request (`openOrders()`, `balances()`, `requests`), for checks to compare a client
   * with.
   */
  get account(): Account {
    return this.#account;
  }

  /**
   * Issues a WebSocket token of the account, as the token endpoint does once a request's
   * signature and nonce passed.
   *
   * @param now The time of issue: the token must be used within 15 minutes of it.
   * @returns The token.
   */
  issueToken(now: number): string {
    this.#at(now);
    return this.#account.issueToken(now);
  }

  /** Whether a connection made at `now` would be accepted: not during an outage. */
  accepting(now: number): boolean {
    return now >= this.#outageUntil;
  }

  /**
   * A client opens a connection. It is accepted (`open`) or refused (`refuse`) one latency later.
   *
   * @param now The time.
   * @param kind `public` (default), `private`: the authenticated endpoint, which serves the
   *   account (a public connection refuses private requests), or `level3`: the level 3
   *   endpoint, which serves the `level3` channel to requests carrying a good token.
   * @returns The connection's number.
   */
  connect(now: number, kind: ConnectionKind = "public"): number {
    this.#at(now);
    const number = this.#links.length + 1;
    const feed = new ConnectionFeed(
      this.#feed,
      kind === "private" ? new PrivateFeed(this.#account, number) : undefined,
      kind === "level3"
        ? new Level3Feed(
          this.#feed instanceof MarketFeed ? this.#feed.orders : undefined,
          this.#account.tokens,
        )
        : undefined,
    );
    const link = new Link(number, kind, feed);
    this.#links.push(link);
    this.#agenda.add(now + this.#latency, (at) => this.#accept(link, at));
    return link.number;
  }

  /**
   * A client sent a frame; it arrives one latency later.
   *
   * @param connection The connection's number.
   * @param text The frame.
   * @param now The time.
   */
  receive(connection: number, text: string, now: number): void {
    this.#at(now);
    const link = this.#links[connection - 1];
    if (link?.state !== "open") return;
    this.#agenda.add(now + this.#latency, (at) => {
      if (link.state === "open") this.#request(link, text, at);
    });
  }

  /**
   * A client closed its side (or its socket went away). The exchange answers with the close, as
   * a server completes the handshake. A close sent while connecting arrives after the opening.
   *
   * @param connection The connection's number.
   * @param code The client's close code.
   * @param reason The client's reason.
   * @param now The time.
   */
  disconnect(connection: number, code: number, reason: string, now: number): void {
    this.#at(now);
    const link = this.#links[connection - 1];
    if (link === undefined) return;
    this.#agenda.add(now + this.#latency, (at) => {
      if (link.state !== "open") return;
      this.#close(link);
      this.#agenda.add(
        at + this.#latency,
        (echo) => this.#emit({ at: echo, connection, type: "close", code, reason }),
      );
    });
  }

  /**
   * Throws a fault now.
   *
   * @param kind What happens.
   * @param options `connection`: its number (default the newest open one); `durationMs` for
   *   `stall`, `slow`, `maintenance` and `outage`.
   * @param now The time.
   * @returns Whether there was an open connection to throw it at (a private one, for a private
   *   fault).
   */
  inject(
    kind: FaultKind,
    options: { readonly connection?: number; readonly durationMs?: number },
    now: number,
  ): boolean {
    this.#at(now);
    const wanted = isPrivateFault(kind) ? "private" : undefined;
    const link = options.connection === undefined
      ? this.#newestOpen(wanted)
      : this.#links[options.connection - 1];
    if (link?.state !== "open") return false;
    // A private fault has nothing to hit on a public connection.
    if (wanted !== undefined && link.kind !== wanted) return false;
    this.#fault(link, kind, options.durationMs);
    return true;
  }

  /**
   * Throws no more faults, scheduled, scripted or random, from now on; frame faults still armed
   * are disarmed, and lasting ones (stall, slowness, outage, maintenance) end.
   *
   * @param now The time.
   */
  calm(now: number): void {
    this.#at(now);
    this.#calm = true;
    this.#outageUntil = 0;
    if (this.#system === "maintenance") {
      this.#maintenanceUntil = now;
      this.#announce("online");
    }
    for (const link of this.#links) {
      link.frameFaults.disarm();
      link.stalledUntil = 0;
      link.slowUntil = 0;
      link.skipSequences = 0;
      link.dropsWithOrder = 0;
      link.swallowedReplies = 0;
    }
  }

  /** When {@link Exchange.advance} has something to hand out next, if ever. */
  nextDueAt(): number | undefined {
    return this.#outputs.length > 0 ? this.#now : this.#agenda.nextAt;
  }

  /**
   * Moves the exchange to `now`: does everything due by then, in time order.
   *
   * @param now The time.
   * @returns What the driver carries out, in order.
   */
  advance(now: number): ExchangeOutput[] {
    for (let task = this.#agenda.take(now); task !== undefined; task = this.#agenda.take(now)) {
      this.#now = Math.max(this.#now, task.at);
      task.run(task.at);
    }
    this.#at(now);
    const outputs = this.#outputs;
    this.#outputs = [];
    return outputs;
  }

  #at(now: number): void {
    this.#now = Math.max(this.#now, now);
  }

  #emit(output: ExchangeOutput): void {
    this.#outputs.push(output);
  }

  #newestOpen(kind?: ConnectionKind): Link | undefined {
    let newest: Link | undefined;
    for (const link of this.#open) {
      if (kind !== undefined && link.kind !== kind) continue;
      if (newest === undefined || link.number > newest.number) newest = link;
    }
    return newest;
  }

  // ---- connections ----------------------------------------------------------------------------

  #accept(link: Link, at: number): void {
    if (link.state !== "pending") return;
    if (at < this.#outageUntil) {
      link.state = "closed";
      this.#emit({ at, connection: link.number, type: "refuse" });
      return;
    }
    link.state = "open";
    this.#open.add(link);
    this.#emit({ at, connection: link.number, type: "open" });
    this.#send(link, link.feed.status(at, this.#system), at);
    this.#scheduleFaults(link, at);
  }

  /** The exchange's side is closed: nothing more is sent, frames in flight are lost. */
  #close(link: Link): void {
    link.state = "closed";
    this.#open.delete(link);
  }

  #request(link: Link, text: string, now: number): void {
    link.requestsReceived++;
    const method = /"method"\s*:\s*"(subscribe|unsubscribe)"/.exec(text)?.[1];
    if (method !== undefined) {
      link.requestTimes = link.requestTimes.filter((at) => now - at < RATE_WINDOW_MS);
      link.requestTimes.push(now);
      // The level 3 endpoint counts subscriptions with its own rate counter (`level3_feed.ts`).
      const limited = (link.kind !== "level3" &&
        link.requestTimes.length > this.#maxRequestsPerSecond) ||
        (method === "subscribe" && link.frameFaults.takeRateLimit());
      if (limited) {
        const reqId = /"req_id"\s*:\s*(\d+)/.exec(text)?.[1];
        const reply = errorFrame(
          now,
          method,
          "Exceeded msg rate",
          reqId === undefined ? undefined : Number(reqId),
        );
        this.#send(link, { kind: "reply", text: reply }, now);
        return;
      }
    }
    const logged = this.#account.requests.length;
    const frames = link.feed.receive(text, now);
    if (this.#account.requests.length === logged) {
      for (const frame of frames) this.#send(link, frame, now);
    } else if (link.dropsWithOrder > 0) {
      // Carried out, but the link dies before the reply leaves.
      link.dropsWithOrder--;
      this.#cut(link, undefined);
      for (const frame of frames) this.#lose(link, frame, now);
    } else if (link.swallowedReplies > 0) {
      link.swallowedReplies--;
      for (const frame of frames) this.#lose(link, frame, now);
    } else {
      for (const frame of frames) this.#send(link, frame, now);
    }
    this.#publishAccount(now);
    this.#scheduleCancelAfter();
  }

  /** Sends what the account did to every private connection. */
  #publishAccount(now: number): void {
    const events = this.#account.takeEvents();
    if (events.length === 0) return;
    for (const link of this.#open) {
      for (const frame of link.feed.account(events, now)) this.#send(link, frame, now);
    }
  }

  /** Sets the agenda for the dead man's switch, whenever it was armed for a new time. */
  #scheduleCancelAfter(): void {
    const at = this.#account.cancelAfterAt;
    if (at === undefined || at === this.#cancelAfterScheduled) return;
    this.#cancelAfterScheduled = at;
    this.#agenda.add(at, (now) => {
      // A refresh since moved the time on: the account ignores this one.
      this.#account.expireCancelAfter(now);
      this.#publishAccount(now);
    });
  }

  /** A frame made but never sent: for observers. */
  #lose(link: Link, frame: SimFrame, now: number): void {
    this.#emit({ at: now, connection: link.number, type: "lost", frame, serial: ++this.#serial });
  }

  // ---- the feed -------------------------------------------------------------------------------

  #step(now: number): void {
    const step = this.#feed.advance(now);
    for (const link of this.#open) {
      if (now < link.stalledUntil) continue;
      for (const frame of link.feed.step(step, now)) this.#send(link, frame, now);
      const heartbeat = link.feed.heartbeat(now);
      if (heartbeat !== undefined) this.#send(link, heartbeat, now);
    }
    this.#account.step(now);
    this.#publishAccount(now);
  }

  /** Sends a frame through the link's frame faults. */
  #send(link: Link, frame: SimFrame, now: number): void {
    if ((frame.kind === "executions" || frame.kind === "balances") && link.skipSequences > 0) {
      // Its sequence number is spent: the client sees a gap.
      link.skipSequences--;
      this.#lose(link, frame, now);
      return;
    }
    const serial = ++this.#serial;
    const { frames, fate } = link.frameFaults.apply(frame);
    if (fate === "dropped") {
      this.#emit({ at: now, connection: link.number, type: "lost", frame, serial });
      return;
    }
    for (const out of frames) this.#deliver(link, out, fate, serial, now);
  }

  /** Puts a frame on the link: after its latency (or slowness), never before an earlier one. */
  #deliver(
    link: Link,
    frame: SimFrame,
    fate: "sent" | "corrupted" | "duplicated",
    serial: number,
    now: number,
  ): void {
    if (link.state !== "open" || now < link.stalledUntil) return;
    const delay = now < link.slowUntil ? SLOW_DELAY_MS : this.#latency;
    const at = Math.max(now + delay, link.releaseAt);
    link.releaseAt = at;
    this.#agenda.add(at, (arrival) => {
      if (link.state !== "open") return;
      link.framesSent++;
      this.#emit({
        at: arrival,
        connection: link.number,
        type: "deliver",
        text: frame.text,
        frame,
        serial,
        fate,
      });
    });
  }

  // ---- faults ---------------------------------------------------------------------------------

  #scheduleFaults(link: Link, now: number): void {
    for (const fault of this.#faults.scripted?.[link.number] ?? []) {
      this.#agenda.add(now + fault.at, () => {
        if (link.state === "open") this.#fault(link, fault.kind, fault.durationMs);
      });
    }
    const random = this.#faults.random;
    if (random === undefined) return;
    const kinds = link.kind === "private"
      ? random.kinds ?? RANDOM_PRIVATE_KINDS
      : (random.kinds ?? RANDOM_KINDS).filter((kind) => !isPrivateFault(kind));
    if (kinds.length === 0) return;
    const generator = new SeededRandom((this.#seed ^ (link.number * 0x9e3779b9)) >>> 0);
    // One random fault at a time: the next is drawn when this one fires.
    const next = (from: number) => {
      const fault = drawFault(generator, random.meanGapMs, kinds);
      this.#agenda.add(from + fault.at, (at) => {
        if (link.state !== "open") return;
        this.#fault(link, fault.kind, fault.durationMs);
        next(at);
      });
    };
    next(now);
  }

  /** The exchange's system state changed: every open connection gets a `status` frame. */
  #announce(system: "online" | "maintenance"): void {
    this.#system = system;
    for (const link of this.#open) this.#send(link, link.feed.status(this.#now, system), this.#now);
  }

  #fault(link: Link | undefined, kind: FaultKind, durationMs: number | undefined): void {
    if (this.#calm) return;
    // A private fault has nothing to hit on a public connection (or on none).
    if (isPrivateFault(kind) && link?.kind !== "private") return;
    const now = this.#now;
    const until = now + (durationMs ?? DEFAULT_DURATIONS[kind] ?? 0);
    link?.faults.push(kind);
    this.#emit({ at: now, connection: link?.number, type: "fault", kind });
    switch (kind) {
      case "outage":
        this.#outageUntil = Math.max(this.#outageUntil, until);
        for (const open of [...this.#open]) this.#cut(open, undefined);
        return;
      case "maintenance":
        this.#maintenanceUntil = Math.max(this.#maintenanceUntil, until);
        if (this.#system !== "maintenance") this.#announce("maintenance");
        this.#agenda.add(this.#maintenanceUntil, (at) => {
          if (this.#system === "maintenance" && at >= this.#maintenanceUntil) {
            this.#announce("online");
          }
        });
        return;
    }
    if (link === undefined) return;
    switch (kind) {
      case "drop_connection":
        this.#cut(link, undefined);
        return;
      case "close_1001":
      case "close_1008":
      case "close_1011":
        this.#cut(link, Number(kind.slice("close_".length)));
        return;
      case "stall":
        link.stalledUntil = until;
        return;
      case "slow":
        link.slowUntil = until;
        return;
      case "malformed_json": {
        // A broken frame of the channel the link carries.
        const text = link.kind === "level3" ? MALFORMED_LEVEL3_FRAME : MALFORMED_FRAME;
        this.#deliver(link, { kind: "reply", text }, "sent", ++this.#serial, now);
        return;
      }
      case "unknown_channel":
        this.#deliver(
          link,
          { kind: "reply", text: UNKNOWN_CHANNEL_FRAME },
          "sent",
          ++this.#serial,
          now,
        );
        return;
      case "invalidate_token":
        this.#account.tokens.invalidateAll();
        return;
      case "skip_sequence":
        link.skipSequences++;
        return;
      case "drop_with_order":
        link.dropsWithOrder++;
        return;
      case "swallow_reply":
        link.swallowedReplies++;
        return;
      case "oversized_frame":
        this.#deliver(
          link,
          { kind: "reply", text: oversizedFrame(this.#oversizedFrameBytes) },
          "sent",
          ++this.#serial,
          now,
        );
        return;
      default:
        link.frameFaults.arm(kind);
    }
  }

  /** The exchange ends a link: with a close frame when `code` is given, else with none. */
  #cut(link: Link, code: number | undefined): void {
    this.#close(link);
    const connection = link.number;
    this.#agenda.add(this.#now + this.#latency, (at) =>
      this.#emit(
        code === undefined
          ? { at, connection, type: "drop" }
          : { at, connection, type: "close", code, reason: CLOSE_REASONS[code] },
      ));
  }
}
