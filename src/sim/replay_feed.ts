/**
 * Replay mode: the simulator serves a recorded file as if it were Kraken now. The recording plays
 * once, on one timeline shared by every connection, at its own pace or faster; each connection
 * gets the recorded frames of what it subscribed to, exactly as recorded. A book subscribed after
 * its recorded snapshot went by gets a snapshot made from the recording's book at that moment.
 *
 * @module
 */

import { BOOK_DEPTHS, type BookDepth, OrderBook } from "../book/order_book.ts";
import { parseRecordingLine } from "../recording/recording_line.ts";
import { decode } from "../protocol/decode.ts";
import type { DecodeError, KrakenMessage, Trade } from "../protocol/messages.ts";
import type { FeedSession, SimFeed } from "./feed.ts";
import {
  ackFrame,
  connectionIdAt,
  errorFrame,
  parseSimRequest,
  pongFrame,
  statusFrame,
} from "./requests.ts";
import { levelsJson, type SimFrame, type SimSubscription } from "./sim_session.ts";

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

function tradeJson(trade: Trade): string {
  return `{"symbol":${
    JSON.stringify(trade.symbol)
  },"side":"${trade.side}","price":${trade.priceText},"qty":${trade.qtyText},"ord_type":"${trade.ordType}","trade_id":${trade.tradeId},"timestamp":${
    JSON.stringify(trade.timestamp)
  }}`;
}

/**
 * A recorded file as a feed.
 *
 * @example
 * ```ts
 * import { ReplayFeed } from "./replay_feed.ts";
 * const feed = new ReplayFeed(['{"channel":"heartbeat"}'], Infinity);
 * console.log(feed.length); // 0: heartbeats are the server's own, not replayed
 * ```
 */
export class ReplayFeed implements SimFeed<readonly ReplayFrame[]> {
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
   * @param lines The file's lines: raw frames or recording lines.
   * @param speed 1 for the recorded pace, more to go faster, `Infinity` for no waiting.
   */
  constructor(lines: readonly string[], speed: number) {
    this.#speed = speed;
    let first: number | undefined;
    let last = 0;
    let dataSeen = false;
    let instrument: string | undefined;
    for (const line of lines) {
      if (line.trim() === "") continue;
      const recorded = parseRecordingLine(line);
      // A recording's header and event lines, and broken recording lines, hold no frame to play.
      if (recorded.kind !== "frame" && recorded.kind !== "raw") continue;
      const text = recorded.kind === "frame" ? recorded.frame : line;
      const message = decode(text);
      // A raw capture has no receive times: its data frames' exchange times are the clock.
      const at = recorded.kind === "frame" ? recorded.recv : exchangeTime(message);
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
        this.#symbols.add(key.split("|")[1]);
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

  /** A new connection's server side. */
  open(): ReplaySession {
    return new ReplaySession(this);
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
      const frame = this.#frames[this.#next++];
      this.#remember(frame);
      due.push(frame);
    }
    return due;
  }

  #remember(frame: ReplayFrame): void {
    if (frame.key === undefined) return;
    const message = decode(frame.text);
    switch (message.kind) {
      case "book": {
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
        }
        return;
      }
      case "trade":
        for (const trade of message.data) {
          const trades = this.#trades.get(trade.symbol) ?? [];
          trades.push(trade);
          if (trades.length > TRADE_SNAPSHOT_SIZE) trades.shift();
          this.#trades.set(trade.symbol, trades);
        }
        return;
      default:
        this.#latest.set(frame.key, frame.text);
    }
  }

  /** Whether the recording has `key` (channel, symbol, interval). */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Whether the recording has anything of `symbol`. */
  hasSymbol(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /** The depth `symbol`'s book was recorded at, if it was. */
  bookDepth(symbol: string): BookDepth | undefined {
    return this.#depths.get(symbol);
  }

  /** The recorded `instrument` frame, if there was one. */
  get instrument(): string | undefined {
    return this.#instrument;
  }

  /**
   * A snapshot of `symbol`'s book as recorded up to now, at most `depth` levels a side;
   * undefined until a recorded snapshot went by, and while the recorded book is invalid.
   */
  bookSnapshot(symbol: string, depth: number): string | undefined {
    const book = this.#books.get(symbol);
    if (book === undefined || book.state !== "synced") return undefined;
    const timestamp = this.#bookTimes.get(symbol);
    return `{"channel":"book","type":"snapshot","data":[{"symbol":${
      JSON.stringify(symbol)
    },"bids":[${levelsJson(book.bids(depth))}],"asks":[${
      levelsJson(book.asks(depth))
    }],"checksum":${book.checksum()}${
      timestamp === undefined ? "" : `,"timestamp":${JSON.stringify(timestamp)}`
    }}]}`;
  }

  /** The last trades of `symbol` as a snapshot frame, if any went by. */
  tradeSnapshot(symbol: string): string | undefined {
    const trades = this.#trades.get(symbol);
    if (trades === undefined || trades.length === 0) return undefined;
    return `{"channel":"trade","type":"snapshot","data":[${trades.map(tradeJson).join(",")}]}`;
  }

  /** The last recorded ticker or candle frame of `key`, as a snapshot. */
  latestSnapshot(key: string): string | undefined {
    return this.#latest.get(key)?.replace(/"type"\s*:\s*"update"/, '"type":"snapshot"');
  }
}

/**
 * Kraken's side of one connection in replay mode.
 *
 * @example
 * ```ts
 * import { ReplayFeed } from "./replay_feed.ts";
 * const session = new ReplayFeed([], 1).open();
 * const [reply] = session.receive('{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":1}', 0);
 * console.log(JSON.parse(reply.text).error); // "Currency pair not supported BTC/USD"
 * ```
 */
export class ReplaySession implements FeedSession<readonly ReplayFrame[]> {
  readonly #feed: ReplayFeed;
  readonly #subscriptions = new Map<string, SimSubscription>();
  /** Books that got their snapshot: their recorded updates are forwarded. */
  readonly #ready = new Set<string>();
  #lastSentAt = 0;
  /** Set by the first `status`. */
  #connectionId: bigint | undefined;

  /**
   * Creates the server side of a connection.
   *
   * @param feed The replay it serves.
   */
  constructor(feed: ReplayFeed) {
    this.#feed = feed;
  }

  /** Subscriptions held. */
  get subscriptions(): SimSubscription[] {
    return [...this.#subscriptions.values()];
  }

  /** The `status` frame; one connection keeps the id its first one gave. */
  status(now: number, system = "online"): SimFrame {
    this.#connectionId ??= connectionIdAt(now);
    return this.#frame(now, "status", statusFrame(now, system, this.#connectionId));
  }

  #frame(now: number, kind: SimFrame["kind"], text: string): SimFrame {
    this.#lastSentAt = now;
    return { kind, text };
  }

  /** Answers one request. */
  receive(text: string, now: number): SimFrame[] {
    const request = parseSimRequest(text, now);
    switch (request.kind) {
      case "invalid":
        return [this.#frame(now, "reply", request.reply)];
      case "ping":
        return [this.#frame(now, "reply", pongFrame(now, request.reqId))];
      case "instrument": {
        const instrument = this.#feed.instrument;
        if (instrument === undefined) {
          return [
            this.#frame(
              now,
              "reply",
              errorFrame(now, request.method, "Subscription name invalid", request.reqId),
            ),
          ];
        }
        const ack = ackFrame(
          now,
          request.method,
          { channel: "instrument", snapshot: true },
          request.reqId,
        );
        return request.method === "subscribe"
          ? [this.#frame(now, "reply", ack), this.#frame(now, "instrument", instrument)]
          : [this.#frame(now, "reply", ack)];
      }
    }
    const { method, reqId, channel, depth, interval, trigger, snapshot } = request;
    const frames: SimFrame[] = [];
    for (const symbol of request.symbols) {
      const key = channel === "ohlc" ? `ohlc|${symbol}|${interval}` : `${channel}|${symbol}`;
      const result: Record<string, unknown> = { channel, symbol };
      if (depth !== undefined) result.depth = depth;
      if (interval !== undefined) result.interval = interval;
      if (channel === "ticker") result.event_trigger = trigger;
      if (!this.#feed.hasSymbol(symbol)) {
        frames.push(
          this.#frame(
            now,
            "reply",
            errorFrame(now, method, `Currency pair not supported ${symbol}`, reqId, symbol),
          ),
        );
        continue;
      }
      if (method === "unsubscribe") {
        const known = this.#subscriptions.delete(key);
        this.#ready.delete(key);
        frames.push(
          this.#frame(
            now,
            "reply",
            known
              ? ackFrame(now, method, result, reqId)
              : errorFrame(now, method, "Subscription Not Found", reqId, symbol),
          ),
        );
        continue;
      }
      if (this.#subscriptions.has(key)) {
        frames.push(
          this.#frame(now, "reply", errorFrame(now, method, "Already subscribed", reqId, symbol)),
        );
        continue;
      }
      const recordedDepth = this.#feed.bookDepth(symbol);
      if (channel === "book" && recordedDepth !== undefined && (depth ?? 10) !== recordedDepth) {
        // The recorded updates are those of the recorded depth. A deeper book lacks the levels
        // never recorded; a shallower one lacks the levels Kraken sends as they move up into its
        // view. Either would fail its checksum: only the recorded depth can be replayed.
        frames.push(
          this.#frame(
            now,
            "reply",
            errorFrame(now, method, "Subscription depth not supported", reqId, symbol),
          ),
        );
        continue;
      }
      this.#subscriptions.set(key, {
        channel,
        symbol,
        ...(depth === undefined ? {} : { depth }),
        ...(interval === undefined ? {} : { interval }),
        ...(channel === "ticker" ? { trigger } : {}),
      });
      this.#feed.begin(now);
      frames.push(this.#frame(now, "reply", ackFrame(now, method, { ...result, snapshot }, reqId)));
      const made = !snapshot || !this.#feed.has(key)
        ? undefined
        : channel === "book"
        ? this.#feed.bookSnapshot(symbol, depth ?? 10)
        : channel === "trade"
        ? this.#feed.tradeSnapshot(symbol)
        : this.#feed.latestSnapshot(key);
      if (made !== undefined) frames.push(this.#frame(now, channel, made));
      // A book made from the recording is ready now; otherwise it waits for a recorded snapshot.
      if (channel !== "book" || made !== undefined || !snapshot) this.#ready.add(key);
    }
    return frames;
  }

  /** Forwards the recorded frames of this connection's subscriptions. */
  step(frames: readonly ReplayFrame[], now: number): SimFrame[] {
    const out: SimFrame[] = [];
    for (const frame of frames) {
      if (frame.key === undefined) {
        if (this.#subscriptions.size > 0) out.push(this.#frame(now, "reply", frame.text));
        continue;
      }
      if (!this.#subscriptions.has(frame.key)) continue;
      if (frame.snapshot) this.#ready.add(frame.key);
      if (!this.#ready.has(frame.key)) continue;
      const kind = frame.key.slice(0, frame.key.indexOf("|")) as SimFrame["kind"];
      out.push(this.#frame(now, kind, frame.text));
    }
    return out;
  }

  /** A heartbeat, when subscribed and nothing was sent for a second. */
  heartbeat(now: number): SimFrame | undefined {
    if (this.#subscriptions.size === 0 || now - this.#lastSentAt < 1000) return undefined;
    return this.#frame(now, "heartbeat", '{"channel":"heartbeat"}');
  }
}
