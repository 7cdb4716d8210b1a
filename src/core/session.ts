/**
 * The sans-I/O session: Kraken's v2 protocol, the connection state machine, subscriptions, book
 * validation and resync, gap detection and backoff, as a pure function of its inputs. It never
 * touches a socket, a timer, a clock or `Math.random`; the driver feeds it inputs with the time
 * and carries out the effects it returns.
 *
 * The session coordinates; each concern lives in its own part: the connection's life
 * (`connection_lifecycle.ts`), requests and their answers (`requests.ts`, `answers.ts`), the
 * subscriptions and their transition table (`subscription_registry.ts`,
 * `subscription_machine.ts`), the books (`book_sync.ts`) and the other feeds (`data_channels.ts`).
 *
 * @module
 */

import { decode } from "../protocol/decode.ts";
import type { RejectionMessage, StatusMessage } from "../protocol/messages.ts";
import type { TradingReply } from "../protocol/private_messages.ts";
import { AccountChannels } from "./account_channels.ts";
import { Answers } from "./answers.ts";
import { BookSync } from "./book_sync.ts";
import { ConnectionLifecycle } from "./connection_lifecycle.ts";
import { IllegalInputError } from "./connection_machine.ts";
import { DataChannels } from "./data_channels.ts";
import { DeadManSwitch } from "./dead_man_switch.ts";
import type { EventCounter } from "./event_counter.ts";
import type { ConnectionState, DataChannel, SubscriptionState } from "./events.ts";
import { checkSessionInput, checkSessionOptions } from "./input_checks.ts";
import { Instruments } from "./instruments.ts";
import type { ReconnectOptions } from "./reconnect_policy.ts";
import { Requests } from "./requests.ts";
import { SessionContext, TIMER } from "./session_context.ts";
import type { SessionEffect, SessionInput } from "./session_io.ts";
import {
  needsToken,
  type Subscription,
  type SubscriptionRequest,
  type UnkeyedRequest,
} from "./subscription.ts";
import { SubscriptionRegistry } from "./subscription_registry.ts";
import { type TradingOrder, TradingRequests } from "./trading.ts";

export type { SessionEffect, SessionInput } from "./session_io.ts";
export { SubscriptionConflictError } from "./subscription_registry.ts";

/**
 * Settings of a {@link Session}. Every field but `url` and `seed` has a default.
 *
 * @example
 * ```ts
 * import type { SessionOptions } from "@kraken-ws/sdk/extended";
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
  /**
   * The most symbols one subscribe or unsubscribe request names (default 100): requests of one
   * channel and parameters go out together, so a whole market subscribes in a few requests.
   */
  readonly maxSymbolsPerRequest?: number;
  /**
   * How long the connection stays open once nothing is subscribed (default 10 000): then it
   * closes and the session goes `idle` with no timer left, so a program whose streams all ended
   * exits by itself; the next subscription connects again.
   */
  readonly lingerMs?: number;
  /** Resyncs of a book done at once; past this they wait with backoff (default 3). */
  readonly immediateResyncs?: number;
  /** A subscribe or unsubscribe unanswered this long is sent again (default 10 000). */
  readonly requestTimeoutMs?: number;
  /** Frames over this many bytes are decode errors (default 8 MiB). */
  readonly maxFrameBytes?: number;
  /**
   * `private` for the authenticated connection, `level3` for a level 3 one (experimental): it
   * takes a token with each connection (and serves, for `private`, the account channels and
   * trading), and its connection states and statuses carry `link`.
   */
  readonly link?: "private" | "level3";
  /** Where event numbers come from: one counter shared by a client's sessions keeps one order. */
  readonly counter?: EventCounter;
}

const DEFAULTS = {
  heartbeatTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  connectTimeoutMs: 10_000,
  closeTimeoutMs: 2000,
  snapshotTimeoutMs: 10_000,
  subscriptionTimeoutMs: 60_000,
  requestsPerSecond: 10,
  maxSymbolsPerRequest: 100,
  lingerMs: 10_000,
  immediateResyncs: 3,
  requestTimeoutMs: 10_000,
} as const;

/**
 * One subscription as it stands: what {@link Session.subscriptions} lists.
 *
 * @example
 * ```ts
 * import type { SubscriptionStatus } from "@kraken-ws/sdk/extended";
 * const status: SubscriptionStatus = { channel: "book", symbol: "BTC/USD", state: "synced" };
 * const instruments: SubscriptionStatus = { channel: "instrument", state: "pending" };
 * console.log(status.state, instruments.symbol); // "synced" undefined
 * ```
 */
export interface SubscriptionStatus {
  /** Its channel. */
  readonly channel: DataChannel;
  /** Its pair; none for `instrument`, which is for every pair. */
  readonly symbol?: string;
  /** Its candle interval, for `ohlc`. */
  readonly interval?: number;
  /** Its state now. */
  readonly state: SubscriptionState;
}

/**
 * The session. Feed it inputs with {@link Session.handle}; it returns effects.
 *
 * @example
 * ```ts
 * import { Session } from "@kraken-ws/sdk/extended";
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
  readonly #maxFrameBytes: number | undefined;
  readonly #lingerMs: number;
  readonly #context: SessionContext;
  readonly #authenticated: boolean;
  readonly #link: ConnectionLifecycle;
  readonly #requests: Requests;
  readonly #registry: SubscriptionRegistry;
  readonly #books: BookSync;
  readonly #data: DataChannels;
  readonly #instruments: Instruments;
  readonly #answers: Answers;
  readonly #account: AccountChannels;
  readonly #trading: TradingRequests;
  readonly #deadMan: DeadManSwitch;
  /** Account subscriptions refused for their token, waiting for a fresh one. */
  readonly #awaitingToken = new Set<Subscription>();
  #tokenAsked = false;

  /**
   * Creates an idle session.
   *
   * @param options Settings.
   */
  constructor(options: SessionOptions) {
    checkSessionOptions(options);
    const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULTS.heartbeatTimeoutMs;
    const snapshotTimeoutMs = options.snapshotTimeoutMs ?? DEFAULTS.snapshotTimeoutMs;
    const subscriptionTimeoutMs = options.subscriptionTimeoutMs ?? DEFAULTS.subscriptionTimeoutMs;
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    // Deadlines are checked on a tick: a quarter of the shortest deadline, within [10 ms, 1 s].
    const shortest = Math.min(
      heartbeatTimeoutMs,
      snapshotTimeoutMs,
      subscriptionTimeoutMs,
      requestTimeoutMs,
    );
    this.#maxFrameBytes = options.maxFrameBytes;
    this.#authenticated = options.link !== undefined;
    const context = this.#context = new SessionContext(options.counter, options.link);
    this.#lingerMs = options.lingerMs ?? DEFAULTS.lingerMs;
    this.#link = new ConnectionLifecycle(context, {
      url: options.url,
      seed: options.seed,
      reconnect: options.reconnect ?? {},
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs,
      pingIntervalMs: options.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
      heartbeatTimeoutMs,
      tickMs: Math.min(1000, Math.max(10, Math.floor(shortest / 4))),
    }, {
      opened: () => {
        this.#registry.replay();
        this.#requests.pump();
        this.#trading.pump();
        this.#deadMan.opened();
      },
      lost: (since) => {
        this.#requests.clear();
        this.#awaitingToken.clear();
        this.#tokenAsked = false;
        this.#registry.disconnected(since);
        this.#books.lost();
        this.#account.lost();
        this.#trading.lost();
        this.#deadMan.lost();
      },
      ended: () => {
        this.#registry.endAll();
        this.#trading.stop();
      },
    });
    this.#requests = new Requests(
      context,
      this.#link,
      options.requestsPerSecond ?? DEFAULTS.requestsPerSecond,
      requestTimeoutMs,
      options.maxSymbolsPerRequest ?? DEFAULTS.maxSymbolsPerRequest,
    );
    this.#registry = new SubscriptionRegistry(
      context,
      this.#requests,
      this.#link,
      subscriptionTimeoutMs,
    );
    const instruments = new Instruments(context, this.#registry);
    this.#instruments = instruments;
    const subscribeOnWire = (subscription: Subscription) => {
      const request = this.#requests.wireRequest(subscription);
      return request?.method === "subscribe" ? request.reqId : undefined;
    };
    this.#books = new BookSync(
      context,
      this.#registry,
      subscribeOnWire,
      snapshotTimeoutMs,
      options.immediateResyncs ?? DEFAULTS.immediateResyncs,
      (symbol) => instruments.precisionOf(symbol),
    );
    this.#data = new DataChannels(context, this.#registry);
    this.#account = new AccountChannels(context, this.#registry, subscribeOnWire);
    this.#trading = new TradingRequests(context, this.#link);
    this.#deadMan = new DeadManSwitch(context, this.#link);
    this.#answers = new Answers(
      context,
      this.#requests,
      this.#registry,
      this.#books,
      this.#account,
      (subscription) => this.#tokenRefused(subscription),
    );
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.#link.state;
  }

  /** The number of the current (or last) connection; 0 before the first. */
  get connection(): number {
    return this.#link.connection;
  }

  /**
   * Requests queued or awaiting an answer, counted per subscription they name: at most three
   * times {@link Session.subscriptionCount}, since a subscription has at most one request on the
   * wire and an unsubscribe and a subscribe queued behind it.
   */
  get pendingRequests(): number {
    return this.#requests.size;
  }

  /** How many subscriptions the session holds. */
  get subscriptionCount(): number {
    return this.#registry.size;
  }

  /** The state of a subscription, by its request, or undefined when there is none. */
  subscriptionState(
    request: SubscriptionRequest | UnkeyedRequest,
  ): SubscriptionState | undefined {
    return this.#registry.stateOf(request);
  }

  /**
   * Every subscription the session holds, in the order they were asked for, as it stands now.
   *
   * @returns One entry per subscription.
   */
  subscriptions(): SubscriptionStatus[] {
    return [...this.#registry.values()].sort((a, b) => a.order - b.order).map((subscription) => ({
      ...subscription.topic,
      state: subscription.state,
    }));
  }

  /**
   * Handles one input at time `now` and returns what the driver must do, in order.
   *
   * @param input What happened.
   * @param now Client time in ms (monotonic for the session's lifetime).
   * @returns The effects.
   * @throws {IllegalInputError} When the input is not legal in the current state.
   * @throws {SubscriptionConflictError} When a subscribe conflicts with an existing subscription.
   * @throws {IllegalSubscriptionTransitionError} When a subscription would make a move its table
   *   does not have: a defect of the session.
   */
  handle(input: SessionInput, now: number): SessionEffect[] {
    checkSessionInput(input, now);
    const effects = this.#context.begin(now);
    const link = this.#link;
    switch (input.type) {
      case "start":
        link.start();
        break;
      case "stop":
        this.#deadMan.stop();
        link.stop();
        this.#requests.clear();
        this.#trading.stop();
        break;
      // Events of a socket the session already left (closed, or dropped as dead) are stale.
      case "opened":
        // A socket may finish opening after stop() already asked it to close.
        if (link.accepts(input.connection) && link.state !== "closing") link.opened(input.token);
        break;
      case "token":
        if (link.accepts(input.connection) && link.connected) this.#tokenRenewed(input.token);
        break;
      case "authFailed":
        // Closing, a token no longer matters: the link ends anyway.
        if (link.accepts(input.connection) && link.state !== "closing") {
          this.#context.emit({ type: "error", code: "auth", message: input.message });
          link.drop("no token");
        }
        break;
      case "order":
        this.#order(input.order);
        break;
      case "deadManSwitch":
        this.#deadManSwitch(input.timeoutSeconds);
        break;
      case "closed":
        if (link.accepts(input.connection)) link.closed(input.code, input.reason);
        break;
      case "frame":
        if (link.accepts(input.connection)) this.#frame(input.text);
        break;
      case "timer":
        this.#timer(input.id);
        break;
      case "subscribe":
        this.#subscribe(input.consumer, input.request);
        break;
      case "unsubscribe":
        this.#registry.release(input.consumer);
        break;
      case "overflow":
        this.#overflow(input.consumer, input.dropped, input.channel, input.symbol);
        break;
      case "defect":
        this.#context.emit({ type: "error", code: "internal", message: input.message });
        break;
      case "describe":
        this.#describe(input.consumer);
        break;
    }
    this.#linger();
    return effects;
  }

  /** Whether anything needs the connection: a subscription, a trading request, the switch. */
  get #needed(): boolean {
    return this.#registry.anyWanted || this.#trading.busy || this.#deadMan.needsLink;
  }

  #order(order: TradingOrder): void {
    const state = this.#link.state;
    if (state === "closed" || state === "closing") {
      this.#context.push({
        type: "settle",
        id: order.id,
        outcome: { status: "unsent", reason: "the client closed" },
      });
      return;
    }
    this.#trading.submit(order);
    if (state === "idle" && this.#trading.busy) this.#link.start();
  }

  #deadManSwitch(timeoutSeconds: number): void {
    const state = this.#link.state;
    if (state === "closed" || state === "closing") {
      throw new IllegalInputError(state, "deadManSwitch");
    }
    this.#deadMan.set(timeoutSeconds);
    if (state === "idle" && this.#deadMan.needsLink) this.#link.start();
  }

  /**
   * Kraken said an account subscription's token is not valid: once per subscription, a fresh
   * token is fetched and it is subscribed again with it; a second refusal is final.
   */
  #tokenRefused(subscription: Subscription): boolean {
    if (subscription.tokenRetried || !needsToken(subscription.channel)) return false;
    subscription.tokenRetried = true;
    this.#requests.discard(subscription);
    this.#awaitingToken.add(subscription);
    this.#askToken();
    return true;
  }

  /** A fresh token for the connection up now: what waited for one goes out. */
  #tokenRenewed(token: string): void {
    this.#link.renewToken(token);
    this.#tokenAsked = false;
    for (const subscription of this.#awaitingToken) {
      if (this.#registry.isCurrent(subscription) && this.#registry.wanted(subscription)) {
        this.#requests.queue({ method: "subscribe", subscription });
      }
    }
    this.#awaitingToken.clear();
  }

  #askToken(): void {
    if (this.#tokenAsked) return;
    this.#tokenAsked = true;
    this.#context.push({ type: "fetchToken", connection: this.#link.connection });
  }

  /**
   * Nobody needs the connection: an open one lingers, then closes; one still backing off has
   * nothing to keep, and stops at once. Needed again before then, it stays.
   */
  #linger(): void {
    // Trading and the switch need the link too, and change with no membership change.
    const changed = this.#registry.takeMembershipChange();
    if (!changed && !this.#authenticated) return;
    const state = this.#link.state;
    const held = state === "connecting" || state === "open" || state === "live";
    if (this.#needed || (!held && state !== "backoff")) {
      this.#context.cancelTimer(TIMER.linger);
    } else if (state === "backoff") {
      this.#link.idle();
    } else if (!this.#context.hasTimer(TIMER.linger)) {
      this.#context.setTimer(TIMER.linger, this.#lingerMs);
    }
  }

  #subscribe(consumer: number, request: SubscriptionRequest | UnkeyedRequest): void {
    const state = this.#link.state;
    if (state === "closed" || state === "closing") throw new IllegalInputError(state, "subscribe");
    const { subscription, born } = this.#registry.add(consumer, request);
    if (!born) {
      // Joining a book already in sync: the stream starts from its current state.
      const book = this.#books.current(subscription);
      if (book !== undefined) this.#context.emit(book, consumer);
      return;
    }
    if (state === "idle") this.#link.start();
    // While connecting or backing off, the replay on open will carry it.
    else if (this.#link.connected) this.#requests.queue({ method: "subscribe", subscription });
  }

  /** Where everything stands, told to one consumer as `state` events that change nothing. */
  #describe(consumer: number): void {
    const connection = this.#link.state;
    this.#context.emit({
      type: "state",
      scope: "connection",
      from: connection,
      to: connection,
      cause: "current",
    }, consumer);
    for (const { state, ...subscription } of this.subscriptions()) {
      this.#context.emit({
        type: "state",
        scope: "subscription",
        ...subscription,
        from: state,
        to: state,
        cause: "current",
      }, consumer);
    }
  }

  /** A stream dropped events: it is told so, alone. (A book stream conflates instead.) */
  #overflow(
    consumer: number,
    dropped: number,
    channel: DataChannel | undefined,
    symbol: string | undefined,
  ): void {
    this.#context.emit({
      type: "gap",
      reason: "overflow",
      dropped,
      ...(channel === undefined ? {} : { channel }),
      ...(symbol === undefined ? {} : { symbol }),
    }, consumer);
  }

  #timer(id: string): void {
    if (!this.#context.fired(id)) throw new IllegalInputError(this.#link.state, `timer ${id}`);
    if (id === TIMER.tick) this.#tick();
    else if (id === TIMER.linger) {
      if (!this.#needed) this.#link.idle();
    } else if (id === TIMER.pace) this.#requests.pump();
    else if (id === TIMER.deadMan) this.#deadMan.refresh();
    else if (id === TIMER.trading) this.#trading.expire();
    else if (id.startsWith(TIMER.resyncPrefix)) {
      this.#books.resyncDue(id.slice(TIMER.resyncPrefix.length));
    } else this.#link.timer(id);
  }

  /** Checks every deadline: the link's liveness, requests, snapshots, silent subscriptions. */
  #tick(): void {
    const subscribed = [...this.#registry.values()].some((subscription) =>
      subscription.state !== "rejected"
    );
    if (!this.#link.watch(subscribed)) return;
    this.#answers.expire();
    for (const subscription of this.#registry.values()) {
      if (!this.#books.overdue(subscription)) {
        this.#registry.watchSilence(subscription, this.#link.lastHeartbeatAt);
      }
    }
    this.#link.armTick();
  }

  #frame(text: string): void {
    if (!this.#link.frame()) return;
    const message = decode(text, { maxFrameBytes: this.#maxFrameBytes });
    switch (message.kind) {
      case "decodeError":
        this.#context.emit({
          type: "error",
          code: "decode",
          message: `${message.reason}: ${message.detail}`,
          excerpt: message.excerpt,
        });
        this.#undecodable(text);
        return;
      case "heartbeat":
        this.#link.heartbeat();
        return;
      case "pong":
        return;
      case "status":
        this.#status(message);
        return;
      case "ack":
        this.#answers.acknowledged(message);
        return;
      case "rejection":
        this.#rejection(message);
        return;
      case "tradingReply":
        this.#tradingReply(message);
        return;
      case "executions":
        this.#account.executions(message);
        return;
      case "balances":
        this.#account.balances(message);
        return;
      case "book":
        this.#books.apply(message);
        return;
      case "trade":
        this.#data.trades(message);
        return;
      case "ticker":
        this.#data.tickers(message);
        return;
      case "ohlc":
        this.#data.candles(message);
        return;
      case "instrument":
        for (const symbol of this.#instruments.apply(message)) this.#books.precisionChanged(symbol);
        return;
      case "level3":
        this.#books.applyLevel3(message);
        return;
      case "unknown":
        this.#context.emit({
          type: "error",
          code: "unknown",
          message: `unknown ${message.channel ?? message.method ?? "frame"}`,
          excerpt: message.raw.slice(0, 80),
        });
        return;
    }
  }

  /** A refusal: of a trading request, of the switch, or of a subscription. */
  #rejection(message: RejectionMessage): void {
    const invalidToken = /invalid token/i.test(message.error);
    const trading = this.#trading.match(message.reqId, message.method);
    const deadMan = trading === undefined
      ? this.#deadMan.match(message.reqId, message.method)
      : undefined;
    if (trading !== undefined) {
      this.#trading.refused({ ...message, reqId: trading });
      // Never sent again: the next request goes out with a fresh token.
      if (invalidToken) this.#askToken();
    } else if (deadMan !== undefined) {
      this.#deadMan.refused({ ...message, reqId: deadMan });
      if (invalidToken) this.#askToken();
    } else {
      this.#answers.refused(message);
    }
  }

  #tradingReply(message: TradingReply): void {
    const deadMan = this.#deadMan.match(message.reqId, message.method);
    const trading = deadMan === undefined
      ? this.#trading.match(message.reqId, message.method)
      : undefined;
    if (deadMan !== undefined) this.#deadMan.answered({ ...message, reqId: deadMan });
    else if (trading !== undefined) this.#trading.answered({ ...message, reqId: trading });
    else {
      this.#context.emit({
        type: "error",
        code: "protocol",
        message: `${message.method} answer to no request of this connection`,
      });
    }
  }

  /**
   * A frame that did not decode is a loss. When its start still names a channel and a symbol,
   * the gap is theirs, and a book resyncs.
   */
  #undecodable(text: string): void {
    const head = text.slice(0, 512);
    const channel =
      /"channel"\s*:\s*"(book|trade|ticker|ohlc|instrument|executions|balances|level3)"/
        .exec(head)?.[1] as
          | DataChannel
          | undefined;
    if (channel === "instrument") {
      // The loss is the instrument stream's (a symbol in the frame is one of the pairs it lists).
      // Not subscribed again, as a book would be: the whole list fails to decode again as likely
      // as not, and what the frame carried comes back with the next snapshot.
      this.#context.emit({ type: "gap", reason: "decode", channel });
      return;
    }
    if (channel === "executions" || channel === "balances") {
      // What the message carried is lost for the state a consumer rebuilds: start over.
      this.#context.emit({ type: "gap", reason: "decode", channel });
      this.#account.undecodable(channel);
      return;
    }
    const symbol = /"symbol"\s*:\s*"([^"\\]{1,40})"/.exec(head)?.[1];
    if (channel === undefined || symbol === undefined) {
      this.#context.emit({ type: "gap", reason: "decode" });
      return;
    }
    this.#context.emit({ type: "gap", reason: "decode", channel, symbol });
    if (channel === "book" || channel === "level3") this.#books.undecodable(symbol, channel);
  }

  #status(message: StatusMessage): void {
    for (const info of message.data) {
      this.#link.maintenance(info.system === "maintenance");
      this.#context.emit({
        type: "status",
        system: info.system,
        apiVersion: info.apiVersion,
        connectionId: info.connectionId,
        version: info.version,
      });
    }
  }
}
