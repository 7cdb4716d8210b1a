/**
 * Replays recorded frames through the same {@link OrderBook} the client uses and reports, per
 * symbol, what verified against Kraken's checksum. The engine behind `verify`; no I/O here.
 *
 * It reads raw frames and `record`'s recordings alike (even mixed). In a recording, the client's
 * own events say where it lost data: a failure the recording marks that way is reported as
 * `marked` and does not fail the replay.
 *
 * @module
 */

import type { Precision } from "../book/checksum.ts";
import { LEVEL3_DEPTHS, Level3Book, type Level3Depth } from "../book/level3_book.ts";
import { BOOK_DEPTHS, type BookDepth, type BookVerdict, OrderBook } from "../book/order_book.ts";
import { isRecorderOverflow, parseRecordingLine, type RecordedEvent } from "./recording_line.ts";
import { decode } from "../protocol/decode.ts";
import type { Level3Payload } from "../protocol/level3_messages.ts";
import type { BookPayload, DecodeError, FrameType, KrakenMessage } from "../protocol/messages.ts";

/**
 * Where a line came from.
 *
 * @example
 * ```ts
 * import type { LineRef } from "@kraken-ws/sdk/extended";
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
 * A frame whose checksum did not match.
 *
 * @example
 * ```ts
 * import type { MismatchEntry } from "@kraken-ws/sdk/extended";
 * const entry: MismatchEntry = { file: "a", line: 9, expected: 1, computed: 2, marked: false };
 * console.log(entry.marked);
 * ```
 */
export interface MismatchEntry extends LineRef {
  /** The checksum in the frame. */
  readonly expected: number;
  /** The checksum of the book after applying it. */
  readonly computed: number;
  /**
   * True when the recording marks it: with the client's `checksum` gap for that symbol, or with
   * the recorder's overflow before that symbol's next frame, as it may have dropped that gap.
   */
  marked: boolean;
}

/**
 * A frame after which the book was crossed.
 *
 * @example
 * ```ts
 * import type { CrossedEntry } from "@kraken-ws/sdk/extended";
 * const entry: CrossedEntry = { file: "a", line: 9, bestBid: "101.0", bestAsk: "100.0", marked: true };
 * console.log(entry.bestBid);
 * ```
 */
export interface CrossedEntry extends LineRef {
  /** Best bid price text. */
  readonly bestBid: string;
  /** Best ask price text. */
  readonly bestAsk: string;
  /**
   * True when the recording marks it: with the client's `crossed` gap for that symbol, or with
   * the recorder's overflow before that symbol's next frame, as it may have dropped that gap.
   */
  marked: boolean;
}

/**
 * A line that did not decode (or that no replay can use).
 *
 * @example
 * ```ts
 * import type { ErrorEntry } from "@kraken-ws/sdk/extended";
 * const entry: ErrorEntry = { file: "a", line: 3, reason: "malformed_json: …", marked: false };
 * console.log(entry.reason);
 * ```
 */
export interface ErrorEntry extends LineRef {
  /** What was wrong. */
  readonly reason: string;
  /**
   * True when the recording marks it with the client's `decode` error or gap, or with the
   * recorder's overflow, before the next frame.
   */
  marked: boolean;
}

/**
 * Counts for one symbol's book.
 *
 * @example
 * ```ts
 * import type { BookReport } from "@kraken-ws/sdk/extended";
 * const report: BookReport = {
 *   snapshots: 1,
 *   updates: 0,
 *   verified: 1,
 *   skipped: 0,
 *   mismatches: [],
 *   crossed: [],
 *   marked: 0,
 *   skippedMarked: 0,
 * };
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
  mismatches: MismatchEntry[];
  /** Frames after which the book was crossed (best bid at or above best ask). */
  crossed: CrossedEntry[];
  /** Mismatches and crossings the recording marks. */
  marked: number;
  /**
   * Of `skipped`, the frames that waited for a snapshot after a loss the recording marks (a
   * marked failure, or the client's `reconnect`, `resubscribe` or `decode` gap for this book, or
   * the recorder's own overflow): the client did not validate them either.
   */
  skippedMarked: number;
}

/**
 * The recorder's own loss: its write queue overflowed and `dropped` lines were never written.
 *
 * @example
 * ```ts
 * import type { RecorderOverflowEntry } from "@kraken-ws/sdk/extended";
 * const entry: RecorderOverflowEntry = { file: "a", line: 40, dropped: 12 };
 * console.log(entry.dropped);
 * ```
 */
export interface RecorderOverflowEntry extends LineRef {
  /** Lines lost. */
  readonly dropped: number;
}

/**
 * The outcome of a replay; `verify --json` prints it as is.
 *
 * @example
 * ```ts
 * import { RecordingVerifier } from "@kraken-ws/sdk/extended";
 * const replay = new RecordingVerifier();
 * replay.feed('{"channel":"heartbeat"}', { file: "x", line: 1 });
 * console.log(replay.report().frames); // 1
 * ```
 */
export interface VerificationReport {
  /** Frames read: non-empty lines that are neither a recording's header nor one of its events. */
  frames: number;
  /** Lines that did not decode. */
  errors: ErrorEntry[];
  /** Per symbol. */
  books: Record<string, BookReport>;
  /** Per symbol, the level 3 books (experimental): present once a `level3` frame was read. */
  level3?: Record<string, BookReport>;
  /**
   * Where the recorder lost lines; every book, seen or not yet, then waits for its next snapshot.
   */
  recorderOverflows: RecorderOverflowEntry[];
}

/** A failed book frame waiting to learn whether the recording marks it. */
interface PendingFailure {
  readonly reason: "checksum" | "crossed";
  readonly expected: number | undefined;
  readonly entry: MismatchEntry | CrossedEntry;
  readonly report: BookReport;
}

/** Client gaps after which the client's book of that symbol starts again from a snapshot. */
const RESTARTING_GAPS: ReadonlySet<string> = new Set(["decode", "reconnect", "resubscribe"]);

/**
 * Builds the book for a symbol; tests swap it to prove what the real one does.
 *
 * @example
 * ```ts
 * import { OrderBook } from "@kraken-ws/sdk/extended";
 * import type { BookFactory } from "@kraken-ws/sdk/extended";
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
 * Options of a {@link RecordingVerifier}.
 *
 * @example
 * ```ts
 * import { RecordingVerifier, type RecordingVerifierOptions } from "@kraken-ws/sdk/extended";
 * const options: RecordingVerifierOptions = { defaultDepth: 25, precision: { "BTC/USD": { price: 1, qty: 8 } } };
 * console.log(new RecordingVerifier(options).report().frames);
 * ```
 */
export interface RecordingVerifierOptions {
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
 * Feeds lines one at a time and keeps a book per symbol. Lines may be raw frames or recording
 * lines: headers are skipped, frames unwrapped, and events read as annotations.
 *
 * @example
 * ```ts
 * import { RecordingVerifier } from "@kraken-ws/sdk/extended";
 * const replay = new RecordingVerifier();
 * replay.feed(
 *   '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":100.0,"qty":1.00000000}],' +
 *     '"asks":[{"price":101.0,"qty":2.00000000}],"checksum":1424606772}]}',
 *   { file: "inline", line: 1 },
 * );
 * console.log(replay.report().books["BTC/USD"].verified, replay.passed()); // 1 true
 * ```
 */
export class RecordingVerifier {
  #report: VerificationReport = { frames: 0, errors: [], books: {}, recorderOverflows: [] };
  /** By book key: the symbol for L2, `level3|` and the symbol for level 3. */
  #books = new Map<string, OrderBook | Level3Book>();
  /** Per book key: the last failure, until the recording marks it or the next frame settles it. */
  #pendingFailures = new Map<string, PendingFailure>();
  /** Decode errors of the last frame, until the recording marks them or a frame follows. */
  #pendingErrors: ErrorEntry[] = [];
  /** Book keys waiting for a snapshot after a loss the recording marks. */
  #markedWaits = new Set<string>();
  /**
   * Whether a book first seen from now on starts waiting as well: set once the recorder dropped
   * lines, which may have held that book's first snapshot.
   */
  #unseenBooksWait = false;
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
  constructor(options?: RecordingVerifierOptions) {
    this.#defaultDepth = options?.defaultDepth ?? 10;
    this.#givenPrecision = options?.precision ?? {};
    this.#factory = options?.bookFactory ?? defaultFactory;
  }

  /**
   * Reads one line. Empty lines and recording headers are ignored; a recording's events
   * annotate the frames before them; anything else counts as a frame.
   *
   * @param text The line without its newline.
   * @param ref Where it came from, for the report.
   */
  feed(text: string, ref: LineRef): void {
    if (text.trim() === "") return;
    const line = parseRecordingLine(text);
    switch (line.kind) {
      case "header":
        return;
      case "event":
        this.#annotate(line.event, ref);
        return;
      case "frame":
        this.#frame(line.frame, ref);
        return;
      case "raw":
        this.#frame(text, ref);
        return;
      case "invalid":
        this.#countFrame();
        this.#report.errors.push({ ...ref, reason: line.reason, marked: false });
        return;
    }
  }

  #frame(text: string, ref: LineRef): void {
    this.#countFrame();
    this.#handle(decode(text), ref);
  }

  /** Counts a frame; it settles any earlier decode error, which the recording did not mark. */
  #countFrame(): void {
    this.#report.frames++;
    this.#pendingErrors = [];
  }

  #annotate(event: RecordedEvent, ref: LineRef): void {
    if (isRecorderOverflow(event)) {
      this.#recorderOverflow(event, ref);
      return;
    }
    const reason = event.type === "gap" ? event.reason : undefined;
    if (reason === "decode" || (event.type === "error" && event.code === "decode")) {
      this.#markPendingErrors();
    }
    const symbol = typeof event.symbol === "string" ? event.symbol : undefined;
    if (symbol === undefined) return;
    const key = event.channel === "level3" ? level3Key(symbol) : symbol;
    if (reason === "checksum" || reason === "crossed") {
      const pending = this.#pendingFailures.get(key);
      const sameChecksum = reason === "crossed" || typeof event.expected !== "number" ||
        event.expected === pending?.expected;
      if (pending?.reason === reason && sameChecksum) this.#markFailure(key, pending);
    } else if (
      typeof reason === "string" && RESTARTING_GAPS.has(reason) &&
      (event.channel === "book" || event.channel === "level3")
    ) {
      this.#restart(key);
    }
  }

  /**
   * The recorder dropped lines here, and any of them may have been a book's snapshot or the
   * client's mark of the failure just before: every book, even one not seen yet, waits for its
   * next snapshot, and every failure still waiting for its mark counts as marked.
   */
  #recorderOverflow(event: RecordedEvent, ref: LineRef): void {
    const dropped = typeof event.dropped === "number" ? event.dropped : 0;
    this.#report.recorderOverflows.push({ ...ref, dropped });
    this.#markPendingErrors();
    for (const [key, pending] of this.#pendingFailures) this.#markFailure(key, pending);
    for (const symbol of Object.keys(this.#report.books)) this.#restart(symbol);
    for (const symbol of Object.keys(this.#report.level3 ?? {})) this.#restart(level3Key(symbol));
    this.#unseenBooksWait = true;
  }

  /** The recording marks the decode errors of the last frame. */
  #markPendingErrors(): void {
    for (const entry of this.#pendingErrors) entry.marked = true;
    this.#pendingErrors = [];
  }

  /** The recording marks a book's last failure: it waits for the next snapshot. */
  #markFailure(key: string, pending: PendingFailure): void {
    pending.entry.marked = true;
    pending.report.marked++;
    this.#pendingFailures.delete(key);
    this.#markedWaits.add(key);
  }

  /** The recording lost this book's data: like the client, wait for the next snapshot. */
  #restart(key: string): void {
    this.#books.delete(key);
    this.#markedWaits.add(key);
  }

  #handle(message: KrakenMessage | DecodeError, ref: LineRef): void {
    switch (message.kind) {
      case "decodeError": {
        const entry = { ...ref, reason: `${message.reason}: ${message.detail}`, marked: false };
        this.#report.errors.push(entry);
        this.#pendingErrors.push(entry);
        return;
      }
      case "ack": {
        const { channel, symbol, depth } = message.result;
        if (channel === "book" && symbol !== undefined) this.#noteDepth(symbol, depth, ref);
        if (channel === "level3" && symbol !== undefined) this.#noteLevel3Depth(symbol, depth, ref);
        return;
      }
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
      case "level3":
        for (const payload of message.data) this.#applyLevel3(message.type, payload, ref);
        return;
      default:
        return;
    }
  }

  #noteDepth(symbol: string, depth: number | undefined, ref: LineRef): void {
    const accepted = BOOK_DEPTHS.find((known) => known === (depth ?? 10));
    if (accepted === undefined) {
      this.#report.errors.push({
        ...ref,
        reason: `unsupported book depth ${depth} for ${symbol}`,
        marked: false,
      });
      return;
    }
    this.#depths.set(symbol, accepted);
  }

  #noteLevel3Depth(symbol: string, depth: number | undefined, ref: LineRef): void {
    const accepted = LEVEL3_DEPTHS.find((known) => known === (depth ?? 10));
    if (accepted === undefined) {
      this.#report.errors.push({
        ...ref,
        reason: `unsupported level3 depth ${depth} for ${symbol}`,
        marked: false,
      });
      return;
    }
    this.#depths.set(level3Key(symbol), accepted);
  }

  #precisionOf(symbol: string): Precision | undefined {
    return this.#instrumentPrecision.get(symbol) ??
      (Object.hasOwn(this.#givenPrecision, symbol) ? this.#givenPrecision[symbol] : undefined);
  }

  #bookReport(symbol: string, books: Record<string, BookReport> = this.#report.books): BookReport {
    if (!Object.hasOwn(books, symbol)) {
      Object.defineProperty(books, symbol, {
        value: {
          snapshots: 0,
          updates: 0,
          verified: 0,
          skipped: 0,
          mismatches: [],
          crossed: [],
          marked: 0,
          skippedMarked: 0,
        },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return books[symbol];
  }

  #applyBook(type: FrameType, payload: BookPayload, ref: LineRef): void {
    const symbol = payload.symbol;
    const report = this.#startFrame(symbol, symbol, type, this.#report.books);
    const depth = this.#depths.get(symbol) ?? this.#defaultDepth;
    let book = this.#books.get(symbol);
    if (type === "snapshot" && (!(book instanceof OrderBook) || book.depth !== depth)) {
      book = this.#factory(symbol, depth, this.#precisionOf(symbol));
      this.#books.set(symbol, book);
    }
    const verdict = book instanceof OrderBook
      ? book.apply(type, payload)
      : { status: "refused" as const };
    this.#judge(symbol, type, verdict, report, ref);
  }

  /** A level 3 frame: verified with a {@link Level3Book}, reported under `level3`. */
  #applyLevel3(type: FrameType, payload: Level3Payload, ref: LineRef): void {
    const symbol = payload.symbol;
    const key = level3Key(symbol);
    this.#report.level3 ??= {};
    const report = this.#startFrame(key, symbol, type, this.#report.level3);
    const fallback = LEVEL3_DEPTHS.find((known) => known === this.#defaultDepth) ?? 10;
    const depth = (this.#depths.get(key) ?? fallback) as Level3Depth;
    let book = this.#books.get(key);
    if (type === "snapshot" && (!(book instanceof Level3Book) || book.depth !== depth)) {
      book = new Level3Book(symbol, depth, { precision: this.#precisionOf(symbol) });
      this.#books.set(key, book);
    }
    const verdict = book instanceof Level3Book
      ? book.apply(type, payload)
      : { status: "refused" as const };
    this.#judge(key, type, verdict, report, ref);
  }

  /**
   * A frame of the book `key` begins: it settles the book's last failure (the client's mark came
   * before it or never), and is counted.
   */
  #startFrame(
    key: string,
    symbol: string,
    type: FrameType,
    books: Record<string, BookReport>,
  ): BookReport {
    this.#pendingFailures.delete(key);
    if (this.#unseenBooksWait && !Object.hasOwn(books, symbol)) this.#markedWaits.add(key);
    const report = this.#bookReport(symbol, books);
    if (type === "snapshot") report.snapshots++;
    else report.updates++;
    return report;
  }

  #judge(
    key: string,
    type: FrameType,
    verdict: BookVerdict | { readonly status: "refused" },
    report: BookReport,
    ref: LineRef,
  ): void {
    switch (verdict.status) {
      case "ok":
        report.verified++;
        if (type === "snapshot") this.#markedWaits.delete(key);
        return;
      case "mismatch": {
        const entry: MismatchEntry = {
          ...ref,
          expected: verdict.expected,
          computed: verdict.computed,
          marked: false,
        };
        report.mismatches.push(entry);
        this.#failed(key, report, "checksum", verdict.expected, entry);
        return;
      }
      case "crossed": {
        const entry: CrossedEntry = {
          ...ref,
          bestBid: verdict.bestBid.priceText,
          bestAsk: verdict.bestAsk.priceText,
          marked: false,
        };
        report.crossed.push(entry);
        this.#failed(key, report, "crossed", undefined, entry);
        return;
      }
      case "refused":
        report.skipped++;
        if (this.#markedWaits.has(key)) report.skippedMarked++;
        return;
    }
  }

  #failed(
    key: string,
    report: BookReport,
    reason: PendingFailure["reason"],
    expected: number | undefined,
    entry: MismatchEntry | CrossedEntry,
  ): void {
    this.#markedWaits.delete(key);
    this.#pendingFailures.set(key, { reason, expected, entry, report });
  }

  /** The report so far (a live object: copy it to keep a moment). */
  report(): VerificationReport {
    return this.#report;
  }

  /**
   * True when every line decoded and every book frame verified, except where the recording marks
   * the failure or the loss before it.
   */
  passed(): boolean {
    const report = this.#report;
    if (report.errors.some((error) => !error.marked)) return false;
    return [...Object.values(report.books), ...Object.values(report.level3 ?? {})].every((book) =>
      book.verified + book.marked + book.skippedMarked === book.snapshots + book.updates
    );
  }
}

/** The key of a level 3 book among the verifier's books, apart from the L2 book of its symbol. */
function level3Key(symbol: string): string {
  return `level3|${symbol}`;
}
