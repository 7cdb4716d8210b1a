/**
 * `KrakenSimulator`: a local Kraken v2 WebSocket server on loopback, serving a seeded market (or a
 * recorded file) with Kraken's envelopes and strings, and throwing faults at its clients on a
 * script or at random from a seed.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { SYSTEM_CLOCK } from "../client/system_clock.ts";
import { SeededRandom } from "../core/seeded_random.ts";
import {
  drawFault,
  FAULT_KINDS,
  type FaultKind,
  FrameFaults,
  MALFORMED_FRAME,
  oversizedFrame,
  type ScheduledFault,
  UNKNOWN_CHANNEL_FRAME,
} from "./faults.ts";
import { type FeedSession, MarketFeed, type SimFeed } from "./feed.ts";
import { DEFAULT_SIM_SYMBOLS, SimMarket, type SimSymbol } from "./market.ts";
import { ReplayFeed } from "./replay_feed.ts";
import { errorFrame } from "./requests.ts";
import type { SimFrame, SimSubscription } from "./sim_session.ts";
import { TcpRelay } from "./tcp_relay.ts";

/**
 * Faults the simulator throws: scripted per connection, or drawn at random from the seed.
 *
 * @example
 * ```ts
 * import type { SimulatorFaults } from "./simulator.ts";
 * const faults: SimulatorFaults = {
 *   scripted: { 1: [{ at: 3000, kind: "drop_connection" }], 2: [{ at: 2000, kind: "wrong_checksum" }] },
 * };
 * console.log(Object.keys(faults.scripted ?? {}));
 * ```
 */
export interface SimulatorFaults {
  /** Per connection number (the first is 1): faults at times after that connection opened. */
  readonly scripted?: Readonly<Record<number, readonly ScheduledFault[]>>;
  /** On every connection, faults at random, on average one per `meanGapMs`. */
  readonly random?: {
    /** Mean time between two faults on one connection. */
    readonly meanGapMs: number;
    /** Only these kinds (default: all but `close_1008`, which ends a client for good). */
    readonly kinds?: readonly FaultKind[];
  };
}

/**
 * Settings of {@link KrakenSimulator}. All are optional.
 *
 * @example
 * ```ts
 * import type { KrakenSimulatorOptions } from "./simulator.ts";
 * const options: KrakenSimulatorOptions = { seed: 42, port: 0, stepMs: 100 };
 * console.log(options.seed);
 * ```
 */
export interface KrakenSimulatorOptions {
  /** Seed of the market and of random faults (default 1). */
  readonly seed?: number;
  /** Address to listen on (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Pairs of the seeded market (default BTC/USD, ETH/USD, SOL/USD, XRP/USD). */
  readonly symbols?: readonly SimSymbol[];
  /** Time between market steps (default 100 ms). */
  readonly stepMs?: number;
  /** Time and timers (default the runtime's); tests drive a virtual clock. */
  readonly clock?: Clock;
  /** Serve a recorded NDJSON file instead of the seeded market. */
  readonly replay?: {
    /** The file's lines: raw Kraken frames, or `record`'s recording lines. */
    readonly lines: readonly string[];
    /** 1 plays at the recorded pace, 10 ten times faster, `Infinity` as fast as possible. */
    readonly speed?: number;
  };
  /** Faults to throw. */
  readonly faults?: SimulatorFaults;
  /** Subscribe and unsubscribe requests per second past which Kraken answers `Exceeded msg rate` (default 20). */
  readonly maxRequestsPerSecond?: number;
  /**
   * Sees every frame as it goes on the wire, with what it carries (for book frames, the view the
   * client should hold after it): the truth tests and the demo compare a client against.
   */
  readonly onFrame?: (connection: number, frame: SimFrame) => void;
}

/**
 * What the simulator knows of one connection.
 *
 * @example
 * ```ts
 * import type { SimConnectionInfo } from "./simulator.ts";
 * const show = (info: SimConnectionInfo) => `#${info.number}: ${info.framesSent} frames`;
 * console.log(typeof show);
 * ```
 */
export interface SimConnectionInfo {
  /** 1 for the first connection, counting up. */
  readonly number: number;
  /** Whether it is still open. */
  readonly open: boolean;
  /** Frames sent on it. */
  readonly framesSent: number;
  /** Requests received on it. */
  readonly requestsReceived: number;
  /** Subscriptions it holds. */
  readonly subscriptions: readonly SimSubscription[];
  /** Faults thrown at it, in order. */
  readonly faults: readonly FaultKind[];
}

/** A fault drawn at random never ends a client for good unless asked for. */
const RANDOM_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((kind) => kind !== "close_1008");

const CLOSE_REASONS: Readonly<Record<number, string>> = {
  1001: "CloudFlare WebSocket proxy restarting",
  1008: "Policy violation",
  1011: "keepalive ping timeout",
};

/** Slow sending holds each frame back this long. */
const SLOW_DELAY_MS = 250;
/** Past any client's default frame limit (8 MiB). */
const OVERSIZED_FRAME_BYTES = 9 * 1024 * 1024;

/** One client connection, seen from the server. */
class Connection {
  readonly number: number;
  readonly socket: WebSocket;
  readonly session: FeedSession<unknown>;
  readonly frameFaults = new FrameFaults();
  readonly faults: FaultKind[] = [];
  readonly timers = new Set<unknown>();
  readonly requestTimes: number[] = [];
  readonly innerPort: number;
  open = false;
  framesSent = 0;
  requestsReceived = 0;
  stalledUntil = 0;
  slowUntil = 0;
  /** When the last delayed frame goes out: later frames never overtake it. */
  releaseAt = 0;

  constructor(number: number, socket: WebSocket, session: FeedSession<unknown>, innerPort: number) {
    this.number = number;
    this.socket = socket;
    this.session = session;
    this.innerPort = innerPort;
  }
}

/**
 * A local Kraken v2 server. `start()` listens on loopback and returns the URL to give a client;
 * `close()` stops it and every connection.
 *
 * @example
 * ```ts ignore
 * import { KrakenSimulator } from "./simulator.ts";
 * import { KrakenWs } from "../client/kraken_ws.ts";
 *
 * await using simulator = new KrakenSimulator({ seed: 7 });
 * const url = await simulator.start();
 * await using kraken = new KrakenWs({ url });
 * for await (const event of kraken.book("BTC/USD")) {
 *   if (event.type === "book") console.log(event.bids[0].priceText, event.asks[0].priceText);
 *   break;
 * }
 * ```
 */
export class KrakenSimulator implements AsyncDisposable {
  readonly #options: KrakenSimulatorOptions;
  readonly #clock: Clock;
  readonly #feed: SimFeed<unknown>;
  readonly #stepMs: number;
  readonly #maxRequestsPerSecond: number;
  readonly #connections: Connection[] = [];
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #relay: TcpRelay | undefined;
  #stepTimer: unknown;
  #url: string | undefined;
  #closed = false;
  #system = "online";
  #maintenanceTimer: unknown;
  /** Until then new connections are cut at once. */
  #outageUntil = 0;
  /** No more faults: see {@link KrakenSimulator.calm}. */
  #calm = false;

  /**
   * Creates the simulator; nothing listens until {@link KrakenSimulator.start}.
   *
   * @param options Settings.
   */
  constructor(options: KrakenSimulatorOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#stepMs = options.stepMs ?? 100;
    this.#maxRequestsPerSecond = options.maxRequestsPerSecond ?? 20;
    this.#feed = options.replay === undefined
      ? new MarketFeed(new SimMarket(options.seed ?? 1, options.symbols ?? DEFAULT_SIM_SYMBOLS))
      : new ReplayFeed(options.replay.lines, options.replay.speed ?? 1);
  }

  /** The URL clients connect to, once started. */
  get url(): string {
    if (this.#url === undefined) throw new Error("the simulator is not started");
    return this.#url;
  }

  /** Every connection so far, the first first. */
  get connections(): SimConnectionInfo[] {
    return this.#connections.map((connection) => ({
      number: connection.number,
      open: connection.open,
      framesSent: connection.framesSent,
      requestsReceived: connection.requestsReceived,
      subscriptions: connection.session.subscriptions,
      faults: [...connection.faults],
    }));
  }

  /**
   * Listens on loopback.
   *
   * @returns The URL to give a client, like `ws://127.0.0.1:41234/v2`.
   */
  start(): Promise<string> {
    if (this.#url !== undefined) return Promise.resolve(this.#url);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request, info) => this.#upgrade(request, info),
    );
    this.#server = server;
    const relay = TcpRelay.listen(
      { hostname: this.#options.hostname ?? "127.0.0.1", port: this.#options.port ?? 0 },
      server.addr.port,
      () => this.#clock.now() >= this.#outageUntil,
    );
    this.#relay = relay;
    this.#url = `ws://${this.#options.hostname ?? "127.0.0.1"}:${relay.port}/v2`;
    this.#scheduleStep();
    return Promise.resolve(this.#url);
  }

  /**
   * Throws a fault now.
   *
   * @param kind What happens.
   * @param options `connection`: its number (default the newest open one); `durationMs` for
   *   `stall`, `slow` and `maintenance`.
   * @returns Whether there was a connection to throw it at.
   */
  inject(
    kind: FaultKind,
    options: { readonly connection?: number; readonly durationMs?: number } = {},
  ): boolean {
    const connection = options.connection === undefined
      ? this.#connections.findLast((candidate) => candidate.open)
      : this.#connections.find((candidate) => candidate.number === options.connection);
    if (connection === undefined || !connection.open) return false;
    this.#fault(connection, kind, options.durationMs);
    return true;
  }

  /**
   * Throws no more faults, scripted or random, from now on; frame faults still armed are
   * disarmed, and lasting ones (stall, slowness, outage, maintenance) end. What the client does next is its
   * recovery.
   */
  calm(): void {
    this.#calm = true;
    this.#outageUntil = 0;
    if (this.#maintenanceTimer !== undefined) {
      this.#clock.clearTimeout(this.#maintenanceTimer);
      this.#maintenanceTimer = undefined;
      this.#announce("online");
    }
    for (const connection of this.#connections) {
      connection.frameFaults.disarm();
      connection.stalledUntil = 0;
      connection.slowUntil = 0;
    }
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#stepTimer !== undefined) this.#clock.clearTimeout(this.#stepTimer);
    if (this.#maintenanceTimer !== undefined) this.#clock.clearTimeout(this.#maintenanceTimer);
    for (const connection of this.#connections) this.#forget(connection);
    await this.#relay?.close();
    await this.#server?.shutdown();
  }

  /** Closes the simulator at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- connections ----------------------------------------------------------------------------

  #upgrade(request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("a Kraken v2 WebSocket endpoint\n", { status: 426 });
    }
    // The peer port must be read before the upgrade takes the request.
    const innerPort = info.remoteAddr.port;
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
    const connection = new Connection(
      this.#connections.length + 1,
      socket,
      this.#feed.open(),
      innerPort,
    );
    this.#connections.push(connection);
    socket.onopen = () => {
      if (this.#closed) {
        socket.close(1001, "going away");
        return;
      }
      connection.open = true;
      this.#send(connection, connection.session.status(this.#clock.now(), this.#system));
      this.#scheduleFaults(connection);
    };
    socket.onmessage = (message: MessageEvent) => {
      if (typeof message.data === "string") this.#request(connection, message.data);
    };
    socket.onclose = () => this.#forget(connection);
    socket.onerror = () => {
      // The close event follows.
    };
    return response;
  }

  #forget(connection: Connection): void {
    for (const timer of connection.timers) this.#clock.clearTimeout(timer);
    connection.timers.clear();
    if (!connection.open) return;
    connection.open = false;
    try {
      connection.socket.close(1001, "going away");
    } catch {
      // Already closing.
    }
  }

  #later(connection: Connection, ms: number, callback: () => void): void {
    const timer = this.#clock.setTimeout(() => {
      connection.timers.delete(timer);
      if (connection.open) callback();
    }, ms);
    connection.timers.add(timer);
  }

  #request(connection: Connection, text: string): void {
    const now = this.#clock.now();
    connection.requestsReceived++;
    if (/"method"\s*:\s*"(un)?subscribe"/.test(text)) {
      const recent = connection.requestTimes.filter((at) => now - at < 1000);
      recent.push(now);
      connection.requestTimes.splice(0, connection.requestTimes.length, ...recent);
      if (recent.length > this.#maxRequestsPerSecond || connection.frameFaults.takeRateLimit()) {
        const method = /"method"\s*:\s*"unsubscribe"/.test(text) ? "unsubscribe" : "subscribe";
        const reqId = /"req_id"\s*:\s*(\d+)/.exec(text)?.[1];
        this.#send(connection, {
          kind: "reply",
          text: errorFrame(
            now,
            method,
            "Exceeded msg rate",
            reqId === undefined ? undefined : Number(reqId),
          ),
        });
        return;
      }
    }
    for (const frame of connection.session.receive(text, now)) this.#send(connection, frame);
  }

  // ---- the feed -------------------------------------------------------------------------------

  #scheduleStep(): void {
    this.#stepTimer = this.#clock.setTimeout(() => {
      this.#stepTimer = undefined;
      if (this.#closed) return;
      this.#step();
      this.#scheduleStep();
    }, this.#stepMs);
  }

  #step(): void {
    const now = this.#clock.now();
    const step = this.#feed.advance(now);
    for (const connection of this.#connections) {
      if (!connection.open || now < connection.stalledUntil) continue;
      for (const frame of connection.session.step(step, now)) this.#send(connection, frame);
      const heartbeat = connection.session.heartbeat(now);
      if (heartbeat !== undefined) this.#send(connection, heartbeat);
    }
  }

  /** Sends a frame through the connection's frame faults, stall and slowness. */
  #send(connection: Connection, frame: SimFrame): void {
    const { frames } = connection.frameFaults.apply(frame);
    for (const out of frames) this.#deliver(connection, out);
  }

  #deliver(connection: Connection, frame: SimFrame): void {
    const now = this.#clock.now();
    if (!connection.open || now < connection.stalledUntil) return;
    const delay = now < connection.slowUntil ? SLOW_DELAY_MS : 0;
    const at = Math.max(now + delay, connection.releaseAt);
    if (at <= now) {
      this.#write(connection, frame);
      return;
    }
    connection.releaseAt = at;
    this.#later(connection, at - now, () => this.#write(connection, frame));
  }

  #write(connection: Connection, frame: SimFrame): void {
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    connection.framesSent++;
    connection.socket.send(frame.text);
    this.#options.onFrame?.(connection.number, frame);
  }

  // ---- faults ---------------------------------------------------------------------------------

  #scheduleFaults(connection: Connection): void {
    const faults = this.#options.faults;
    for (const fault of faults?.scripted?.[connection.number] ?? []) {
      this.#later(
        connection,
        fault.at,
        () => this.#fault(connection, fault.kind, fault.durationMs),
      );
    }
    const random = faults?.random;
    if (random !== undefined) {
      const generator = new SeededRandom(
        ((this.#options.seed ?? 1) ^ (connection.number * 0x9e3779b9)) >>> 0,
      );
      this.#scheduleRandomFault(
        connection,
        generator,
        random.meanGapMs,
        random.kinds ?? RANDOM_KINDS,
      );
    }
  }

  /** One random fault at a time: the next is drawn when this one fires. */
  #scheduleRandomFault(
    connection: Connection,
    random: SeededRandom,
    meanGapMs: number,
    kinds: readonly FaultKind[],
  ): void {
    if (kinds.length === 0) return;
    const fault = drawFault(random, meanGapMs, kinds);
    this.#later(connection, fault.at, () => {
      this.#fault(connection, fault.kind, fault.durationMs);
      this.#scheduleRandomFault(connection, random, meanGapMs, kinds);
    });
  }

  /** The exchange's system state changed: every open connection gets a `status` frame. */
  #announce(system: string): void {
    this.#system = system;
    const now = this.#clock.now();
    for (const connection of this.#connections) {
      if (connection.open) this.#send(connection, connection.session.status(now, system));
    }
  }

  #fault(connection: Connection, kind: FaultKind, durationMs: number | undefined): void {
    if (this.#calm) return;
    const now = this.#clock.now();
    connection.faults.push(kind);
    switch (kind) {
      case "outage":
        this.#outageUntil = now + (durationMs ?? 30_000);
        for (const open of this.#connections) {
          if (!open.open) continue;
          open.open = false;
          this.#relay?.byInnerPort(open.innerPort)?.drop();
        }
        return;
      case "drop_connection":
        connection.open = false;
        this.#relay?.byInnerPort(connection.innerPort)?.drop();
        return;
      case "close_1001":
      case "close_1008":
      case "close_1011": {
        const code = Number(kind.slice("close_".length));
        connection.open = false;
        connection.socket.close(code, CLOSE_REASONS[code]);
        return;
      }
      case "stall":
        connection.stalledUntil = now + (durationMs ?? 15_000);
        return;
      case "slow":
        connection.slowUntil = now + (durationMs ?? 5000);
        return;
      case "maintenance":
        // The exchange's state, not a connection's: every connection hears it, now and on
        // connect, until it ends, whatever happens to the connection that drew the fault.
        if (this.#maintenanceTimer !== undefined) this.#clock.clearTimeout(this.#maintenanceTimer);
        this.#announce("maintenance");
        this.#maintenanceTimer = this.#clock.setTimeout(() => {
          this.#maintenanceTimer = undefined;
          this.#announce("online");
        }, durationMs ?? 5000);
        return;
      case "malformed_json":
        this.#deliver(connection, { kind: "reply", text: MALFORMED_FRAME });
        return;
      case "unknown_channel":
        this.#deliver(connection, { kind: "reply", text: UNKNOWN_CHANNEL_FRAME });
        return;
      case "oversized_frame":
        this.#deliver(connection, { kind: "reply", text: oversizedFrame(OVERSIZED_FRAME_BYTES) });
        return;
      default:
        connection.frameFaults.arm(kind);
    }
  }
}
