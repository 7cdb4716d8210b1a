/**
 * The queue behind a book stream: it conflates. A book event is the whole verified top of the
 * book, so a reader that falls behind needs only the newest one per symbol, never a backlog of
 * full books; what it skipped is said by an `overflow` gap, and lifecycle events are kept.
 *
 * @module
 */

import type { BookEvent, GapEvent, KrakenEvent } from "../core/events.ts";
import { Fifo } from "../core/fifo.ts";
import { EventStream } from "./event_stream.ts";

/** The gap this queue makes in place of what it skipped. */
type OverflowGap = Extract<GapEvent, { reason: "overflow" }>;

/** One place in the queue; a book replaced by a newer one leaves its slot empty or a gap. */
interface Slot {
  event: KrakenEvent | undefined;
}

/**
 * A book stream's queue: at most one book per symbol, plus lifecycle events (gaps, states,
 * errors) in order, never dropped up to `controlLimit`. When a book arrives while an older book
 * of its symbol is still unread, the older one turns into an `overflow` gap, in its place and
 * with its `seq`, counting every book skipped there until the reader gets to it; the newest book
 * goes to the back, with no `changes` (the reader missed some: it takes that book whole). So `seq`
 * only increases within the stream, every skipped book is counted, and memory is bounded by the
 * symbols and the limit, not by how slow the reader is.
 *
 * @example
 * ```ts
 * import { BookStreamQueue } from "@kraken-ws/sdk/extended";
 * import type { BookEvent } from "@kraken-ws/sdk";
 *
 * const book = (seq: number): BookEvent => ({
 *   type: "book", symbol: "BTC/USD", bids: [], asks: [], checksum: 0, snapshot: false,
 *   validated: true, changes: [], seq, time: seq,
 * });
 * const queue = new BookStreamQueue(256);
 * const stream = queue.readable(() => {});
 * for (let seq = 1; seq <= 4; seq++) queue.push(book(seq));
 * queue.end();
 * for await (const event of stream) {
 *   console.log(event.type, event.seq); // "gap 1" (dropped: 3), then "book 4"
 * }
 * ```
 */
export class BookStreamQueue extends EventStream<KrakenEvent> {
  readonly #controlLimit: number;
  readonly #onOverflow: ((gap: GapEvent) => void) | undefined;
  readonly #slots = new Fifo<Slot>();
  /** The unread book of each symbol. */
  readonly #books = new Map<string, Slot>();
  /** The unread overflow gap of each symbol (and of lifecycle events, under ""). */
  readonly #gaps = new Map<string, Slot>();
  #size = 0;
  #control = 0;

  /**
   * Creates an empty queue.
   *
   * @param controlLimit Lifecycle events held at most; past it they too become an overflow gap.
   * @param onOverflow Told of each overflow gap as it is delivered, with its final count.
   */
  constructor(controlLimit: number, onOverflow?: (gap: GapEvent) => void) {
    super();
    this.#controlLimit = Math.max(1, Math.floor(controlLimit));
    this.#onOverflow = onOverflow;
  }

  /** Events waiting to be read (skipped books count once, as their gap). */
  get size(): number {
    return this.#size;
  }

  /** Adds a book; an unread older book of its symbol becomes (or joins) an overflow gap. */
  push(event: BookEvent): void {
    if (this.ended) return;
    const symbol = event.symbol;
    const older = this.#books.get(symbol);
    let newest: BookEvent = event;
    if (older !== undefined) {
      this.#skip(symbol, older, older.event!);
      // The reader missed the changes in between: it takes this book whole (no changes).
      if (event.changes.length > 0) newest = { ...event, changes: [] };
    }
    const slot: Slot = { event: newest };
    this.#books.set(symbol, slot);
    this.#append(slot);
  }

  /** Adds a lifecycle event; past the limit it is counted in an overflow gap instead. */
  pushControl(event: KrakenEvent): void {
    if (this.ended) return;
    if (this.#control >= this.#controlLimit) {
      const held = this.#gaps.get("");
      if (held !== undefined) {
        this.#skip("", held, event);
        return;
      }
      const slot: Slot = { event };
      this.#append(slot);
      this.#skip("", slot, event);
      return;
    }
    this.#control++;
    this.#append({ event });
  }

  /**
   * `slot` held `skipped`, which the reader will not get: the unread gap of `key` counts one
   * more, or `slot` becomes that gap, in the skipped event's place and with its `seq`.
   */
  #skip(key: string, slot: Slot, skipped: KrakenEvent): void {
    const gap = this.#gaps.get(key);
    if (gap !== undefined && gap !== slot) {
      const counted = gap.event as OverflowGap;
      gap.event = { ...counted, dropped: counted.dropped + 1 };
      slot.event = undefined;
      this.#size--;
      return;
    }
    if (gap === slot) {
      const counted = gap.event as OverflowGap;
      gap.event = { ...counted, dropped: counted.dropped + 1 };
      return;
    }
    slot.event = {
      type: "gap",
      reason: "overflow",
      dropped: 1,
      channel: "book",
      ...(key === "" ? {} : { symbol: key }),
      seq: skipped.seq,
      time: skipped.time,
    };
    this.#gaps.set(key, slot);
  }

  #append(slot: Slot): void {
    this.#slots.push(slot);
    this.#size++;
    this.wake();
  }

  /** The next event to deliver, or undefined when none is waiting. */
  protected next(): KrakenEvent | undefined {
    let slot = this.#slots.shift();
    while (slot !== undefined && slot.event === undefined) slot = this.#slots.shift();
    if (slot === undefined) return undefined;
    const event = slot.event!;
    this.#size--;
    if (event.type === "book") {
      if (this.#books.get(event.symbol) === slot) this.#books.delete(event.symbol);
      return event;
    }
    const key = event.type === "gap" && event.reason === "overflow" ? event.symbol ?? "" : "";
    if (this.#gaps.get(key) === slot) {
      // A gap this queue made (from a book, or past the limit): it was never a held event.
      this.#gaps.delete(key);
      this.#onOverflow?.(event as GapEvent);
    } else {
      this.#control--;
    }
    return event;
  }

  /** Lets go of everything held: the reader cancelled. */
  protected discard(): void {
    this.#slots.clear();
    this.#books.clear();
    this.#gaps.clear();
    this.#size = 0;
    this.#control = 0;
  }
}
