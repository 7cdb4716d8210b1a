/**
 * The array-backed first-in first-out queue under the client's streams and the recorder: taking
 * from the head is O(1), and the slots of taken items are given back, so the memory it holds
 * follows what it holds now, not everything that ever went through it.
 *
 * @module
 */

/**
 * Taken items before the array is cut: below this, cutting would copy more often than it saves.
 */
const MIN_TAKEN_BEFORE_COMPACTION = 64;

/**
 * A first-in first-out queue whose array holds at most twice its items or its items plus 64,
 * whichever is more. It has no bound of its own: its owner bounds what it pushes (a count for a
 * stream, bytes for the recorder).
 *
 * @example
 * ```ts
 * import { Fifo } from "@kraken-ws/sdk/extended";
 * const fifo = new Fifo<string>();
 * fifo.push("a");
 * fifo.push("b");
 * console.log(fifo.shift(), fifo.peek(), fifo.size); // a b 1
 * ```
 */
export class Fifo<T> {
  /** Items from `#head` on; slots before it were taken and are cleared to free what they held. */
  #slots: (T | undefined)[] = [];
  #head = 0;

  /** Items waiting. */
  get size(): number {
    return this.#slots.length - this.#head;
  }

  /** Array slots held: the items waiting and the taken ones not yet cut away. */
  get slots(): number {
    return this.#slots.length;
  }

  /**
   * Adds items at the tail, in order.
   *
   * @param items The items.
   */
  push(...items: T[]): void {
    this.#slots.push(...items);
  }

  /**
   * The item at the head, left in place.
   *
   * @returns The oldest item, or undefined when empty.
   */
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.#slots[this.#head];
  }

  /**
   * Takes the item at the head.
   *
   * @returns The oldest item, or undefined when empty.
   */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head++] = undefined;
    if (this.#head > MIN_TAKEN_BEFORE_COMPACTION && this.#head * 2 > this.#slots.length) {
      this.#slots = this.#slots.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Drops every item. */
  clear(): void {
    this.#slots = [];
    this.#head = 0;
  }
}
