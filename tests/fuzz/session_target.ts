/**
 * The session target: a `Session` driven by a seeded world. Callers subscribe and unsubscribe
 * with valid values and with values outside the declared types (a depth of 7 or "10", a symbol of
 * 42, an interval of 2, a trigger "x", missing fields); a server answers in any order, twice, never,
 * without or with a wrong `req_id`, at a depth or interval nobody asked for, refuses, sends books
 * (with wrong checksums now and then), trades, tickers, candles, heartbeats, statuses, mutated and
 * random frames, and drops the link; sockets open and close late; time runs in virtual
 * milliseconds and timers fire as a driver would fire them; a caller stops the session late in the
 * run. Every input is checked by {@link SessionOracle}.
 *
 * @module
 */

import { BOOK_DEPTHS } from "../../src/book/order_book.ts";
import {
  Session,
  type SessionEffect,
  type SessionInput,
  type SessionOptions,
} from "../../src/core/session.ts";
import { OHLC_INTERVALS, type SubscriptionRequest } from "../../src/core/subscription.ts";
import { decode } from "../../src/protocol/decode.ts";
import { bookFrameText, type Market, snapshotSide, updateSide } from "./book_frames.ts";
import { BookModel } from "./book_model.ts";
import { recordedFrames, templateFrame } from "./corpus.ts";
import { writeRaw } from "./json_tree.ts";
import { mutateText, randomText } from "./mutators.ts";
import type { Rng } from "./random.ts";
import { type FuzzOptions, type FuzzResult, runLives, type Tally } from "./report.ts";
import { SessionOracle, type Validity, viewOf } from "./session_oracle.ts";

/** Settings of the session target. */
export interface SessionFuzzOptions extends FuzzOptions {
  /** Inputs per session (default {@link SESSION_STEPS}). */
  readonly steps?: number;
  /**
   * Rewrites the session's effects before the oracle and the world see them: the oracle's own
   * tests tamper with a correct session this way.
   */
  readonly tamper?: (input: SessionInput, effects: SessionEffect[]) => SessionEffect[];
  /** Makes the session under test (default: `new Session(options)`). */
  readonly session?: (options: SessionOptions) => Session;
}

/** Sessions per seed when `--cases` is not given. */
export const SESSION_CASES = 1;
/** Inputs per session. */
export const SESSION_STEPS = 800;

const SYMBOLS = ["BTC/USD", "ETH/USD", "XBT/USD"];

/** A caller's request, and whether the documented checks accept it. */
interface CallerRequest {
  readonly request: unknown;
  readonly validity: Validity;
}

function validRequest(rng: Rng): SubscriptionRequest | { readonly channel: "instrument" } {
  const symbol = rng.pick(SYMBOLS);
  switch (rng.int(6)) {
    case 0:
    case 1:
      return { channel: "book", symbol, depth: rng.pick(BOOK_DEPTHS) };
    case 2:
      return rng.chance(0.5)
        ? { channel: "trade", symbol }
        : { channel: "trade", symbol, snapshot: rng.chance(0.5) };
    case 3:
      return { channel: "ticker", symbol, trigger: rng.pick(["trades", "bbo"] as const) };
    case 4:
      return { channel: "ohlc", symbol, interval: rng.pick(OHLC_INTERVALS) };
    default:
      return rng.chance(0.7) ? { channel: "instrument" } : { channel: "book", symbol, depth: 10 };
  }
}

/** Requests a JavaScript caller can build that the checks must refuse. */
const INVALID: readonly (() => unknown)[] = [
  () => ({ channel: "book", symbol: "BTC/USD", depth: 7 }),
  () => ({ channel: "book", symbol: "BTC/USD", depth: "10" }),
  () => ({ channel: "book", symbol: "BTC/USD", depth: 10.5 }),
  () => ({ channel: "book", symbol: "BTC/USD", depth: Number.NaN }),
  () => ({ channel: "book", symbol: "BTC/USD" }),
  () => ({ channel: "book", symbol: 42, depth: 10 }),
  () => ({ channel: "book", depth: 10 }),
  () => ({ channel: "book", symbol: "", depth: 10 }),
  () => ({ channel: "book", symbol: "BTC/USD".repeat(20), depth: 10 }),
  () => ({ channel: "trade", symbol: "BTC\u0000USD" }),
  () => ({ channel: "trade", symbol: null }),
  () => ({ channel: "trade", symbol: ["BTC/USD"] }),
  () => ({ channel: "trade", symbol: "BTC/USD", snapshot: "yes" }),
  () => ({ channel: "ohlc", symbol: "BTC/USD", interval: 2 }),
  () => ({ channel: "ohlc", symbol: "BTC/USD", interval: "60" }),
  () => ({ channel: "ohlc", symbol: "BTC/USD" }),
  () => ({ channel: "ticker", symbol: "BTC/USD", trigger: "x" }),
  () => ({ channel: "ticker", symbol: "BTC/USD" }),
  () => ({ channel: "nope", symbol: "BTC/USD" }),
  () => ({ channel: 42 }),
  () => ({ symbol: "BTC/USD", depth: 10 }),
  () => ({ channel: "level3", symbol: "BTC/USD", depth: 25 }),
  () => null,
  () => "book",
  () => [],
  () => 7,
];

function callerRequest(rng: Rng): CallerRequest {
  const roll = rng.next();
  if (roll < 0.75) return { request: validRequest(rng), validity: "valid" };
  if (roll < 0.95) return { request: rng.pick(INVALID)(), validity: "invalid" };
  // Values the types leave out but the checks may take: extra fields, a symbol of odd text.
  const request = rng.chance(0.5) ? { ...validRequest(rng), extra: { nested: [1, 2] } } : {
    channel: "trade",
    symbol: rng.pick([" BTC/USD", "btc/usd", "\u00e9/\u00e9", "X".repeat(64)]),
  };
  return { request, validity: "dubious" };
}

/** One request the session sent, as the server read it. */
interface Sent {
  readonly connection: number;
  readonly method: string;
  readonly reqId?: number;
  readonly params: {
    readonly channel?: string;
    readonly symbol?: string[];
    readonly depth?: number;
    readonly interval?: number;
    readonly snapshot?: boolean;
    readonly event_trigger?: string;
  };
}

const REFUSALS = [
  "Already subscribed",
  "Currency pair not supported",
  "Subscription depth not supported",
  "Exceeded msg rate",
  "Subscription Not Found",
  "EGeneral:Internal error",
];

const TIME = '"time_in":"2026-07-07T23:00:03.501510Z","time_out":"2026-07-07T23:00:03.501553Z"';

/** A server book the world keeps for one symbol of one connection. */
interface ServerBook {
  readonly market: Market;
  readonly model: BookModel;
  snapshotOwed: boolean;
}

/** The world of one session: its sockets, timers, server and callers. */
class World {
  readonly #rng: Rng;
  readonly #session: Session;
  readonly #oracle: SessionOracle;
  readonly #counts: Tally;
  readonly #tamper: SessionFuzzOptions["tamper"];
  /**
   * How hostile the server is, from 0 to 1: it scales refusals, silence, odd depths, corrupt
   * checksums, noise and dropped links. A calm world keeps books in sync long enough to check many.
   */
  readonly hostility: number;
  now = 0;
  /** Timers the session set, with when they fall due and in which order they were set. */
  readonly #timers = new Map<string, { at: number; order: number }>();
  #timerOrder = 0;
  /** The last connection the session opened, and where its socket stands. */
  #connection = 0;
  #opened = false;
  /** Sockets the session asked to close and that have not yet said so. */
  readonly #closing = new Set<number>();
  /** Every connection ever opened, for stale events. */
  readonly #connections: number[] = [];
  /** Requests the server has not answered, in order. */
  #unanswered: Sent[] = [];
  /** The server's books on the current connection, by symbol. */
  #books = new Map<string, ServerBook>();
  /** The callers' streams the world still holds. */
  readonly #consumers = new Set<number>();
  #nextConsumer = 0;
  #tradeId = 1;

  constructor(
    rng: Rng,
    session: Session,
    oracle: SessionOracle,
    counts: Tally,
    tamper: SessionFuzzOptions["tamper"],
  ) {
    this.#rng = rng;
    this.#session = session;
    this.#oracle = oracle;
    this.#counts = counts;
    this.#tamper = tamper;
    this.hostility = rng.pick([0.05, 0.3, 1]);
  }

  /** Feeds one input, checks it, and does what its effects ask. */
  feed(input: SessionInput, validity?: Validity): void {
    const session = this.#session;
    const before = viewOf(session);
    const request: unknown = input.type === "subscribe" ? input.request : undefined;
    const conflicting = isTicker(request) &&
      session.subscriptions().some((held) =>
        held.channel === "ticker" && held.symbol === request.symbol
      );
    let effects: SessionEffect[] = [];
    let error: unknown;
    try {
      effects = session.handle(input, this.now);
    } catch (thrown) {
      error = thrown;
    }
    if (this.#tamper !== undefined) effects = this.#tamper(input, effects);
    this.#counts.add("session inputs");
    if (input.type === "frame") this.#counts.add("frames");
    this.#oracle.observe({
      input,
      now: this.now,
      before,
      after: viewOf(session),
      effects,
      error,
      validity,
      conflicting,
    });
    if (error === undefined && input.type === "subscribe") {
      const request = input.request as { channel: string; symbol?: string; depth?: number };
      if (
        request.channel === "book" && request.symbol !== undefined && request.depth !== undefined
      ) {
        this.#oracle.asked(request.symbol, request.depth);
      }
    }
    for (const effect of effects) this.#perform(effect);
  }

  #perform(effect: SessionEffect): void {
    switch (effect.type) {
      case "open":
        this.#connection = effect.connection;
        this.#connections.push(effect.connection);
        this.#opened = false;
        this.#books = new Map();
        return;
      case "close":
        this.#closing.add(effect.connection);
        return;
      case "setTimer":
        this.#timers.set(effect.id, { at: this.now + effect.delayMs, order: ++this.#timerOrder });
        return;
      case "cancelTimer":
        this.#timers.delete(effect.id);
        return;
      case "send": {
        const sent = JSON.parse(effect.text) as {
          method: string;
          req_id?: number;
          params?: Sent["params"];
        };
        if (sent.method === "ping") {
          if (this.#rng.chance(0.7)) {
            this.#unanswered.push({
              connection: effect.connection,
              method: "ping",
              reqId: sent.req_id,
              params: {},
            });
          }
          return;
        }
        this.#unanswered.push({
          connection: effect.connection,
          method: sent.method,
          reqId: sent.req_id,
          params: sent.params ?? {},
        });
        return;
      }
      default:
        return;
    }
  }

  /** Lets `ms` pass, firing every timer that falls due, in time order, as a driver would. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let next: [string, { at: number; order: number }] | undefined;
      for (const timer of this.#timers) {
        if (
          next === undefined || timer[1].at < next[1].at ||
          (timer[1].at === next[1].at && timer[1].order < next[1].order)
        ) next = timer;
      }
      if (next === undefined || next[1].at > until) break;
      this.now = Math.max(this.now, next[1].at);
      this.#timers.delete(next[0]);
      this.feed({ type: "timer", id: next[0] });
    }
    this.now = until;
  }

  frame(text: string, connection = this.#connection): void {
    this.feed({ type: "frame", connection, text });
  }

  /** Whether the current socket is open and not being closed: the server may talk on it. */
  get talking(): boolean {
    return this.#connection > 0 && this.#opened && !this.#closing.has(this.#connection);
  }

  subscribe(): void {
    const rng = this.#rng;
    const known = [...this.#consumers];
    const consumer = known.length > 0 && rng.chance(0.25) ? rng.pick(known) : ++this.#nextConsumer;
    const { request, validity } = callerRequest(rng);
    this.#consumers.add(consumer);
    this.#counts.add(`${validity} requests`);
    this.feed({ type: "subscribe", consumer, request: request as SubscriptionRequest }, validity);
  }

  unsubscribe(): void {
    const known = [...this.#consumers];
    const consumer = known.length > 0 && this.#rng.chance(0.9)
      ? this.#rng.pick(known)
      : ++this.#nextConsumer;
    this.#consumers.delete(consumer);
    this.feed({ type: "unsubscribe", consumer });
  }

  /** The socket opens, or a socket the session closed says it is closed. */
  socket(): void {
    const rng = this.#rng;
    if (this.#closing.size > 0 && rng.chance(0.6)) {
      const connection = rng.pick([...this.#closing]);
      this.#closing.delete(connection);
      if (connection === this.#connection) this.#opened = false;
      this.feed({ type: "closed", connection, code: rng.pick([1000, 1005, 1006]), reason: "" });
      return;
    }
    if (this.#connection > 0 && !this.#opened && !this.#closing.has(this.#connection)) {
      if (rng.chance(0.85)) {
        this.#opened = true;
        this.feed({ type: "opened", connection: this.#connection });
      } else {
        // Refused before it opened.
        this.#closing.delete(this.#connection);
        this.feed({ type: "closed", connection: this.#connection, code: 1006, reason: "refused" });
      }
    }
  }

  /** The server drops the link (1008 is final). */
  serverClose(): void {
    if (!this.talking || !this.#rng.chance(this.hostility)) return;
    const code = this.#rng.chance(0.03)
      ? 1008
      : this.#rng.pick([1000, 1001, 1006, 1011, 1012, 4000, 0]);
    this.#opened = false;
    this.feed({
      type: "closed",
      connection: this.#connection,
      code,
      reason: this.#rng.pick(["", "CloudFlare WebSocket proxy restarting", "\u0000"]),
    });
  }

  /** An event of a connection the session already left. */
  stale(): void {
    const old = this.#connections.filter((connection) => connection !== this.#connection);
    if (old.length === 0) return;
    const connection = this.#rng.pick(old);
    if (this.#rng.chance(0.5)) this.frame('{"channel":"heartbeat"}', connection);
    else this.feed({ type: "closed", connection, code: 1006, reason: "late" });
  }

  /** The server answers one request (or a ping), in its own way. */
  answer(): void {
    const rng = this.#rng;
    const open = this.#unanswered.filter((sent) => sent.connection === this.#connection);
    if (open.length === 0 || !this.talking) return;
    const sent = rng.chance(0.7) ? open[0] : rng.pick(open);
    if (rng.chance(0.9)) this.#unanswered = this.#unanswered.filter((other) => other !== sent);
    if (sent.method === "ping") {
      this.frame(`{"method":"pong","req_id":${sent.reqId},${TIME}}`);
      return;
    }
    const roll = rng.next();
    const reqId = roll < 0.85
      ? `,"req_id":${sent.reqId}`
      : roll < 0.93
      ? ""
      : `,"req_id":${rng.int(1000)}`;
    const symbols = sent.params.symbol ?? [undefined];
    for (const symbol of symbols) {
      if (rng.chance(0.05 * this.hostility)) continue; // this symbol's answer never comes
      if (rng.chance(0.12 * this.hostility)) {
        const named = symbol === undefined ? "" : `,"symbol":${JSON.stringify(symbol)}`;
        this.frame(
          `{"error":${
            JSON.stringify(rng.pick(REFUSALS))
          },"method":"${sent.method}","success":false${named}${reqId},${TIME}}`,
        );
        continue;
      }
      const result: Record<string, unknown> = { channel: sent.params.channel };
      if (symbol !== undefined) result.symbol = symbol;
      if (sent.params.depth !== undefined) {
        // Now and then a depth nobody asked for, valid or not.
        result.depth = rng.chance(0.06 * this.hostility)
          ? rng.pick([7, 15, 25, 1000, 0])
          : sent.params.depth;
      }
      if (sent.params.interval !== undefined) {
        result.interval = rng.chance(0.05 * this.hostility)
          ? rng.pick([2, 60])
          : sent.params.interval;
      }
      if (sent.params.event_trigger !== undefined) result.event_trigger = sent.params.event_trigger;
      if (sent.params.snapshot !== undefined) result.snapshot = sent.params.snapshot;
      this.frame(
        `{"method":"${sent.method}","result":${
          JSON.stringify(result)
        },"success":true${reqId},${TIME}}`,
      );
      if (sent.params.channel === "book" && symbol !== undefined && sent.method === "subscribe") {
        this.#book(symbol, sent.params.depth ?? 10);
      } else if (sent.params.channel === "book" && symbol !== undefined) this.#books.delete(symbol);
    }
  }

  /** The server's book of `symbol` on this connection, made anew at a (new) subscribe. */
  #book(symbol: string, depth: number): void {
    const rng = this.#rng;
    const spread = Math.ceil(depth * rng.pick([1.2, 2]));
    const market: Market = {
      depth: BOOK_DEPTHS.find((allowed) => allowed === depth) ?? 10,
      priceDecimals: rng.pick([1, 2, 8]),
      qtyDecimals: rng.pick([4, 8]),
      mid: 2 * spread + rng.range(1000, 100_000),
      spread,
      respell: rng.pick([0, 0.1]),
    };
    this.#books.set(symbol, { market, model: new BookModel(market.depth), snapshotOwed: true });
  }

  /** The server sends data: books of what it acknowledged, feeds, heartbeats, noise. */
  data(): void {
    const rng = this.#rng;
    if (!this.talking) return;
    // Noise first, as often as the world is hostile; then the server's own traffic.
    if (rng.chance(0.2 * this.hostility)) {
      this.frame(this.#noise());
      return;
    }
    const roll = rng.next();
    const books = [...this.#books];
    if (roll < 0.55 && books.length > 0) {
      const [symbol, book] = rng.pick(books);
      this.#bookFrame(symbol, book);
    } else if (roll < 0.65) {
      const symbol = rng.pick(SYMBOLS);
      this.#tradeId += rng.chance(0.1) ? rng.range(2, 5) : 1;
      this.frame(
        `{"channel":"trade","type":"update","data":[{"symbol":"${symbol}","side":"buy","price":100.0,"qty":0.10000000,"ord_type":"limit","trade_id":${this.#tradeId},"timestamp":"2026-07-07T23:00:04.585581Z"}]}`,
      );
    } else if (roll < 0.7) {
      this.frame(
        `{"channel":"ticker","type":"update","data":[{"symbol":"${
          rng.pick(SYMBOLS)
        }","bid":63498.0,"bid_qty":1.5,"ask":63501.9,"ask_qty":0.25,"last":63500.1,"volume":912.5,"vwap":63100.4,"low":62000.0,"high":64000.0,"change":500.1,"change_pct":0.79}]}`,
      );
    } else if (roll < 0.75) {
      this.frame(
        `{"channel":"ohlc","type":"update","data":[{"symbol":"${
          rng.pick(SYMBOLS)
        }","open":3000.1,"high":3010.5,"low":2990.0,"close":3005.2,"vwap":3001.7,"trades":42,"volume":12.5,"interval_begin":"2026-07-07T23:00:00.000000000Z","interval":${
          rng.pick([1, 5, 60, 2])
        },"timestamp":"2026-07-07T24:00:00.000000Z"}]}`,
      );
    } else if (roll < 0.95) this.frame('{"channel":"heartbeat"}');
    else {
      const system = rng.pick(["online", "online", "maintenance", "cancel_only"]);
      this.frame(
        `{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":18266300427528990701,"system":"${system}","version":"2.0.10"}]}`,
      );
    }
  }

  /** A mutated real frame, a generated one with wrong types, or random text. */
  #noise(): string {
    const rng = this.#rng;
    const frames = recordedFrames();
    const roll = rng.next();
    let text: string;
    if (roll < 0.5) text = mutateText(rng, rng.pick(frames), rng.pick(frames));
    else if (roll < 0.8) text = writeRaw(templateFrame(rng, true));
    else text = randomText(rng, rng.int(120));
    // Instrument frames set a pair's precision, which pads book texts before the checksum: the
    // oracle re-checks checksums from the raw texts, so the world sends none (the book tests cover
    // precision).
    return decode(text).kind === "instrument" ? '{"channel":"heartbeat"}' : text;
  }

  #bookFrame(symbol: string, book: ServerBook): void {
    const rng = this.#rng;
    const { market, model } = book;
    let type: "snapshot" | "update";
    let bids;
    let asks;
    if (book.snapshotOwed || rng.chance(0.03)) {
      // Owed after a (re)subscribe; now and then one comes unasked, or is skipped.
      if (rng.chance(0.05)) return;
      type = "snapshot";
      bids = snapshotSide(rng, market, "bid");
      asks = snapshotSide(rng, market, "ask");
      model.snapshot(bids, asks);
      book.snapshotOwed = false;
    } else {
      type = "update";
      const changes = rng.range(1, 6);
      const bidCount = rng.int(changes + 1);
      bids = updateSide(rng, market, model, "bid", bidCount);
      asks = updateSide(rng, market, model, "ask", changes - bidCount);
      model.update(bids, asks);
    }
    const truth = model.checksum();
    const checksum = rng.chance(0.03 * this.hostility) ? (truth ^ (1 << rng.int(32))) >>> 0 : truth;
    this.#counts.add("book frames");
    this.frame(bookFrameText(rng, type, symbol, bids, asks, checksum));
  }

  /** Other caller inputs: a stream's overflow, a late stream asking where things stand. */
  caller(): void {
    const known = [...this.#consumers];
    if (known.length === 0) return;
    const consumer = this.#rng.pick(known);
    if (this.#rng.chance(0.5)) this.feed({ type: "describe", consumer });
    else {
      this.feed({
        type: "overflow",
        consumer,
        dropped: this.#rng.range(1, 50),
        channel: this.#rng.pick(["book", "trade"] as const),
      });
    }
  }

  stop(): void {
    const state = this.#session.state;
    // A driver stops once; a second stop while closing is the client's close() called twice.
    if (state === "closed" || (state === "closing" && this.#rng.chance(0.7))) return;
    this.feed({ type: "stop" });
  }
}

function isTicker(request: unknown): request is { channel: "ticker"; symbol: string } {
  return typeof request === "object" && request !== null &&
    (request as { channel?: unknown }).channel === "ticker";
}

/** One session's life: `steps` random moves of its world. */
function sessionLife(rng: Rng, options: SessionFuzzOptions, counts: Tally): void {
  const settings: SessionOptions = {
    url: "wss://fuzz.invalid/v2",
    seed: rng.int(2 ** 31),
    snapshotTimeoutMs: rng.pick([2000, 10_000]),
    subscriptionTimeoutMs: rng.pick([5000, 60_000]),
    requestTimeoutMs: rng.pick([3000, 10_000]),
    heartbeatTimeoutMs: rng.pick([4000, 10_000]),
    immediateResyncs: rng.pick([1, 3]),
    lingerMs: rng.pick([0, 2000, 10_000]),
    maxSymbolsPerRequest: rng.pick([1, 2, 100]),
  };
  const session = options.session?.(settings) ?? new Session(settings);
  const oracle = new SessionOracle(counts);
  const world = new World(rng, session, oracle, counts, options.tamper);
  const steps = options.steps ?? SESSION_STEPS;
  // The stop comes late, so that most of the life is lived; then the world goes on, to see that
  // a closed session stays closed.
  const stopAt = rng.chance(0.8) ? Math.floor(steps * (0.7 + rng.next() * 0.2)) : steps;
  for (let step = 0; step < steps; step++) {
    if (step === stopAt || (step > stopAt && rng.chance(0.02))) {
      world.stop();
      continue;
    }
    const roll = rng.next();
    if (roll < 0.1) world.subscribe();
    else if (roll < 0.15) world.unsubscribe();
    else if (roll < 0.27) world.answer();
    else if (roll < 0.55) world.data();
    else if (roll < 0.75) {
      // Long silences (past the heartbeat and snapshot timeouts) as often as the world is hostile.
      const scale = rng.next() / world.hostility;
      world.advance(rng.int(scale > 0.4 ? 300 : scale > 0.05 ? 3000 : 30_000));
    } else if (roll < 0.87) world.socket();
    else if (roll < 0.9) world.serverClose();
    else if (roll < 0.93) world.stale();
    else if (roll < 0.96) world.caller();
    else world.advance(0);
  }
}

/**
 * Runs one seed of the session target.
 *
 * @param seed The seed: the session's options and its whole world come from it.
 * @param options Cases, steps and a tamper of the effects.
 */
export function fuzzSession(seed: number, options: SessionFuzzOptions = {}): FuzzResult {
  let start = 0;
  return runLives(
    "session",
    seed,
    options.cases ?? SESSION_CASES,
    "sessions",
    (rng, counts) => {
      start = counts.get("session inputs");
      sessionLife(rng, options, counts);
    },
    // The input that broke a rule was counted before it was checked.
    (index, counts) => `session ${index}, input ${counts.get("session inputs") - start - 1}`,
  );
}
