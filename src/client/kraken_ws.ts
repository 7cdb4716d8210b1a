/**
 * `KrakenWs`: the client. A thin driver around the sans-I/O {@link Session}: it owns the
 * WebSocket, the timers and the streams, feeds the session what happens, and carries out what the
 * session decides.
 *
 * @module
 */

import type { BookDepth } from "../book/order_book.ts";
import type {
  BookEvent,
  ConnectionState,
  DataChannel,
  ErrorEvent,
  GapEvent,
  KrakenEvent,
  OhlcEvent,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import type { ReconnectOptions } from "../core/reconnect_policy.ts";
import { Session, type SessionEffect, type SessionInput } from "../core/session.ts";
import type { OhlcInterval, SubscriptionRequest } from "../core/subscription.ts";
import type { Clock } from "../core/clock.ts";
import { SYSTEM_CLOCK } from "./system_clock.ts";
import { StreamQueue } from "./stream_queue.ts";
import { type ClientTapSource, combineTaps, type KrakenWsTap } from "../core/tap.ts";

/** Kraken's public v2 endpoint. */
export const KRAKEN_PUBLIC_URL = "wss://ws.kraken.com/v2";

/** The close code of a connection lost without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/** How long `close()` waits for sockets to report their close before giving them up. */
const SOCKET_CLOSE_WAIT_MS = 2000;

/** The cause of the last state event among `effects`. */
function lastStateCause(effects: readonly SessionEffect[]): string {
  for (let i = effects.length - 1; i >= 0; i--) {
    const effect = effects[i];
    if (effect.type === "emit" && effect.event.type === "state") return effect.event.cause;
  }
  return "closed";
}

/**
 * Options of {@link KrakenWs}. All are optional.
 *
 * @example
 * ```ts
 * import type { KrakenWsOptions } from "./kraken_ws.ts";
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
}

/**
 * What a book stream carries: books, the gaps of its symbol, and a final `error` if Kraken
 * rejects the subscription.
 *
 * @example
 * ```ts
 * import type { BookStreamEvent } from "./kraken_ws.ts";
 * const isBook = (event: BookStreamEvent) => event.type === "book";
 * console.log(typeof isBook);
 * ```
 */
export type BookStreamEvent = BookEvent | GapEvent | ErrorEvent;

/**
 * What a trade stream carries.
 *
 * @example
 * ```ts
 * import type { TradeStreamEvent } from "./kraken_ws.ts";
 * const isTrade = (event: TradeStreamEvent) => event.type === "trade";
 * console.log(typeof isTrade);
 * ```
 */
export type TradeStreamEvent = TradeEvent | GapEvent | ErrorEvent;

/**
 * What a ticker stream carries.
 *
 * @example
 * ```ts
 * import type { TickerStreamEvent } from "./kraken_ws.ts";
 * const isTicker = (event: TickerStreamEvent) => event.type === "ticker";
 * console.log(typeof isTicker);
 * ```
 */
export type TickerStreamEvent = TickerEvent | GapEvent | ErrorEvent;

/**
 * What an OHLC stream carries.
 *
 * @example
 * ```ts
 * import type { OhlcStreamEvent } from "./kraken_ws.ts";
 * const isCandle = (event: OhlcStreamEvent) => event.type === "ohlc";
 * console.log(typeof isCandle);
 * ```
 */
export type OhlcStreamEvent = OhlcEvent | GapEvent | ErrorEvent;

/**
 * The connection ended for good on the server's word (close code 1008), not by `close()`: data
 * streams fail with this once their buffered events have been read.
 *
 * @example
 * ```ts
 * import { KrakenClosedError } from "./kraken_ws.ts";
 * console.log(new KrakenClosedError("close 1008").message);
 * ```
 */
export class KrakenClosedError extends Error {
  /**
   * Creates the error.
   *
   * @param cause Why the connection ended.
   */
  constructor(cause: string) {
    super(`the connection ended for good: ${cause}`);
    this.name = "KrakenClosedError";
  }
}

/** One stream handed out: what it covers and its queue. */
interface StreamEntry {
  readonly consumer: number;
  /** Undefined for `events()`: everything. */
  readonly channel: DataChannel | undefined;
  readonly symbols: ReadonlySet<string>;
  readonly depth: BookDepth | undefined;
  readonly interval: OhlcInterval | undefined;
  readonly queue: StreamQueue;
  readonly rejected: Set<string>;
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

function symbolList(symbols: string | readonly string[]): string[] {
  const list = typeof symbols === "string" ? [symbols] : [...new Set(symbols)];
  if (list.length === 0) throw new RangeError("at least one symbol is needed");
  return list;
}

/**
 * The Kraken Spot WebSocket v2 client. It connects on the first subscription, reconnects and
 * resubscribes with backoff, validates every book against Kraken's checksum and resyncs on
 * failure, and reports every loss as a `gap` event. Each subscription is a bounded
 * `ReadableStream`; cancelling one unsubscribes when no other stream needs it.
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
  readonly #session: Session;
  readonly #clock: Clock;
  readonly #makeSocket: (url: string) => WebSocket;
  readonly #bufferSize: number;
  readonly #tap: KrakenWsTap | undefined;
  readonly #sockets = new Map<number, WebSocket>();
  readonly #timers = new Map<string, unknown>();
  readonly #streams = new Set<StreamEntry>();
  #consumer = 0;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  #finished = false;
  #giveUp: unknown;
  readonly #onAbort = () => void this.close();

  /**
   * Creates the client; nothing connects until the first subscription.
   *
   * @param options Settings; see {@link KrakenWsOptions}.
   */
  constructor(options: KrakenWsOptions = {}) {
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#makeSocket = options.webSocket ?? ((url) => new WebSocket(url));
    this.#bufferSize = options.bufferSize ?? 1024;
    this.#tap = combineTaps(
      options.metrics?.clientTap(),
      options.tap,
    );
    this.#session = new Session({
      url: options.url ?? KRAKEN_PUBLIC_URL,
      seed: options.reconnect?.seed ?? randomSeed(),
      reconnect: options.reconnect,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      pingIntervalMs: options.pingIntervalMs,
      snapshotTimeoutMs: options.snapshotTimeoutMs,
      subscriptionTimeoutMs: options.subscriptionTimeoutMs,
      requestsPerSecond: options.requestsPerSecond,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.#dispatch({ type: "stop" });
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.#session.state;
  }

  /**
   * Verified order books of one symbol: a book event after every message that matched Kraken's
   * checksum, with the top `depth` levels of each side.
   *
   * @param symbol The pair, like `BTC/USD`.
   * @param options `depth`: 10 (default), 25, 100, 500 or 1000.
   * @returns The stream.
   */
  book(
    symbol: string,
    options: { readonly depth?: BookDepth } = {},
  ): ReadableStream<BookStreamEvent> {
    const depth = options.depth ?? 10;
    return this.#open(
      "book",
      [symbol],
      { depth },
      (name) => ({ channel: "book", symbol: name, depth }),
    ) as ReadableStream<BookStreamEvent>;
  }

  /**
   * Trades of one or more symbols, in exchange order per symbol.
   *
   * @param symbols One pair or several.
   * @returns The stream.
   */
  trades(symbols: string | readonly string[]): ReadableStream<TradeStreamEvent> {
    return this.#open(
      "trade",
      symbolList(symbols),
      {},
      (name) => ({ channel: "trade", symbol: name }),
    ) as ReadableStream<TradeStreamEvent>;
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
    const trigger = options.trigger ?? "trades";
    return this.#open(
      "ticker",
      symbolList(symbols),
      {},
      (name) => ({ channel: "ticker", symbol: name, trigger }),
    ) as ReadableStream<TickerStreamEvent>;
  }

  /**
   * Candles of one or more symbols at one interval.
   *
   * @param symbols One pair or several.
   * @param options `interval` in minutes: 1 (default), 5, 15, 30, 60, 240, 1440, 10080, 21600.
   * @returns The stream.
   */
  ohlc(
    symbols: string | readonly string[],
    options: { readonly interval?: OhlcInterval } = {},
  ): ReadableStream<OhlcStreamEvent> {
    const interval = options.interval ?? 1;
    return this.#open(
      "ohlc",
      symbolList(symbols),
      { interval },
      (name) => ({ channel: "ohlc", symbol: name, interval }),
    ) as ReadableStream<OhlcStreamEvent>;
  }

  /**
   * Every event of the client: data of every subscription, and the lifecycle (`state`, `gap`,
   * `status`, `error`). It subscribes to nothing by itself.
   *
   * @returns The stream.
   */
  events(): ReadableStream<KrakenEvent> {
    this.#assertOpen();
    const consumer = ++this.#consumer;
    const entry = this.#entry(consumer, undefined, [], undefined, undefined);
    return entry.queue.readable(() => this.#streams.delete(entry));
  }

  /**
   * Closes the connection and ends every stream, leaving no timer or socket behind. Safe to call
   * more than once.
   *
   * @returns Resolves when everything is closed.
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#closed = new Promise<void>((resolve) => this.#resolveClosed = resolve);
      if (this.#finished) this.#settleIfDone();
      else this.#dispatch({ type: "stop" });
    }
    return this.#closed;
  }

  /** Closes the client at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- streams --------------------------------------------------------------------------------

  #assertOpen(): void {
    const state = this.#session.state;
    if (state === "closed" || state === "closing" || this.#closed !== undefined) {
      throw new KrakenClosedError("the client is closed");
    }
  }

  #entry(
    consumer: number,
    channel: DataChannel | undefined,
    symbols: readonly string[],
    depth: BookDepth | undefined,
    interval: OhlcInterval | undefined,
  ): StreamEntry {
    const single = symbols.length === 1 ? symbols[0] : undefined;
    const queue = new StreamQueue(this.#bufferSize, (dropped) => {
      const now = this.#clock.now();
      const gap = this.#session.stamp({
        type: "gap",
        reason: "overflow",
        dropped,
        ...(channel === undefined ? {} : { channel }),
        ...(single === undefined ? {} : { symbol: single }),
      }, now) as GapEvent;
      this.#tell((tap) => tap.overflow?.(gap));
      if (channel !== "book") return [gap];
      // A book stream conflates: after the gap comes the newest book of each symbol.
      const books = symbols.map((symbol) => this.#session.currentBook(symbol, now))
        .filter((book) => book !== undefined).map((book) => this.#fit(book, depth));
      return [gap, ...books];
    });
    const entry: StreamEntry = {
      consumer,
      channel,
      symbols: new Set(symbols),
      depth,
      interval,
      queue,
      rejected: new Set(),
    };
    this.#streams.add(entry);
    return entry;
  }

  #open(
    channel: DataChannel,
    symbols: readonly string[],
    params: { readonly depth?: BookDepth; readonly interval?: OhlcInterval },
    request: (symbol: string) => SubscriptionRequest,
  ): ReadableStream<KrakenEvent> {
    this.#assertOpen();
    const consumer = ++this.#consumer;
    const entry = this.#entry(consumer, channel, symbols, params.depth, params.interval);
    try {
      for (const symbol of symbols) {
        this.#dispatch({ type: "subscribe", consumer, request: request(symbol) }, true);
      }
    } catch (error) {
      this.#streams.delete(entry);
      this.#dispatch({ type: "unsubscribe", consumer });
      throw error;
    }
    if (channel === "book") {
      // Joining a book already in sync: start from its current state.
      for (const symbol of symbols) {
        const book = this.#session.currentBook(symbol, this.#clock.now());
        if (book !== undefined) entry.queue.push(this.#fit(book, params.depth));
      }
    }
    return entry.queue.readable(() => {
      this.#streams.delete(entry);
      if (this.#session.state !== "closed") this.#dispatch({ type: "unsubscribe", consumer });
    });
  }

  /** A book event cut to a stream's depth (the subscription may be deeper). */
  #fit(event: BookEvent, depth: BookDepth | undefined): BookEvent {
    if (depth === undefined || (event.bids.length <= depth && event.asks.length <= depth)) {
      return event;
    }
    return { ...event, bids: event.bids.slice(0, depth), asks: event.asks.slice(0, depth) };
  }

  // ---- the driver -----------------------------------------------------------------------------

  /**
   * Feeds the session one input and carries out its effects. A defect surfacing as an exception
   * becomes an `internal` error event, except where the caller must see it (`rethrow`).
   */
  #dispatch(input: SessionInput, rethrow = false): void {
    let effects: SessionEffect[];
    try {
      effects = this.#session.handle(input, this.#clock.now());
    } catch (error) {
      if (rethrow) throw error;
      this.#route(this.#session.stamp({
        type: "error",
        code: "internal",
        message: error instanceof Error ? error.message : String(error),
      }, this.#clock.now()));
      return;
    }
    for (const effect of effects) this.#perform(effect);
    if (this.#session.state === "closed") this.#finish(effects);
  }

  #perform(effect: SessionEffect): void {
    switch (effect.type) {
      case "open":
        this.#connect(effect.connection, effect.url);
        return;
      case "close": {
        const socket = this.#sockets.get(effect.connection);
        try {
          socket?.close(effect.code, effect.reason);
        } catch {
          // Closing a socket that is already closing is not an error worth reporting.
        }
        return;
      }
      case "send": {
        const socket = this.#sockets.get(effect.connection);
        if (socket?.readyState === WebSocket.OPEN) socket.send(effect.text);
        return;
      }
      case "setTimer": {
        const previous = this.#timers.get(effect.id);
        if (previous !== undefined) this.#clock.clearTimeout(previous);
        const id = effect.id;
        this.#timers.set(
          id,
          this.#clock.setTimeout(() => {
            this.#timers.delete(id);
            this.#dispatch({ type: "timer", id });
          }, effect.delayMs),
        );
        return;
      }
      case "cancelTimer": {
        const handle = this.#timers.get(effect.id);
        if (handle !== undefined) this.#clock.clearTimeout(handle);
        this.#timers.delete(effect.id);
        return;
      }
      case "emit":
        this.#route(effect.event);
        return;
    }
  }

  #connect(connection: number, url: string): void {
    let socket: WebSocket;
    try {
      socket = this.#makeSocket(url);
    } catch (error) {
      // A URL the runtime refuses fails this attempt like a refused connection would.
      const reason = error instanceof Error ? error.message : String(error);
      queueMicrotask(() => this.#dispatch({ type: "closed", connection, code: 1006, reason }));
      return;
    }
    this.#sockets.set(connection, socket);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => this.#dispatch({ type: "opened", connection });
    socket.onmessage = (message: MessageEvent) => {
      const text = typeof message.data === "string"
        ? message.data
        : new TextDecoder().decode(message.data as ArrayBuffer);
      if (this.#tap?.frame !== undefined) {
        const receivedAt = this.#clock.now();
        this.#tell((tap) => tap.frame?.(text, receivedAt));
      }
      this.#dispatch({ type: "frame", connection, text });
    };
    socket.onclose = (close: CloseEvent) => {
      this.#sockets.delete(connection);
      // The spec reports a link lost without a close frame as 1006; Deno reports 0.
      const code = close.code < 1000 ? ABNORMAL_CLOSURE : close.code;
      this.#dispatch({ type: "closed", connection, code, reason: close.reason });
      this.#settleIfDone();
    };
    socket.onerror = () => {
      // The close event that follows carries what there is to know.
    };
  }

  /** Calls the tap; a tap that throws becomes an `internal` error, never a crash. */
  #tell(call: (tap: KrakenWsTap) => void): void {
    if (this.#tap === undefined) return;
    try {
      call(this.#tap);
    } catch (error) {
      this.#deliver(this.#session.stamp({
        type: "error",
        code: "internal",
        message: `tap failed: ${error instanceof Error ? error.message : String(error)}`,
      }, this.#clock.now()));
    }
  }

  #route(event: KrakenEvent): void {
    this.#tell((tap) => tap.event?.(event));
    this.#deliver(event);
  }

  /** Queues `event` on every stream it concerns. */
  #deliver(event: KrakenEvent): void {
    const data = event.type === "book" || event.type === "trade" || event.type === "ticker" ||
      event.type === "ohlc";
    for (const entry of this.#streams) {
      if (!this.#covers(entry, event)) continue;
      if (data) entry.queue.push(this.#forStream(entry, event));
      else entry.queue.pushControl(event);
    }
    if (event.type === "error" && event.code === "rejected") this.#rejected(event);
  }

  #covers(entry: StreamEntry, event: KrakenEvent): boolean {
    if (entry.channel === undefined) return true;
    switch (event.type) {
      case "book":
      case "trade":
      case "ticker":
        return entry.channel === event.type && entry.symbols.has(event.symbol);
      case "ohlc":
        return entry.channel === "ohlc" && entry.symbols.has(event.symbol) &&
          event.interval === entry.interval;
      case "gap":
      case "error":
        // A loss that no one can place (an undecodable frame) may concern any stream.
        if (event.type === "gap" && event.channel === undefined) return true;
        if (event.channel !== entry.channel) return false;
        if (event.symbol !== undefined && !entry.symbols.has(event.symbol)) return false;
        return event.type === "gap" || event.interval === undefined ||
          event.interval === entry.interval;
      default:
        return false;
    }
  }

  #forStream(entry: StreamEntry, event: KrakenEvent): KrakenEvent {
    return event.type === "book" ? this.#fit(event, entry.depth) : event;
  }

  /** A rejected subscription ends the streams it leaves with nothing to carry. */
  #rejected(event: ErrorEvent): void {
    for (const entry of this.#streams) {
      if (!this.#covers(entry, event) || entry.channel === undefined) continue;
      entry.rejected.add(event.symbol!);
      if (entry.rejected.size === entry.symbols.size) {
        entry.queue.end();
        this.#streams.delete(entry);
      }
    }
  }

  /** The session reached `closed`: end every stream and release every resource. */
  #finish(effects: SessionEffect[] | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    const byUser = this.#closed !== undefined || this.#signal?.aborted === true;
    const cause = lastStateCause(effects ?? []);
    for (const entry of this.#streams) {
      // Data streams of a connection the server ended for good fail, so a reader cannot mistake
      // it for the end it asked for; `events()` carries the state event that says why.
      if (byUser || entry.channel === undefined) entry.queue.end();
      else entry.queue.fail(new KrakenClosedError(cause));
    }
    this.#streams.clear();
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle);
    this.#timers.clear();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    for (const socket of this.#sockets.values()) {
      try {
        socket.close(1000, "client closed");
      } catch {
        // Already closing.
      }
    }
    this.#closed ??= new Promise<void>((resolve) => this.#resolveClosed = resolve);
    if (this.#sockets.size > 0) {
      // A socket that never reports its close is given up after a while, as the session does.
      this.#giveUp = this.#clock.setTimeout(() => {
        this.#giveUp = undefined;
        this.#sockets.clear();
        this.#settleIfDone();
      }, SOCKET_CLOSE_WAIT_MS);
    }
    this.#settleIfDone();
  }

  /** Resolves `close()` once the session is closed and every socket reported its close. */
  #settleIfDone(): void {
    if (!this.#finished || this.#sockets.size > 0) return;
    if (this.#giveUp !== undefined) this.#clock.clearTimeout(this.#giveUp);
    this.#giveUp = undefined;
    const resolve = this.#resolveClosed;
    this.#resolveClosed = undefined;
    resolve?.();
  }
}
