/**
 * The sans-I/O session: Kraken's v2 protocol, the connection state machine, subscriptions, book
 * validation and resync, gap detection and backoff, as a pure function of its inputs. It never
 * touches a socket, a timer, a clock or `Math.random`; the driver feeds it inputs with the time
 * and carries out the effects it returns.
 *
 * @module
 */

import { OrderBook } from "../book/order_book.ts";
import type { BookVerdict } from "../book/order_book.ts";
import { decode } from "../protocol/decode.ts";
import { encodePing, encodeSubscribe, encodeUnsubscribe } from "../protocol/encode.ts";
import type {
  AckMessage,
  BookMessage,
  OhlcMessage,
  RejectionMessage,
  StatusMessage,
  TickerMessage,
  TradeMessage,
} from "../protocol/messages.ts";
import {
  type ConnectionTrigger,
  IllegalInputError,
  nextConnectionState,
} from "./connection_machine.ts";
import type {
  BookEvent,
  ConnectionState,
  KrakenEvent,
  SubscriptionState,
  UnstampedEvent,
} from "./events.ts";
import { type ReconnectOptions, ReconnectPolicy } from "./reconnect_policy.ts";
import { type QueuedRequest, RequestPacer } from "./request_pacer.ts";
import { SeededRandom } from "./seeded_random.ts";
import { Subscription, subscriptionKey, type SubscriptionRequest } from "./subscription.ts";

/**
 * Settings of a {@link Session}. Every field but `url` and `seed` has a default.
 *
 * @example
 * ```ts
 * import type { SessionOptions } from "./session.ts";
 * const options: SessionOptions = { url: "wss://ws.kraken.com/v2", seed: 1, heartbeatTimeoutMs: 5000 };
 * console.log(options.url);
 * ```
 */
export interface SessionOptions {
  /** WebSocket URL. */
  readonly url: string;
  /** Seed of the session's only random source (backoff jitter). */
  readonly seed: number;
  /** Backoff, attempt budget and stable window. */
  readonly reconnect?: ReconnectOptions;
  /** No frame at all for this long while subscribed means a dead link (default 10 000). */
  readonly heartbeatTimeoutMs?: number;
  /** Application ping interval (default 30 000; Kraken drops a client silent for about 60 s). */
  readonly pingIntervalMs?: number;
  /** Opening a socket may take this long (default 10 000). */
  readonly connectTimeoutMs?: number;
  /** A closing socket may take this long to report its close (default 2000). */
  readonly closeTimeoutMs?: number;
  /** First wait for a book snapshot after an acknowledgement; doubles per retry (default 10 000). */
  readonly snapshotTimeoutMs?: number;
  /** A subscription with no data and no heartbeat for this long is stale (default 60 000). */
  readonly subscriptionTimeoutMs?: number;
  /** Subscribe and unsubscribe requests per second at most (default 10). */
  readonly requestsPerSecond?: number;
  /** Resyncs of a book done at once; past this they wait with backoff (default 3). */
  readonly immediateResyncs?: number;
  /** A subscribe or unsubscribe unanswered this long is sent again (default 10 000). */
  readonly requestTimeoutMs?: number;
  /** Frames over this many bytes are decode errors (default 8 MiB). */
  readonly maxFrameBytes?: number;
}

/**
 * An input to the session. Socket inputs name the connection they belong to; inputs of a
 * connection the session already left are ignored.
 *
 * @example
 * ```ts
 * import type { SessionInput } from "./session.ts";
 * const input: SessionInput = { type: "closed", connection: 1, code: 1006, reason: "" };
 * console.log(input.type);
 * ```
 */
export type SessionInput =
  | { readonly type: "start" }
  | { readonly type: "stop" }
  | { readonly type: "opened"; readonly connection: number }
  | {
    readonly type: "closed";
    readonly connection: number;
    readonly code: number;
    readonly reason: string;
  }
  | { readonly type: "frame"; readonly connection: number; readonly text: string }
  | { readonly type: "timer"; readonly id: string }
  | { readonly type: "subscribe"; readonly consumer: number; readonly request: SubscriptionRequest }
  | { readonly type: "unsubscribe"; readonly consumer: number };

/**
 * What the driver must do.
 *
 * @example
 * ```ts
 * import type { SessionEffect } from "./session.ts";
 * const effect: SessionEffect = { type: "setTimer", id: "ping", delayMs: 30_000 };
 * console.log(effect.type);
 * ```
 */
export type SessionEffect =
  | { readonly type: "open"; readonly connection: number; readonly url: string }
  | {
    readonly type: "close";
    readonly connection: number;
    readonly code: number;
    readonly reason: string;
  }
  | { readonly type: "send"; readonly connection: number; readonly text: string }
  | { readonly type: "setTimer"; readonly id: string; readonly delayMs: number }
  | { readonly type: "cancelTimer"; readonly id: string }
  | { readonly type: "emit"; readonly event: KrakenEvent };

/**
 * A stream asked for something an existing subscription cannot also serve (a ticker's other
 * trigger: Kraken takes one ticker subscription per symbol and connection).
 *
 * @example
 * ```ts
 * import { SubscriptionConflictError } from "./session.ts";
 * console.log(new SubscriptionConflictError("ticker|BTC/USD", "trigger bbo").message);
 * ```
 */
export class SubscriptionConflictError extends Error {
  /** The subscription's key. */
  readonly key: string;

  /**
   * Creates the error.
   *
   * @param key The subscription's key.
   * @param detail What conflicts.
   */
  constructor(key: string, detail: string) {
    super(`${key} is already subscribed with another ${detail}`);
    this.name = "SubscriptionConflictError";
    this.key = key;
  }
}

const DEFAULTS = {
  heartbeatTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  connectTimeoutMs: 10_000,
  closeTimeoutMs: 2000,
  snapshotTimeoutMs: 10_000,
  subscriptionTimeoutMs: 60_000,
  requestsPerSecond: 10,
  immediateResyncs: 3,
  requestTimeoutMs: 10_000,
} as const;

/** Longest wait for a snapshot, and longest delay between resyncs. */
const MAX_RESYNC_WAIT_MS = 120_000;
const RESYNC_BACKOFF_MS = 1000;
/** Close code the client uses to drop a link it judged dead. */
const STALE_CLOSE_CODE = 4000;

const TIMER = {
  connect: "connect",
  reconnect: "reconnect",
  ping: "ping",
  tick: "tick",
  stable: "stable",
  pace: "pace",
  close: "close",
  resyncPrefix: "resync:",
} as const;

/** What an answer names of the request it answers; each field narrows the match when present. */
interface AnswerNames {
  readonly method: string;
  readonly symbol?: string;
  readonly channel?: string;
  readonly interval?: number;
}

/** A request on the wire, waiting for its answer. */
interface InFlight {
  readonly method: "subscribe" | "unsubscribe";
  readonly subscription: Subscription;
  readonly sentAt: number;
}

/**
 * The session. Feed it inputs with {@link Session.handle}; it returns effects.
 *
 * @example
 * ```ts
 * import { Session } from "./session.ts";
 * const session = new Session({ url: "wss://ws.kraken.com/v2", seed: 1 });
 * const effects = session.handle(
 *   { type: "subscribe", consumer: 1, request: { channel: "trade", symbol: "BTC/USD" } },
 *   0,
 * );
 * console.log(effects.map((effect) => effect.type)); // emit (state), open, setTimer (connect)
 * console.log(session.state); // "connecting"
 * ```
 */
export class Session {
  readonly #url: string;
  readonly #heartbeatTimeoutMs: number;
  readonly #pingIntervalMs: number;
  readonly #connectTimeoutMs: number;
  readonly #closeTimeoutMs: number;
  readonly #snapshotTimeoutMs: number;
  readonly #subscriptionTimeoutMs: number;
  readonly #immediateResyncs: number;
  readonly #requestTimeoutMs: number;
  readonly #tickMs: number;
  readonly #maxFrameBytes: number | undefined;
  readonly #policy: ReconnectPolicy;
  readonly #pacer: RequestPacer;

  #state: ConnectionState = "idle";
  #connection = 0;
  /** The connection whose socket events still count; 0 once it is closed or abandoned. */
  #socket = 0;
  #seq = 0;
  #reqId = 0;
  #order = 0;
  #now = 0;
  #effects: SessionEffect[] = [];
  #timers = new Set<string>();
  /** Subscriptions by key, kept in replay order. */
  #subscriptions = new Map<string, Subscription>();
  #inFlight = new Map<number, InFlight>();
  #lastFrameAt = 0;
  #lastHeartbeatAt = -Infinity;

  /**
   * Creates an idle session.
   *
   * @param options Settings.
   */
  constructor(options: SessionOptions) {
    this.#url = options.url;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULTS.heartbeatTimeoutMs;
    this.#pingIntervalMs = options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs;
    this.#snapshotTimeoutMs = options.snapshotTimeoutMs ?? DEFAULTS.snapshotTimeoutMs;
    this.#subscriptionTimeoutMs = options.subscriptionTimeoutMs ??
      DEFAULTS.subscriptionTimeoutMs;
    this.#immediateResyncs = options.immediateResyncs ?? DEFAULTS.immediateResyncs;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.#maxFrameBytes = options.maxFrameBytes;
    // Deadlines are checked on a tick: a quarter of the shortest deadline, within [10 ms, 1 s].
    const shortest = Math.min(
      this.#heartbeatTimeoutMs,
      this.#snapshotTimeoutMs,
      this.#subscriptionTimeoutMs,
      this.#requestTimeoutMs,
    );
    this.#tickMs = Math.min(1000, Math.max(10, Math.floor(shortest / 4)));
    this.#policy = new ReconnectPolicy(options.reconnect ?? {}, new SeededRandom(options.seed));
    this.#pacer = new RequestPacer(options.requestsPerSecond ?? DEFAULTS.requestsPerSecond);
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The number of the current (or last) connection; 0 before the first. */
  get connection(): number {
    return this.#connection;
  }

  /** Requests queued or awaiting an answer: bounded by twice the number of subscriptions. */
  get pendingRequests(): number {
    return this.#pacer.size + this.#inFlight.size;
  }

  /** How many subscriptions the session holds. */
  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  /** The state of a subscription, by its request, or undefined when there is none. */
  subscriptionState(request: SubscriptionRequest): SubscriptionState | undefined {
    return this.#subscriptions.get(subscriptionKey(request))?.state;
  }

  /**
   * Stamps an event made outside the session (a stream's overflow gap) with the next `seq`.
   *
   * @param event The event without `seq` and `time`.
   * @param now Client time.
   * @returns The stamped event.
   */
  stamp(event: UnstampedEvent, now: number): KrakenEvent {
    return { ...event, seq: ++this.#seq, time: now } as KrakenEvent;
  }

  /**
   * The current verified book of `symbol` as an event, for a stream that joins a subscription
   * already under way; undefined when there is none yet.
   *
   * @param symbol The pair.
   * @param now Client time.
   * @returns A book event, or undefined.
   */
  currentBook(symbol: string, now: number): BookEvent | undefined {
    const subscription = this.#subscriptions.get(`book|${symbol}`);
    const book = subscription?.book;
    if (subscription?.state !== "synced" || book === undefined || book.state !== "synced") {
      return undefined;
    }
    return this.stamp(this.#bookEvent(subscription, book, false, undefined), now) as BookEvent;
  }

  /**
   * Handles one input at time `now` and returns what the driver must do, in order.
   *
   * @param input What happened.
   * @param now Client time in ms (monotonic for the session's lifetime).
   * @returns The effects.
   * @throws {IllegalInputError} When the input is not legal in the current state.
   * @throws {SubscriptionConflictError} When a subscribe conflicts with an existing subscription.
   */
  handle(input: SessionInput, now: number): SessionEffect[] {
    this.#now = now;
    this.#effects = [];
    switch (input.type) {
      case "start":
        this.#start();
        break;
      case "stop":
        this.#stop();
        break;
      // Events of a socket the session already left (closed, or dropped as dead) are stale.
      case "opened":
        // A socket may finish opening after stop() already asked it to close.
        if (input.connection === this.#socket && this.#state !== "closing") this.#opened();
        break;
      case "closed":
        if (input.connection === this.#socket) this.#closed(input.code, input.reason);
        break;
      case "frame":
        if (input.connection === this.#socket) this.#frame(input.text);
        break;
      case "timer":
        this.#timer(input.id);
        break;
      case "subscribe":
        this.#subscribe(input.consumer, input.request);
        break;
      case "unsubscribe":
        this.#unsubscribe(input.consumer);
        break;
    }
    return this.#effects;
  }

  // ---- effects --------------------------------------------------------------------------------

  #emit(event: UnstampedEvent): void {
    this.#effects.push({ type: "emit", event: this.stamp(event, this.#now) });
  }

  #send(text: string): void {
    this.#effects.push({ type: "send", connection: this.#connection, text });
  }

  #setTimer(id: string, delayMs: number): void {
    this.#timers.add(id);
    this.#effects.push({ type: "setTimer", id, delayMs: Math.max(0, delayMs) });
  }

  #cancelTimer(id: string): void {
    if (!this.#timers.delete(id)) return;
    this.#effects.push({ type: "cancelTimer", id });
  }

  #cancelTimers(keep: (id: string) => boolean = () => false): void {
    for (const id of [...this.#timers]) if (!keep(id)) this.#cancelTimer(id);
  }

  // ---- connection -----------------------------------------------------------------------------

  #move(trigger: ConnectionTrigger, cause: string): void {
    const from = this.#state;
    const to = nextConnectionState(from, trigger);
    this.#state = to;
    if (from !== to) this.#emit({ type: "state", scope: "connection", from, to, cause });
    if (to === "closed" && from !== "closed") this.#endSubscriptions();
  }

  /** The session is over: every subscription still held ends, visibly. */
  #endSubscriptions(): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.state !== "rejected") {
        this.#setSubscriptionState(subscription, "unsubscribed", "closed");
      }
    }
    this.#subscriptions.clear();
  }

  #start(): void {
    this.#move("start", "subscribe");
    this.#connect();
  }

  #connect(): void {
    this.#policy.recordAttempt(this.#now);
    this.#connection++;
    this.#socket = this.#connection;
    this.#effects.push({ type: "open", connection: this.#connection, url: this.#url });
    this.#setTimer(TIMER.connect, this.#connectTimeoutMs);
  }

  #stop(): void {
    const from = this.#state;
    this.#move("stop", "user");
    this.#cancelTimers();
    this.#pacer.clear();
    this.#inFlight.clear();
    if (from === "connecting" || from === "open" || from === "live") {
      this.#effects.push({
        type: "close",
        connection: this.#connection,
        code: 1000,
        reason: "client closed",
      });
      this.#setTimer(TIMER.close, this.#closeTimeoutMs);
    }
  }

  #opened(): void {
    this.#move("opened", "opened");
    this.#cancelTimer(TIMER.connect);
    this.#lastFrameAt = this.#now;
    this.#setTimer(TIMER.ping, this.#pingIntervalMs);
    this.#setTimer(TIMER.tick, this.#tickMs);
    const replay = [...this.#subscriptions.values()].sort((a, b) => a.order - b.order);
    for (const subscription of replay) {
      if (subscription.state === "rejected") continue;
      this.#pacer.enqueue({ method: "subscribe", subscription });
    }
    this.#pump();
  }

  #closed(code: number, reason: string): void {
    const cause = reason === "" ? `close ${code}` : `close ${code} ${reason}`;
    this.#socket = 0;
    if (this.#state === "closing") {
      this.#move("closed", cause);
      this.#cancelTimers();
      return;
    }
    if (code === 1008) {
      this.#move("rejected", cause);
      this.#lostConnection();
      this.#cancelTimers();
      return;
    }
    this.#move("closed", cause);
    this.#lostConnection();
    this.#scheduleReconnect();
  }

  /** Drops the link on our side: it went silent, or never finished opening. */
  #abandon(cause: string): void {
    this.#effects.push({
      type: "close",
      connection: this.#connection,
      code: STALE_CLOSE_CODE,
      reason: cause,
    });
    this.#socket = 0;
    this.#move("timeout", cause);
    this.#lostConnection();
    this.#scheduleReconnect();
  }

  /** Everything that lived on the lost connection is void; subscriptions will be replayed. */
  #lostConnection(): void {
    this.#cancelTimers((id) => id === TIMER.reconnect);
    this.#pacer.clear();
    this.#inFlight.clear();
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.state === "rejected") continue;
      if (subscription.state === "unsubscribing") {
        // Nobody needs it any more, and the server forgot it with the connection.
        this.#setSubscriptionState(subscription, "unsubscribed", "disconnected");
        this.#subscriptions.delete(subscription.key);
        continue;
      }
      const receiving = subscription.state !== "pending";
      if (receiving && subscription.gapSince === undefined) {
        this.#oweGap(subscription, "reconnect", this.#lastFrameAt);
      } else if (receiving) {
        // Already owed a gap (a resubscribe under way): it still starts where data stopped, but
        // the connection was lost within it, and that is what it is called.
        subscription.gapReason = "reconnect";
      }
      subscription.book = undefined;
      subscription.snapshotDeadline = undefined;
      this.#setSubscriptionState(subscription, "pending", "disconnected");
    }
  }

  #scheduleReconnect(): void {
    this.#setTimer(TIMER.reconnect, this.#policy.nextDelay(this.#now));
  }

  #timer(id: string): void {
    if (!this.#timers.delete(id)) throw new IllegalInputError(this.#state, `timer ${id}`);
    switch (id) {
      case TIMER.connect:
        this.#abandon("connect timeout");
        return;
      case TIMER.reconnect:
        this.#move("retry", "retry");
        this.#connect();
        return;
      case TIMER.ping:
        this.#send(encodePing(++this.#reqId));
        this.#setTimer(TIMER.ping, this.#pingIntervalMs);
        return;
      case TIMER.tick:
        this.#tick();
        return;
      case TIMER.stable:
        this.#policy.markStable();
        return;
      case TIMER.pace:
        this.#pump();
        return;
      case TIMER.close:
        this.#socket = 0;
        this.#move("close_timeout", "close timeout");
        this.#cancelTimers();
        return;
      default:
        if (id.startsWith(TIMER.resyncPrefix)) {
          const subscription = this.#subscriptions.get(id.slice(TIMER.resyncPrefix.length));
          if (subscription?.state === "resyncing") this.#requestAgain(subscription);
        }
    }
  }

  /** Checks every deadline: the link's liveness, snapshots, silent subscriptions. */
  #tick(): void {
    const now = this.#now;
    const subscribed = [...this.#subscriptions.values()].some((subscription) =>
      subscription.state !== "rejected"
    );
    // An open link owes us Kraken's status frame at once; a live one owes heartbeats, answers or
    // data while anything is subscribed or being subscribed.
    const watched = this.#state === "open" || subscribed;
    if (watched && now - this.#lastFrameAt >= this.#heartbeatTimeoutMs) {
      this.#abandon("stale");
      return;
    }
    this.#expireRequests(now);
    for (const subscription of this.#subscriptions.values()) {
      if (
        subscription.state === "awaiting_snapshot" && subscription.snapshotDeadline !== undefined &&
        now >= subscription.snapshotDeadline
      ) {
        subscription.snapshotWaitMs = Math.min(MAX_RESYNC_WAIT_MS, subscription.snapshotWaitMs * 2);
        this.#setSubscriptionState(subscription, "stale", "no snapshot");
        this.#resubscribe(subscription);
      } else if (subscription.state === "synced") {
        const covered = Math.max(subscription.lastDataAt, this.#lastHeartbeatAt);
        if (now - covered >= this.#subscriptionTimeoutMs) {
          this.#setSubscriptionState(subscription, "stale", "silent");
          this.#resubscribe(subscription);
        }
      }
    }
    this.#setTimer(TIMER.tick, this.#tickMs);
  }

  /** Requests unanswered past their deadline: ask again, or give up an unsubscribe. */
  #expireRequests(now: number): void {
    for (const [reqId, request] of this.#inFlight) {
      if (now - request.sentAt < this.#requestTimeoutMs) continue;
      this.#inFlight.delete(reqId);
      const subscription = request.subscription;
      if (request.method === "unsubscribe") {
        // Whatever the server holds, nobody wants it; a resync's subscribe follows on its own.
        if (subscription.state === "unsubscribing" && subscription.consumers.size === 0) {
          this.#setSubscriptionState(subscription, "unsubscribed", "no acknowledgement");
          this.#subscriptions.delete(subscription.key);
        }
      } else if (this.#wanted(subscription)) {
        this.#setSubscriptionState(subscription, "stale", "no acknowledgement");
        this.#resubscribe(subscription);
      }
    }
  }

  // ---- requests -------------------------------------------------------------------------------

  #pump(): void {
    if (this.#state !== "open" && this.#state !== "live") return;
    let request = this.#pacer.take(this.#now);
    while (request !== undefined) {
      this.#sendRequest(request);
      request = this.#pacer.take(this.#now);
    }
    const wait = this.#pacer.waitMs(this.#now);
    if (wait !== undefined && !this.#timers.has(TIMER.pace)) this.#setTimer(TIMER.pace, wait);
  }

  #sendRequest(request: QueuedRequest): void {
    const { method, subscription } = request;
    const reqId = ++this.#reqId;
    if (method === "subscribe") {
      subscription.wireDepth = subscription.depth;
      this.#send(encodeSubscribe(subscription.params(), reqId));
    } else {
      this.#send(encodeUnsubscribe(subscription.params("unsubscribe"), reqId));
    }
    this.#inFlight.set(reqId, { method, subscription, sentAt: this.#now });
  }

  #queue(request: QueuedRequest, front = false): void {
    this.#pacer.enqueue(request, front);
    this.#pump();
  }

  /** From `since` until its next acknowledgement, nothing reaches `subscription`: a gap is owed. */
  #oweGap(subscription: Subscription, reason: "reconnect" | "resubscribe", since: number): void {
    subscription.gapSince = since;
    subscription.gapReason = reason;
  }

  /** Subscribes again a subscription whose feed stopped; what it misses meanwhile is a gap. */
  #resubscribe(subscription: Subscription): void {
    if (subscription.gapSince === undefined) {
      this.#oweGap(subscription, "resubscribe", subscription.lastDataAt);
    }
    this.#requestAgain(subscription);
  }

  /** Whether `subscription` is still the live one for its key and someone needs it. */
  #wanted(subscription: Subscription): boolean {
    return this.#subscriptions.get(subscription.key) === subscription &&
      subscription.consumers.size > 0 && subscription.state !== "unsubscribing";
  }

  /** Unsubscribe then subscribe again: the only way to a fresh snapshot or a silent feed. */
  #requestAgain(subscription: Subscription): void {
    subscription.book = undefined;
    subscription.snapshotDeadline = undefined;
    this.#pacer.discard(subscription);
    this.#queue({ method: "unsubscribe", subscription });
    this.#queue({ method: "subscribe", subscription });
  }

  // ---- subscriptions --------------------------------------------------------------------------

  #setSubscriptionState(
    subscription: Subscription,
    to: SubscriptionState,
    cause: string,
    attempt?: number,
  ): void {
    const from = subscription.state;
    if (from === to) return;
    subscription.state = to;
    this.#emit({
      type: "state",
      scope: "subscription",
      channel: subscription.channel,
      symbol: subscription.symbol,
      from,
      to,
      cause,
      ...(attempt === undefined ? {} : { attempt }),
    });
  }

  #subscribe(consumer: number, request: SubscriptionRequest): void {
    if (this.#state === "closed" || this.#state === "closing") {
      throw new IllegalInputError(this.#state, "subscribe");
    }
    const key = subscriptionKey(request);
    const existing = this.#subscriptions.get(key);
    const depth = request.channel === "book" ? request.depth : undefined;
    if (existing !== undefined) {
      if (request.channel === "ticker" && existing.trigger !== request.trigger) {
        throw new SubscriptionConflictError(key, `trigger (${existing.trigger})`);
      }
      if (existing.state === "rejected") {
        // Asked again after Kraken refused it: try once more.
        this.#subscriptions.delete(key);
      } else {
        existing.consumers.set(consumer, depth);
        this.#revive(existing);
        return;
      }
    }
    const subscription = new Subscription(request, this.#order++, this.#now);
    subscription.consumers.set(consumer, depth);
    this.#subscriptions.set(key, subscription);
    // Its birth is a transition too, so every subscription's life is visible from its start.
    this.#emit({
      type: "state",
      scope: "subscription",
      channel: subscription.channel,
      symbol: subscription.symbol,
      from: existing?.state === "rejected" ? "rejected" : "unsubscribed",
      to: "pending",
      cause: "subscribe",
    });
    if (this.#state === "idle") this.#start();
    // While connecting or backing off, the replay on open will carry it.
    else if (this.#state === "open" || this.#state === "live") {
      this.#queue({ method: "subscribe", subscription });
    }
  }

  /** A consumer joined: a book may need a larger depth; an unsubscribing one is wanted again. */
  #revive(subscription: Subscription): void {
    const wanted = subscription.wantedDepth();
    const deeper = wanted !== undefined && subscription.depth !== undefined &&
      wanted > subscription.depth;
    if (deeper) subscription.depth = wanted;
    const connected = this.#state === "open" || this.#state === "live";
    if (subscription.state === "unsubscribing") {
      this.#setSubscriptionState(subscription, "pending", "wanted again");
      if (connected && !this.#pacer.has(subscription, "subscribe")) {
        this.#queue({ method: "subscribe", subscription });
      }
      return;
    }
    if (deeper && connected && subscription.state !== "pending") {
      // Until the deeper snapshot, the book's updates are dropped: its streams are owed a gap.
      if (subscription.gapSince === undefined) this.#oweGap(subscription, "resubscribe", this.#now);
      this.#setSubscriptionState(subscription, "resyncing", `depth ${wanted}`);
      this.#requestAgain(subscription);
    }
  }

  #unsubscribe(consumer: number): void {
    for (const subscription of [...this.#subscriptions.values()]) {
      if (!subscription.consumers.delete(consumer) || subscription.consumers.size > 0) continue;
      const connected = this.#state === "open" || this.#state === "live";
      const onWire = [...this.#inFlight.values()].some((request) =>
        request.subscription === subscription
      );
      this.#pacer.discard(subscription);
      this.#cancelTimer(`${TIMER.resyncPrefix}${subscription.key}`);
      const known = subscription.state === "awaiting_snapshot" ||
        subscription.state === "synced" || subscription.state === "stale" ||
        subscription.state === "resyncing";
      if (connected && (onWire || known)) {
        this.#setSubscriptionState(subscription, "unsubscribing", "no consumer");
        this.#queue({ method: "unsubscribe", subscription });
      } else {
        this.#setSubscriptionState(subscription, "unsubscribed", "no consumer");
        this.#subscriptions.delete(subscription.key);
      }
    }
  }

  // ---- frames ---------------------------------------------------------------------------------

  #frame(text: string): void {
    if (this.#state === "closing") return;
    const first = this.#state === "open";
    this.#move("frame", "first frame");
    if (first) this.#setTimer(TIMER.stable, this.#policy.stableMs);
    this.#lastFrameAt = this.#now;
    const message = decode(text, { maxFrameBytes: this.#maxFrameBytes });
    switch (message.kind) {
      case "decodeError":
        this.#emit({
          type: "error",
          code: "decode",
          message: `${message.reason}: ${message.detail}`,
          excerpt: message.excerpt,
        });
        this.#undecodable(text);
        return;
      case "heartbeat":
        this.#lastHeartbeatAt = this.#now;
        return;
      case "pong":
        return;
      case "status":
        this.#status(message);
        return;
      case "ack":
        this.#ack(message);
        return;
      case "rejection":
        this.#rejection(message);
        return;
      case "book":
        this.#book(message);
        return;
      case "trade":
        this.#trades(message);
        return;
      case "ticker":
        this.#tickers(message);
        return;
      case "ohlc":
        this.#candles(message);
        return;
      case "instrument":
        return;
      case "unknown":
        this.#emit({
          type: "error",
          code: "unknown",
          message: `unknown ${message.channel ?? message.method ?? "frame"}`,
          excerpt: message.raw.slice(0, 80),
        });
        return;
    }
  }

  /**
   * A frame that did not decode is a loss. When its start still names a channel and a symbol,
   * the gap is theirs, and a book resyncs: a lost update below the checksummed top 10 would
   * otherwise never be seen.
   */
  #undecodable(text: string): void {
    const head = text.slice(0, 512);
    const channel = /"channel"\s*:\s*"(book|trade|ticker|ohlc)"/.exec(head)?.[1] as
      | "book"
      | "trade"
      | "ticker"
      | "ohlc"
      | undefined;
    const symbol = /"symbol"\s*:\s*"([^"\\]{1,40})"/.exec(head)?.[1];
    if (channel === undefined || symbol === undefined) {
      this.#emit({ type: "gap", reason: "decode" });
      return;
    }
    this.#emit({ type: "gap", reason: "decode", channel, symbol });
    const book = channel === "book" ? this.#subscriptions.get(`book|${symbol}`) : undefined;
    if (book?.state === "synced" || book?.state === "awaiting_snapshot") {
      this.#setSubscriptionState(book, "resyncing", "undecodable frame");
      book.book = undefined;
      this.#requestAgain(book);
    }
  }

  #status(message: StatusMessage): void {
    for (const info of message.data) {
      this.#policy.setMaintenance(info.system === "maintenance");
      this.#emit({
        type: "status",
        system: info.system,
        apiVersion: info.apiVersion,
        connectionId: info.connectionId,
        version: info.version,
      });
    }
  }

  /**
   * The request an answer belongs to, and its `req_id`. Kraken echoes `req_id`, but its
   * documented error frames may carry none: then the answer goes to the oldest request on the wire
   * that fits what the answer names (method, symbol, channel), because Kraken answers in order.
   */
  #answered(reqId: number | undefined, names: AnswerNames): [number, InFlight] | undefined {
    if (reqId !== undefined) {
      const request = this.#inFlight.get(reqId);
      return request === undefined ? undefined : [reqId, request];
    }
    for (const entry of this.#inFlight) {
      const { method, subscription } = entry[1];
      if (names.method !== "" && method !== names.method) continue;
      if (names.symbol !== undefined && subscription.symbol !== names.symbol) continue;
      if (names.channel !== undefined && subscription.channel !== names.channel) continue;
      if (names.interval !== undefined && subscription.interval !== names.interval) continue;
      return entry;
    }
    return undefined;
  }

  #ack(message: AckMessage): void {
    const answered = this.#answered(message.reqId, { method: message.method, ...message.result });
    if (answered === undefined) {
      // Acknowledgements of pings or of requests of a connection we left carry no news.
      return;
    }
    const [reqId, request] = answered;
    this.#inFlight.delete(reqId);
    const subscription = request.subscription;
    if (request.method === "unsubscribe") {
      if (subscription.state === "unsubscribing" && subscription.consumers.size === 0) {
        this.#setSubscriptionState(subscription, "unsubscribed", "acknowledged");
        this.#subscriptions.delete(subscription.key);
      }
      return;
    }
    if (subscription.state === "unsubscribing") return;
    if (this.#subscriptions.get(subscription.key) !== subscription) {
      // Subscribed on the server for a subscription nobody holds any more: undo it.
      this.#queue({ method: "unsubscribe", subscription });
      return;
    }
    if (subscription.channel === "book" && subscription.depth !== subscription.wireDepth) {
      // A deeper book was asked for while this subscribe was on the wire.
      this.#setSubscriptionState(subscription, "resyncing", `depth ${subscription.depth}`);
      this.#requestAgain(subscription);
      return;
    }
    subscription.lastDataAt = this.#now;
    if (subscription.gapSince !== undefined) {
      this.#emit({
        type: "gap",
        reason: subscription.gapReason,
        channel: subscription.channel,
        symbol: subscription.symbol,
        fromTime: subscription.gapSince,
        toTime: this.#now,
      });
      subscription.gapSince = undefined;
    }
    if (subscription.channel === "book") {
      subscription.book = new OrderBook(subscription.symbol, subscription.wireDepth ?? 10);
      subscription.snapshotWaitMs ||= this.#snapshotTimeoutMs;
      subscription.snapshotDeadline = this.#now + subscription.snapshotWaitMs;
      this.#setSubscriptionState(subscription, "awaiting_snapshot", "acknowledged");
    } else {
      this.#setSubscriptionState(subscription, "synced", "acknowledged");
    }
  }

  #rejection(message: RejectionMessage): void {
    const answered = this.#answered(message.reqId, message);
    if (answered === undefined) {
      this.#emit({
        type: "error",
        code: "protocol",
        message: `${message.method || "request"} failed: ${message.error}`,
        symbol: message.symbol,
      });
      return;
    }
    const [reqId, request] = answered;
    this.#inFlight.delete(reqId);
    const subscription = request.subscription;
    if (/exceeded msg rate/i.test(message.error)) {
      this.#pacer.slowDown(this.#now);
      // Retry, unless it is a subscribe nobody needs any more.
      if (request.method === "unsubscribe" || this.#wanted(subscription)) {
        this.#queue(request, true);
      }
      return;
    }
    if (request.method === "unsubscribe") {
      // Kraken no longer had it: for a user's unsubscribe that is the goal reached; for a resync
      // the subscribe queued behind goes on.
      if (subscription.state === "unsubscribing" && subscription.consumers.size === 0) {
        this.#setSubscriptionState(subscription, "unsubscribed", message.error);
        this.#subscriptions.delete(subscription.key);
      }
      return;
    }
    if (this.#subscriptions.get(subscription.key) !== subscription) return;
    if (/already subscribed/i.test(message.error)) {
      if (!this.#wanted(subscription)) {
        // The server holds it and nobody wants it: the unsubscribe already queued undoes it.
        return;
      }
      // The server holds a subscription we do not: start over to get a clean snapshot.
      this.#setSubscriptionState(subscription, "resyncing", message.error);
      this.#resubscribe(subscription);
      return;
    }
    this.#pacer.discard(subscription);
    if (!this.#wanted(subscription)) {
      // Refused, and nobody needs it any more: the server holds nothing to undo.
      this.#setSubscriptionState(subscription, "unsubscribed", message.error);
      this.#subscriptions.delete(subscription.key);
      return;
    }
    this.#setSubscriptionState(subscription, "rejected", message.error);
    this.#emit({
      type: "error",
      code: "rejected",
      message: message.error,
      channel: subscription.channel,
      symbol: subscription.symbol,
      ...(subscription.interval === undefined ? {} : { interval: subscription.interval }),
    });
  }

  #dataSubscription(key: string): Subscription | undefined {
    const subscription = this.#subscriptions.get(key);
    if (subscription === undefined) return undefined;
    subscription.lastDataAt = this.#now;
    return subscription;
  }

  #book(message: BookMessage): void {
    for (const payload of message.data) {
      const subscription = this.#dataSubscription(`book|${payload.symbol}`);
      const book = subscription?.book;
      if (subscription === undefined || book === undefined) continue;
      const snapshot = message.type === "snapshot";
      const state = subscription.state;
      // Until its snapshot, a (re)subscribed book drops updates: they belong to the old book.
      if (state !== "synced" && !(state === "awaiting_snapshot" && snapshot)) continue;
      const verdict = book.apply(message.type, payload);
      if (verdict.status === "ok") {
        if (snapshot) {
          subscription.snapshotDeadline = undefined;
          subscription.snapshotWaitMs = this.#snapshotTimeoutMs;
          this.#setSubscriptionState(subscription, "synced", "snapshot");
        } else {
          subscription.resyncFailures = 0;
        }
        this.#emit(this.#bookEvent(subscription, book, snapshot, payload.timestamp));
      } else {
        this.#resync(subscription, verdict);
      }
    }
  }

  #bookEvent(
    subscription: Subscription,
    book: OrderBook,
    snapshot: boolean,
    timestamp: string | undefined,
  ): UnstampedEvent {
    return {
      type: "book",
      symbol: subscription.symbol,
      bids: book.bids(),
      asks: book.asks(),
      checksum: book.checksum(),
      ...(timestamp === undefined ? {} : { timestamp }),
      snapshot,
      validated: true,
    };
  }

  /** A book failed validation: say so, never show it, and ask for a fresh snapshot. */
  #resync(subscription: Subscription, verdict: BookVerdict): void {
    const base = { type: "gap", channel: "book", symbol: subscription.symbol } as const;
    if (verdict.status === "mismatch") {
      this.#emit({
        ...base,
        reason: "checksum",
        expected: verdict.expected,
        computed: verdict.computed,
      });
    } else if (verdict.status === "crossed") {
      this.#emit({ ...base, reason: "crossed" });
    } else {
      return;
    }
    const attempt = ++subscription.resyncFailures;
    this.#setSubscriptionState(subscription, "resyncing", verdict.status, attempt);
    subscription.book = undefined;
    if (attempt <= this.#immediateResyncs) {
      this.#requestAgain(subscription);
      return;
    }
    // Repeated failures: keep resyncing, with backoff, and say so in the state.
    const delay = Math.min(
      MAX_RESYNC_WAIT_MS,
      RESYNC_BACKOFF_MS * 2 ** (attempt - this.#immediateResyncs - 1),
    );
    this.#setTimer(`${TIMER.resyncPrefix}${subscription.key}`, delay);
  }

  #trades(message: TradeMessage): void {
    const snapshot = message.type === "snapshot";
    for (const trade of message.data) {
      const subscription = this.#dataSubscription(`trade|${trade.symbol}`);
      if (subscription === undefined || subscription.state !== "synced") continue;
      const last = subscription.lastTradeId;
      if (last !== undefined) {
        // A repeat (a snapshot overlapping what we had, or a duplicated frame) is not news.
        if (trade.tradeId <= last) continue;
        if (trade.tradeId > last + 1) {
          this.#emit({
            type: "gap",
            reason: "sequence",
            channel: "trade",
            symbol: trade.symbol,
            fromTradeId: last + 1,
            toTradeId: trade.tradeId - 1,
          });
        }
      }
      subscription.lastTradeId = trade.tradeId;
      this.#emit({ ...trade, type: "trade", snapshot });
    }
  }

  #tickers(message: TickerMessage): void {
    const snapshot = message.type === "snapshot";
    for (const ticker of message.data) {
      const subscription = this.#dataSubscription(`ticker|${ticker.symbol}`);
      if (subscription === undefined || subscription.state !== "synced") continue;
      this.#emit({ ...ticker, type: "ticker", snapshot });
    }
  }

  #candles(message: OhlcMessage): void {
    const snapshot = message.type === "snapshot";
    for (const candle of message.data) {
      const subscription = this.#dataSubscription(`ohlc|${candle.symbol}|${candle.interval}`);
      if (subscription === undefined || subscription.state !== "synced") continue;
      this.#emit({ ...candle, type: "ohlc", snapshot });
    }
  }
}
