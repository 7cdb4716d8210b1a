/**
 * `KrakenSimulator`: a local Kraken v2 WebSocket server on loopback, serving a seeded market (or a
 * recorded file) with Kraken's envelopes and strings, and throwing faults at its clients on a
 * script or at random from a seed. It is a thin driver of the sans-I/O {@link Exchange}:
 * `Deno.serve` and `Deno.upgradeWebSocket` carry its frames, a TCP relay in front lets it drop a
 * link with no close frame, and real (or injected) timers tell it the time.
 *
 * With an `account`, it is also Kraken's authenticated side: `authUrl` (`ws://…/auth/v2`) serves
 * executions, balances and trading, and `restUrl` (`http://…`, the same port) answers
 * `POST /0/private/GetWebSocketsToken`, signed with the account's key and secret. `level3Url`
 * (`ws://…/l3/v2`) is Kraken's level 3 endpoint: the `level3` channel, behind the same tokens.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { SYSTEM_CLOCK } from "../client/system_clock.ts";
import {
  type ConnectionInfo,
  type ConnectionKind,
  Exchange,
  type ExchangeFaults,
  type ExchangeOutput,
} from "../exchange/exchange.ts";
import type { FaultKind } from "../exchange/faults.ts";
import type { SimFrame } from "../exchange/feed.ts";
import { DEFAULT_SIM_SYMBOLS, SimMarket, type SimSymbol } from "../exchange/market.ts";
import { MarketFeed } from "../exchange/market_feed.ts";
import { ReplayFeed } from "../exchange/replay_feed.ts";
import type { Account } from "../exchange/account.ts";
import { answerTokenRequest, TOKEN_PATH } from "../exchange/token_endpoint.ts";
import { ExchangeTimer } from "./exchange_timer.ts";
import { recordedFrames } from "./recorded_frames.ts";
import { TcpRelay } from "./tcp_relay.ts";

/**
 * What the simulator knows of one connection: the exchange's own account of it.
 *
 * @example
 * ```ts
 * import type { SimConnectionInfo } from "./simulator.ts";
 * const show = (info: SimConnectionInfo) => `#${info.number}: ${info.framesSent} frames`;
 * console.log(typeof show);
 * ```
 */
export type SimConnectionInfo = ConnectionInfo;

/**
 * Faults the simulator throws: on a timeline, scripted per connection, or drawn at random from
 * the seed.
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
export type SimulatorFaults = ExchangeFaults;

/**
 * The simulator's account: the key and secret its token endpoint accepts, and its starting
 * balances (decimal text per asset; default none).
 *
 * @example
 * ```ts
 * import type { SimulatorAccount } from "./simulator.ts";
 * const account: SimulatorAccount = { apiKey: "sim-key", apiSecret: btoa("sim-secret"), balances: { USD: "10000" } };
 * console.log(account.apiKey);
 * ```
 */
export interface SimulatorAccount {
  /** The API key. */
  readonly apiKey: string;
  /** The API secret, base64 as Kraken issues it. */
  readonly apiSecret: string;
  /** Starting balances per asset, as decimal text, like `{ USD: "10000", BTC: "0.5" }`. */
  readonly balances?: Readonly<Record<string, string>>;
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
  /**
   * The account of the authenticated side (default: none the token endpoint accepts, so every
   * private request is refused with `EAPI:Invalid token`).
   */
  readonly account?: SimulatorAccount;
  /** Subscribe and unsubscribe requests per second past which Kraken answers `Exceeded msg rate` (default 20). */
  readonly maxRequestsPerSecond?: number;
  /**
   * Sees every frame as it goes on the wire, with what it carries (for book frames, the view the
   * client should hold after it): the truth tests and the demo compare a client against.
   */
  readonly onFrame?: (connection: number, frame: SimFrame) => void;
  /**
   * Sees every output of the exchange as the simulator carries it out, those with nothing to
   * carry out (a frame a fault swallowed, a fault thrown) included: what checks follow.
   */
  readonly onOutput?: (output: ExchangeOutput) => void;
}

/** One WebSocket the server side holds, and how the relay knows it. */
interface Socket {
  readonly socket: WebSocket;
  readonly innerPort: number;
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
  readonly #sockets = new Map<number, Socket>();
  #exchange: Exchange | undefined;
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #relay: TcpRelay | undefined;
  #timer: ExchangeTimer | undefined;
  #url: string | undefined;
  #base: string | undefined;
  #closed = false;

  /**
   * Creates the simulator; nothing listens until {@link KrakenSimulator.start}.
   *
   * @param options Settings.
   */
  constructor(options: KrakenSimulatorOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** The URL clients connect to, once started. */
  get url(): string {
    if (this.#url === undefined) throw new Error("the simulator is not started");
    return this.#url;
  }

  /**
   * The authenticated WebSocket endpoint, once started, like `ws://127.0.0.1:41234/auth/v2`.
   *
   * @example
   * ```ts ignore
   * import { KrakenSimulator } from "@kraken-ws/sdk/sim";
   * await using simulator = new KrakenSimulator({ account: { apiKey: "k", apiSecret: btoa("s") } });
   * await simulator.start();
   * console.log(simulator.authUrl.endsWith("/auth/v2")); // true
   * ```
   */
  get authUrl(): string {
    if (this.#base === undefined) throw new Error("the simulator is not started");
    return `ws://${this.#base}/auth/v2`;
  }

  /**
   * The level 3 WebSocket endpoint (Kraken's `wss://ws-l3.kraken.com/v2`), once started, like
   * `ws://127.0.0.1:41234/l3/v2`: the `level3` channel of the seeded market, to requests with a
   * token of the account.
   *
   * @example
   * ```ts ignore
   * import { KrakenSimulator } from "@kraken-ws/sdk/sim";
   * await using simulator = new KrakenSimulator({ account: { apiKey: "k", apiSecret: btoa("s") } });
   * await simulator.start();
   * console.log(simulator.level3Url.endsWith("/l3/v2")); // true
   * ```
   */
  get level3Url(): string {
    if (this.#base === undefined) throw new Error("the simulator is not started");
    return `ws://${this.#base}/l3/v2`;
  }

  /**
   * The REST base URL, once started, like `http://127.0.0.1:41234`: `POST
   * /0/private/GetWebSocketsToken` there answers a token request.
   */
  get restUrl(): string {
    if (this.#base === undefined) throw new Error("the simulator is not started");
    return `http://${this.#base}`;
  }

  /** Every connection so far, the first first. */
  get connections(): SimConnectionInfo[] {
    return this.#exchange?.connections ?? [];
  }

  /**
   * The account, once started: open orders, balances and every trading request received
   * (`openOrders()`, `balances()`, `requests`).
   */
  get account(): Account | undefined {
    return this.#exchange?.account;
  }

  /**
   * Issues a token now, as a good token request would: for tests that skip the REST round trip.
   *
   * @returns The token.
   * @throws {Error} When the simulator is not started.
   */
  issueToken(): string {
    if (this.#exchange === undefined) throw new Error("the simulator is not started");
    return this.#exchange.issueToken(this.#clock.now());
  }

  /**
   * Listens on loopback; the market starts moving now.
   *
   * @returns The URL to give a client, like `ws://127.0.0.1:41234/v2`.
   */
  start(): Promise<string> {
    if (this.#url !== undefined) return Promise.resolve(this.#url);
    const options = this.#options;
    const exchange = new Exchange({
      feed: options.replay === undefined
        ? new MarketFeed(new SimMarket(options.seed ?? 1, options.symbols ?? DEFAULT_SIM_SYMBOLS))
        : new ReplayFeed(recordedFrames(options.replay.lines), options.replay.speed ?? 1),
      start: this.#clock.now(),
      stepMs: options.stepMs,
      seed: options.seed,
      faults: options.faults,
      maxRequestsPerSecond: options.maxRequestsPerSecond,
      ...(options.account === undefined ? {} : { account: options.account }),
    });
    this.#exchange = exchange;
    this.#timer = new ExchangeTimer(exchange, this.#clock, (output) => this.#carry(output));
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request, info) => this.#handle(exchange, request, info),
    );
    this.#server = server;
    const relay = TcpRelay.listen(
      { hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 0 },
      server.addr.port,
      () => exchange.accepting(this.#clock.now()),
    );
    this.#relay = relay;
    this.#base = `${options.hostname ?? "127.0.0.1"}:${relay.port}`;
    this.#url = `ws://${this.#base}/v2`;
    this.#timer?.run();
    return Promise.resolve(this.#url);
  }

  /**
   * Throws a fault now.
   *
   * @param kind What happens.
   * @param options `connection`: its number (default the newest open one); `durationMs` for
   *   `stall`, `slow`, `maintenance` and `outage`.
   * @returns Whether there was a connection to throw it at.
   */
  inject(
    kind: FaultKind,
    options: { readonly connection?: number; readonly durationMs?: number } = {},
  ): boolean {
    const thrown = this.#exchange?.inject(kind, options, this.#clock.now()) ?? false;
    this.#timer?.run();
    return thrown;
  }

  /**
   * Throws no more faults, scripted or random, from now on; frame faults still armed are
   * disarmed, and lasting ones (stall, slowness, outage, maintenance) end. What the client does
   * next is its recovery.
   */
  calm(): void {
    this.#exchange?.calm(this.#clock.now());
    this.#timer?.run();
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.stop();
    for (const { socket } of this.#sockets.values()) {
      try {
        socket.close(1001, "going away");
      } catch {
        // Already closing.
      }
    }
    await this.#relay?.close();
    await this.#server?.shutdown();
  }

  /** Closes the simulator at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** One HTTP request: the token endpoint, or a WebSocket upgrade (public, private or level 3). */
  #handle(
    exchange: Exchange,
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Response | Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === TOKEN_PATH) {
      return answerTokenRequest(exchange, request, () => this.#clock.now());
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("a Kraken v2 WebSocket endpoint\n", { status: 426 });
    }
    const kind = path.startsWith("/auth/")
      ? "private"
      : path.startsWith("/l3/")
      ? "level3"
      : "public";
    return this.#upgrade(exchange, request, info, kind);
  }

  #upgrade(
    exchange: Exchange,
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
    kind: ConnectionKind,
  ): Response {
    // The peer port must be read before the upgrade takes the request.
    const innerPort = info.remoteAddr.port;
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
    let connection: number | undefined;
    socket.onopen = () => {
      if (this.#closed) {
        socket.close(1001, "going away");
        return;
      }
      connection = exchange.connect(this.#clock.now(), kind);
      this.#sockets.set(connection, { socket, innerPort });
      this.#timer?.run();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (connection === undefined || typeof message.data !== "string") return;
      exchange.receive(connection, message.data, this.#clock.now());
      this.#timer?.run();
    };
    socket.onclose = (close: CloseEvent) => {
      if (connection === undefined) return;
      this.#sockets.delete(connection);
      exchange.disconnect(connection, close.code, close.reason, this.#clock.now());
      this.#timer?.run();
    };
    socket.onerror = () => {
      // The close event follows.
    };
    return response;
  }

  #carry(output: ExchangeOutput): void {
    this.#options.onOutput?.(output);
    const held = this.#sockets.get(output.connection ?? 0);
    if (held === undefined) return;
    switch (output.type) {
      case "deliver":
        if (held.socket.readyState !== WebSocket.OPEN) return;
        held.socket.send(output.text);
        this.#options.onFrame?.(output.connection, output.frame);
        return;
      case "close":
        try {
          held.socket.close(output.code, output.reason);
        } catch {
          // Already closing.
        }
        return;
      case "drop":
      case "refuse":
        // No close frame: the relay cuts the link (a refusal comes when an outage begins while
        // the socket was opening).
        this.#relay?.byInnerPort(held.innerPort)?.drop();
        return;
    }
  }
}
