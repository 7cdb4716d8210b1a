/**
 * The exchange in virtual time: the seeded simulation's driver of the sans-I/O {@link Exchange}.
 * Each socket the client makes is a {@link VirtualSocket} whose sends and closes go to the
 * exchange at the clock's time, and the exchange's outputs are carried to the sockets when the
 * clock reaches them: the same core the socket simulator drives, with a virtual clock instead of
 * timers and memory instead of TCP.
 *
 * A socket to Kraken's authenticated endpoint (`wss://ws-auth.kraken.com/v2`, or any URL whose
 * path starts with `/auth/`) is a private connection, serving the exchange's account; the token
 * endpoint is served by {@link VirtualExchange.fetch}, for a client's injectable `fetch`. A socket
 * to Kraken's level 3 endpoint (`wss://ws-l3.kraken.com/v2`, or a path starting with `/l3/`) is a
 * level 3 connection, serving the `level3` channel.
 *
 * @module
 */

import type { VirtualClock } from "../core/virtual_clock.ts";
import type { ConnectionKind, Exchange, ExchangeOutput } from "../exchange/exchange.ts";
import { answerTokenRequest } from "../exchange/token_endpoint.ts";
import { ExchangeTimer } from "./exchange_timer.ts";
import { type SocketLike, VirtualSocket } from "./virtual_socket.ts";

/**
 * An exchange on a virtual clock, making the client's sockets.
 *
 * @example
 * ```ts
 * import { VirtualExchange } from "./virtual_exchange.ts";
 * import { VirtualClock } from "../core/virtual_clock.ts";
 * import { Exchange } from "../exchange/exchange.ts";
 * import { MarketFeed } from "../exchange/market_feed.ts";
 * import { SimMarket } from "../exchange/market.ts";
 *
 * const clock = new VirtualClock(0);
 * const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)), latencyMs: 5 });
 * const virtual = new VirtualExchange(exchange, clock);
 * const socket = virtual.webSocket("wss://sim.invalid/v2");
 * const frames: string[] = [];
 * socket.onmessage = (message) => frames.push(message.data);
 * clock.advance(20);
 * console.log(socket.readyState, frames.length); // 1 1: open, with the status
 * ```
 */
export class VirtualExchange {
  readonly #exchange: Exchange;
  readonly #clock: VirtualClock;
  readonly #observe: ((output: ExchangeOutput) => void) | undefined;
  readonly #sockets = new Map<number, VirtualSocket>();
  readonly #timer: ExchangeTimer;

  /**
   * Kraken's REST token endpoint (`POST …/0/private/GetWebSocketsToken`, any host), as a
   * `fetch`: give it to a client as its `fetch` option. It answers at once, in no virtual time;
   * every other path answers 404.
   *
   * @example
   * ```ts
   * import { VirtualExchange } from "./virtual_exchange.ts";
   * import { VirtualClock } from "../core/virtual_clock.ts";
   * import { Exchange } from "../exchange/exchange.ts";
   * import { MarketFeed } from "../exchange/market_feed.ts";
   * import { SimMarket } from "../exchange/market.ts";
   * const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)), account: { apiKey: "key", apiSecret: btoa("secret") } });
   * const virtual = new VirtualExchange(exchange, new VirtualClock(0));
   * const response = await virtual.fetch("https://api.kraken.com/0/private/GetWebSocketsToken", { method: "POST", body: "nonce=1" });
   * console.log(await response.json()); // { error: [ "EAPI:Invalid key" ] }
   * ```
   */
  readonly fetch: typeof fetch = (input: RequestInfo | URL, init?: RequestInit) =>
    answerTokenRequest(this.#exchange, new Request(input, init), () => this.#clock.now());

  /**
   * Drives `exchange` on `clock`.
   *
   * @param exchange The exchange.
   * @param clock The clock that moves both the exchange and the client.
   * @param observe Sees every output as it is carried out.
   */
  constructor(
    exchange: Exchange,
    clock: VirtualClock,
    observe?: (output: ExchangeOutput) => void,
  ) {
    this.#exchange = exchange;
    this.#clock = clock;
    this.#observe = observe;
    this.#timer = new ExchangeTimer(exchange, clock, (output) => this.#carry(output));
    this.#timer.arm();
  }

  /**
   * A new connection to the exchange, as the client's `webSocket` option makes it: private when
   * `url` is Kraken's authenticated endpoint (host `ws-auth…`, or a path starting with `/auth/`),
   * level 3 when it is Kraken's level 3 endpoint (host `ws-l3…`, or a path starting with
   * `/l3/`), else public.
   *
   * @param url The URL the client asked for.
   * @returns The socket, connecting.
   */
  webSocket(url: string): WebSocket {
    return this.#open(url, connectionKindOf(url));
  }

  /**
   * A new level 3 connection, whatever the URL: the `level3` channel, behind the account's
   * tokens.
   *
   * @param url The URL to report (default Kraken's level 3 endpoint).
   * @returns The socket, connecting.
   *
   * @example
   * ```ts
   * import { VirtualExchange } from "./virtual_exchange.ts";
   * import { VirtualClock } from "../core/virtual_clock.ts";
   * import { Exchange } from "../exchange/exchange.ts";
   * import { MarketFeed } from "../exchange/market_feed.ts";
   * import { SimMarket } from "../exchange/market.ts";
   * const clock = new VirtualClock(0);
   * const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)) });
   * const socket = new VirtualExchange(exchange, clock).level3WebSocket();
   * clock.advance(1);
   * console.log(exchange.connections[0].kind, socket.readyState); // "level3" 1
   * ```
   */
  level3WebSocket(url = "wss://ws-l3.kraken.com/v2"): WebSocket {
    return this.#open(url, "level3");
  }

  /**
   * A new private (authenticated) connection, whatever the URL.
   *
   * @param url The URL to report (default Kraken's authenticated endpoint).
   * @returns The socket, connecting.
   *
   * @example
   * ```ts
   * import { VirtualExchange } from "./virtual_exchange.ts";
   * import { VirtualClock } from "../core/virtual_clock.ts";
   * import { Exchange } from "../exchange/exchange.ts";
   * import { MarketFeed } from "../exchange/market_feed.ts";
   * import { SimMarket } from "../exchange/market.ts";
   * const clock = new VirtualClock(0);
   * const exchange = new Exchange({ feed: new MarketFeed(new SimMarket(1)) });
   * const socket = new VirtualExchange(exchange, clock).privateWebSocket();
   * clock.advance(1);
   * console.log(exchange.connections[0].kind, socket.readyState); // "private" 1
   * ```
   */
  privateWebSocket(url = "wss://ws-auth.kraken.com/v2"): WebSocket {
    return this.#open(url, "private");
  }

  #open(url: string, kind: ConnectionKind): WebSocket {
    const exchange = this.#exchange;
    const connection = exchange.connect(this.#clock.now(), kind);
    const socket = new VirtualSocket(url, {
      send: (text) => {
        exchange.receive(connection, text, this.#clock.now());
        this.#timer.arm();
      },
      close: (code, reason) => {
        exchange.disconnect(connection, code, reason, this.#clock.now());
        this.#timer.arm();
      },
    });
    this.#sockets.set(connection, socket);
    this.#timer.arm();
    // The client's driver uses only what a virtual socket has (see `SocketLike`).
    const like: SocketLike = socket;
    return like as WebSocket;
  }

  #carry(output: ExchangeOutput): void {
    this.#observe?.(output);
    const socket = this.#sockets.get(output.connection ?? 0);
    if (socket === undefined) return;
    switch (output.type) {
      case "open":
        socket.accept();
        return;
      case "deliver":
        socket.receive(output.text);
        return;
      case "close":
        this.#sockets.delete(output.connection);
        socket.end(output.code, output.reason);
        return;
      case "drop":
      case "refuse":
        this.#sockets.delete(output.connection);
        socket.end();
        return;
    }
  }
}

/**
 * The endpoint a URL names: Kraken's authenticated one (its host, or the simulator's `/auth/`
 * path), its level 3 one (host `ws-l3.`, or the simulator's `/l3/` path), else the public one.
 */
function connectionKindOf(url: string): ConnectionKind {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "public";
  }
  const { hostname, pathname } = parsed;
  if (
    hostname.startsWith("ws-auth.") || hostname.startsWith("beta-ws-auth.") ||
    pathname.startsWith("/auth/")
  ) {
    return "private";
  }
  if (hostname.startsWith("ws-l3.") || pathname.startsWith("/l3/")) return "level3";
  return "public";
}
