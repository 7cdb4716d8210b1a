/**
 * The `ReadableStream` end shared by the client's stream queues: one event per pull (high-water
 * mark 0), so the queue behind it is the only buffer, and ending or failing only once what is
 * queued has been read.
 *
 * @module
 */

import type { KrakenEvent } from "../core/events.ts";

/**
 * A queue of events read through one `ReadableStream`. Subclasses decide what is held and what
 * comes next; this class does the reading, the waiting, the end and the failure.
 *
 * @example
 * ```ts
 * import { EventStream } from "@kraken-ws/sdk/extended";
 * import type { KrakenEvent } from "@kraken-ws/sdk";
 *
 * class Plain extends EventStream {
 *   readonly items: KrakenEvent[] = [];
 *   get size(): number {
 *     return this.items.length;
 *   }
 *   protected next(): KrakenEvent | undefined {
 *     return this.items.shift();
 *   }
 *   protected discard(): void {
 *     this.items.length = 0;
 *   }
 * }
 * const queue = new Plain();
 * const stream = queue.readable(() => {});
 * queue.items.push({ type: "gap", reason: "decode", seq: 1, time: 0 });
 * queue.end();
 * for await (const event of stream) console.log(event.seq); // 1
 * ```
 */
export abstract class EventStream<E extends KrakenEvent = KrakenEvent> {
  #ended = false;
  #failure: unknown;
  #hasFailure = false;
  #controller: ReadableStreamDefaultController<E> | undefined;
  #waiting: (() => void) | undefined;
  #cancelled = false;

  /** Events waiting to be read. */
  abstract get size(): number;

  /** The next event to deliver, or undefined when none is waiting. */
  protected abstract next(): E | undefined;

  /** Lets go of everything held: the reader cancelled. */
  protected abstract discard(): void;

  /** Whether the stream was ended, failed or cancelled. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Ends the stream once what is queued has been read. */
  end(): void {
    this.#ended = true;
    this.wake();
  }

  /** Fails the stream with `error` once what is queued has been read. */
  fail(error: unknown): void {
    this.#failure = error;
    this.#hasFailure = true;
    this.end();
  }

  /** Tells a reader waiting for an event that one may be there. */
  protected wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }

  /** Delivers one event, waiting for one if none is queued. */
  #pull(): Promise<void> | void {
    // A cancelled stream takes nothing more: its controller would throw.
    if (this.#cancelled) return;
    const controller = this.#controller!;
    const event = this.next();
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
        this.discard();
        this.wake();
        onCancel();
      },
    }, { highWaterMark: 0 });
  }
}
