/**
 * The bounded queue behind every stream the client hands out, and the `ReadableStream` reading
 * from it. The stream pulls one event per read (high-water mark 0), so this queue is the only
 * buffer, and it never grows past its bound.
 *
 * @module
 */

import type { KrakenEvent } from "../core/events.ts";
import { Fifo } from "../core/fifo.ts";

/** Lifecycle events a stream holds aside while its data overflows; more count as dropped. */
export const MAX_HELD_CONTROL = 256;

/**
 * What the queue asks of its owner when it recovers from an overflow: the events to deliver
 * first, in order: an `overflow` gap, and for a book stream the current book.
 *
 * @example
 * ```ts
 * import type { OverflowRecovery } from "./stream_queue.ts";
 * const recover: OverflowRecovery = (dropped) => [];
 * console.log(recover(3).length);
 * ```
 */
export type OverflowRecovery = (dropped: number) => KrakenEvent[];

/**
 * A bounded FIFO of events with explicit overflow. When full, new events are dropped and
 * counted; once the reader has drained what was queued, the queue delivers what `recover` makes
 * (a `gap` event saying how many were dropped, and a fresh book for book streams), then goes on.
 * Nothing is lost silently, and `seq` stays increasing within the stream, because the recovery
 * events are made at that moment.
 *
 * @example
 * ```ts
 * import { StreamQueue } from "./stream_queue.ts";
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
export class StreamQueue<E extends KrakenEvent = KrakenEvent> {
  readonly #capacity: number;
  readonly #recover: OverflowRecovery;
  readonly #items = new Fifo<E>();
  #dropped = 0;
  /** Lifecycle events that came while data overflowed: delivered, not dropped. */
  #control: E[] = [];
  #ended = false;
  #failure: unknown;
  #hasFailure = false;
  #controller: ReadableStreamDefaultController<E> | undefined;
  #waiting: (() => void) | undefined;
  #cancelled = false;

  /**
   * Creates an empty queue.
   *
   * @param capacity The most events held at once (at least 1).
   * @param recover Makes the events delivered after an overflow.
   */
  constructor(capacity: number, recover: OverflowRecovery) {
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

  /** Whether the stream was ended or failed. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds an event, or drops and counts it when the queue is full or recovering. */
  push(event: E): void {
    if (this.#ended) return;
    if (this.#overflowing || this.size >= this.#capacity) {
      this.#dropped++;
      return;
    }
    this.#items.push(event);
    this.#wake();
  }

  /**
   * Adds a lifecycle event (a gap, an error, a state change): when data overflows it is kept
   * aside, up to {@link MAX_HELD_CONTROL}, and delivered with the overflow's gap, so a
   * subscription's rejection or a checksum gap is never lost to a slow reader.
   */
  pushControl(event: E): void {
    if (this.#ended) return;
    if (!this.#overflowing && this.size < this.#capacity) {
      this.#items.push(event);
      this.#wake();
    } else if (this.#control.length < MAX_HELD_CONTROL) {
      this.#control.push(event);
    } else {
      this.#dropped++;
    }
  }

  get #overflowing(): boolean {
    return this.#dropped > 0 || this.#control.length > 0;
  }

  /** Ends the stream once what is queued has been read. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Fails the stream with `error` once what is queued has been read. */
  fail(error: unknown): void {
    this.#failure = error;
    this.#hasFailure = true;
    this.end();
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }

  /** Delivers one event, waiting for one if none is queued. */
  #pull(): Promise<void> | void {
    // A cancelled stream takes nothing more: its controller would throw.
    if (this.#cancelled) return;
    const controller = this.#controller!;
    // Loss is reported even when the stream is about to end: first the gap, then the lifecycle
    // events held meanwhile, then what the owner adds (the newest book).
    if (this.size === 0 && this.#overflowing) {
      const dropped = this.#dropped;
      const control = this.#control;
      this.#dropped = 0;
      this.#control = [];
      const [gap, ...rest] = dropped > 0 ? this.#recover(dropped) as E[] : [];
      this.#items.push(...(gap === undefined ? [] : [gap]), ...control, ...rest);
    }
    const event = this.#items.shift();
    if (event !== undefined) {
      controller.enqueue(event);
      return;
    }
    if (this.#ended) {
      if (this.#hasFailure) controller.error(this.#failure);
      else controller.close();
      return;
    }
    return new Promise<void>((resolve) => {
      this.#waiting = () => {
        resolve();
        this.#pull();
      };
    });
  }

  /**
   * The stream reading this queue. Call once.
   *
   * @param onCancel Called when the reader cancels the stream.
   * @returns The stream.
   */
  readable(onCancel: () => void): ReadableStream<E> {
    return new ReadableStream<E>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#pull(),
      cancel: () => {
        this.#cancelled = true;
        this.#ended = true;
        this.#dropped = 0;
        this.#control = [];
        this.#items.clear();
        this.#wake();
        onCancel();
      },
    }, { highWaterMark: 0 });
  }
}
