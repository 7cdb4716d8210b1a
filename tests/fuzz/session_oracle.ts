/**
 * The oracle of the session target: after every input to a `Session`, what it threw and what it
 * did are checked against its contract, from the inputs and the effects alone:
 *
 * - it throws only where documented: never for what a server or the driver's sockets and timers
 *   hand it; for a caller's request with invalid values a `TypeError` or `RangeError` before
 *   anything changed; `IllegalInputError` only for a request or a stop once closing or closed;
 *   `SubscriptionConflictError` only for a second ticker trigger;
 * - its timers stay bounded (the connection's few, and one per subscription), it cancels only
 *   timers it set, none is left when it is idle or closed, and once closed it does nothing more;
 * - it asks for a new link only when the last one is gone or being closed;
 * - its request queue stays within three per subscription;
 * - event numbers strictly increase, each event carries the input's time, and error codes are the
 *   documented ones a public link can have;
 * - every book event is re-checked from the wire: its levels sorted, uncrossed, each with the exact
 *   texts the frames last gave that price, and the CRC-32 of its top 10 (computed here, by
 *   `node:zlib`) equal to the checksum the server sent with the message that made it.
 *
 * @module
 */

import { IllegalInputError } from "../../src/core/connection_machine.ts";
import type { BookEvent, KrakenEvent } from "../../src/core/events.ts";
import type { Session, SessionEffect, SessionInput } from "../../src/core/session.ts";
import { SubscriptionConflictError } from "../../src/core/session.ts";
import { decode } from "../../src/protocol/decode.ts";
import type { BookPayload } from "../../src/protocol/messages.ts";
import { referenceChecksum, type WireLevel } from "./book_model.ts";
import { describeError, type Tally, Violation } from "./report.ts";

/** What can be seen of a session from outside, to tell whether an input changed it. */
export interface SessionView {
  readonly state: string;
  readonly connection: number;
  readonly pendingRequests: number;
  readonly subscriptionCount: number;
  readonly subscriptions: string;
}

/**
 * The outside view of `session` now.
 *
 * @param session The session.
 */
export function viewOf(session: Session): SessionView {
  return {
    state: session.state,
    connection: session.connection,
    pendingRequests: session.pendingRequests,
    subscriptionCount: session.subscriptionCount,
    subscriptions: JSON.stringify(session.subscriptions()),
  };
}

/** How a caller's subscription request stands against the documented checks. */
export type Validity = "valid" | "invalid" | "dubious";

/** One input and what came of it. */
export interface SessionStep {
  readonly input: SessionInput;
  readonly now: number;
  readonly before: SessionView;
  readonly after: SessionView;
  /** The effects (none when it threw). */
  readonly effects: readonly SessionEffect[];
  /** What it threw, if it did. */
  readonly error?: unknown;
  /** For a `subscribe`: whether its request is one the documented checks accept. */
  readonly validity?: Validity;
  /** For a `subscribe`: a ticker of that symbol with another trigger was held. */
  readonly conflicting?: boolean;
}

/** Connection timers: connect, reconnect, ping, tick, stable, pace, close, linger. */
const CONNECTION_TIMERS = 8;
/** The longest wait the session sets: backoff caps at 30 s, resync backoff at 2 min. */
const LONGEST_TIMER_MS = 3_600_000;
/** The error codes a public link may emit ("internal" is a defect; "auth" is the private link's). */
const ERROR_CODES: ReadonlySet<string> = new Set(["rejected", "decode", "unknown", "protocol"]);
/** Inputs from the sockets, the timers and the server: none may make the session throw. */
const NEVER_THROWS: ReadonlySet<string> = new Set([
  "frame",
  "closed",
  "timer",
  "opened",
  "unsubscribe",
  "overflow",
  "describe",
]);

/**
 * One book as the frames of one connection left it: price to wire texts, per side. It keeps every
 * payload since the last snapshot too: the session holds a snapshot that comes ahead of its
 * acknowledgement, and the updates after it, and applies them when the acknowledgement comes, so
 * an event may show the book as it stood after an earlier frame.
 */
class RefBook {
  bid = new Map<number, WireLevel>();
  ask = new Map<number, WireLevel>();
  /** The payloads since the last snapshot, that snapshot first. */
  history: BookPayload[] = [];
  /** The input at which that snapshot came. */
  snapshotStep = 0;
  /** The payload the last event showed the book after: events never go back to an older book. */
  shown = 0;
  /** The book just after that payload. */
  shownBook: Sides = { bid: new Map(), ask: new Map() };

  apply(type: "snapshot" | "update", payload: BookPayload, step: number): void {
    if (type === "snapshot") {
      this.bid = new Map();
      this.ask = new Map();
      this.history = [];
      this.snapshotStep = step;
    }
    applyPayload(this, payload);
    this.history.push(payload);
    if (type === "snapshot") {
      this.shown = 0;
      this.shownBook = { bid: new Map(this.bid), ask: new Map(this.ask) };
    }
  }
}

/** Both sides of a book: price to wire texts. */
interface Sides {
  readonly bid: Map<number, WireLevel>;
  readonly ask: Map<number, WireLevel>;
}

function applyPayload(book: Sides, payload: BookPayload): void {
  for (const [side, levels] of [["bid", payload.bids], ["ask", payload.asks]] as const) {
    for (const level of levels) {
      if (level.qty === 0) book[side].delete(level.price);
      else book[side].set(level.price, { priceText: level.priceText, qtyText: level.qtyText });
    }
  }
}

/** Why `event` is not the book `sides` with `checksum`, or undefined when it is. */
function differs(event: BookEvent, checksum: number, sides: Sides): string | undefined {
  if (event.checksum !== checksum) return `checksum ${event.checksum}, the server sent ${checksum}`;
  for (const [side, levels] of [["bid", event.bids], ["ask", event.asks]] as const) {
    for (const level of levels) {
      const wire = sides[side].get(level.price);
      if (wire === undefined) {
        return `${side} ${level.priceText} ${level.qtyText} is no level the frames left`;
      }
      if (wire.priceText !== level.priceText || wire.qtyText !== level.qtyText) {
        return `${side} ${level.priceText} ${level.qtyText}, the frames said ${wire.priceText} ${wire.qtyText}`;
      }
    }
  }
  return undefined;
}

function fail(message: string): never {
  throw new Violation(message);
}

/** The oracle, fed every step of one session's life. */
export class SessionOracle {
  readonly #counts: Tally;
  #lastSeq = 0;
  readonly #timers = new Set<string>();
  /** Wire texts of every book, by connection and symbol, from the frames fed on it. */
  readonly #refs = new Map<number, Map<string, RefBook>>();
  /** The input at which the session last sent a book subscribe naming each symbol. */
  readonly #subscribed = new Map<string, number>();
  #step = 0;
  /** The deepest depth the session took for each symbol's book: no book is deeper. */
  readonly #depths = new Map<string, number>();
  /** Sockets the session asked for and has not seen closed: `live`, or `closing` once it closed them. */
  readonly #sockets = new Map<number, "live" | "closing">();
  #closed = false;

  constructor(counts: Tally) {
    this.#counts = counts;
  }

  /** The session took a book subscribe for `symbol` at `depth`: its books may be that deep. */
  asked(symbol: string, depth: number): void {
    this.#depths.set(symbol, Math.max(depth, this.#depths.get(symbol) ?? 0));
  }

  /**
   * Checks one step.
   *
   * @throws {Violation} At the first rule it breaks.
   */
  observe(step: SessionStep): void {
    // What it threw, and the three bounds; then each effect, and each level of a book event.
    this.#counts.add("checks", 4 + step.effects.length);
    this.#step++;
    this.#checkThrow(step);
    if (step.input.type === "frame") this.#feedFrame(step.input.connection, step.input.text);
    if (step.input.type === "timer") this.#timers.delete(step.input.id);
    if (step.input.type === "closed") this.#sockets.delete(step.input.connection);
    for (const effect of step.effects) this.#effect(step, effect);
    this.#bounds(step);
  }

  #checkThrow(step: SessionStep): void {
    const { input, error, before } = step;
    const closing = before.state === "closing" || before.state === "closed";
    if (error === undefined) {
      if (input.type === "subscribe" && closing) {
        fail(`a subscribe was taken in state ${before.state}`);
      }
      if (step.validity === "invalid") {
        const request = input.type === "subscribe"
          ? JSON.stringify(input.request) ?? String(input.request)
          : "";
        fail(`a subscribe with invalid values was accepted: ${request}`);
      }
      return;
    }
    this.#counts.add("inputs refused");
    const what = `${describeError(error)} on a ${input.type} input`;
    if (NEVER_THROWS.has(input.type)) fail(`threw ${what}`);
    if (JSON.stringify(step.after) !== JSON.stringify(before)) {
      fail(
        `threw ${what} after changing the session: ${JSON.stringify(before)} became ${
          JSON.stringify(step.after)
        }`,
      );
    }
    const typed = error instanceof TypeError || error instanceof RangeError;
    const illegal = error instanceof IllegalInputError && closing;
    if (input.type === "stop") {
      if (!illegal) fail(`threw ${what} in state ${before.state}`);
    } else if (input.type === "subscribe") {
      const conflict = error instanceof SubscriptionConflictError && step.conflicting === true;
      const allowed = step.validity === "valid"
        ? illegal || conflict
        : typed || illegal || conflict;
      if (!allowed) {
        fail(
          `threw ${what} for a ${step.validity} request ${
            JSON.stringify(input.request)
          } in state ${before.state}`,
        );
      }
    } else fail(`threw ${what}`);
  }

  /** Applies a frame's book payloads to the reference of its connection. */
  #feedFrame(connection: number, text: string): void {
    // The session reads frames with `decode` (fuzzed on its own): what it cannot read it does not
    // apply, so the reference takes only what `decode` takes.
    const message = decode(text);
    if (message.kind !== "book") return;
    let books = this.#refs.get(connection);
    if (books === undefined) this.#refs.set(connection, books = new Map());
    for (const payload of message.data) {
      let book = books.get(payload.symbol);
      if (book === undefined) books.set(payload.symbol, book = new RefBook());
      book.apply(message.type, payload, this.#step);
    }
  }

  #effect(step: SessionStep, effect: SessionEffect): void {
    if (this.#closed && effect.type !== "emit") {
      fail(`after closing for good it still asks to ${effect.type}`);
    }
    switch (effect.type) {
      case "setTimer":
        if (!(effect.delayMs >= 0 && effect.delayMs <= LONGEST_TIMER_MS)) {
          fail(`timer ${effect.id} set for ${effect.delayMs} ms`);
        }
        this.#timers.add(effect.id);
        return;
      case "cancelTimer":
        if (!this.#timers.delete(effect.id)) fail(`cancels timer ${effect.id}, which it never set`);
        return;
      case "open": {
        const live = [...this.#sockets].find(([, state]) => state === "live");
        if (live !== undefined) {
          fail(`opens connection ${effect.connection} while ${live[0]} is up and not closed`);
        }
        this.#sockets.set(effect.connection, "live");
        this.#counts.add("connections");
        return;
      }
      case "close":
        if (this.#sockets.has(effect.connection)) this.#sockets.set(effect.connection, "closing");
        return;
      case "send": {
        if (this.#sockets.get(effect.connection) !== "live") {
          fail(
            `sends on connection ${effect.connection}, which is not up: ${
              effect.text.slice(0, 120)
            }`,
          );
        }
        const request = JSON.parse(effect.text) as {
          method?: string;
          params?: { channel?: string; symbol?: string[] };
        };
        if (request.method === "subscribe" && request.params?.channel === "book") {
          for (const symbol of request.params.symbol ?? []) {
            this.#subscribed.set(symbol, this.#step);
          }
        }
        return;
      }
      case "emit":
        this.#event(step, effect.event);
        return;
      default:
        fail(`a public session asked to ${effect.type}`);
    }
  }

  #event(step: SessionStep, event: KrakenEvent): void {
    this.#counts.add("events");
    if (!(event.seq > this.#lastSeq)) fail(`event seq ${event.seq} after ${this.#lastSeq}`);
    this.#lastSeq = event.seq;
    if (event.time !== step.now) fail(`event at ${event.time} from an input at ${step.now}`);
    if (event.type === "error" && !ERROR_CODES.has(event.code)) {
      fail(`error event of code ${event.code}: ${event.message}`);
    }
    if (this.#closed && event.type !== "state" && event.type !== "gap" && event.type !== "error") {
      fail(`a ${event.type} event after closing for good`);
    }
    if (event.type === "book") this.#book(step, event);
  }

  #book(step: SessionStep, event: BookEvent): void {
    this.#counts.add("book events re-checked");
    this.#counts.add("checks", event.bids.length + event.asks.length);
    const where = `book event ${event.seq} of ${event.symbol} (on a ${step.input.type} input)`;
    if (event.validated !== true) fail(`${where} is not validated`);
    const depth = this.#depths.get(event.symbol) ?? 0;
    for (const [side, levels] of [["bid", event.bids], ["ask", event.asks]] as const) {
      if (levels.length > depth) {
        fail(`${where} has ${levels.length} ${side}s; no stream asked more than ${depth}`);
      }
      levels.forEach((level, i) => {
        if (!(level.qty > 0)) {
          fail(`${where}: ${side} ${level.priceText} has quantity ${level.qtyText}`);
        }
        if (Number(level.priceText) !== level.price || Number(level.qtyText) !== level.qty) {
          fail(`${where}: ${side} ${JSON.stringify(level)} is not the number its text says`);
        }
        const previous = levels[i - 1];
        if (
          previous !== undefined &&
          (side === "bid" ? previous.price <= level.price : previous.price >= level.price)
        ) {
          fail(
            `${where}: ${side}s out of order at ${i}: ${previous.priceText} then ${level.priceText}`,
          );
        }
      });
    }
    if (
      event.bids.length > 0 && event.asks.length > 0 && event.bids[0].price >= event.asks[0].price
    ) {
      fail(`${where} is crossed: ${event.bids[0].priceText} / ${event.asks[0].priceText}`);
    }
    const crc = referenceChecksum(event.asks, event.bids);
    if (crc !== event.checksum) {
      fail(`${where}: its top 10 has CRC ${crc}, it claims ${event.checksum}`);
    }
    // Every book comes from the frames of the link it is on (a frame's own connection).
    const connection = step.input.type === "frame" ? step.input.connection : step.before.connection;
    const book = this.#refs.get(connection)?.get(event.symbol);
    if (book === undefined) fail(`${where}, and no book frame of that symbol came on this link`);
    const problem = this.#matching(event, book);
    if (problem !== undefined) fail(`${where}: ${problem}`);
    // What the session gave up to subscribe again is not the book it asked for.
    const asked = this.#subscribed.get(event.symbol) ?? Infinity;
    if (book.snapshotStep < asked) {
      fail(
        `${where} comes from a snapshot received at input ${book.snapshotStep}, before the session ` +
          `asked for this book again at input ${asked}`,
      );
    }
  }

  /**
   * Finds the payload since the last snapshot after which the book is what `event` shows, from
   * the one the last event showed on (the same book twice is fine, an older one is not), and
   * moves the mark there; or says why there is none.
   */
  #matching(event: BookEvent, book: RefBook): string | undefined {
    const sides = { bid: new Map(book.shownBook.bid), ask: new Map(book.shownBook.ask) };
    for (let i = book.shown; i < book.history.length; i++) {
      if (i > book.shown) applyPayload(sides, book.history[i]);
      if (
        book.history[i].checksum === event.checksum &&
        differs(event, event.checksum, sides) === undefined
      ) {
        book.shown = i;
        book.shownBook = sides;
        return undefined;
      }
    }
    const older = { bid: new Map<number, WireLevel>(), ask: new Map<number, WireLevel>() };
    for (let i = 0; i < book.shown; i++) {
      applyPayload(older, book.history[i]);
      if (
        book.history[i].checksum === event.checksum &&
        differs(event, event.checksum, older) === undefined
      ) {
        return `it shows the book after frame ${i} since the last snapshot, older than the ` +
          `${book.shown} the last event showed`;
      }
    }
    const latest = differs(event, book.history[book.history.length - 1].checksum, book);
    return `it is the book after none of the ${book.history.length} frames since the last ` +
      `snapshot on this link; against the latest: ${latest}`;
  }

  #bounds(step: SessionStep): void {
    const { after } = step;
    const timers = this.#timers.size;
    if (timers > CONNECTION_TIMERS + after.subscriptionCount) {
      fail(
        `${timers} timers set (${
          [...this.#timers].join(", ")
        }) for ${after.subscriptionCount} subscriptions`,
      );
    }
    if (after.pendingRequests > 3 * after.subscriptionCount) {
      fail(
        `${after.pendingRequests} requests pending for ${after.subscriptionCount} subscriptions`,
      );
    }
    if ((after.state === "idle" || after.state === "closed") && timers > 0) {
      fail(`${after.state} with timers still set: ${[...this.#timers].join(", ")}`);
    }
    if (after.state === "closed") this.#closed = true;
  }
}
