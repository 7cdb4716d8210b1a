/**
 * The bounded queue behind every stream the client hands out, and the `ReadableStream` reading
 * from it. The stream pulls one event per read (high-water mark 0), so this queue is the only
 * buffer, and it never grows past its bound.
 *
 * @module
 */

import type { KrakenEvent } from "../core/events.ts";
import { Fifo } from "../core/fifo.ts";
import { EventStream } from "./event_stream.ts";

/** Lifecycle events a stream holds aside while its data overflows; more count as dropped. */
export const MAX_HELD_CONTROL = 256;

/**
 * What the queue asks of its owner when it recovers from an overflow: the events to deliver
 * first, in order: the `overflow` gap.
 *
 * @example
 * ```ts
 * import type { OverflowRecovery } from "@kraken-ws/sdk/extended";
 * const recover: OverflowRecovery = (dropped) => [];
 * console.log(recover(3).length);
 * ```
 */
export type OverflowRecovery = (dropped: number) => KrakenEvent[];

/**
 * A bounded FIFO of events with explicit overflow. When full, new events are dropped and
 * counted; once the reader has drained what was queued, the queue delivers what `recover` makes
 * (a `gap` event saying how many were dropped), then goes on. (Book streams conflate instead: see
 * `BookStreamQueue`.)
 * Nothing is lost silently, and `seq` stays increasing within the stream: the lifecycle events
 * held aside come first (they are older), then the recovery events, made at that moment.
 *
 * @example
 * ```ts
 * import { StreamQueue } from "@kraken-ws/sdk/extended";
 * const queue = new StreamQueue(2, (dropped) => [
 *   { type: "gap", reason: "overflow", dropped, seq: 99, time: 0 },
 * ]);
 * const stream = queue.readable(() => {});
 * for (let seq = 1; seq <= 4; seq++) {
 *   queue.push({ type: "gap", reason: "decode", seq, time: 0 });
 * }
 * queue.end();
 * for await (const event of stream) console.log(event.seq); // 1, 2, 99 (with dropped: 2)
 * ```
 */
export class StreamQueue<E extends KrakenEvent = KrakenEvent> extends EventStream<E> {
  readonly #capacity: number;
  readonly #recover: OverflowRecovery;
  readonly #items = new Fifo<E>();
  #dropped = 0;
  /** Lifecycle events that came while data overflowed: delivered, not dropped. */
  #control: E[] = [];

  /**
   * Creates an empty queue.
   *
   * @param capacity The most events held at once (at least 1).
   * @param recover Makes the events delivered after an overflow.
   */
  constructor(capacity: number, recover: OverflowRecovery) {
    super();
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#recover = recover;
  }

  /** Events waiting to be read. */
  get size(): number {
    return this.#items.size;
  }

  /** Events dropped since the last recovery. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds an event, or drops and counts it when the queue is full or recovering. */
  push(event: E): void {
    if (this.ended) return;
    if (this.#overflowing || this.size >= this.#capacity) {
      this.#dropped++;
      return;
    }
    this.#items.push(event);
    this.wake();
  }

  /**
   * Adds a lifecycle event (a gap, an error, a state change): when data overflows it is kept
   * aside, up to {@link MAX_HELD_CONTROL}, and delivered before the overflow's gap, so a
   * subscription's rejection or a checksum gap is never lost to a slow reader.
   */
  pushControl(event: E): void {
    if (this.ended) return;
    if (!this.#overflowing && this.size < this.#capacity) {
      this.#items.push(event);
      this.wake();
    } else if (this.#control.length < MAX_HELD_CONTROL) {
      this.#control.push(event);
    } else {
      this.#dropped++;
    }
  }

  get #overflowing(): boolean {
    return this.#dropped > 0 || this.#control.length > 0;
  }

  /** The next event to deliver, or undefined when none is waiting. */
  protected next(): E | undefined {
    // Loss is reported even when the stream is about to end: first the lifecycle events held
    // meanwhile (older than any recovery), then the gap, then what the owner adds (a book).
    if (this.size === 0 && this.#overflowing) {
      const dropped = this.#dropped;
      const control = this.#control;
      this.#dropped = 0;
      this.#control = [];
      this.#items.push(...control);
      if (dropped > 0) this.#items.push(...this.#recover(dropped) as E[]);
    }
    return this.#items.shift();
  }

  /** Lets go of everything held: the reader cancelled. */
  protected discard(): void {
    this.#dropped = 0;
    this.#control = [];
    this.#items.clear();
  }
}
