/**
 * `KrakenWs`: the client. Its public face over the {@link ClientDriver}, which carries out what
 * the sans-I/O session decides: this file turns the user's calls into subscriptions and streams.
 *
 * @module
 */

import type { BookDepth } from "../book/order_book.ts";
import type { Clock } from "../core/clock.ts";
import type {
  BookEvent,
  ConnectionState,
  ErrorEvent,
  GapEvent,
  InstrumentEvent,
  KrakenEvent,
  OhlcEvent,
  StateEvent,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import type { BalancesEvent, ExecutionsEvent } from "../core/account_events.ts";
import { EventCounter } from "../core/event_counter.ts";
import type { ReconnectOptions } from "../core/reconnect_policy.ts";
import { Session, type SubscriptionStatus } from "../core/session.ts";
import type { OhlcInterval } from "../core/subscription.ts";
import { type ClientTapSource, combineTaps, type KrakenWsTap } from "../core/tap.ts";
import type {
  AddOrderParams,
  AddOrderResult,
  AmendOrderParams,
  AmendOrderResult,
  BatchAddParams,
  BatchAddResult,
  BatchCancelParams,
  BatchCancelResult,
  CancelAllOrdersAfterResult,
  CancelAllResult,
  CancelOrderParams,
  CancelOrderResult,
  EditOrderParams,
  EditOrderResult,
} from "../protocol/trading_requests.ts";
import { AccountConnection, type TradingCallOptions } from "./account_connection.ts";
import { ClientDriver, type DriverProbe, type EventFilter } from "./driver.ts";
import { KrakenClosedError } from "./kraken_closed_error.ts";
import type { KrakenInternalError } from "./kraken_internal_error.ts";
import {
  checkClientOptions,
  checkedRequests,
  checkEventFilter,
  optionsOf,
  symbolList,
  symbolsNamed,
} from "./client_arguments.ts";
import { StreamMerger } from "./merge_streams.ts";
import { KRAKEN_LEVEL3_URL, Level3Connections } from "./level3_connections.ts";
import type { Level3Depth } from "../book/level3_book.ts";
import type { Level3BookEvent } from "../core/level3_event.ts";
import { SYSTEM_CLOCK } from "./system_clock.ts";
import { KRAKEN_REST_URL, type KrakenAuth, tokenSource } from "./token_source.ts";

export { KrakenClosedError };

/** Kraken's public v2 endpoint. */
export const KRAKEN_PUBLIC_URL = "wss://ws.kraken.com/v2";

/** Kraken's authenticated v2 endpoint. */
export const KRAKEN_AUTH_URL = "wss://ws-auth.kraken.com/v2";

/**
 * Options of {@link KrakenWs}. All are optional.
 *
 * @example
 * ```ts
 * import type { KrakenWsOptions } from "@kraken-ws/sdk";
 * const options: KrakenWsOptions = {
 *   reconnect: { initialDelayMs: 500, maxDelayMs: 15_000, stableMs: 30_000, seed: 42 },
 *   heartbeatTimeoutMs: 10_000,
 *   bufferSize: 256,
 * };
 * console.log(options.bufferSize);
 * ```
 */
export interface KrakenWsOptions {
  /** WebSocket URL (default `wss://ws.kraken.com/v2`). */
  readonly url?: string;
  /** Backoff, attempt budget and stable window; `seed` makes the jitter reproducible. */
  readonly reconnect?: ReconnectOptions;
  /** No frame for this long while subscribed means a dead link (default 10 000 ms). */
  readonly heartbeatTimeoutMs?: number;
  /** Application ping interval (default 30 000 ms). */
  readonly pingIntervalMs?: number;
  /** Events each stream holds before it overflows (default 1024). */
  readonly bufferSize?: number;
  /** Aborting it closes the client, as {@link KrakenWs.close} does. */
  readonly signal?: AbortSignal;
  /** Makes the WebSocket (default `new WebSocket(url)`); tests inject their own. */
  readonly webSocket?: (url: string) => WebSocket;
  /** Time and timers (default the runtime's); tests inject a virtual clock. */
  readonly clock?: Clock;
  /** First wait for a book snapshot, doubling per retry (default 10 000 ms). */
  readonly snapshotTimeoutMs?: number;
  /** A subscription with no data and no heartbeat this long is resubscribed (default 60 000 ms). */
  readonly subscriptionTimeoutMs?: number;
  /** Subscribe and unsubscribe requests per second at most (default 10). */
  readonly requestsPerSecond?: number;
  /**
   * The most symbols one subscribe or unsubscribe request names (default 100). Subscriptions of
   * one channel and parameters go out together, so 700 pairs of books and trades take 14
   * requests, about 1.4 s at the default pace, on every reconnect.
   */
  readonly maxSymbolsPerRequest?: number;
  /**
   * How long the connection stays open once every stream has ended (default 10 000 ms): then it
   * closes, leaving no timer or socket, so a program whose streams all ended exits by itself; a
   * new stream connects again. `close()` ends everything at once.
   */
  readonly lingerMs?: number;
  /** Opening a socket may take this long (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Sees every frame and event synchronously, in order (for metrics and recorders). */
  readonly tap?: KrakenWsTap;
  /**
   * Counts the client's health into this registry (metric names start with `kraken_ws_`); serve
   * it with `metricsHandler`. Clients given the same registry count into the same metrics; for
   * separate series, give each its own registry, or a `ClientMetrics` with its own prefix as a
   * `tap`. Without it, no metric work is done.
   */
  readonly metrics?: ClientTapSource;
  /**
   * Experimental. Credentials for the authenticated connection (`executions`, `balances`,
   * trading): `{ apiKey, apiSecret }` (the client fetches a token itself for every connection) or
   * `{ token }` (your own token source). Without it, those methods throw.
   *
   * @experimental
   */
  readonly auth?: KrakenAuth;
  /**
   * Experimental. The authenticated WebSocket endpoint (default `wss://ws-auth.kraken.com/v2`).
   *
   * @experimental
   */
  readonly authUrl?: string;
  /**
   * Experimental. The level 3 WebSocket endpoint (default `wss://ws-l3.kraken.com/v2`).
   *
   * @experimental
   */
  readonly level3Url?: string;
  /**
   * Experimental. Kraken's REST API, for tokens (default `https://api.kraken.com`).
   *
   * @experimental
   */
  readonly restUrl?: string;
  /**
   * Experimental. The `fetch` the token request uses (default the global one).
   *
   * @experimental
   */
  readonly fetch?: typeof fetch;
  /**
   * Experimental. A trading call's default timeout, from the call to Kraken's answer, waiting for
   * the connection included (default 10 000 ms).
   *
   * @experimental
   */
  readonly tradingTimeoutMs?: number;
}

/**
 * What an `executions` stream carries (experimental): the account's executions (a snapshot, then
 * updates, each message whole), the subscription's gaps and `state` events, and a final `error`
 * if Kraken rejects it.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { ExecutionsStreamEvent } from "@kraken-ws/sdk/extended";
 * const isData = (event: ExecutionsStreamEvent) => event.type === "executions";
 * console.log(typeof isData);
 * ```
 */
export type ExecutionsStreamEvent = ExecutionsEvent | GapEvent | StateEvent | ErrorEvent;

/**
 * What a `balances` stream carries (experimental): balances (a snapshot, then ledger entries),
 * gaps, `state` events, and a final `error` if Kraken rejects it.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { BalancesStreamEvent } from "@kraken-ws/sdk/extended";
 * const isData = (event: BalancesStreamEvent) => event.type === "balances";
 * console.log(typeof isData);
 * ```
 */
export type BalancesStreamEvent = BalancesEvent | GapEvent | StateEvent | ErrorEvent;

/**
 * What a level 3 stream carries (experimental): verified order-by-order books, the gaps of its
 * symbols, their subscriptions' `state` events, and a final `error` if Kraken rejects one.
 *
 * @experimental
 *
 * @example
 * ```ts
 * import type { Level3StreamEvent } from "@kraken-ws/sdk/extended";
 * const isBook = (event: Level3StreamEvent) => event.type === "level3";
 * console.log(typeof isBook);
 * ```
 */
export type Level3StreamEvent = Level3BookEvent | GapEvent | StateEvent | ErrorEvent;

/**
 * What a book stream carries: books, the gaps of its symbols, their subscriptions' `state`
 * events, and a final `error` if Kraken rejects one. A book is live only while its subscription
 * is `synced`: the moment the link is lost (or the book resyncs, or goes silent) the stream hears
 * a `state` event leaving `synced`, before any gap, so a consumer marks its quotes stale at once:
 *
 * ```ts ignore
 * if (event.type === "state" && event.scope === "subscription") stale = event.to !== "synced";
 * ```
 *
 * @example
 * ```ts
 * import type { BookStreamEvent } from "@kraken-ws/sdk";
 * const isBook = (event: BookStreamEvent) => event.type === "book";
 * console.log(typeof isBook);
 * ```
 */
export type BookStreamEvent = BookEvent | GapEvent | StateEvent | ErrorEvent;

/**
 * What a trade stream carries: trades, gaps, their subscriptions' `state` events, and a final
 * `error` if Kraken rejects one.
 *
 * @example
 * ```ts
 * import type { TradeStreamEvent } from "@kraken-ws/sdk";
 * const isTrade = (event: TradeStreamEvent) => event.type === "trade";
 * console.log(typeof isTrade);
 * ```
 */
export type TradeStreamEvent = TradeEvent | GapEvent | StateEvent | ErrorEvent;

/**
 * What a ticker stream carries: tickers, gaps, their subscriptions' `state` events, and a final
 * `error` if Kraken rejects one.
 *
 * @example
 * ```ts
 * import type { TickerStreamEvent } from "@kraken-ws/sdk";
 * const isTicker = (event: TickerStreamEvent) => event.type === "ticker";
 * console.log(typeof isTicker);
 * ```
 */
export type TickerStreamEvent = TickerEvent | GapEvent | StateEvent | ErrorEvent;

/**
 * What an OHLC stream carries: candles, gaps, their subscriptions' `state` events, and a final
 * `error` if Kraken rejects one.
 *
 * @example
 * ```ts
 * import type { OhlcStreamEvent } from "@kraken-ws/sdk";
 * const isCandle = (event: OhlcStreamEvent) => event.type === "ohlc";
 * console.log(typeof isCandle);
 * ```
 */
export type OhlcStreamEvent = OhlcEvent | GapEvent | StateEvent | ErrorEvent;

/**
 * What the instrument stream carries: Kraken's pairs and assets (a snapshot, then updates), the
 * gaps of its subscription, its `state` events, and a final `error` if Kraken rejects it. None of
 * them names a `symbol`: the subscription is for every pair.
 *
 * @example
 * ```ts
 * import type { InstrumentStreamEvent } from "@kraken-ws/sdk";
 * const isInstrument = (event: InstrumentStreamEvent) => event.type === "instrument";
 * console.log(typeof isInstrument);
 * ```
 */
export type InstrumentStreamEvent = InstrumentEvent | GapEvent | StateEvent | ErrorEvent;

/** Probes handed to clients made by {@link probedClient}, found by their options object. */
const PROBES = new WeakMap<
  KrakenWsOptions,
  {
    readonly public?: DriverProbe;
    readonly account?: DriverProbe;
    readonly level3?: DriverProbe;
  }
>();

/**
 * Makes a client whose driver the seeded simulation watches (and, to test its own checks,
 * tampers with). Not exported from the package's entry points: users have no need of it.
 *
 * @param options The client's options.
 * @param probe The hooks of the public connection's driver.
 * @param accountProbe The hooks of the authenticated connection's driver.
 * @param level3Probe The hooks of each level 3 connection's driver.
 * @returns The client.
 *
 * @example
 * ```ts
 * import { probedClient } from "./kraken_ws.ts";
 * let sessions = 0;
 * const kraken = probedClient({}, { attached: () => sessions++ });
 * await kraken.close();
 * console.log(sessions); // 1
 * ```
 */
export function probedClient(
  options: KrakenWsOptions,
  probe: DriverProbe,
  accountProbe?: DriverProbe,
  level3Probe?: DriverProbe,
): KrakenWs {
  const own = { ...options };
  PROBES.set(own, { public: probe, account: accountProbe, level3: level3Probe });
  return new KrakenWs(own);
}

/**
 * `url` when it is a WebSocket URL; a typo would otherwise only show as connections failing, and
 * retrying with backoff, forever.
 */
function webSocketUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new TypeError(`not a WebSocket URL (ws: or wss:): ${JSON.stringify(url)}`);
  }
  return url;
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * The Kraken Spot WebSocket v2 client. It connects on the first subscription, reconnects and
 * resubscribes with backoff, validates every book against Kraken's checksum and resyncs on
 * failure, and reports every loss as a `gap` event. Each subscription is a bounded
 * `ReadableStream`; cancelling one unsubscribes when no other stream needs it. Every method checks
 * its arguments at run time (a JavaScript caller is not held to the types) and throws a
 * `TypeError` or `RangeError` before anything changes; should the client's core ever fail inside,
 * it closes, and every stream fails with `KrakenInternalError`.
 *
 * @example
 * ```ts ignore
 * import { KrakenWs } from "@kraken-ws/sdk";
 *
 * await using kraken = new KrakenWs();
 * for await (const event of kraken.book("BTC/USD", { depth: 10 })) {
 *   if (event.type === "book") console.log(event.bids[0]?.priceText, event.asks[0]?.priceText);
 *   if (event.type === "gap") console.log("gap:", event.reason);
 * }
 * ```
 */
export class KrakenWs implements AsyncDisposable {
  readonly #driver: ClientDriver;
  readonly #account: AccountConnection | undefined;
  readonly #level3: Level3Connections | undefined;
  #closing: Promise<void> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.close();

  /**
   * Creates the client; nothing connects until the first subscription.
   *
   * @param options Settings; see {@link KrakenWsOptions}.
   * @throws {TypeError} When `url` is not a `ws:` or `wss:` URL.
   */
  constructor(options: KrakenWsOptions = {}) {
    checkClientOptions(options);
    const counter = new EventCounter();
    const seed = options.reconnect?.seed ?? randomSeed();
    const clock = options.clock ?? SYSTEM_CLOCK;
    const webSocket = options.webSocket ?? ((url: string) => new WebSocket(url));
    const bufferSize = options.bufferSize ?? 1024;
    const tap = combineTaps(options.metrics?.clientTap(), options.tap);
    const probes = PROBES.get(options);
    const token = options.auth === undefined
      ? undefined
      : tokenSource(options.auth, options.restUrl ?? KRAKEN_REST_URL, options.fetch);
    const level3Url = webSocketUrl(options.level3Url ?? KRAKEN_LEVEL3_URL);
    let level3Seed = seed ^ 0x27d4eb2f;
    this.#level3 = token === undefined ? undefined : new Level3Connections(() =>
      new ClientDriver({
        session: new Session({
          url: level3Url,
          seed: level3Seed++,
          link: "level3",
          counter,
          reconnect: options.reconnect,
          heartbeatTimeoutMs: options.heartbeatTimeoutMs,
          pingIntervalMs: options.pingIntervalMs,
          snapshotTimeoutMs: options.snapshotTimeoutMs,
          subscriptionTimeoutMs: options.subscriptionTimeoutMs,
          // Kraken's rate counter: one request a second, each within the budget by depth.
          requestsPerSecond: 1,
          lingerMs: options.lingerMs,
          connectTimeoutMs: options.connectTimeoutMs,
        }),
        clock,
        webSocket,
        bufferSize,
        tap,
        probe: probes?.level3,
        token,
        failed: (error) => this.#fail(error),
      })
    );
    this.#account = token === undefined ? undefined : new AccountConnection({
      url: webSocketUrl(options.authUrl ?? KRAKEN_AUTH_URL),
      // Its own backoff draws, so the two connections do not retry in step.
      seed: seed ^ 0x5bd1e995,
      token,
      counter,
      clock,
      webSocket,
      bufferSize,
      tradingTimeoutMs: options.tradingTimeoutMs ?? 10_000,
      reconnect: options.reconnect,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      pingIntervalMs: options.pingIntervalMs,
      connectTimeoutMs: options.connectTimeoutMs,
      subscriptionTimeoutMs: options.subscriptionTimeoutMs,
      lingerMs: options.lingerMs,
      tap,
      probe: probes?.account,
      failed: (error) => this.#fail(error),
    });
    this.#driver = new ClientDriver({
      session: new Session({
        counter,
        url: webSocketUrl(options.url ?? KRAKEN_PUBLIC_URL),
        seed,
        reconnect: options.reconnect,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        pingIntervalMs: options.pingIntervalMs,
        snapshotTimeoutMs: options.snapshotTimeoutMs,
        subscriptionTimeoutMs: options.subscriptionTimeoutMs,
        requestsPerSecond: options.requestsPerSecond,
        maxSymbolsPerRequest: options.maxSymbolsPerRequest,
        lingerMs: options.lingerMs,
        connectTimeoutMs: options.connectTimeoutMs,
      }),
      clock,
      webSocket,
      bufferSize,
      tap,
      probe: probes?.public,
      failed: (error) => this.#fail(error),
    });
    this.#signal = options.signal;
    if (this.#signal?.aborted) void this.close();
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The public connection's state. */
  get state(): ConnectionState {
    return this.#driver.state;
  }

  /**
   * Experimental. The authenticated connection's state; undefined without `auth`.
   *
   * @experimental
   */
  get authState(): ConnectionState | undefined {
    return this.#account?.driver.state;
  }

  /**
   * Verified order books of one or more symbols: a book event after every message that matched
   * Kraken's checksum, with the top `depth` levels of each side as frozen arrays shared with the
   * book (no copy per event) and the levels that message changed. The stream conflates: a reader
   * that falls behind gets the newest book of each symbol, after an `overflow` gap counting the
   * books it skipped; gaps, states and errors are never dropped.
   *
   * @param symbols One pair, like `BTC/USD`, or several.
   * @param options `depth`: 10 (default), 25, 100, 500 or 1000.
   * @returns The stream.
   */
  book(
    symbols: string | readonly string[],
    options: { readonly depth?: BookDepth } = {},
  ): ReadableStream<BookStreamEvent> {
    this.#assertOpen();
    const depth = optionsOf(options, "book", ["depth"]).depth ?? 10;
    const requests = checkedRequests(
      symbolList(symbols).map((symbol) => ({ channel: "book", symbol, depth })),
    );
    return this.#driver.open("book", requests, {
      depth: depth as BookDepth,
    }) as ReadableStream<BookStreamEvent>;
  }

  /**
   * Trades of one or more symbols, in exchange order per symbol, never one twice. After a loss
   * (a reconnect, a silent feed) the client asks Kraken for its last trades and delivers those
   * the stream has not seen; only ids still missing are a `sequence` gap.
   *
   * @param symbols One pair or several.
   * @param options `snapshot`: start with Kraken's last trades (default false).
   * @returns The stream.
   */
  trades(
    symbols: string | readonly string[],
    options: { readonly snapshot?: boolean } = {},
  ): ReadableStream<TradeStreamEvent> {
    this.#assertOpen();
    const snapshot = optionsOf(options, "trades", ["snapshot"]).snapshot ?? false;
    const requests = checkedRequests(
      symbolList(symbols).map((symbol) => ({ channel: "trade", symbol, snapshot })),
    );
    return this.#driver.open("trade", requests) as ReadableStream<TradeStreamEvent>;
  }

  /**
   * Level 1 data of one or more symbols.
   *
   * @param symbols One pair or several.
   * @param options `trigger`: `trades` (default, on each trade) or `bbo` (on each best bid/offer change).
   * @returns The stream.
   */
  ticker(
    symbols: string | readonly string[],
    options: { readonly trigger?: "trades" | "bbo" } = {},
  ): ReadableStream<TickerStreamEvent> {
    this.#assertOpen();
    const trigger = optionsOf(options, "ticker", ["trigger"]).trigger ?? "trades";
    const requests = checkedRequests(
      symbolList(symbols).map((symbol) => ({ channel: "ticker", symbol, trigger })),
    );
    return this.#driver.open("ticker", requests) as ReadableStream<TickerStreamEvent>;
  }

  /**
   * Candles of one or more symbols at one interval.
   *
   * @param symbols One pair or several.
   * @param options `interval` in minutes: 1 (default), 5, 15, 30, 60, 240, 1440, 10080, 21600;
   *   `snapshot`: start with Kraken's recent candles, the open one included (default true, as
   *   Kraken's). After a loss the snapshot is always asked for: it updates the open candle.
   * @returns The stream.
   */
  ohlc(
    symbols: string | readonly string[],
    options: { readonly interval?: OhlcInterval; readonly snapshot?: boolean } = {},
  ): ReadableStream<OhlcStreamEvent> {
    this.#assertOpen();
    const given = optionsOf(options, "ohlc", ["interval", "snapshot"]);
    const interval = given.interval ?? 1;
    const snapshot = given.snapshot ?? true;
    const requests = checkedRequests(
      symbolList(symbols).map((symbol) => ({ channel: "ohlc", symbol, interval, snapshot })),
    );
    return this.#driver.open("ohlc", requests, {
      interval: interval as OhlcInterval,
    }) as ReadableStream<OhlcStreamEvent>;
  }

  /**
   * Kraken's reference data: every pair, with its status, precisions, increments and order
   * limits, and every asset. The stream starts with a snapshot, the whole list, and goes on with
   * updates of what changed; after a loss (a reconnect, a silent feed) a `gap`, then a fresh
   * snapshot, which replaces everything known. One `instrument` subscription serves every
   * stream asking for it.
   *
   * While it is subscribed, the client also uses each pair's precision for its books: a book
   * whose numbers arrive without their trailing zeros (a re-serialised recording replayed, say)
   * is padded to the pair's precision before its checksum, as `verify` does.
   *
   * @returns The stream.
   *
   * @example
   * ```ts ignore
   * import { KrakenWs } from "@kraken-ws/sdk";
   *
   * await using kraken = new KrakenWs();
   * for await (const event of kraken.instruments()) {
   *   if (event.type !== "instrument") continue;
   *   for (const pair of event.pairs) {
   *     console.log(pair.symbol, pair.status, pair.pricePrecision, pair.qtyMinText);
   *   }
   *   if (event.snapshot) break;
   * }
   * ```
   */
  instruments(): ReadableStream<InstrumentStreamEvent> {
    this.#assertOpen();
    return this.#driver.open("instrument", [{ channel: "instrument" }]) as ReadableStream<
      InstrumentStreamEvent
    >;
  }

  /**
   * Every event of the client: data of every subscription, and the lifecycle (`state`, `gap`,
   * `status`, `error`). It subscribes to nothing by itself.
   *
   * @param filter Only these types, channels or symbols (default: everything). An event with no
   *   channel or symbol (a connection state, a status) passes the `channels` and `symbols` parts.
   * @returns The stream.
   */
  events(filter?: EventFilter): ReadableStream<KrakenEvent> {
    this.#assertOpen();
    checkEventFilter(filter);
    const own = this.#driver.open(undefined, [], { filter });
    const account = this.#account;
    const level3 = this.#level3;
    if (account === undefined || level3 === undefined) return own;
    // With `auth`, the other connections' events come too, in one stream: the authenticated one,
    // and each level 3 connection, including those opened later.
    const merger = new StreamMerger<KrakenEvent>();
    merger.add(own);
    merger.add(account.driver.open(undefined, [], { filter }));
    for (const driver of level3.drivers) merger.add(driver.open(undefined, [], { filter }));
    const stop = level3.onConnection((driver) => {
      merger.add(driver.open(undefined, [], { filter }));
    });
    merger.ended.then(stop);
    return merger.readable;
  }

  /**
   * Experimental. Order-by-order books of one or more symbols from Kraken's level 3 endpoint
   * (needs `auth`: it takes the token): every resting order of the top `depth` price levels in
   * queue order, after every message that matched Kraken's per-order checksum. A mismatch or a
   * crossed book is a gap and a resync (unsubscribe, subscribe, fresh snapshot; backoff after
   * repeated failures), as for `book`. Kraken takes at most 200 symbols on a connection: more open
   * more connections, each with its own session, and their books come in this one stream.
   * Subscriptions are paced to Kraken's rate counter (5, 25, 100 per symbol at depth 10, 100,
   * 1000, within 200 a second).
   *
   * @experimental
   *
   * @param symbols One pair or several.
   * @param options `depth`: 10 (default), 100 or 1000.
   * @returns The stream.
   * @throws {TypeError} Without `auth`.
   */
  level3(
    symbols: string | readonly string[],
    options: { readonly depth?: Level3Depth } = {},
  ): ReadableStream<Level3StreamEvent> {
    this.#authenticated();
    const depth = optionsOf(options, "level3", ["depth"]).depth ?? 10;
    const list = symbolList(symbols);
    checkedRequests(list.map((symbol) => ({ channel: "level3", symbol, depth })));
    return this.#level3!.open(list, depth as Level3Depth) as ReadableStream<Level3StreamEvent>;
  }

  /**
   * Experimental. The account's executions on the authenticated connection: a snapshot (open
   * orders, and recent fills with `snapTrades`), then every order event and fill, each Kraken
   * message as one event with its `sequence`, which the client checks. A jump is a `sequence`
   * gap, and the client subscribes again for a fresh snapshot, which a consumer takes as the
   * whole truth; after a reconnect the fresh snapshot carries the last 50 fills too.
   *
   * @experimental
   *
   * @param options `snapOrders` (default true), `snapTrades` (default false), `orderStatus`
   *   (default true), `ratecounter` (default false), as Kraken names them.
   * @returns The stream.
   * @throws {TypeError} Without `auth`.
   */
  executions(
    options: {
      readonly snapOrders?: boolean;
      readonly snapTrades?: boolean;
      readonly orderStatus?: boolean;
      readonly ratecounter?: boolean;
    } = {},
  ): ReadableStream<ExecutionsStreamEvent> {
    const account = this.#authenticated();
    const requests = checkedRequests([{
      channel: "executions",
      ...optionsOf(options, "executions", [
        "snapOrders",
        "snapTrades",
        "orderStatus",
        "ratecounter",
      ]),
    }]);
    return account.driver.open("executions", requests) as ReadableStream<ExecutionsStreamEvent>;
  }

  /**
   * Experimental. The account's balances on the authenticated connection: a snapshot of every
   * asset, then ledger entries with the balance after each, with the same `sequence` checks as
   * {@link KrakenWs.executions}.
   *
   * @experimental
   *
   * @param options `snapshot` (default true).
   * @returns The stream.
   * @throws {TypeError} Without `auth`.
   */
  balances(options: { readonly snapshot?: boolean } = {}): ReadableStream<BalancesStreamEvent> {
    const account = this.#authenticated();
    const requests = checkedRequests([
      { channel: "balances", ...optionsOf(options, "balances", ["snapshot"]) },
    ]);
    return account.driver.open("balances", requests) as ReadableStream<BalancesStreamEvent>;
  }

  /**
   * Experimental. Places an order (`add_order`). Sent once, never again by the client: if the
   * answer is lost the promise rejects with `KrakenOutcomeUnknownError`, and `executions` (by
   * your `clOrdId`) says whether it exists. Decimal values are best given as text (`"0.10000000"`):
   * they are sent exactly.
   *
   * @experimental
   *
   * @param params The order.
   * @param options Timeout and whether to wait for the connection.
   * @returns Kraken's result, with the order id.
   */
  async addOrder(params: AddOrderParams, options?: TradingCallOptions): Promise<AddOrderResult> {
    const [result] = await this.#authenticated().call("add_order", params, options);
    return result as AddOrderResult;
  }

  /**
   * Experimental. Amends an open order in place (`amend_order`): same id, queue priority kept
   * where Kraken can.
   *
   * @experimental
   *
   * @param params The order (`orderId` or `clOrdId`) and what changes.
   * @param options Timeout and whether to wait for the connection.
   * @returns Kraken's result.
   */
  async amendOrder(
    params: AmendOrderParams,
    options?: TradingCallOptions,
  ): Promise<AmendOrderResult> {
    const [result] = await this.#authenticated().call("amend_order", params, options);
    return result as AmendOrderResult;
  }

  /**
   * Experimental. Replaces an open order with a new one (`edit_order`: a new id, queue priority
   * lost). Prefer {@link KrakenWs.amendOrder}.
   *
   * @experimental
   *
   * @param params The order and what changes.
   * @param options Timeout and whether to wait for the connection.
   * @returns Kraken's result, with the new and the original order id.
   */
  async editOrder(params: EditOrderParams, options?: TradingCallOptions): Promise<EditOrderResult> {
    const [result] = await this.#authenticated().call("edit_order", params, options);
    return result as EditOrderResult;
  }

  /**
   * Experimental. Cancels orders (`cancel_order`) by id, client id or user reference. Kraken
   * answers once per order named: the promise resolves with every answer.
   *
   * @experimental
   *
   * @param params The orders.
   * @param options Timeout and whether to wait for the connection.
   * @returns One result per order named.
   */
  async cancelOrder(
    params: CancelOrderParams,
    options?: TradingCallOptions,
  ): Promise<CancelOrderResult[]> {
    const count = ["orderId", "clOrdId", "orderUserref"].reduce((sum, key) => {
      const value = (params as Record<string, unknown>)[key];
      return sum + (Array.isArray(value) ? value.length : value === undefined ? 0 : 1);
    }, 0);
    const results = await this.#authenticated().call(
      "cancel_order",
      params,
      options,
      Math.max(1, count),
    );
    return results as CancelOrderResult[];
  }

  /**
   * Experimental. Cancels every open order of the account (`cancel_all`).
   *
   * @experimental
   *
   * @param options Timeout and whether to wait for the connection.
   * @returns How many were cancelled.
   */
  async cancelAll(options?: TradingCallOptions): Promise<CancelAllResult> {
    const [result] = await this.#authenticated().call("cancel_all", {}, options);
    return result as CancelAllResult;
  }

  /**
   * Experimental. Starts, extends or (with 0) stops Kraken's countdown that cancels every order
   * of the account when it runs out (`cancel_all_orders_after`), once. To keep it armed while the
   * client runs, use {@link KrakenWs.deadManSwitch}.
   *
   * @experimental
   *
   * @param timeoutSeconds Seconds of countdown (below 86 400), or 0 to stop it.
   * @param options Timeout and whether to wait for the connection.
   * @returns Kraken's current time and trigger time.
   */
  async cancelAllOrdersAfter(
    timeoutSeconds: number,
    options?: TradingCallOptions,
  ): Promise<CancelAllOrdersAfterResult> {
    const [result] = await this.#authenticated().call(
      "cancel_all_orders_after",
      { timeout: timeoutSeconds },
      options,
    );
    return result as CancelAllOrdersAfterResult;
  }

  /**
   * Experimental. Places 2 to 15 orders of one pair at once (`batch_add`).
   *
   * @experimental
   *
   * @param params The pair and the orders.
   * @param options Timeout and whether to wait for the connection.
   * @returns One result per order, in order.
   */
  async batchAdd(params: BatchAddParams, options?: TradingCallOptions): Promise<BatchAddResult> {
    const [result] = await this.#authenticated().call("batch_add", params, options);
    return result as BatchAddResult;
  }

  /**
   * Experimental. Cancels 2 to 50 orders at once (`batch_cancel`).
   *
   * @experimental
   *
   * @param params The orders.
   * @param options Timeout and whether to wait for the connection.
   * @returns How many were cancelled.
   */
  async batchCancel(
    params: BatchCancelParams,
    options?: TradingCallOptions,
  ): Promise<BatchCancelResult> {
    const [result] = await this.#authenticated().call("batch_cancel", params, options);
    return result as BatchCancelResult;
  }

  /**
   * Experimental. The dead man's switch: keeps Kraken's `cancel_all_orders_after` countdown armed
   * while the authenticated connection is up, refreshing it every quarter of the countdown, and
   * arms it again after a reconnect. If this process dies or loses Kraken for longer than the
   * countdown, Kraken cancels every open order. `close()` turns it off first; so does 0. Its
   * state comes as `dead_man_switch` events on `events()`.
   *
   * @experimental
   *
   * @param timeoutSeconds The countdown in seconds (Kraken suggests 60), or 0 to turn it off.
   * @throws {TypeError} Without `auth`.
   * @throws {RangeError} When the countdown is not an integer from 0 to 86 399.
   * @throws {KrakenClosedError} When the authenticated connection ended for good.
   */
  deadManSwitch(timeoutSeconds: number): void {
    const account = this.#authenticated();
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds >= 86_400) {
      throw new RangeError(
        `the countdown must be whole seconds from 0 to 86399, not ${timeoutSeconds}`,
      );
    }
    const state = account.driver.state;
    if (state === "closed" || state === "closing") {
      throw new KrakenClosedError("the authenticated connection ended for good");
    }
    account.driver.dispatch({ type: "deadManSwitch", timeoutSeconds }, true);
  }

  /**
   * Waits until subscriptions are live: resolves once every subscription of `symbols` (every
   * channel; all subscriptions when omitted, `instrument` included) is synced, which for a book
   * means its snapshot verified. Rejects with a `RangeError` when Kraken refuses one of them, or
   * with {@link KrakenClosedError} when the client closes first. It waits as long as it takes (a
   * reconnect, a resync); race it with a timer to bound it.
   *
   * @param symbols Pairs to wait for (default: every subscription held now).
   * @returns Resolves when they are synced.
   *
   * @example
   * ```ts ignore
   * import { KrakenWs } from "@kraken-ws/sdk";
   * await using kraken = new KrakenWs();
   * const books = kraken.book(["BTC/USD", "ETH/USD"]);
   * await kraken.ready();
   * console.log("both books verified");
   * ```
   */
  ready(symbols?: string | readonly string[]): Promise<void> {
    const wanted = symbols === undefined ? undefined : new Set(symbolsNamed(symbols));
    const concerns = (status: SubscriptionStatus) =>
      wanted === undefined || (status.symbol !== undefined && wanted.has(status.symbol));
    return Promise.all(this.#drivers().map((driver) => driver.ready(concerns))).then(() => {});
  }

  /**
   * Closes the connection and ends every stream, leaving no timer or socket behind. Safe to call
   * more than once.
   *
   * @returns Resolves when everything is closed.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#signal?.removeEventListener("abort", this.#onAbort);
      this.#closing = Promise.all(this.#drivers().map((driver) => driver.stop())).then(() => {});
    }
    return this.#closing;
  }

  /**
   * One connection's session threw: the whole client closes, every connection failing with the
   * same error, since their streams, `seq` and trading share one client's word.
   */
  #fail(error: KrakenInternalError): void {
    for (const driver of this.#drivers()) driver.fail(error);
    void this.close();
  }

  /** Closes the client at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Every connection's driver: the public one, the authenticated one, the level 3 ones. */
  #drivers(): ClientDriver[] {
    return [
      this.#driver,
      ...(this.#account === undefined ? [] : [this.#account.driver]),
      ...(this.#level3?.drivers ?? []),
    ];
  }

  #authenticated(): AccountConnection {
    this.#assertOpen();
    if (this.#account === undefined) {
      throw new TypeError(
        "the account needs `auth`: new KrakenWs({ auth: { apiKey, apiSecret } })",
      );
    }
    return this.#account;
  }

  #assertOpen(): void {
    const state = this.#driver.state;
    if (state === "closed" || state === "closing" || this.#closing !== undefined) {
      throw new KrakenClosedError("the client is closed: make a new one to subscribe again");
    }
  }
}
