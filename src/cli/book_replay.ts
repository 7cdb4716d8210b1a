/**
 * Replays recorded frames through the same {@link OrderBook} the client uses and reports, per
 * symbol, what verified against Kraken's checksum. The engine behind `verify`; no I/O here.
 *
 * @module
 */

import type { Precision } from "../book/checksum.ts";
import { BOOK_DEPTHS, type BookDepth, OrderBook } from "../book/order_book.ts";
import { decode } from "../protocol/decode.ts";
import type { BookPayload, DecodeError, FrameType, KrakenMessage } from "../protocol/messages.ts";

/**
 * Where a line came from.
 *
 * @example
 * ```ts
 * import type { LineRef } from "./book_replay.ts";
 * const ref: LineRef = { file: "a.ndjson", line: 3 };
 * console.log(ref.line);
 * ```
 */
export interface LineRef {
  /** File name as given. */
  readonly file: string;
  /** 1-based line number within the file. */
  readonly line: number;
}

/**
 * Counts for one symbol's book.
 *
 * @example
 * ```ts
 * import type { BookReport } from "./book_replay.ts";
 * const report: BookReport = { snapshots: 1, updates: 0, verified: 1, skipped: 0, mismatches: [], crossed: [] };
 * console.log(report.verified);
 * ```
 */
export interface BookReport {
  /** Snapshot frames seen. */
  snapshots: number;
  /** Update frames seen. */
  updates: number;
  /** Frames whose checksum matched on an uncrossed book. */
  verified: number;
  /** Frames not checked because the book was waiting for a snapshot. */
  skipped: number;
  /** Frames whose checksum did not match. */
  mismatches: (LineRef & { readonly expected: number; readonly computed: number })[];
  /** Frames after which the book was crossed (best bid at or above best ask). */
  crossed: (LineRef & { readonly bestBid: string; readonly bestAsk: string })[];
}

/**
 * The outcome of a replay; `verify --json` prints it as is.
 *
 * @example
 * ```ts
 * import { BookReplay } from "./book_replay.ts";
 * const replay = new BookReplay();
 * replay.feed('{"channel":"heartbeat"}', { file: "x", line: 1 });
 * console.log(replay.report().frames); // 1
 * ```
 */
export interface ReplayReport {
  /** Non-empty lines read. */
  frames: number;
  /** Lines that did not decode. */
  errors: (LineRef & { readonly reason: string })[];
  /** Per symbol. */
  books: Record<string, BookReport>;
}

/**
 * Builds the book for a symbol; tests swap it to prove what the real one does.
 *
 * @example
 * ```ts
 * import { OrderBook } from "../book/order_book.ts";
 * import type { BookFactory } from "./book_replay.ts";
 * const factory: BookFactory = (symbol, depth, precision) => new OrderBook(symbol, depth, { precision });
 * console.log(factory("BTC/USD", 10, undefined).depth);
 * ```
 */
export type BookFactory = (
  symbol: string,
  depth: BookDepth,
  precision: Precision | undefined,
) => OrderBook;

/**
 * Options of a {@link BookReplay}.
 *
 * @example
 * ```ts
 * import { BookReplay, type BookReplayOptions } from "./book_replay.ts";
 * const options: BookReplayOptions = { defaultDepth: 25, precision: { "BTC/USD": { price: 1, qty: 8 } } };
 * console.log(new BookReplay(options).report().frames);
 * ```
 */
export interface BookReplayOptions {
  /** Depth for a symbol whose subscribe acknowledgement is not in the input (default 10). */
  readonly defaultDepth?: BookDepth;
  /** Precision per symbol, used when no `instrument` frame in the input gives it. */
  readonly precision?: Readonly<Record<string, Precision>>;
  /** How books are built (default: the real {@link OrderBook}). */
  readonly bookFactory?: BookFactory;
}

const defaultFactory: BookFactory = (symbol, depth, precision) =>
  new OrderBook(symbol, depth, { precision });

/**
 * Feeds frames one line at a time and keeps a book per symbol.
 *
 * @example
 * ```ts
 * import { BookReplay } from "./book_replay.ts";
 * const replay = new BookReplay();
 * replay.feed(
 *   '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":100.0,"qty":1.00000000}],' +
 *     '"asks":[{"price":101.0,"qty":2.00000000}],"checksum":1424606772}]}',
 *   { file: "inline", line: 1 },
 * );
 * console.log(replay.report().books["BTC/USD"].verified, replay.passed()); // 1 true
 * ```
 */
export class BookReplay {
  #report: ReplayReport = { frames: 0, errors: [], books: {} };
  #books = new Map<string, OrderBook>();
  #depths = new Map<string, BookDepth>();
  #instrumentPrecision = new Map<string, Precision>();
  #defaultDepth: BookDepth;
  #givenPrecision: Readonly<Record<string, Precision>>;
  #factory: BookFactory;

  /**
   * Creates a replay with no books yet.
   *
   * @param options Fallback depth and precision, and the book factory.
   */
  constructor(options?: BookReplayOptions) {
    this.#defaultDepth = options?.defaultDepth ?? 10;
    this.#givenPrecision = options?.precision ?? {};
    this.#factory = options?.bookFactory ?? defaultFactory;
  }

  /**
   * Reads one line. Empty lines are ignored; anything else counts as a frame.
   *
   * @param text The line without its newline.
   * @param ref Where it came from, for the report.
   */
  feed(text: string, ref: LineRef): void {
    if (text.trim() === "") return;
    this.#report.frames++;
    this.#handle(decode(text), ref);
  }

  #handle(message: KrakenMessage | DecodeError, ref: LineRef): void {
    switch (message.kind) {
      case "decodeError":
        this.#report.errors.push({ ...ref, reason: `${message.reason}: ${message.detail}` });
        return;
      case "ack":
        if (message.result.channel === "book" && message.result.symbol !== undefined) {
          this.#noteDepth(message.result.symbol, message.result.depth, ref);
        }
        return;
      case "instrument":
        for (const pair of message.pairs) {
          const precision = { price: pair.pricePrecision, qty: pair.qtyPrecision };
          this.#instrumentPrecision.set(pair.symbol, precision);
          this.#books.get(pair.symbol)?.setPrecision(precision);
        }
        return;
      case "book":
        for (const payload of message.data) this.#applyBook(message.type, payload, ref);
        return;
      default:
        return;
    }
  }

  #noteDepth(symbol: string, depth: number | undefined, ref: LineRef): void {
    const accepted = BOOK_DEPTHS.find((known) => known === (depth ?? 10));
    if (accepted === undefined) {
      this.#report.errors.push({ ...ref, reason: `unsupported book depth ${depth} for ${symbol}` });
      return;
    }
    this.#depths.set(symbol, accepted);
  }

  #precisionOf(symbol: string): Precision | undefined {
    return this.#instrumentPrecision.get(symbol) ??
      (Object.hasOwn(this.#givenPrecision, symbol) ? this.#givenPrecision[symbol] : undefined);
  }

  #bookReport(symbol: string): BookReport {
    const books = this.#report.books;
    if (!Object.hasOwn(books, symbol)) {
      Object.defineProperty(books, symbol, {
        value: { snapshots: 0, updates: 0, verified: 0, skipped: 0, mismatches: [], crossed: [] },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return books[symbol];
  }

  #applyBook(type: FrameType, payload: BookPayload, ref: LineRef): void {
    const symbol = payload.symbol;
    const report = this.#bookReport(symbol);
    if (type === "snapshot") report.snapshots++;
    else report.updates++;
    const depth = this.#depths.get(symbol) ?? this.#defaultDepth;
    let book = this.#books.get(symbol);
    if (type === "snapshot" && (book === undefined || book.depth !== depth)) {
      book = this.#factory(symbol, depth, this.#precisionOf(symbol));
      this.#books.set(symbol, book);
    }
    if (book === undefined) {
      report.skipped++;
      return;
    }
    const verdict = book.apply(type, payload);
    switch (verdict.status) {
      case "ok":
        report.verified++;
        return;
      case "mismatch":
        report.mismatches.push({ ...ref, expected: verdict.expected, computed: verdict.computed });
        return;
      case "crossed":
        report.crossed.push({
          ...ref,
          bestBid: verdict.bestBid.priceText,
          bestAsk: verdict.bestAsk.priceText,
        });
        return;
      case "refused":
        report.skipped++;
        return;
    }
  }

  /** The report so far (a live object: copy it to keep a moment). */
  report(): ReplayReport {
    return this.#report;
  }

  /** True when every line decoded and every book frame verified. */
  passed(): boolean {
    const report = this.#report;
    if (report.errors.length > 0) return false;
    return Object.values(report.books).every((book) =>
      book.verified === book.snapshots + book.updates
    );
  }
}
