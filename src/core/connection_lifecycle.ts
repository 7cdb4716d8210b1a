/**
 * The connection's life: opening sockets, the state machine, pings, the liveness watchdog,
 * backoff between attempts and closing. What lived on a connection is the subscriptions' business:
 * the lifecycle only says, through its hooks, when a link opened, was lost or the session ended.
 *
 * @module
 */

import { encodePing } from "../protocol/encode.ts";
import { type ConnectionTrigger, nextConnectionState } from "./connection_machine.ts";
import type { ConnectionState } from "./events.ts";
import { type ReconnectOptions, ReconnectPolicy } from "./reconnect_policy.ts";
import { SeededRandom } from "./seeded_random.ts";
import { type SessionContext, TIMER } from "./session_context.ts";

/** Close code the client uses to drop a link it judged dead. */
const STALE_CLOSE_CODE = 4000;

/**
 * Settings of a {@link ConnectionLifecycle}, defaults already applied.
 *
 * @example
 * ```ts
 * import type { LinkSettings } from "./connection_lifecycle.ts";
 * const settings: LinkSettings = {
 *   url: "wss://ws.kraken.com/v2",
 *   seed: 1,
 *   reconnect: {},
 *   connectTimeoutMs: 10_000,
 *   closeTimeoutMs: 2000,
 *   pingIntervalMs: 30_000,
 *   heartbeatTimeoutMs: 10_000,
 *   tickMs: 1000,
 * };
 * console.log(settings.url);
 * ```
 */
export interface LinkSettings {
  /** WebSocket URL. */
  readonly url: string;
  /** Seed of the backoff jitter. */
  readonly seed: number;
  /** Backoff, attempt budget and stable window. */
  readonly reconnect: ReconnectOptions;
  /** Opening a socket may take this long. */
  readonly connectTimeoutMs: number;
  /** A closing socket may take this long to report its close. */
  readonly closeTimeoutMs: number;
  /** Application ping interval. */
  readonly pingIntervalMs: number;
  /** No frame at all for this long while watched means a dead link. */
  readonly heartbeatTimeoutMs: number;
  /** Interval of the deadline check. */
  readonly tickMs: number;
}

/**
 * What the rest of the session does when the link changes.
 *
 * @example
 * ```ts
 * import type { LinkHooks } from "./connection_lifecycle.ts";
 * const hooks: LinkHooks = { opened() {}, lost(since) { console.log(since); }, ended() {} };
 * hooks.lost(0);
 * ```
 */
export interface LinkHooks {
  /** The socket opened: subscriptions are replayed on it. */
  opened(): void;
  /** The link was lost; `since` is the time of its last frame. Everything on it is void. */
  lost(since: number): void;
  /** The session reached `closed`: nothing will be replayed any more. */
  ended(): void;
}

/**
 * One session's connection: its state, its sockets and its timers.
 *
 * @example
 * ```ts
 * import { ConnectionLifecycle } from "./connection_lifecycle.ts";
 * import { SessionContext } from "./session_context.ts";
 * const context = new SessionContext();
 * const link = new ConnectionLifecycle(context, {
 *   url: "wss://ws.kraken.com/v2",
 *   seed: 1,
 *   reconnect: {},
 *   connectTimeoutMs: 10_000,
 *   closeTimeoutMs: 2000,
 *   pingIntervalMs: 30_000,
 *   heartbeatTimeoutMs: 10_000,
 *   tickMs: 1000,
 * }, { opened() {}, lost() {}, ended() {} });
 * const effects = context.begin(0);
 * link.start();
 * console.log(link.state, effects.map((effect) => effect.type)); // "connecting" [emit, open, setTimer]
 * ```
 */
export class ConnectionLifecycle {
  readonly #context: SessionContext;
  readonly #settings: LinkSettings;
  readonly #hooks: LinkHooks;
  readonly #policy: ReconnectPolicy;
  #state: ConnectionState = "idle";
  #connection = 0;
  /** The connection whose socket events still count; 0 once it is closed or abandoned. */
  #socket = 0;
  #lastFrameAt = 0;
  #lastHeartbeatAt = -Infinity;
  /** The authenticated connection's token; never in an event. */
  #token: string | undefined;

  /**
   * Creates an idle link.
   *
   * @param context The session's shared outbox.
   * @param settings Settings.
   * @param hooks What the rest of the session does when the link changes.
   */
  constructor(context: SessionContext, settings: LinkSettings, hooks: LinkHooks) {
    this.#context = context;
    this.#settings = settings;
    this.#hooks = hooks;
    this.#policy = new ReconnectPolicy(settings.reconnect, new SeededRandom(settings.seed));
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The number of the current (or last) connection; 0 before the first. */
  get connection(): number {
    return this.#connection;
  }

  /** Whether requests can go out: the socket is open. */
  get connected(): boolean {
    return this.#state === "open" || this.#state === "live";
  }

  /** The token of the authenticated connection now up; undefined on a public one or when down. */
  get token(): string | undefined {
    return this.#token;
  }

  /** Kraken refused the token: this one replaces it for what is sent from now on. */
  renewToken(token: string): void {
    this.#token = token;
  }

  /** Drops the link on our side (a token that cannot be had): it reconnects with backoff. */
  drop(cause: string): void {
    this.#abandon(cause);
  }

  /** Client time of the last heartbeat: it vouches for every subscription's silence. */
  get lastHeartbeatAt(): number {
    return this.#lastHeartbeatAt;
  }

  /** Whether socket events of `connection` still count. */
  accepts(connection: number): boolean {
    return connection === this.#socket;
  }

  /** The first subscription asks for a connection. */
  start(): void {
    this.#move("start", "subscribe");
    this.#connect();
  }

  /** The user closes the session. */
  stop(): void {
    const from = this.#state;
    this.#move("stop", "user");
    this.#context.cancelTimers();
    if (from === "connecting" || from === "open" || from === "live") {
      this.#context.push({
        type: "close",
        connection: this.#connection,
        code: 1000,
        reason: "client closed",
      });
      this.#context.setTimer(TIMER.close, this.#settings.closeTimeoutMs);
    }
  }

  /**
   * Nothing has been subscribed for the linger: the socket closes and the session goes idle, with
   * no timer left, so a program whose streams all ended can exit; the next subscription connects
   * again.
   */
  idle(): void {
    const from = this.#state;
    if (from === "connecting" || from === "open" || from === "live") {
      this.#context.push({
        type: "close",
        connection: this.#connection,
        code: 1000,
        reason: "no subscription",
      });
    }
    this.#socket = 0;
    this.#token = undefined;
    this.#move("linger", "no subscription");
    this.#context.cancelTimers();
    this.#hooks.lost(this.#lastFrameAt);
  }

  /**
   * The current socket opened.
   *
   * @param token The authenticated connection's token, fetched for it.
   */
  opened(token?: string): void {
    this.#token = token;
    this.#move("opened", "opened");
    this.#context.cancelTimer(TIMER.connect);
    this.#lastFrameAt = this.#context.now;
    this.#context.setTimer(TIMER.ping, this.#settings.pingIntervalMs);
    this.#context.setTimer(TIMER.tick, this.#settings.tickMs);
    this.#hooks.opened();
  }

  /** The current socket closed. */
  closed(code: number, reason: string): void {
    const cause = reason === "" ? `close ${code}` : `close ${code} ${reason}`;
    this.#socket = 0;
    if (this.#state === "closing") {
      this.#move("closed", cause);
      this.#context.cancelTimers();
      return;
    }
    if (code === 1008) {
      this.#move("rejected", cause);
      this.#lost();
      this.#context.cancelTimers();
      return;
    }
    this.#move("closed", cause);
    this.#lost();
    this.#scheduleReconnect();
  }

  /**
   * A frame arrived on the current socket.
   *
   * @returns False when the link is closing and the frame no longer counts.
   */
  frame(): boolean {
    if (this.#state === "closing") return false;
    const first = this.#state === "open";
    this.#move("frame", "first frame");
    if (first) this.#context.setTimer(TIMER.stable, this.#policy.stableMs);
    this.#lastFrameAt = this.#context.now;
    return true;
  }

  /** A heartbeat arrived. */
  heartbeat(): void {
    this.#lastHeartbeatAt = this.#context.now;
  }

  /** Kraken announced maintenance (or its end): attempts are spaced accordingly. */
  maintenance(on: boolean): void {
    this.#policy.setMaintenance(on);
  }

  /**
   * The liveness check of each tick. An open link owes Kraken's status frame at once; a live one
   * owes heartbeats, answers or data while anything is subscribed or being subscribed.
   *
   * @param subscribed Whether any subscription is held or being subscribed.
   * @returns False when the link was found dead and dropped.
   */
  watch(subscribed: boolean): boolean {
    const watched = this.#state === "open" || subscribed;
    if (watched && this.#context.now - this.#lastFrameAt >= this.#settings.heartbeatTimeoutMs) {
      this.#abandon("stale");
      return false;
    }
    return true;
  }

  /** Schedules the next deadline check. */
  armTick(): void {
    this.#context.setTimer(TIMER.tick, this.#settings.tickMs);
  }

  /** One of the link's own timers fired: connect, reconnect, ping, stable or close. */
  timer(id: string): void {
    switch (id) {
      case TIMER.connect:
        this.#abandon("connect timeout");
        return;
      case TIMER.reconnect:
        this.#move("retry", "retry");
        this.#connect();
        return;
      case TIMER.ping:
        this.#context.push({
          type: "send",
          connection: this.#connection,
          text: encodePing(this.#context.nextReqId()),
        });
        this.#context.setTimer(TIMER.ping, this.#settings.pingIntervalMs);
        return;
      case TIMER.stable:
        this.#policy.markStable();
        return;
      case TIMER.close:
        this.#socket = 0;
        this.#move("close_timeout", "close timeout");
        this.#context.cancelTimers();
        return;
    }
  }

  #move(trigger: ConnectionTrigger, cause: string): void {
    const from = this.#state;
    const to = nextConnectionState(from, trigger);
    this.#state = to;
    if (from !== to) this.#context.emit({ type: "state", scope: "connection", from, to, cause });
    if (to === "closed" && from !== "closed") this.#hooks.ended();
  }

  #connect(): void {
    this.#policy.recordAttempt(this.#context.now);
    this.#connection++;
    this.#socket = this.#connection;
    this.#context.push({ type: "open", connection: this.#connection, url: this.#settings.url });
    this.#context.setTimer(TIMER.connect, this.#settings.connectTimeoutMs);
  }

  /** Drops the link on our side: it went silent, or never finished opening. */
  #abandon(cause: string): void {
    this.#context.push({
      type: "close",
      connection: this.#connection,
      code: STALE_CLOSE_CODE,
      reason: cause,
    });
    this.#socket = 0;
    this.#move("timeout", cause);
    this.#lost();
    this.#scheduleReconnect();
  }

  #lost(): void {
    this.#token = undefined;
    // The linger outlives the link: nobody needs a connection, whether or not it is up.
    this.#context.cancelTimers((id) => id === TIMER.reconnect || id === TIMER.linger);
    this.#hooks.lost(this.#lastFrameAt);
  }

  #scheduleReconnect(): void {
    this.#context.setTimer(TIMER.reconnect, this.#policy.nextDelay(this.#context.now));
  }
}
