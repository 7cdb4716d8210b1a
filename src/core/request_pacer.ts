/**
 * The outbox of subscribe and unsubscribe requests, sent no faster than a rate: Kraken answers a
 * burst with `Exceeded msg rate`, and then the rate is halved.
 *
 * @module
 */

import type { Subscription } from "./subscription.ts";

/**
 * A request waiting to be sent.
 *
 * @example
 * ```ts
 * import type { QueuedRequest } from "./request_pacer.ts";
 * import { Subscription } from "./subscription.ts";
 * const request: QueuedRequest = {
 *   method: "subscribe",
 *   subscription: new Subscription({ channel: "trade", symbol: "BTC/USD" }, 0, 0),
 * };
 * console.log(request.method);
 * ```
 */
export interface QueuedRequest {
  /** What to ask. */
  readonly method: "subscribe" | "unsubscribe";
  /** For which subscription. */
  readonly subscription: Subscription;
}

/** The slowest the pacer goes after repeated `Exceeded msg rate`. */
const MIN_RATE = 0.5;

/** After this long without `Exceeded msg rate`, the rate doubles back towards its setting. */
export const RATE_RECOVERY_MS = 30_000;

/**
 * A FIFO of requests and the earliest time the next may go out.
 *
 * @example
 * ```ts
 * import { RequestPacer } from "./request_pacer.ts";
 * const pacer = new RequestPacer(10);
 * console.log(pacer.intervalMs); // 100
 * ```
 */
export class RequestPacer {
  readonly #maxRate: number;
  #rate: number;
  #slowedAt = -Infinity;
  #queue: QueuedRequest[] = [];
  #lastSentAt = -Infinity;

  /**
   * Creates an empty outbox.
   *
   * @param requestsPerSecond The most requests per second.
   */
  constructor(requestsPerSecond: number) {
    this.#maxRate = requestsPerSecond;
    this.#rate = requestsPerSecond;
  }

  /** Milliseconds between two requests at the current rate. */
  get intervalMs(): number {
    return 1000 / this.#rate;
  }

  /** Requests waiting. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues a request at the back, or (a retry) at the front. */
  enqueue(request: QueuedRequest, front = false): void {
    if (front) this.#queue.unshift(request);
    else this.#queue.push(request);
  }

  /** Drops every queued request of `subscription`. */
  discard(subscription: Subscription): void {
    this.#queue = this.#queue.filter((request) => request.subscription !== subscription);
  }

  /** Whether a request of `subscription` is waiting. */
  has(subscription: Subscription, method: "subscribe" | "unsubscribe"): boolean {
    return this.#queue.some((request) =>
      request.subscription === subscription && request.method === method
    );
  }

  /** Empties the outbox (the connection is gone). */
  clear(): void {
    this.#queue = [];
  }

  /** Halves the rate: Kraken said `Exceeded msg rate` at `now`. */
  slowDown(now: number): void {
    this.#rate = Math.max(MIN_RATE, this.#rate / 2);
    this.#slowedAt = now;
  }

  /** A rate lowered long enough ago doubles back, one step per quiet period, to its setting. */
  #recover(now: number): void {
    if (this.#rate >= this.#maxRate || now - this.#slowedAt < RATE_RECOVERY_MS) return;
    this.#rate = Math.min(this.#maxRate, this.#rate * 2);
    this.#slowedAt = now;
  }

  /** The next request, if one may go out at `now`. */
  take(now: number): QueuedRequest | undefined {
    this.#recover(now);
    if (this.#queue.length === 0 || now - this.#lastSentAt < this.intervalMs) return undefined;
    this.#lastSentAt = now;
    return this.#queue.shift();
  }

  /** Milliseconds from `now` until the next request may go out, or undefined when none waits. */
  waitMs(now: number): number | undefined {
    if (this.#queue.length === 0) return undefined;
    this.#recover(now);
    return Math.max(0, this.#lastSentAt + this.intervalMs - now);
  }
}
