/**
 * Subscribe and unsubscribe requests: the paced outbox, the requests on the wire, and which of
 * them an answer belongs to.
 *
 * @module
 */

import { encodeSubscribe, encodeUnsubscribe } from "../protocol/encode.ts";
import {
  type AnswerNames,
  type InFlight,
  type InFlightRequest,
  matchAnswer,
} from "./answer_matching.ts";
import { type QueuedRequest, RequestPacer } from "./request_pacer.ts";
import { type SessionContext, TIMER } from "./session_context.ts";
import type { Level3Depth } from "../book/level3_book.ts";
import { level3SymbolsPerRequest } from "./level3_rate.ts";
import { needsToken, type Subscription } from "./subscription.ts";

/**
 * What the requests need to know of the connection.
 *
 * @example
 * ```ts
 * import type { RequestLink } from "./requests.ts";
 * const link: RequestLink = { connected: true, connection: 1 };
 * console.log(link.connected);
 * ```
 */
export interface RequestLink {
  /** Whether requests can go out. */
  readonly connected: boolean;
  /** The connection they go out on. */
  readonly connection: number;
  /** The authenticated connection's token: account channels name it in their requests. */
  readonly token?: string;
}

/**
 * The session's requests.
 *
 * @example
 * ```ts
 * import { Requests } from "./requests.ts";
 * import { SessionContext } from "./session_context.ts";
 * import { Subscription } from "./subscription.ts";
 * const context = new SessionContext();
 * const requests = new Requests(context, { connected: true, connection: 1 }, 10, 10_000, 100);
 * const effects = context.begin(0);
 * const subscription = new Subscription({ channel: "trade", symbol: "BTC/USD" }, 0, 0);
 * requests.queue({ method: "subscribe", subscription });
 * console.log(effects[0].type, requests.size); // "send" 1
 * ```
 */
export class Requests {
  readonly #context: SessionContext;
  readonly #link: RequestLink;
  readonly #pacer: RequestPacer;
  readonly #timeoutMs: number;
  readonly #maxSymbols: number;
  readonly #inFlight = new Map<number, InFlightRequest>();

  /**
   * Creates an empty outbox.
   *
   * @param context The session's shared outbox.
   * @param link The connection requests go out on.
   * @param requestsPerSecond The most requests per second.
   * @param timeoutMs A request unanswered this long has expired.
   * @param maxSymbols The most symbols one request names.
   */
  constructor(
    context: SessionContext,
    link: RequestLink,
    requestsPerSecond: number,
    timeoutMs: number,
    maxSymbols: number,
  ) {
    this.#context = context;
    this.#link = link;
    this.#pacer = new RequestPacer(requestsPerSecond);
    this.#timeoutMs = timeoutMs;
    this.#maxSymbols = Math.max(1, Math.floor(maxSymbols));
  }

  /**
   * Subscriptions with a request queued or awaiting an answer. A key has at most one request on
   * the wire, and at most two queued behind it (an unsubscribe and a subscribe), so this is at
   * most three times the number of subscriptions held.
   */
  get size(): number {
    let waiting = 0;
    for (const request of this.#inFlight.values()) waiting += request.subscriptions.length;
    return this.#pacer.size + waiting;
  }

  /** Queues a request without sending: a replay sends once everything is queued. */
  enqueue(request: QueuedRequest): void {
    this.#pacer.enqueue(request);
  }

  /** Queues a request at the back and sends what the pace allows. */
  queue(request: QueuedRequest): void {
    this.#pacer.enqueue(request);
    this.pump();
  }

  /** Queues requests refused for the pace ahead of the rest, in their order, and sends on. */
  retry(requests: readonly QueuedRequest[]): void {
    for (let i = requests.length - 1; i >= 0; i--) this.#pacer.enqueue(requests[i], true);
    this.pump();
  }

  /**
   * Sends what the pace allows now, and wakes up for the rest. A request of a subscription with
   * one on the wire waits for its answer (or its expiry), which pumps again.
   */
  pump(): void {
    if (!this.#link.connected || this.#pacer.size === 0) return;
    const now = this.#context.now;
    const onWire = this.#onWire();
    const take = () => this.#pacer.take(now, (first) => this.#maxFor(first), requestKind, onWire);
    for (let batch = take(); batch !== undefined; batch = take()) {
      this.#send(batch);
      for (const request of batch) onWire.add(request.subscription.key);
    }
    const wait = this.#pacer.waitMs(now, onWire);
    if (wait !== undefined && !this.#context.hasTimer(TIMER.pace)) {
      this.#context.setTimer(TIMER.pace, wait);
    }
  }

  /**
   * The most symbols a request like `first` names: for `level3`, few enough that Kraken's rate
   * counter (by depth) stays within its budget at the level 3 pace of one request a second.
   */
  #maxFor(first: QueuedRequest): number {
    const subscription = first.subscription;
    if (subscription.channel !== "level3") return this.#maxSymbols;
    const depth = (first.method === "subscribe" ? subscription.depth : subscription.wireDepth) ??
      10;
    return Math.min(this.#maxSymbols, level3SymbolsPerRequest(depth as Level3Depth));
  }

  /** Whether a request of `subscription` is queued. */
  queued(subscription: Subscription, method: "subscribe" | "unsubscribe"): boolean {
    return this.#pacer.has(subscription, method);
  }

  /**
   * Whether a request for `subscription`'s key is queued or on the wire: its own, or the one
   * undoing a refused subscription it replaced; either way the server may hold that key.
   */
  keyBusy(subscription: Subscription): boolean {
    const key = subscription.key;
    for (const request of this.#inFlight.values()) {
      if (request.subscriptions.some((other) => other.key === key)) return true;
    }
    return this.#pacer.hasKey(key);
  }

  /** The keys with a request on the wire. */
  #onWire(): Set<string> {
    const onWire = new Set<string>();
    for (const request of this.#inFlight.values()) {
      for (const subscription of request.subscriptions) onWire.add(subscription.key);
    }
    return onWire;
  }

  /**
   * `subscription`'s request on the wire, if one is there (a subscription has one at most).
   *
   * @param subscription The subscription.
   * @returns Its `req_id` and method, or undefined.
   */
  wireRequest(
    subscription: Subscription,
  ): { readonly reqId: number; readonly method: "subscribe" | "unsubscribe" } | undefined {
    for (const [reqId, request] of this.#inFlight) {
      if (request.subscriptions.includes(subscription)) return { reqId, method: request.method };
    }
    return undefined;
  }

  /** Drops every queued request of `subscription`; those on the wire stay. */
  discard(subscription: Subscription): void {
    this.#pacer.discard(subscription);
  }

  /** Kraken said `Exceeded msg rate`: the pace halves. */
  slowDown(): void {
    this.#pacer.slowDown(this.#context.now);
  }

  /** The connection is gone, and every request with it. */
  clear(): void {
    this.#pacer.clear();
    this.#inFlight.clear();
  }

  /**
   * The subscriptions an answer answers, taken off the wire: one, for an answer naming its
   * symbol; every one still waiting in its request, for an answer naming none.
   *
   * @param reqId The answer's `req_id`, if it has one.
   * @param names What the answer names.
   * @returns Each subscription's part of the request; empty when the answer is for none.
   */
  answered(reqId: number | undefined, names: AnswerNames): InFlight[] {
    const match = matchAnswer(this.#inFlight, reqId, names);
    if (match === undefined) return [];
    const request = this.#inFlight.get(match.reqId)!;
    const left = request.subscriptions.filter((subscription) =>
      !match.subscriptions.includes(subscription)
    );
    if (left.length === 0) this.#inFlight.delete(match.reqId);
    else request.subscriptions.splice(0, request.subscriptions.length, ...left);
    return match.subscriptions.map((subscription) => ({
      reqId: match.reqId,
      method: request.method,
      subscription,
      sentAt: request.sentAt,
    }));
  }

  /** Takes each subscription unanswered past its deadline off the wire, oldest first. */
  *expired(): Generator<InFlight> {
    const now = this.#context.now;
    for (const [reqId, request] of this.#inFlight) {
      if (now - request.sentAt < this.#timeoutMs) continue;
      this.#inFlight.delete(reqId);
      for (const subscription of request.subscriptions) {
        yield { reqId, method: request.method, subscription, sentAt: request.sentAt };
      }
    }
  }

  /**
   * Sends one request naming the symbols of every subscription in `batch` (one kind); a kind that
   * names no symbol (`instrument`) sends its parameters as they are, with no `symbol` list.
   */
  #send(batch: readonly QueuedRequest[]): void {
    const method = batch[0].method;
    const subscriptions = batch.map((request) => request.subscription);
    const first = subscriptions[0].params(method);
    if (method === "subscribe") {
      const snapshot = first.snapshot === true || first.snap_orders === true ||
        first.snap_trades === true;
      for (const subscription of subscriptions) {
        subscription.wireDepth = subscription.depth;
        subscription.snapshotAsked = snapshot;
      }
    }
    const token = this.#link.token;
    const named = first.symbol === undefined
      ? first
      : { ...first, symbol: subscriptions.flatMap((subscription) => subscription.symbol ?? []) };
    const params = token !== undefined && needsToken(subscriptions[0].channel)
      ? { ...named, token }
      : named;
    const reqId = this.#context.nextReqId();
    const text = method === "subscribe"
      ? encodeSubscribe(params, reqId)
      : encodeUnsubscribe(params, reqId);
    this.#context.push({ type: "send", connection: this.#link.connection, text });
    this.#inFlight.set(reqId, { method, subscriptions, sentAt: this.#context.now });
  }
}

/** What requests must share to go out as one: method, channel and every parameter but `symbol`. */
function requestKind(request: QueuedRequest): string {
  const { symbol: _symbol, ...params } = request.subscription.params(request.method);
  return `${request.method}|${JSON.stringify(params)}`;
}
