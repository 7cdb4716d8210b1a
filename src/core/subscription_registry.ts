/**
 * The subscriptions a session holds: by key, with their consumers and depth, in replay order;
 * every change of their state, made through the transition table; and the gaps they are owed
 * while nothing reaches them.
 *
 * @module
 */

import type { SubscriptionState } from "./events.ts";
import type { Requests } from "./requests.ts";
import { resyncTimer, type SessionContext } from "./session_context.ts";
import {
  Subscription,
  subscriptionKey,
  type SubscriptionRequest,
  type UnkeyedRequest,
} from "./subscription.ts";
import { nextSubscriptionState, type SubscriptionTrigger } from "./subscription_machine.ts";

/**
 * A stream asked for something an existing subscription cannot also serve (a ticker's other
 * trigger: Kraken takes one ticker subscription per symbol and connection).
 *
 * @example
 * ```ts
 * import { SubscriptionConflictError } from "@kraken-ws/sdk";
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

/**
 * The subscriptions of one session.
 *
 * @example
 * ```ts
 * import { Requests } from "./requests.ts";
 * import { SessionContext } from "./session_context.ts";
 * import { SubscriptionRegistry } from "./subscription_registry.ts";
 * const context = new SessionContext();
 * const link = { connected: false, connection: 0 };
 * const registry = new SubscriptionRegistry(context, new Requests(context, link, 10, 10_000, 100), link, 60_000);
 * const effects = context.begin(0);
 * const { born } = registry.add(1, { channel: "trade", symbol: "BTC/USD" });
 * console.log(born, effects.length); // true 1: its birth, unsubscribed -> pending
 * ```
 */
export class SubscriptionRegistry {
  readonly #context: SessionContext;
  readonly #requests: Requests;
  readonly #link: { readonly connected: boolean };
  readonly #silenceMs: number;
  /** Subscriptions by key, kept in replay order. */
  readonly #subscriptions = new Map<string, Subscription>();
  #order = 0;
  #membershipChanged = false;

  /**
   * Creates an empty registry.
   *
   * @param context The session's shared outbox.
   * @param requests The session's requests.
   * @param link Whether requests can go out.
   * @param silenceMs A subscription with no data and no heartbeat for this long is stale.
   */
  constructor(
    context: SessionContext,
    requests: Requests,
    link: { readonly connected: boolean },
    silenceMs: number,
  ) {
    this.#context = context;
    this.#requests = requests;
    this.#link = link;
    this.#silenceMs = silenceMs;
  }

  /** How many subscriptions are held. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** The subscription of `key`. */
  get(key: string): Subscription | undefined {
    return this.#subscriptions.get(key);
  }

  /** Every subscription held, in replay order. */
  values(): IterableIterator<Subscription> {
    return this.#subscriptions.values();
  }

  /** The state of the subscription serving `request`, or undefined when there is none. */
  stateOf(request: SubscriptionRequest | UnkeyedRequest): SubscriptionState | undefined {
    return this.#subscriptions.get(subscriptionKey(request))?.state;
  }

  /** Data arrived for `key`: its subscription, which is not silent now. */
  receive(key: string): Subscription | undefined {
    const subscription = this.#subscriptions.get(key);
    if (subscription === undefined) return undefined;
    subscription.lastDataAt = this.#context.now;
    return subscription;
  }

  /** Whether `subscription` is still the one held for its key. */
  isCurrent(subscription: Subscription): boolean {
    return this.#subscriptions.get(subscription.key) === subscription;
  }

  /**
   * Whether anything was born, refused, released or ended since the last call: only then can it
   * have become true, or stopped being true, that nobody needs the connection.
   *
   * @returns True once per change.
   */
  takeMembershipChange(): boolean {
    const changed = this.#membershipChanged;
    this.#membershipChanged = false;
    return changed;
  }

  /** Whether any subscription is wanted by a consumer and not refused. */
  get anyWanted(): boolean {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.consumers.size > 0 && subscription.state !== "rejected") return true;
    }
    return false;
  }

  /** Whether `subscription` is still the one held for its key and someone needs it. */
  wanted(subscription: Subscription): boolean {
    return this.isCurrent(subscription) && subscription.consumers.size > 0 &&
      subscription.state !== "unsubscribing";
  }

  /**
   * Moves `subscription` as the transition table says, and tells the streams.
   *
   * @param subscription The subscription.
   * @param trigger What happened.
   * @param cause The `cause` of the state event.
   * @param attempt Consecutive failed resyncs, for a book resyncing.
   * @throws {IllegalSubscriptionTransitionError} When the table has no such move.
   */
  move(
    subscription: Subscription,
    trigger: SubscriptionTrigger,
    cause: string,
    attempt?: number,
  ): void {
    const from = subscription.state;
    const to = nextSubscriptionState(from, trigger);
    if (from === to) return;
    subscription.state = to;
    if (to === "rejected" || from === "rejected") this.#membershipChanged = true;
    this.#announce(subscription, from, cause, attempt);
  }

  /** Moves `subscription` to its end and forgets it, with whatever it still had to send. */
  end(subscription: Subscription, trigger: SubscriptionTrigger, cause: string): void {
    this.move(subscription, trigger, cause);
    this.#requests.discard(subscription);
    this.#subscriptions.delete(subscription.key);
    this.#membershipChanged = true;
  }

  /**
   * A consumer asks for `request`: a new subscription, or a consumer more for the one held.
   *
   * @param consumer The consumer.
   * @param request What it asks for.
   * @returns The subscription, and whether it was born of this request.
   * @throws {SubscriptionConflictError} When the one held cannot also serve `request`.
   */
  add(
    consumer: number,
    request: SubscriptionRequest | UnkeyedRequest,
  ): { readonly subscription: Subscription; readonly born: boolean } {
    const key = subscriptionKey(request);
    const existing = this.#subscriptions.get(key);
    const depth = request.channel === "book" || request.channel === "level3"
      ? request.depth
      : undefined;
    this.#membershipChanged = true;
    if (existing !== undefined) {
      if (request.channel === "ticker" && existing.trigger !== request.trigger) {
        throw new SubscriptionConflictError(key, `trigger (${existing.trigger})`);
      }
      if (existing.state !== "rejected") {
        existing.consumers.set(consumer, depth);
        this.#revive(existing);
        return { subscription: existing, born: false };
      }
      // Asked again after Kraken refused it: try once more.
      this.#subscriptions.delete(key);
    }
    const subscription = new Subscription(request, this.#order++, this.#context.now);
    subscription.consumers.set(consumer, depth);
    this.#subscriptions.set(key, subscription);
    // Its birth is a transition too, so every subscription's life is visible from its start.
    const from = existing?.state ?? "unsubscribed";
    subscription.state = nextSubscriptionState(from, "subscribe");
    this.#announce(subscription, from, "subscribe");
    return { subscription, born: true };
  }

  /** A consumer is gone: what nobody needs any more is unsubscribed. */
  release(consumer: number): void {
    for (const subscription of [...this.#subscriptions.values()]) {
      if (!subscription.consumers.delete(consumer) || subscription.consumers.size > 0) continue;
      this.#membershipChanged = true;
      this.#requests.discard(subscription);
      // Anything of its key still queued or on the wire may leave the server holding it.
      const busy = this.#requests.keyBusy(subscription);
      this.#context.cancelTimer(resyncTimer(subscription.key));
      const known = subscription.state === "awaiting_snapshot" ||
        subscription.state === "synced" || subscription.state === "stale" ||
        subscription.state === "resyncing";
      if (this.#link.connected && (busy || known)) {
        this.move(subscription, "unsubscribe", "no consumer");
        this.#requests.queue({ method: "unsubscribe", subscription });
      } else {
        this.end(subscription, "unsubscribe_local", "no consumer");
      }
    }
  }

  /** A new connection opened: every subscription not refused is queued again, in first-asked order. */
  replay(): void {
    const replay = [...this.#subscriptions.values()].sort((a, b) => a.order - b.order);
    for (const subscription of replay) {
      if (subscription.state === "rejected") continue;
      this.#requests.enqueue({ method: "subscribe", subscription });
    }
  }

  /**
   * The connection was lost: each subscription waits for the next, owed a gap from `since`, the
   * last frame; one being unsubscribed is done, as the server forgot it with the connection.
   */
  disconnected(since: number): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.state === "rejected") continue;
      if (subscription.state === "unsubscribing") {
        this.end(subscription, "disconnected", "disconnected");
        continue;
      }
      const receiving = subscription.state !== "pending";
      if (receiving && subscription.gapSince === undefined) {
        this.#oweGap(subscription, "reconnect", since);
      } else if (receiving) {
        // Already owed a gap (a resubscribe under way): it still starts where data stopped, but
        // the connection was lost within it, and that is what it is called.
        subscription.gapReason = "reconnect";
      }
      subscription.book = undefined;
      subscription.snapshotDeadline = undefined;
      this.move(subscription, "disconnected", "disconnected");
    }
  }

  /** The session is over: every subscription still held ends, visibly. */
  endAll(): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.state !== "rejected") this.move(subscription, "closed", "closed");
    }
    this.#subscriptions.clear();
  }

  /** `subscription` was acknowledged again: the gap it was owed, if any, is emitted. */
  settleGap(subscription: Subscription): void {
    if (subscription.gapSince === undefined) return;
    if (subscription.channel === "trade" && subscription.lastTradeId !== undefined) {
      // The resubscribe asked for Kraken's last trades: what is still missing after them shows as
      // a jump in trade ids, a `sequence` gap naming exactly the ids lost, not a span of time.
      subscription.gapSince = undefined;
      return;
    }
    this.#context.emit({
      type: "gap",
      reason: subscription.gapReason,
      channel: subscription.channel,
      ...(subscription.symbol === undefined ? {} : { symbol: subscription.symbol }),
      fromTime: subscription.gapSince,
      toTime: this.#context.now,
    });
    subscription.gapSince = undefined;
  }

  /** Subscribes again a subscription whose feed stopped; what it misses meanwhile is a gap. */
  resubscribe(subscription: Subscription): void {
    if (subscription.gapSince === undefined) {
      this.#oweGap(subscription, "resubscribe", subscription.lastDataAt);
    }
    this.again(subscription);
  }

  /** Unsubscribe then subscribe again: the only way to a fresh snapshot or a silent feed. */
  again(subscription: Subscription): void {
    subscription.book = undefined;
    subscription.snapshotDeadline = undefined;
    this.#requests.discard(subscription);
    // An unsubscribe already on the wire does the first half.
    if (this.#requests.wireRequest(subscription)?.method !== "unsubscribe") {
      this.#requests.queue({ method: "unsubscribe", subscription });
    }
    this.#requests.queue({ method: "subscribe", subscription });
  }

  /** A synced subscription with no data since `heartbeatAt` or its own last data is resubscribed. */
  watchSilence(subscription: Subscription, heartbeatAt: number): void {
    if (subscription.state !== "synced") return;
    const covered = Math.max(subscription.lastDataAt, heartbeatAt);
    if (this.#context.now - covered < this.#silenceMs) return;
    this.move(subscription, "silent", "silent");
    this.resubscribe(subscription);
  }

  /** The subscriptions `consumer` is one of the consumers of, in replay order. */
  *of(consumer: number): Generator<Subscription> {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.consumers.has(consumer)) yield subscription;
    }
  }

  /** A consumer joined: a book may need a larger depth; an unsubscribing one is wanted again. */
  #revive(subscription: Subscription): void {
    const wanted = subscription.wantedDepth();
    const deeper = wanted !== undefined && subscription.depth !== undefined &&
      wanted > subscription.depth;
    if (deeper) subscription.depth = wanted;
    const connected = this.#link.connected;
    if (subscription.state === "unsubscribing") {
      this.move(subscription, "wanted_again", "wanted again");
      if (this.#requests.wireRequest(subscription)?.method === "subscribe") {
        // Its subscribe is unanswered and the unsubscribe never left: taking that back is enough,
        // or the subscribe's answer would sync a book the queued unsubscribe is about to stop.
        this.#requests.discard(subscription);
      } else if (connected && !this.#requests.queued(subscription, "subscribe")) {
        this.#requests.queue({ method: "subscribe", subscription });
      }
      return;
    }
    if (deeper && connected && subscription.state !== "pending") {
      // Until the deeper snapshot, the book's updates are dropped: its streams are owed a gap.
      if (subscription.gapSince === undefined) {
        this.#oweGap(subscription, "resubscribe", this.#context.now);
      }
      this.move(subscription, "depth_changed", `depth ${wanted}`);
      this.again(subscription);
    }
  }

  /** From `since` until its next acknowledgement, nothing reaches `subscription`: a gap is owed. */
  #oweGap(subscription: Subscription, reason: "reconnect" | "resubscribe", since: number): void {
    subscription.gapSince = since;
    subscription.gapReason = reason;
  }

  #announce(
    subscription: Subscription,
    from: SubscriptionState,
    cause: string,
    attempt?: number,
  ): void {
    this.#context.emit({
      type: "state",
      scope: "subscription",
      ...subscription.topic,
      from,
      to: subscription.state,
      cause,
      ...(attempt === undefined ? {} : { attempt }),
    });
  }
}
