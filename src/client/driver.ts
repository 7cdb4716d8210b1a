/**
 * The client's driver: it carries out what the sans-I/O {@link Session} decides (sockets, timers,
 * routing events to streams) and feeds the session what happens. `KrakenWs` is its public face;
 * the seeded simulation runs the very same driver, through a {@link DriverProbe}, in virtual time.
 *
 * @module
 */

import { eventChannel, eventSymbol } from "../core/event_topic.ts";
import type { BookDepth } from "../book/order_book.ts";
import type { Clock } from "../core/clock.ts";
import type { BookEvent, DataChannel, ErrorEvent, KrakenEvent } from "../core/events.ts";
import type { Session, SessionEffect, SessionInput, SubscriptionStatus } from "../core/session.ts";
import type { OhlcInterval, SubscriptionRequest, UnkeyedRequest } from "../core/subscription.ts";
import type { KrakenWsTap } from "../core/tap.ts";
import { KrakenClosedError } from "./kraken_closed_error.ts";
import { KrakenInternalError } from "./kraken_internal_error.ts";
import { KrakenAuthError } from "./token_source.ts";
import { redactToken } from "../protocol/trading_requests.ts";
import type { TradingOutcome } from "../core/trading.ts";
import { copyPrefix } from "../book/book_side.ts";
import { levelChanges } from "../book/level_changes.ts";
import { BookStreamQueue } from "./book_stream_queue.ts";
import { MAX_HELD_CONTROL, StreamQueue } from "./stream_queue.ts";

/**
 * What a failed token fetch says in an event: the error's message (a {@link KrakenAuthError}
 * names no secret), never the error object.
 */
function describeAuthError(error: unknown): string {
  return error instanceof KrakenAuthError
    ? error.message
    : `token source failed: ${error instanceof Error ? error.message : String(error)}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The close code of a connection lost without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/** `WebSocket.OPEN`, as a number: a runtime with no global `WebSocket` may still be given one. */
const SOCKET_OPEN = 1;

/** How long closing waits for sockets to report their close before giving them up. */
const SOCKET_CLOSE_WAIT_MS = 2000;

/** The cause of the last connection state event among `effects`. */
function connectionCause(effects: readonly SessionEffect[]): string {
  for (let i = effects.length - 1; i >= 0; i--) {
    const effect = effects[i];
    if (
      effect.type === "emit" && effect.event.type === "state" &&
      effect.event.scope === "connection"
    ) {
      return effect.event.cause;
    }
  }
  return "closed";
}

/**
 * What a stream covers, as the driver routes to it.
 *
 * @example
 * ```ts
 * import type { StreamTarget } from "./driver.ts";
 * const target: StreamTarget = { consumer: 1, channel: "trade", symbols: new Set(["BTC/USD"]) };
 * console.log(target.channel);
 * ```
 */
export interface StreamTarget {
  /** The stream's consumer number in the session. */
  readonly consumer: number;
  /** Its channel; undefined for `events()`, which sees everything. */
  readonly channel: DataChannel | undefined;
  /** The symbols it asked for. */
  readonly symbols: ReadonlySet<string>;
}

/**
 * Which events an `events()` stream takes; every field is optional and narrows. An event with no
 * channel (a connection state, a status, a loss no one can place) passes `channels`, and one with
 * no symbol passes `symbols`: they concern every subscription.
 *
 * @example
 * ```ts
 * import type { EventFilter } from "@kraken-ws/sdk";
 * const lifecycle: EventFilter = { types: ["state", "gap", "error", "status"] };
 * console.log(lifecycle.types?.length); // 4
 * ```
 */
export interface EventFilter {
  /** Event types to take. */
  readonly types?: readonly KrakenEvent["type"][];
  /** Channels to take. */
  readonly channels?: readonly DataChannel[];
  /** Pairs to take. */
  readonly symbols?: readonly string[];
}

/**
 * What a probe reads of a driver.
 *
 * @example
 * ```ts
 * import type { DriverView } from "./driver.ts";
 * const describe = (view: DriverView) => `${view.timerCount} timers`;
 * console.log(typeof describe);
 * ```
 */
export interface DriverView {
  /** The session the driver drives: read it, never feed it. */
  readonly session: Session;
  /** Timers set and not yet fired or cancelled. */
  readonly timerCount: number;
}

/**
 * Hooks into a client's driver, for the seeded simulation: it watches the session's own state,
 * and (only to prove its checks can fail) rewrites what the driver does, making a client that
 * lies.
 *
 * @example
 * ```ts
 * import type { DriverProbe } from "./driver.ts";
 * // A client that hides every checksum gap from its streams.
 * const probe: DriverProbe = {
 *   deliver: (_stream, event) =>
 *     event.type === "gap" && event.reason === "checksum" ? undefined : event,
 * };
 * console.log(typeof probe.deliver);
 * ```
 */
export interface DriverProbe {
  /** Called once, when the driver is made. */
  readonly attached?: (view: DriverView) => void;
  /** Sees each input's effects before the driver carries them out; returns what it carries out. */
  readonly effects?: (input: SessionInput, effects: SessionEffect[]) => SessionEffect[];
  /** Sees each event about to be queued on a stream; returns what is queued (undefined: none). */
  readonly deliver?: (stream: StreamTarget, event: KrakenEvent) => KrakenEvent | undefined;
}

/**
 * Settings of a {@link ClientDriver}.
 *
 * @example
 * ```ts
 * import type { ClientDriverOptions } from "./driver.ts";
 * const bufferSize: ClientDriverOptions["bufferSize"] = 1024;
 * console.log(bufferSize);
 * ```
 */
export interface ClientDriverOptions {
  /** The session it drives. */
  readonly session: Session;
  /** Time and timers. */
  readonly clock: Clock;
  /** Makes each socket. */
  readonly webSocket: (url: string) => WebSocket;
  /** Events each stream holds before it overflows. */
  readonly bufferSize: number;
  /** Sees every frame and event. */
  readonly tap?: KrakenWsTap;
  /** The simulation's hooks. */
  readonly probe?: DriverProbe;
  /**
   * For the authenticated connection: where each connection's token comes from. A token is
   * fetched before every socket opens, and again when the session asks for a fresh one.
   */
  readonly token?: () => Promise<string>;
  /** For the authenticated connection: a trading request ended. */
  readonly settle?: (id: number, outcome: TradingOutcome) => void;
  /** The session threw and the driver closed everything: the client must not go on either. */
  readonly failed?: (error: KrakenInternalError) => void;
}

/** One stream handed out: what it covers and its queue. */
interface StreamEntry extends StreamTarget {
  readonly depth: BookDepth | undefined;
  readonly interval: OhlcInterval | undefined;
  /** A book stream conflates; the others keep every event up to their bound. */
  readonly queue: StreamQueue | BookStreamQueue;
  /** How many subscriptions it covers: one per symbol, or the one of `instrument`. */
  readonly subscriptions: number;
  /** The symbols Kraken refused (`""` for `instrument`, which has none). */
  readonly rejected: Set<string>;
  /** For `events()`: what it takes. */
  readonly filter: EventFilter | undefined;
  /** For a book stream: the last book of each symbol it was given, and whether it was cut. */
  readonly lastBooks: Map<string, { readonly event: BookEvent; readonly cut: boolean }>;
}

/** Whether `event` passes `filter`. */
function passes(filter: EventFilter | undefined, event: KrakenEvent): boolean {
  if (filter === undefined) return true;
  if (filter.types !== undefined && !filter.types.includes(event.type)) return false;
  const channel = eventChannel(event);
  if (
    filter.channels !== undefined && channel !== undefined && !filter.channels.includes(channel)
  ) {
    return false;
  }
  const symbol = eventSymbol(event);
  return filter.symbols === undefined || symbol === undefined || filter.symbols.includes(symbol);
}

/**
 * Carries out a session's effects and routes its events to streams. Not exported from the
 * package's entry points: `KrakenWs` is how users drive it.
 *
 * @example
 * ```ts
 * import { ClientDriver } from "./driver.ts";
 * import { Session } from "@kraken-ws/sdk/extended";
 * import { VirtualClock } from "@kraken-ws/sdk/extended";
 *
 * const driver = new ClientDriver({
 *   session: new Session({ url: "ws://127.0.0.1:1/v2", seed: 1 }),
 *   clock: new VirtualClock(0),
 *   webSocket: () => {
 *     throw new TypeError("no network in this example");
 *   },
 *   bufferSize: 16,
 * });
 * console.log(driver.state); // "idle"
 * ```
 */
export class ClientDriver implements DriverView {
  readonly #session: Session;
  readonly #clock: Clock;
  readonly #makeSocket: (url: string) => WebSocket;
  readonly #bufferSize: number;
  readonly #tap: KrakenWsTap | undefined;
  readonly #probe: DriverProbe | undefined;
  readonly #token: (() => Promise<string>) | undefined;
  readonly #settle: ((id: number, outcome: TradingOutcome) => void) | undefined;
  readonly #failed: ((error: KrakenInternalError) => void) | undefined;
  /** Why the driver failed, once its session threw: nothing is fed to that session any more. */
  #failure: KrakenInternalError | undefined;
  /** Connections waiting for their token before their socket opens; closing one cancels it. */
  readonly #awaitingToken = new Set<number>();
  readonly #sockets = new Map<number, WebSocket>();
  readonly #timers = new Map<string, unknown>();
  readonly #streams = new Set<StreamEntry>();
  /** Data streams by `channel|symbol`: an event reaches only the streams that asked for it. */
  readonly #byTopic = new Map<string, Set<StreamEntry>>();
  /** `events()` streams, which take everything their filter lets through. */
  readonly #everything = new Set<StreamEntry>();
  /** Streams by consumer, for the events the session addresses to one of them. */
  readonly #byConsumer = new Map<number, StreamEntry>();
  /** A stream asking the session for its recovery events: they are handed back, not queued. */
  #recovering: { readonly consumer: number; readonly events: KrakenEvent[] } | undefined;
  #consumer = 0;
  #finished = false;
  /** `ready()` calls waiting: each says whether it settled. */
  readonly #waiters = new Set<() => boolean>();
  /** The last close frame a socket reported: what a connection ended for good ended with. */
  #lastClose: { code: number; reason: string } | undefined;
  #endedByUser = false;
  #giveUp: unknown;
  #settled: (() => void) | undefined;
  readonly #done: Promise<void>;

  /**
   * Creates the driver; nothing happens until an input.
   *
   * @param options Settings.
   */
  constructor(options: ClientDriverOptions) {
    this.#session = options.session;
    this.#clock = options.clock;
    this.#makeSocket = options.webSocket;
    this.#bufferSize = options.bufferSize;
    this.#tap = options.tap;
    this.#probe = options.probe;
    this.#token = options.token;
    this.#settle = options.settle;
    this.#failed = options.failed;
    this.#done = new Promise<void>((resolve) => this.#settled = resolve);
    this.#probe?.attached?.(this);
  }

  /** The session it drives. */
  get session(): Session {
    return this.#session;
  }

  /** The connection's state. */
  get state(): Session["state"] {
    return this.#session.state;
  }

  /** Timers set and not yet fired or cancelled. */
  get timerCount(): number {
    return this.#timers.size;
  }

  /** Whether the session reached `closed` and the driver let everything go. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Opens a stream that subscribes to `requests`, or `events()` (no channel, no requests).
   *
   * @param channel The data channel, or undefined for every event.
   * @param requests One request per symbol, or the one of `instrument`.
   * @param params The stream's depth or interval, or for `events()` its filter.
   * @returns The stream.
   * @throws {SubscriptionConflictError} When a request conflicts with an existing subscription.
   */
  open(
    channel: DataChannel | undefined,
    requests: readonly (SubscriptionRequest | UnkeyedRequest)[],
    params: {
      readonly depth?: BookDepth;
      readonly interval?: OhlcInterval;
      readonly filter?: EventFilter;
    } = {},
  ): ReadableStream<KrakenEvent> {
    const consumer = ++this.#consumer;
    const symbols = requests.flatMap((request) => "symbol" in request ? [request.symbol] : []);
    const entry = this.#entry(consumer, channel, symbols, requests.length, params);
    if (channel === undefined) {
      // A stream that starts late starts from where everything stands now.
      this.dispatch({ type: "describe", consumer });
      return entry.queue.readable(() => this.#forget(entry));
    }
    try {
      for (const request of requests) {
        this.dispatch({ type: "subscribe", consumer, request }, true);
      }
    } catch (error) {
      this.#forget(entry);
      this.dispatch({ type: "unsubscribe", consumer });
      throw error;
    }
    return entry.queue.readable(() => {
      this.#forget(entry);
      if (this.#session.state !== "closed") this.dispatch({ type: "unsubscribe", consumer });
    });
  }

  /**
   * Resolves once every subscription `concerns` picks is synced; rejects when one of them is
   * refused, or the client closes first. Checked after every input, from the session's state.
   *
   * @param concerns Which subscriptions count (all that are held when it is called: none left
   *   means resolved at once).
   * @returns Resolves when they are synced.
   */
  ready(concerns: (status: SubscriptionStatus) => boolean): Promise<void> {
    const watched = this.#session.subscriptions().filter(concerns);
    const keyOf = (status: SubscriptionStatus) =>
      `${status.channel}|${status.symbol}|${status.interval ?? ""}`;
    const keys = new Set(watched.map(keyOf));
    return new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        if (this.#finished) {
          reject(
            this.#failure ?? new KrakenClosedError(
              "the client closed before its subscriptions were synced",
              this.#endedByUser ? undefined : this.#lastClose,
            ),
          );
          return true;
        }
        const now = this.#session.subscriptions().filter((status) => keys.has(keyOf(status)));
        const refused = now.find((status) => status.state === "rejected");
        if (refused !== undefined) {
          const what = [refused.channel, refused.symbol].filter((part) => part !== undefined);
          reject(new RangeError(`${what.join(" ")} was refused by Kraken`));
          return true;
        }
        if (now.length < keys.size) {
          reject(new RangeError("a subscription it waits for ended before it was synced"));
          return true;
        }
        if (now.every((status) => status.state === "synced")) {
          resolve();
          return true;
        }
        return false;
      };
      if (!check()) this.#waiters.add(check);
    });
  }

  /**
   * Ends the session: resolves once it is closed and every socket reported its close.
   *
   * @returns Resolves when everything is let go.
   */
  stop(): Promise<void> {
    this.#endedByUser = true;
    if (!this.#finished) this.dispatch({ type: "stop" });
    else this.#settleIfDone();
    return this.#done;
  }

  /**
   * Feeds the session one input and carries out its effects. With `rethrow`, an exception is the
   * caller's: the session refuses a caller's input (a bad argument, a conflict) before it changes
   * anything. Any other exception is a defect that may have left the session half-changed: the
   * driver fails (see {@link ClientDriver.fail}) rather than go on from there.
   *
   * @param input What happened.
   * @param rethrow Throw the session's exception to the caller.
   */
  dispatch(input: SessionInput, rethrow = false): void {
    if (this.#failure !== undefined) return;
    let effects: SessionEffect[];
    try {
      effects = this.#session.handle(input, this.#clock.now());
    } catch (error) {
      if (rethrow) throw error;
      this.fail(new KrakenInternalError(describeError(error), { cause: error }));
      return;
    }
    if (this.#probe?.effects !== undefined) effects = this.#probe.effects(input, effects);
    for (const effect of effects) this.#perform(effect);
    if (this.#session.state === "closed") this.#finish(effects);
    for (const settled of [...this.#waiters]) if (settled()) this.#waiters.delete(settled);
  }

  // ---- streams --------------------------------------------------------------------------------

  #entry(
    consumer: number,
    channel: DataChannel | undefined,
    symbols: readonly string[],
    subscriptions: number,
    params: {
      readonly depth?: BookDepth;
      readonly interval?: OhlcInterval;
      readonly filter?: EventFilter;
    },
  ): StreamEntry {
    const entry: StreamEntry = {
      consumer,
      channel,
      symbols: new Set(symbols),
      depth: params.depth,
      interval: params.interval,
      queue: channel === "book"
        ? new BookStreamQueue(
          Math.max(this.#bufferSize, MAX_HELD_CONTROL),
          (gap) => this.#tell((tap) => tap.overflow?.(gap)),
        )
        : new StreamQueue(this.#bufferSize, (dropped) => this.#recover(entry, dropped)),
      subscriptions,
      rejected: new Set(),
      filter: params.filter,
      lastBooks: new Map(),
    };
    this.#streams.add(entry);
    this.#byConsumer.set(consumer, entry);
    if (channel === undefined) this.#everything.add(entry);
    for (const symbol of entry.symbols) {
      const topic = `${channel}|${symbol}`;
      let streams = this.#byTopic.get(topic);
      if (streams === undefined) this.#byTopic.set(topic, streams = new Set());
      streams.add(entry);
    }
    return entry;
  }

  /** A stream is gone: it is routed nothing more. */
  #forget(entry: StreamEntry): void {
    this.#streams.delete(entry);
    this.#everything.delete(entry);
    this.#byConsumer.delete(entry.consumer);
    for (const symbol of entry.symbols) {
      const topic = `${entry.channel}|${symbol}`;
      const streams = this.#byTopic.get(topic);
      streams?.delete(entry);
      if (streams?.size === 0) this.#byTopic.delete(topic);
    }
  }

  /**
   * What a (non-book) stream delivers after it dropped `dropped` events: the session's overflow
   * gap, addressed to it, and counted by the tap.
   */
  #recover(entry: StreamEntry, dropped: number): KrakenEvent[] {
    const single = entry.symbols.size === 1 ? [...entry.symbols][0] : undefined;
    const recovered: KrakenEvent[] = [];
    this.#recovering = { consumer: entry.consumer, events: recovered };
    try {
      this.dispatch({
        type: "overflow",
        consumer: entry.consumer,
        dropped,
        ...(entry.channel === undefined ? {} : { channel: entry.channel }),
        ...(single === undefined ? {} : { symbol: single }),
      });
    } finally {
      this.#recovering = undefined;
    }
    return recovered.flatMap((event) => this.#probed(entry, event) ?? []);
  }

  /**
   * A book event as a stream of `depth` sees it: cut to that depth when the subscription is
   * deeper (another stream asked for more). While its view is cut, or was cut last time, the
   * book's own changes describe another view: they are counted anew against what this stream was
   * last given, so a level moving into its view is a change too, and a snapshot lists every level
   * of the view.
   */
  #fit(entry: StreamEntry, event: BookEvent): BookEvent {
    const depth = entry.depth;
    const symbol = event.symbol;
    const cut = depth !== undefined && (event.bids.length > depth || event.asks.length > depth);
    const last = entry.lastBooks.get(symbol);
    if (!cut && last?.cut !== true) {
      entry.lastBooks.set(symbol, { event, cut: false });
      return event;
    }
    const bids = cut ? Object.freeze(copyPrefix(event.bids, depth)) : event.bids;
    const asks = cut ? Object.freeze(copyPrefix(event.asks, depth)) : event.asks;
    // The book a stream starts from (joining, or after an overflow) is taken whole: no changes.
    const starts = !event.snapshot && (last === undefined || event.changes.length === 0);
    const before = event.snapshot ? undefined : last?.event;
    const changes = starts ? [] : [
      ...levelChanges("bid", before?.bids ?? [], bids),
      ...levelChanges("ask", before?.asks ?? [], asks),
    ];
    const fitted: BookEvent = { ...event, bids, asks, changes };
    entry.lastBooks.set(symbol, { event: fitted, cut });
    return fitted;
  }

  /** The event as the probe lets it reach `entry`. */
  #probed(entry: StreamEntry, event: KrakenEvent): KrakenEvent | undefined {
    return this.#probe?.deliver === undefined ? event : this.#probe.deliver(entry, event);
  }

  /** Queues `event` on `entry`, data and lifecycle each in their lane. */
  #queue(entry: StreamEntry, event: KrakenEvent): void {
    const probed = this.#probed(entry, event);
    if (probed === undefined) return;
    const queue = entry.queue;
    const data = probed.type === "trade" || probed.type === "ticker" || probed.type === "ohlc" ||
      probed.type === "instrument" || probed.type === "executions" ||
      probed.type === "balances" || probed.type === "level3";
    if (probed.type === "book") queue.push(probed);
    else if (data && queue instanceof StreamQueue) queue.push(probed);
    else queue.pushControl(probed);
  }

  // ---- effects --------------------------------------------------------------------------------

  #perform(effect: SessionEffect): void {
    // Failed while carrying out an earlier effect of the same input: nothing more is done.
    if (this.#failure !== undefined) return;
    switch (effect.type) {
      case "open":
        if (this.#token === undefined) this.#connect(effect.connection, effect.url);
        else this.#authenticate(effect.connection, effect.url);
        return;
      case "fetchToken":
        this.#renewToken(effect.connection);
        return;
      case "settle":
        this.#settle?.(effect.id, effect.outcome);
        return;
      case "close": {
        if (this.#awaitingToken.delete(effect.connection)) {
          // No socket yet: the attempt ends here, as a socket closed before opening would.
          const connection = effect.connection;
          queueMicrotask(() =>
            this.dispatch({ type: "closed", connection, code: 1006, reason: "closed before open" })
          );
          this.#settleIfDone();
          return;
        }
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
        if (socket?.readyState === SOCKET_OPEN) socket.send(effect.text);
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
            this.dispatch({ type: "timer", id });
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
        if (effect.consumer === undefined) this.#route(effect.event);
        else this.#address(effect.consumer, effect.event);
        return;
    }
  }

  /** The authenticated connection: its token first, then its socket. */
  #authenticate(connection: number, url: string): void {
    this.#awaitingToken.add(connection);
    this.#fetchToken().then(
      (token) => {
        if (!this.#awaitingToken.delete(connection)) return;
        this.#connect(connection, url, token);
      },
      (error) => {
        if (!this.#awaitingToken.delete(connection)) return;
        this.dispatch({ type: "authFailed", connection, message: describeAuthError(error) });
      },
    );
  }

  /** The session asked for a fresh token for the connection up now. */
  #renewToken(connection: number): void {
    this.#fetchToken().then(
      (token) => {
        if (!this.#finished) this.dispatch({ type: "token", connection, token });
      },
      (error) => {
        if (this.#finished) return;
        this.dispatch({ type: "authFailed", connection, message: describeAuthError(error) });
      },
    );
  }

  #fetchToken(): Promise<string> {
    try {
      return this.#token!();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #connect(connection: number, url: string, token?: string): void {
    let socket: WebSocket;
    try {
      socket = this.#makeSocket(url);
    } catch (error) {
      // A URL the runtime refuses fails this attempt like a refused connection would.
      const reason = error instanceof Error ? error.message : String(error);
      queueMicrotask(() => this.dispatch({ type: "closed", connection, code: 1006, reason }));
      return;
    }
    this.#sockets.set(connection, socket);
    socket.binaryType = "arraybuffer";
    socket.onopen = () =>
      this.dispatch(
        token === undefined
          ? { type: "opened", connection }
          : { type: "opened", connection, token },
      );
    socket.onmessage = (message: MessageEvent) => {
      const received = typeof message.data === "string"
        ? message.data
        : new TextDecoder().decode(message.data as ArrayBuffer);
      // A frame that names a token (no frame Kraken sends should) never reaches a tap or an event.
      const text = received.includes('"token"') ? redactToken(received) : received;
      if (this.#tap?.frame !== undefined) {
        const receivedAt = this.#clock.now();
        this.#tell((tap) => tap.frame?.(text, receivedAt));
      }
      this.dispatch({ type: "frame", connection, text });
    };
    socket.onclose = (close: CloseEvent) => {
      this.#sockets.delete(connection);
      // The spec reports a link lost without a close frame as 1006; Deno reports 0.
      const code = close.code < 1000 ? ABNORMAL_CLOSURE : close.code;
      this.#lastClose = { code, reason: close.reason };
      this.dispatch({ type: "closed", connection, code, reason: close.reason });
      this.#settleIfDone();
    };
    socket.onerror = () => {
      // The close event that follows carries what there is to know.
    };
  }

  /**
   * Ends everything at once with `error`, without asking the session: its state can no longer be
   * trusted. Every stream fails with `error`, `ready()` rejects with it, timers are cleared and
   * sockets closed; later inputs are ignored. Safe to call more than once.
   *
   * @param error Why.
   */
  fail(error: KrakenInternalError): void {
    if (this.#finished) return;
    this.#failure = error;
    this.#finished = true;
    for (const entry of this.#streams) entry.queue.fail(error);
    this.#release();
    for (const settled of [...this.#waiters]) if (settled()) this.#waiters.delete(settled);
    this.#failed?.(error);
  }

  /** A tap that threw: an `internal` error event; the session itself is whole. */
  #tapFailed(error: unknown): void {
    let effects: SessionEffect[];
    try {
      effects = this.#session.handle(
        {
          type: "defect",
          message: `tap failed: ${error instanceof Error ? error.message : error}`,
        },
        this.#clock.now(),
      );
    } catch (defect) {
      this.fail(new KrakenInternalError(describeError(defect), { cause: defect }));
      return;
    }
    // Straight to the streams: a tap that fails would fail again on its own error.
    for (const effect of effects) if (effect.type === "emit") this.#deliver(effect.event);
  }

  /** Calls the tap; a tap that throws becomes an `internal` error, never a crash. */
  #tell(call: (tap: KrakenWsTap) => void): void {
    if (this.#tap === undefined) return;
    try {
      call(this.#tap);
    } catch (error) {
      this.#tapFailed(error);
    }
  }

  /** An event for one stream alone: its overflow gap, or a book it starts from. */
  #address(consumer: number, event: KrakenEvent): void {
    if (event.type === "gap" && event.reason === "overflow") {
      this.#tell((tap) => tap.overflow?.(event));
    }
    const recovering = this.#recovering;
    if (recovering?.consumer === consumer) {
      recovering.events.push(event);
      return;
    }
    const entry = this.#byConsumer.get(consumer);
    if (entry === undefined || !passes(entry.filter, event)) return;
    this.#queue(entry, event.type === "book" ? this.#fit(entry, event) : event);
  }

  #route(event: KrakenEvent): void {
    this.#tell((tap) => tap.event?.(event));
    this.#deliver(event);
  }

  /** Queues `event` on every stream it concerns, found by its channel and symbol. */
  #deliver(event: KrakenEvent): void {
    for (const entry of this.#everything) {
      if (passes(entry.filter, event)) this.#queue(entry, event);
    }
    for (const entry of this.#concerned(event)) {
      this.#queue(entry, event.type === "book" ? this.#fit(entry, event) : event);
    }
    if (event.type === "error" && event.code === "rejected") this.#rejected(event);
  }

  /** The data streams `event` concerns. */
  #concerned(event: KrakenEvent): Iterable<StreamEntry> {
    const channel = eventChannel(event);
    const symbol = eventSymbol(event);
    // A connection's state and Kraken's status concern everyone: `events()` carries them, and a
    // data stream hears what its own subscription goes through.
    if (event.type === "status" || (event.type === "state" && event.scope === "connection")) {
      return [];
    }
    if (channel === undefined) {
      // A loss no one can place (an undecodable frame) may concern any stream.
      return event.type === "gap" ? [...this.#streams].filter((e) => e.channel !== undefined) : [];
    }
    const candidates = symbol === undefined
      ? [...this.#streams].filter((entry) => entry.channel === channel)
      : this.#byTopic.get(`${channel}|${symbol}`) ?? [];
    // Candles and their errors belong to one interval; a gap of a pair concerns every interval.
    const interval = event.type === "ohlc" || event.type === "error" || event.type === "state"
      ? event.interval
      : undefined;
    // The common case, data of one pair, hands out the topic's own set: no copy per event.
    return interval === undefined
      ? candidates
      : [...candidates].filter((entry) => entry.interval === interval);
  }

  /** A rejected subscription ends the streams it leaves with nothing to carry. */
  #rejected(event: ErrorEvent): void {
    for (const entry of this.#concerned(event)) {
      entry.rejected.add(event.symbol ?? "");
      if (entry.rejected.size === entry.subscriptions) {
        entry.queue.end();
        this.#forget(entry);
      }
    }
  }

  /** The session reached `closed`: end every stream and release every resource. */
  #finish(effects: readonly SessionEffect[]): void {
    if (this.#finished) return;
    this.#finished = true;
    const cause = connectionCause(effects);
    const close = this.#lastClose;
    for (const entry of this.#streams) {
      // Data streams of a connection the server ended for good fail, so a reader cannot mistake
      // it for the end it asked for; `events()` carries the state event that says why.
      if (this.#endedByUser || entry.channel === undefined) entry.queue.end();
      else entry.queue.fail(new KrakenClosedError(cause, close));
    }
    this.#release();
  }

  /** Lets every stream, timer, token and socket go; the driver is finished. */
  #release(): void {
    this.#streams.clear();
    this.#everything.clear();
    this.#byConsumer.clear();
    this.#byTopic.clear();
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle);
    this.#timers.clear();
    // A token still on its way opens nothing any more.
    this.#awaitingToken.clear();
    for (const socket of this.#sockets.values()) {
      try {
        socket.close(1000, "client closed");
      } catch {
        // Already closing.
      }
    }
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

  /** Resolves {@link ClientDriver.stop} once the session is closed and every socket closed. */
  #settleIfDone(): void {
    if (!this.#finished || this.#sockets.size > 0 || this.#awaitingToken.size > 0) return;
    if (this.#giveUp !== undefined) this.#clock.clearTimeout(this.#giveUp);
    this.#giveUp = undefined;
    const settle = this.#settled;
    this.#settled = undefined;
    settle?.();
  }
}
