/**
 * The outbox of subscribe and unsubscribe requests, sent no faster than a rate: Kraken answers a
 * burst with `Exceeded msg rate`, and then the rate is halved. Requests that differ only in their
 * symbol leave together, as one request naming every symbol (Kraken's `symbol` is a list).
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

  /** Whether a request of a subscription with this key is waiting. */
  hasKey(key: string): boolean {
    return this.#queue.some((request) => request.subscription.key === key);
  }

  /** Empties the outbox (the connection is gone). */
  clear(): void {
    this.#queue = [];
  }

  /**
   * Halves the rate: Kraken said `Exceeded msg rate` at `now`. Once per pacing interval: the
   * answers for every symbol of one request are one refusal.
   */
  slowDown(now: number): void {
    if (now - this.#slowedAt < this.intervalMs) return;
    this.#rate = Math.max(MIN_RATE, this.#rate / 2);
    this.#slowedAt = now;
  }

  /** A rate lowered long enough ago doubles back, one step per quiet period, to its setting. */
  #recover(now: number): void {
    if (this.#rate >= this.#maxRate || now - this.#slowedAt < RATE_RECOVERY_MS) return;
    this.#rate = Math.min(this.#maxRate, this.#rate * 2);
    this.#slowedAt = now;
  }

  /**
   * The next request, if one may go out at `now`: the oldest queued whose key (channel, symbol,
   * interval) has no request on the wire, with every later one of the same kind (`kindOf`:
   * method, channel and parameters but the symbol), up to `maxBatch`. A request never overtakes
   * an earlier one of its key, and waits while one of them is on the wire: a resync's subscribe
   * goes out once its unsubscribe is answered, and a key never has more than one request
   * unanswered, so an answer always speaks of the request last sent.
   *
   * @param now Client time.
   * @param maxBatch The most subscriptions one request carries, or how many for a batch that
   *   starts with a given request.
   * @param kindOf What requests must share to go out together.
   * @param onWire The keys with a request on the wire.
   * @returns The requests that go out as one, or undefined when none may go now.
   */
  take(
    now: number,
    maxBatch: number | ((first: QueuedRequest) => number),
    kindOf: (request: QueuedRequest) => string,
    onWire: ReadonlySet<string>,
  ): QueuedRequest[] | undefined {
    this.#recover(now);
    if (now < this.#lastSentAt + this.intervalMs) return undefined;
    const first = this.#queue.find((request) => !onWire.has(request.subscription.key));
    if (first === undefined) return undefined;
    this.#lastSentAt = now;
    const kind = kindOf(first);
    const most = typeof maxBatch === "number" ? maxBatch : maxBatch(first);
    const batch: QueuedRequest[] = [];
    const rest: QueuedRequest[] = [];
    const waiting = new Set<string>(onWire);
    for (const request of this.#queue) {
      const key = request.subscription.key;
      const joins = batch.length < most && !waiting.has(key) && kindOf(request) === kind;
      if (joins) batch.push(request);
      else {
        rest.push(request);
        waiting.add(key);
      }
    }
    this.#queue = rest;
    return batch;
  }

  /**
   * Milliseconds from `now` until the next request may go out, or undefined when none may: none
   * waits, or every one waits for an answer (which pumps again).
   *
   * @param now Client time.
   * @param onWire The keys with a request on the wire.
   * @returns The wait, or undefined.
   */
  waitMs(now: number, onWire: ReadonlySet<string>): number | undefined {
    if (!this.#queue.some((request) => !onWire.has(request.subscription.key))) return undefined;
    this.#recover(now);
    // Whole milliseconds, rounded up: an interval like 1000 / 3 would otherwise leave a wait of
    // a float's rounding error, and a timer of 0 ms that finds it still too early, forever.
    return Math.max(0, Math.ceil(this.#lastSentAt + this.intervalMs - now));
  }
}
