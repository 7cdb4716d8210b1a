/**
 * The `seq` of a client's events: one count shared by every session of the client, so events of
 * the public and the authenticated connection stay in one order.
 *
 * @module
 */

/**
 * Hands out event numbers, 1, 2, 3, …
 *
 * @example
 * ```ts
 * import { EventCounter } from "@kraken-ws/sdk/extended";
 * const counter = new EventCounter();
 * console.log(counter.next(), counter.next()); // 1 2
 * ```
 */
export class EventCounter {
  #last = 0;

  /** The next number. */
  next(): number {
    return ++this.#last;
  }
}
