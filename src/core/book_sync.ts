/**
 * Keeping each book verified: applying snapshots and updates, never showing one that failed its
 * checksum or crossed, resyncing it (at once, then with backoff), and asking again for a snapshot
 * that does not come.
 *
 * @module
 */

import { EarlyFrames } from "./early_frames.ts";
import type { BookChange } from "../book/book_side.ts";
import type { Precision } from "../book/checksum.ts";
import { Level3Book, type Level3Depth } from "../book/level3_book.ts";
import { OrderBook } from "../book/order_book.ts";
import type { BookVerdict } from "../book/order_book.ts";
import type { Level3Message, Level3Order, Level3Payload } from "../protocol/level3_messages.ts";
import type { BookMessage, BookPayload, FrameType } from "../protocol/messages.ts";
import type { UnstampedEvent } from "./events.ts";
import { resyncTimer, type SessionContext } from "./session_context.ts";
import type { Subscription } from "./subscription.ts";
import type { SubscriptionRegistry } from "./subscription_registry.ts";

/** A book frame of one pair, L2 or level 3, as it may be held until its acknowledgement. */
type HeldFrame =
  | { readonly level3: false; readonly type: FrameType; readonly payload: BookPayload }
  | { readonly level3: true; readonly type: FrameType; readonly payload: Level3Payload };

/** The most frames held for one book until its acknowledgement. */
const MAX_EARLY_FRAMES = 1000;

/** Longest wait for a snapshot, and longest delay between resyncs. */
const MAX_RESYNC_WAIT_MS = 120_000;
const RESYNC_BACKOFF_MS = 1000;

/**
 * The books of one session.
 *
 * @example
 * ```ts
 * import { BookSync } from "./book_sync.ts";
 * import { Requests } from "./requests.ts";
 * import { SessionContext } from "./session_context.ts";
 * import { SubscriptionRegistry } from "./subscription_registry.ts";
 * const context = new SessionContext();
 * const link = { connected: true, connection: 1 };
 * const registry = new SubscriptionRegistry(context, new Requests(context, link, 10, 10_000, 100), link, 60_000);
 * const books = new BookSync(context, registry, () => undefined, 10_000, 3);
 * context.begin(0);
 * const { subscription } = registry.add(1, { channel: "book", symbol: "BTC/USD", depth: 10 });
 * books.expectSnapshot(subscription);
 * console.log(subscription.snapshotDeadline); // 10000
 * ```
 */
export class BookSync {
  /** Frames that came before the acknowledgement, from the snapshot on. */
  readonly #early: EarlyFrames<HeldFrame>;
  readonly #context: SessionContext;
  readonly #registry: SubscriptionRegistry;
  readonly #snapshotTimeoutMs: number;
  readonly #immediateResyncs: number;
  readonly #precisionOf: (symbol: string) => Precision | undefined;

  /**
   * Creates the books' keeper.
   *
   * @param context The session's shared outbox.
   * @param registry The session's subscriptions.
   * @param subscribeOnWire The `req_id` of a subscription's subscribe on the wire, if any: frames
   *   before its acknowledgement are held for it.
   * @param snapshotTimeoutMs First wait for a snapshot after an acknowledgement; doubles per retry.
   * @param immediateResyncs Resyncs of a book done at once; past this they wait with backoff.
   * @param precisionOf A pair's precision, when known (from the `instrument` channel): numbers
   *   that arrive without their trailing zeros are padded to it before the checksum.
   */
  constructor(
    context: SessionContext,
    registry: SubscriptionRegistry,
    subscribeOnWire: (subscription: Subscription) => number | undefined,
    snapshotTimeoutMs: number,
    immediateResyncs: number,
    precisionOf: (symbol: string) => Precision | undefined = () => undefined,
  ) {
    this.#context = context;
    this.#registry = registry;
    this.#early = new EarlyFrames(subscribeOnWire, MAX_EARLY_FRAMES);
    this.#snapshotTimeoutMs = snapshotTimeoutMs;
    this.#immediateResyncs = immediateResyncs;
    this.#precisionOf = precisionOf;
  }

  /**
   * Kraken acknowledged a book: a fresh one, with its pair's precision when known, waits for its
   * snapshot, within a deadline.
   */
  expectSnapshot(subscription: Subscription): void {
    const symbol = subscription.symbol;
    // Only a pair's subscription has a book; `instrument` is for every pair.
    if (symbol === undefined) return;
    const options = { precision: this.#precisionOf(symbol) };
    const depth = subscription.wireDepth ?? 10;
    subscription.book = subscription.channel === "level3"
      ? new Level3Book(symbol, depth as Level3Depth, options)
      : new OrderBook(symbol, depth, options);
    subscription.snapshotWaitMs ||= this.#snapshotTimeoutMs;
    subscription.snapshotDeadline = this.#context.now + subscription.snapshotWaitMs;
  }

  /**
   * The precision of `symbol` became known, changed or was forgotten: its book pads with what is
   * known now, from its next message on.
   */
  precisionChanged(symbol: string): void {
    const precision = this.#precisionOf(symbol);
    this.#registry.get(`book|${symbol}`)?.book?.setPrecision(precision);
    this.#registry.get(`level3|${symbol}`)?.book?.setPrecision(precision);
  }

  /** Applies a book frame: each verified book is emitted, each failed one resynced. */
  apply(message: BookMessage): void {
    for (const payload of message.data) {
      const subscription = this.#registry.receive(`book|${payload.symbol}`);
      if (subscription === undefined) continue;
      const frame: HeldFrame = { level3: false, type: message.type, payload };
      if (!this.#early.holds(subscription, frame)) this.#applyFrame(subscription, frame);
    }
  }

  /** Applies a level 3 frame, as {@link BookSync.apply} does a book frame. */
  applyLevel3(message: Level3Message): void {
    for (const payload of message.data) {
      const subscription = this.#registry.receive(`level3|${payload.symbol}`);
      if (subscription === undefined) continue;
      const frame: HeldFrame = { level3: true, type: message.type, payload };
      if (!this.#early.holds(subscription, frame)) this.#applyFrame(subscription, frame);
    }
  }

  /**
   * `subscription`'s subscribe `reqId` is acknowledged and it waits for its snapshot: the frames
   * that came for that subscribe before the acknowledgement, from the snapshot on, are applied now.
   */
  acknowledged(subscription: Subscription, reqId: number): void {
    for (const frame of this.#early.take(subscription, reqId)) {
      this.#applyFrame(subscription, frame);
    }
  }

  /** `subscription`'s subscribe was refused or timed out: nothing held is for it any more. */
  subscribeFailed(subscription: Subscription): void {
    this.#early.forget(subscription);
  }

  /** The link is gone: what was held belonged to it. */
  lost(): void {
    this.#early.clear();
  }

  #applyFrame(subscription: Subscription, frame: HeldFrame): void {
    const book = subscription.book;
    if (!this.#applies(subscription, frame.type)) return;
    const snapshot = frame.type === "snapshot";
    if (!frame.level3 && book instanceof OrderBook) {
      const verdict = book.apply(frame.type, frame.payload);
      if (this.#verified(subscription, frame.type, verdict)) {
        this.#context.emit(bookEvent(book, snapshot, frame.payload.timestamp));
      }
    } else if (frame.level3 && book instanceof Level3Book) {
      const payload = frame.payload;
      const verdict = book.apply(frame.type, payload);
      if (this.#verified(subscription, frame.type, verdict)) {
        const updates = snapshot ? [] : [...payload.bids, ...payload.asks];
        this.#context.emit(level3Event(book, snapshot, payload.timestamp, updates));
      }
    }
  }

  /** Until its snapshot, a (re)subscribed book drops updates: they belong to the old book. */
  #applies(subscription: Subscription, type: FrameType): boolean {
    const state = subscription.state;
    return state === "synced" || (state === "awaiting_snapshot" && type === "snapshot");
  }

  /** What a verdict does to its subscription: true when the book may be shown. */
  #verified(subscription: Subscription, type: FrameType, verdict: BookVerdict): boolean {
    if (verdict.status !== "ok") {
      this.#resync(subscription, verdict);
      return false;
    }
    if (type === "snapshot") {
      subscription.snapshotDeadline = undefined;
      subscription.snapshotWaitMs = this.#snapshotTimeoutMs;
      this.#registry.move(subscription, "snapshot", "snapshot");
    } else {
      subscription.resyncFailures = 0;
    }
    return true;
  }

  /**
   * A frame naming the book of `symbol` could not be decoded. A lost update below the
   * checksummed top 10 would otherwise never be seen, so the book resyncs.
   */
  undecodable(symbol: string, channel: "book" | "level3" = "book"): void {
    const subscription = this.#registry.get(`${channel}|${symbol}`);
    if (subscription?.state === "synced" || subscription?.state === "awaiting_snapshot") {
      this.#registry.move(subscription, "undecodable", "undecodable frame");
      subscription.book = undefined;
      this.#registry.again(subscription);
    }
  }

  /**
   * The snapshot deadline check of each tick: a snapshot that did not come is asked for again,
   * with a doubled wait.
   *
   * @returns True when `subscription` was overdue and is being subscribed again.
   */
  overdue(subscription: Subscription): boolean {
    if (
      subscription.state !== "awaiting_snapshot" || subscription.snapshotDeadline === undefined ||
      this.#context.now < subscription.snapshotDeadline
    ) {
      return false;
    }
    subscription.snapshotWaitMs = Math.min(MAX_RESYNC_WAIT_MS, subscription.snapshotWaitMs * 2);
    this.#registry.move(subscription, "no_snapshot", "no snapshot");
    this.#registry.resubscribe(subscription);
    return true;
  }

  /** The backoff of the book `key` is over: it resyncs, if it still needs to. */
  resyncDue(key: string): void {
    const subscription = this.#registry.get(key);
    if (subscription?.state === "resyncing") this.#registry.again(subscription);
  }

  /** The current verified book of `subscription` as an event, or undefined when there is none. */
  current(subscription: Subscription): UnstampedEvent | undefined {
    const book = subscription.book;
    if (subscription.state !== "synced" || book === undefined || book.state !== "synced") {
      return undefined;
    }
    // A stream starting from this book takes it whole: nothing changed for it.
    return book instanceof Level3Book
      ? level3Event(book, false, undefined, [])
      : bookEvent(book, false, undefined, []);
  }

  /** A book failed validation: say so, never show it, and ask for a fresh snapshot. */
  #resync(subscription: Subscription, verdict: BookVerdict): void {
    const base = {
      type: "gap",
      channel: subscription.channel,
      symbol: subscription.symbol,
    } as const;
    if (verdict.status === "mismatch") {
      this.#context.emit({
        ...base,
        reason: "checksum",
        expected: verdict.expected,
        computed: verdict.computed,
      });
    } else if (verdict.status === "crossed") {
      this.#context.emit({ ...base, reason: "crossed" });
    } else {
      return;
    }
    const attempt = ++subscription.resyncFailures;
    this.#registry.move(subscription, "validation_failed", verdict.status, attempt);
    subscription.book = undefined;
    if (attempt <= this.#immediateResyncs) {
      this.#registry.again(subscription);
      return;
    }
    // Repeated failures: keep resyncing, with backoff, and say so in the state.
    const delay = Math.min(
      MAX_RESYNC_WAIT_MS,
      RESYNC_BACKOFF_MS * 2 ** (attempt - this.#immediateResyncs - 1),
    );
    this.#context.setTimer(resyncTimer(subscription.key), delay);
  }
}

function level3Event(
  book: Level3Book,
  snapshot: boolean,
  timestamp: string | undefined,
  updates: readonly Level3Order[],
): UnstampedEvent {
  return {
    type: "level3",
    symbol: book.symbol,
    bids: book.bids(),
    asks: book.asks(),
    updates,
    checksum: book.checksum(),
    ...(timestamp === undefined ? {} : { timestamp }),
    snapshot,
    validated: true,
  };
}

function bookEvent(
  book: OrderBook,
  snapshot: boolean,
  timestamp: string | undefined,
  changes: readonly BookChange[] = book.changes(),
): UnstampedEvent {
  return {
    type: "book",
    symbol: book.symbol,
    bids: book.bidLevels(),
    asks: book.askLevels(),
    changes,
    checksum: book.checksum(),
    ...(timestamp === undefined ? {} : { timestamp }),
    snapshot,
    validated: true,
  };
}
