/**
 * A recording as a feed: the exchange serves recorded traffic as if it were Kraken now. The
 * recording plays once, on one timeline shared by every connection, at its own pace or faster;
 * each connection gets the recorded frames of what it subscribed to, exactly as recorded. A book
 * subscribed after its recorded snapshot went by gets a snapshot made from the recording's book at
 * that moment.
 *
 * @module
 */

import { BOOK_DEPTHS, type BookDepth, OrderBook } from "../book/order_book.ts";
import { decode } from "../protocol/decode.ts";
import type { DecodeError, KrakenMessage, Trade } from "../protocol/messages.ts";
import {
  type BookOracle,
  type Feed,
  type FeedView,
  type SimFrame,
  type SimSubscription,
  subscriptionKeyOf,
} from "./feed.ts";
import { bookFrame, tradeFrame } from "./frames.ts";

/**
 * One recorded frame as read from a file: its text, and when it was received if the recording
 * says (a raw capture does not: its data frames' exchange times are its clock then).
 *
 * @example
 * ```ts
 * import type { RecordedFrame } from "./replay_feed.ts";
 * const frame: RecordedFrame = { text: '{"channel":"heartbeat"}', recv: 1_767_225_600_000 };
 * console.log(frame.recv);
 * ```
 */
export interface RecordedFrame {
  /** The frame exactly as received. */
  readonly text: string;
  /** Receive time in ms since the epoch, when known. */
  readonly recv?: number;
}

/**
 * One recorded frame on the replay's timeline.
 *
 * @example
 * ```ts
 * import type { ReplayFrame } from "./replay_feed.ts";
 * const frame: ReplayFrame = { text: '{"channel":"heartbeat"}', offsetMs: 0, key: undefined, snapshot: false };
 * console.log(frame.offsetMs);
 * ```
 */
export interface ReplayFrame {
  /** The frame exactly as recorded. */
  readonly text: string;
  /** When it plays, from the start of the recording, at speed 1. */
  readonly offsetMs: number;
  /** The subscription it belongs to (`book|BTC/USD`, `ohlc|BTC/USD|5`); undefined: every connection. */
  readonly key: string | undefined;
  /** Whether it is a snapshot. */
  readonly snapshot: boolean;
  /** For trade frames: the ids carried. */
  readonly tradeIds?: readonly number[];
  /** For book frames, once played: the recording's book after it. */
  readonly book?: BookOracle;
}

/** Kraken names the trades of a snapshot; replays give at most this many. */
const TRADE_SNAPSHOT_SIZE = 50;

/** Exchange time of a data frame, in ms, when it carries one. */
function exchangeTime(message: KrakenMessage | DecodeError): number | undefined {
  const timestamp = message.kind === "book" || message.kind === "trade"
    ? message.data[0]?.timestamp
    : undefined;
  if (timestamp === undefined) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

function keyOf(message: KrakenMessage | DecodeError): string | undefined {
  switch (message.kind) {
    case "book":
    case "trade":
    case "ticker":
      return message.data[0] === undefined
        ? undefined
        : `${message.kind}|${message.data[0].symbol}`;
    case "ohlc":
      return message.data[0] === undefined
        ? undefined
        : `ohlc|${message.data[0].symbol}|${message.data[0].interval}`;
    default:
      return undefined;
  }
}

/** The smallest depth Kraken offers that holds `levels` levels. */
function depthHolding(levels: number): BookDepth {
  return BOOK_DEPTHS.find((depth) => depth >= levels) ?? 1000;
}

/** The channel and symbol of a subscription key. */
function keyParts(key: string): { channel: SimFrame["kind"]; symbol: string } {
  const [channel, symbol] = key.split("|");
  return { channel: channel as SimFrame["kind"], symbol };
}

/**
 * A recording as a feed.
 *
 * @example
 * ```ts
 * import { ReplayFeed } from "./replay_feed.ts";
 * const feed = new ReplayFeed([{ text: '{"channel":"heartbeat"}' }], Infinity);
 * console.log(feed.length); // 0: heartbeats are the server's own, not replayed
 * ```
 */
export class ReplayFeed implements Feed<readonly ReplayFrame[]> {
  readonly #frames: ReplayFrame[] = [];
  readonly #speed: number;
  /** Keys that exist in the recording; only these can be subscribed. */
  readonly #keys = new Set<string>();
  readonly #symbols = new Set<string>();
  /** Depth of each recorded book, from its acknowledgement or its snapshot. */
  readonly #depths = new Map<string, BookDepth>();
  readonly #instrument: string | undefined;
  /** The recording's state at the current point of the timeline. */
  readonly #books = new Map<string, OrderBook>();
  readonly #bookTimes = new Map<string, string>();
  readonly #trades = new Map<string, Trade[]>();
  readonly #latest = new Map<string, string>();
  #startedAt: number | undefined;
  #next = 0;

  /**
   * Reads a recording.
   *
   * @param recorded The recorded frames, in the order received.
   * @param speed 1 for the recorded pace, more to go faster, `Infinity` for no waiting.
   */
  constructor(recorded: readonly RecordedFrame[], speed: number) {
    this.#speed = speed;
    let first: number | undefined;
    let last = 0;
    let dataSeen = false;
    let instrument: string | undefined;
    for (const { text, recv } of recorded) {
      const message = decode(text);
      const at = recv ?? exchangeTime(message);
      if (at !== undefined) {
        first ??= at;
        last = Math.max(last, at - first);
      }
      const key = keyOf(message);
      if (message.kind === "ack" && message.result.channel === "book" && message.result.symbol) {
        const depth = BOOK_DEPTHS.find((known) => known === message.result.depth);
        if (depth !== undefined) this.#depths.set(message.result.symbol, depth);
      }
      if (message.kind === "instrument") instrument ??= text;
      if (key !== undefined) {
        dataSeen = true;
        this.#keys.add(key);
        this.#symbols.add(keyParts(key).symbol);
        if (message.kind === "book" && message.type === "snapshot") {
          const [payload] = message.data;
          const symbol = payload.symbol;
          if (!this.#depths.has(symbol)) {
            this.#depths.set(
              symbol,
              depthHolding(Math.max(payload.bids.length, payload.asks.length)),
            );
          }
        }
      }
      // Heartbeats, pongs and answers to the recorder's requests are the server's own business;
      // a status before any data is the one every connection gets on connect anyway.
      const replayed = key !== undefined || message.kind === "unknown" ||
        message.kind === "decodeError" || (message.kind === "status" && dataSeen);
      if (!replayed) continue;
      this.#frames.push({
        text,
        offsetMs: last,
        key,
        snapshot: "type" in message && message.type === "snapshot",
        ...(message.kind === "trade"
          ? { tradeIds: message.data.map((trade) => trade.tradeId) }
          : {}),
      });
    }
    this.#instrument = instrument;
  }

  /** Frames the replay will play. */
  get length(): number {
    return this.#frames.length;
  }

  /** Whether every frame has played. */
  get finished(): boolean {
    return this.#next >= this.#frames.length;
  }

  /** Every subscription the recording can serve: each recorded channel and symbol. */
  get subscriptions(): SimSubscription[] {
    return [...this.#keys].map((key) => {
      const [channel, symbol, interval] = key.split("|");
      switch (channel) {
        case "book":
          return { channel, symbol, depth: this.#depths.get(symbol) ?? 10 };
        case "ohlc":
          return { channel, symbol, interval: Number(interval) };
        default:
          return { channel: channel as "trade" | "ticker", symbol };
      }
    });
  }

  /** Whether the recording has anything of `symbol`. */
  hasSymbol(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /**
   * Only the recorded depth of a book can be replayed: the recorded updates are those of that
   * depth. A deeper book lacks the levels never recorded; a shallower one lacks the levels Kraken
   * sends as they move up into its view. Either would fail its checksum.
   */
  refusal(subscription: SimSubscription): string | undefined {
    if (subscription.channel !== "book") return undefined;
    const recorded = this.#depths.get(subscription.symbol);
    return recorded !== undefined && (subscription.depth ?? 10) !== recorded
      ? "Subscription depth not supported"
      : undefined;
  }

  /** The recorded `instrument` frame, if there was one. */
  instrument(): string | undefined {
    return this.#instrument;
  }

  /** A new connection's view. */
  view(): ReplayView {
    return new ReplayView(this);
  }

  /** The timeline starts at the first subscription any connection makes. */
  begin(now: number): void {
    this.#startedAt ??= now;
  }

  /** The frames whose time has come, applied to the replay's own state first. */
  advance(now: number): readonly ReplayFrame[] {
    if (this.#startedAt === undefined) return [];
    // At speed Infinity all is due at once, from the first moment on (0 × Infinity is NaN).
    const elapsed = this.#speed === Infinity ? Infinity : (now - this.#startedAt) * this.#speed;
    const due: ReplayFrame[] = [];
    while (this.#next < this.#frames.length && this.#frames[this.#next].offsetMs <= elapsed) {
      due.push(this.#remember(this.#frames[this.#next++]));
    }
    return due;
  }

  /** Applies a frame to the replay's state; a book frame comes back with the book after it. */
  #remember(frame: ReplayFrame): ReplayFrame {
    if (frame.key === undefined) return frame;
    const message = decode(frame.text);
    switch (message.kind) {
      case "book": {
        let oracle: BookOracle | undefined;
        for (const payload of message.data) {
          let book = this.#books.get(payload.symbol);
          if (book === undefined) {
            book = new OrderBook(payload.symbol, this.#depths.get(payload.symbol) ?? 10);
            this.#books.set(payload.symbol, book);
          }
          book.apply(message.type, payload);
          if (payload.timestamp !== undefined) {
            this.#bookTimes.set(payload.symbol, payload.timestamp);
          }
          oracle = this.#oracle(payload.symbol, message.type === "snapshot");
        }
        return oracle === undefined ? frame : { ...frame, book: oracle };
      }
      case "trade":
        for (const trade of message.data) {
          const trades = this.#trades.get(trade.symbol) ?? [];
          trades.push(trade);
          if (trades.length > TRADE_SNAPSHOT_SIZE) trades.shift();
          this.#trades.set(trade.symbol, trades);
        }
        return frame;
      default:
        this.#latest.set(frame.key, frame.text);
        return frame;
    }
  }

  /** The recorded book of `symbol` now, while it is valid. */
  #oracle(symbol: string, snapshot: boolean): BookOracle | undefined {
    const book = this.#books.get(symbol);
    if (book === undefined || book.state !== "synced") return undefined;
    return {
      snapshot,
      depth: book.depth,
      bids: book.bids(),
      asks: book.asks(),
      checksum: book.checksum(),
    };
  }

  /** Whether the recording has `key` (channel, symbol, interval). */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /**
   * A snapshot of `symbol`'s book as recorded up to now, at most `depth` levels a side;
   * undefined until a recorded snapshot went by, and while the recorded book is invalid.
   */
  bookSnapshot(symbol: string, depth: number): SimFrame | undefined {
    const book = this.#books.get(symbol);
    if (book === undefined || book.state !== "synced") return undefined;
    const bids = book.bids(depth);
    const asks = book.asks(depth);
    const checksum = book.checksum();
    return {
      kind: "book",
      symbol,
      book: { snapshot: true, depth, bids, asks, checksum },
      text: bookFrame("snapshot", {
        symbol,
        bids,
        asks,
        checksum,
        timestamp: this.#bookTimes.get(symbol),
      }),
    };
  }

  /** The last trades of `symbol` as a snapshot frame, if any went by. */
  tradeSnapshot(symbol: string): SimFrame | undefined {
    const trades = this.#trades.get(symbol);
    if (trades === undefined || trades.length === 0) return undefined;
    return {
      kind: "trade",
      symbol,
      tradeIds: trades.map((trade) => trade.tradeId),
      text: tradeFrame("snapshot", trades),
    };
  }

  /** The last recorded ticker or candle frame of `key`, as a snapshot. */
  latestSnapshot(key: string): SimFrame | undefined {
    const text = this.#latest.get(key)?.replace(/"type"\s*:\s*"update"/, '"type":"snapshot"');
    if (text === undefined) return undefined;
    const { channel, symbol } = keyParts(key);
    return { kind: channel, symbol, text };
  }
}

/**
 * One connection's view of a replay: the recorded frames of its subscriptions, each book's only
 * after a snapshot (recorded or made up) went to this connection.
 *
 * @example
 * ```ts
 * import { ReplayFeed } from "./replay_feed.ts";
 * const feed = new ReplayFeed([], 1);
 * console.log(feed.view().step(feed.advance(0)).length); // 0
 * ```
 */
export class ReplayView implements FeedView<readonly ReplayFrame[]> {
  readonly #feed: ReplayFeed;
  readonly #held = new Set<string>();
  /** Books that got their snapshot: their recorded updates are forwarded. */
  readonly #ready = new Set<string>();

  /**
   * Creates the view of a new connection.
   *
   * @param feed The replay it serves.
   */
  constructor(feed: ReplayFeed) {
    this.#feed = feed;
  }

  /** Starts the timeline, and makes a snapshot from the recording so far when asked. */
  subscribe(subscription: SimSubscription, snapshot: boolean, now: number): SimFrame[] {
    const key = subscriptionKeyOf(subscription);
    this.#held.add(key);
    this.#feed.begin(now);
    const { channel, symbol } = subscription;
    const made = !snapshot || !this.#feed.has(key)
      ? undefined
      : channel === "book"
      ? this.#feed.bookSnapshot(symbol, subscription.depth ?? 10)
      : channel === "trade"
      ? this.#feed.tradeSnapshot(symbol)
      : this.#feed.latestSnapshot(key);
    // A book made from the recording is ready now; otherwise it waits for a recorded snapshot.
    if (channel !== "book" || made !== undefined || !snapshot) this.#ready.add(key);
    return made === undefined ? [] : [made];
  }

  /** Forgets a subscription. */
  unsubscribe(key: string): void {
    this.#held.delete(key);
    this.#ready.delete(key);
  }

  /** Forwards the recorded frames of this connection's subscriptions. */
  step(frames: readonly ReplayFrame[]): SimFrame[] {
    const out: SimFrame[] = [];
    for (const frame of frames) {
      if (frame.key === undefined) {
        if (this.#held.size > 0) out.push({ kind: "reply", text: frame.text });
        continue;
      }
      if (!this.#held.has(frame.key)) continue;
      if (frame.snapshot) this.#ready.add(frame.key);
      if (!this.#ready.has(frame.key)) continue;
      const { channel, symbol } = keyParts(frame.key);
      out.push({
        kind: channel,
        symbol,
        text: frame.text,
        ...(frame.book === undefined ? {} : { book: frame.book }),
        ...(frame.tradeIds === undefined ? {} : { tradeIds: frame.tradeIds }),
      });
    }
    return out;
  }
}
