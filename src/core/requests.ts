/**
 * Subscribe and unsubscribe requests: the paced outbox, the requests on the wire, and which of
 * them an answer belongs to.
 *
 * @module
 */

import { encodeSubscribe, encodeUnsubscribe } from "../protocol/encode.ts";
import { type AnswerNames, type InFlight, matchAnswer } from "./answer_matching.ts";
import { type QueuedRequest, RequestPacer } from "./request_pacer.ts";
import { type SessionContext, TIMER } from "./session_context.ts";
import type { Subscription } from "./subscription.ts";

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
 * const requests = new Requests(context, { connected: true, connection: 1 }, 10, 10_000);
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
  readonly #inFlight = new Map<number, InFlight>();

  /**
   * Creates an empty outbox.
   *
   * @param context The session's shared outbox.
   * @param link The connection requests go out on.
   * @param requestsPerSecond The most requests per second.
   * @param timeoutMs A request unanswered this long has expired.
   */
  constructor(
    context: SessionContext,
    link: RequestLink,
    requestsPerSecond: number,
    timeoutMs: number,
  ) {
    this.#context = context;
    this.#link = link;
    this.#pacer = new RequestPacer(requestsPerSecond);
    this.#timeoutMs = timeoutMs;
  }

  /** Requests queued or awaiting an answer: bounded by twice the number of subscriptions. */
  get size(): number {
    return this.#pacer.size + this.#inFlight.size;
  }

  /** Queues a request without sending: a replay sends once everything is queued. */
  enqueue(request: QueuedRequest): void {
    this.#pacer.enqueue(request);
  }

  /** Queues a request at the back, or (a retry) at the front, and sends what the pace allows. */
  queue(request: QueuedRequest, front = false): void {
    this.#pacer.enqueue(request, front);
    this.pump();
  }

  /** Sends what the pace allows now, and wakes up for the rest. */
  pump(): void {
    if (!this.#link.connected) return;
    const now = this.#context.now;
    let request = this.#pacer.take(now);
    while (request !== undefined) {
      this.#send(request);
      request = this.#pacer.take(now);
    }
    const wait = this.#pacer.waitMs(now);
    if (wait !== undefined && !this.#context.hasTimer(TIMER.pace)) {
      this.#context.setTimer(TIMER.pace, wait);
    }
  }

  /** Whether a request of `subscription` is queued. */
  queued(subscription: Subscription, method: "subscribe" | "unsubscribe"): boolean {
    return this.#pacer.has(subscription, method);
  }

  /** Whether a request of `subscription` is on the wire. */
  onWire(subscription: Subscription): boolean {
    return [...this.#inFlight.values()].some((request) => request.subscription === subscription);
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
   * The request an answer belongs to, taken off the wire.
   *
   * @param reqId The answer's `req_id`, if it has one.
   * @param names What the answer names.
   * @returns The request, or undefined when the answer is for none on the wire.
   */
  answered(reqId: number | undefined, names: AnswerNames): InFlight | undefined {
    const id = matchAnswer(this.#inFlight, reqId, names);
    if (id === undefined) return undefined;
    const request = this.#inFlight.get(id);
    this.#inFlight.delete(id);
    return request;
  }

  /** Takes each request unanswered past its deadline off the wire, oldest first. */
  *expired(): Generator<InFlight> {
    const now = this.#context.now;
    for (const [reqId, request] of this.#inFlight) {
      if (now - request.sentAt < this.#timeoutMs) continue;
      this.#inFlight.delete(reqId);
      yield request;
    }
  }

  #send(request: QueuedRequest): void {
    const { method, subscription } = request;
    const reqId = this.#context.nextReqId();
    let text: string;
    if (method === "subscribe") {
      subscription.wireDepth = subscription.depth;
      text = encodeSubscribe(subscription.params(), reqId);
    } else {
      text = encodeUnsubscribe(subscription.params("unsubscribe"), reqId);
    }
    this.#context.push({ type: "send", connection: this.#link.connection, text });
    this.#inFlight.set(reqId, { method, subscription, sentAt: this.#context.now });
  }
}
