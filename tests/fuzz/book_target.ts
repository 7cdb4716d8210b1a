/**
 * The L2 book target: `OrderBook` fed seeded snapshot and update frames (through `decode`, from
 * their wire text) with zero in every spelling, respelled prices, repeated levels, levels past the
 * depth, deletes of absent levels, wrong checksums, crossings and stray symbols; after every message
 * its verdict, levels and checksum must be the reference model's ({@link checkBook}).
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import {
  BOOK_DEPTHS,
  type BookDepth,
  type BookVerdict,
  OrderBook,
} from "../../src/book/order_book.ts";
import { decode } from "../../src/protocol/decode.ts";
import type { BookLevel, BookPayload } from "../../src/protocol/messages.ts";
import { bookFrameText, crossing, type Market, snapshotSide, updateSide } from "./book_frames.ts";
import { BookModel, type ModelLevel, type WireLevel } from "./book_model.ts";
import { expectMessage } from "./expected_verdict.ts";
import type { Rng } from "./random.ts";
import {
  describeError,
  type FuzzOptions,
  type FuzzResult,
  runLives,
  type Tally,
  Violation,
} from "./report.ts";

/** What the oracle reads of a book: `OrderBook`, or a tampered copy in the oracle's own tests. */
export interface BookUnderTest {
  apply(type: "snapshot" | "update", payload: BookPayload): BookVerdict;
  bids(): BookLevel[];
  asks(): BookLevel[];
  checksum(): number;
  readonly state: "empty" | "synced" | "failed";
}

/** Settings of the book target. */
export interface BookFuzzOptions extends FuzzOptions {
  /** Makes the book under test (default: `OrderBook`). */
  readonly book?: (symbol: string, depth: BookDepth) => BookUnderTest;
}

/** Book lives per seed when `--cases` is not given. */
export const BOOK_CASES = 4;

const SYMBOL = "BTC/USD";

/** The verdict the engine owes for a message the model just applied (or refused). */
function plain(level: ModelLevel | BookLevel): BookLevel {
  return { price: level.price, priceText: level.priceText, qty: level.qty, qtyText: level.qtyText };
}

/**
 * The oracle of a book after one message: its verdict, its state, both sides level by level
 * (numbers and exact texts, cut to the depth) and its checksum are the model's.
 *
 * @param book The book under test.
 * @param verdict What its `apply` returned.
 * @param expected The verdict the model owes.
 * @param model The reference, already moved by the same message.
 * @returns How many checks were made (one per level compared, and three).
 * @throws {Violation} At the first difference.
 */
export function checkBook(
  book: BookUnderTest,
  verdict: BookVerdict,
  expected: BookVerdict,
  model: BookModel,
): number {
  if (!isDeepStrictEqual(verdict, expected)) {
    throw new Violation(
      `verdict ${JSON.stringify(verdict)}, the model says ${JSON.stringify(expected)}`,
    );
  }
  if (book.state !== model.state) {
    throw new Violation(`state ${book.state}, the model says ${model.state}`);
  }
  // The verdict, the state and the checksum, and every level.
  let checks = 3;
  for (const side of ["bid", "ask"] as const) {
    const got = (side === "bid" ? book.bids() : book.asks()).map(plain);
    const want = model.levels(side).map(plain);
    // As JSON text: one comparison of strings, far faster than a deep walk of a thousand levels.
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      const at = got.findIndex((level, i) => !isDeepStrictEqual(level, want[i]));
      const index = at < 0 ? Math.min(got.length, want.length) : at;
      throw new Violation(
        `${side}s differ at level ${index} of ${got.length} (model ${want.length}): ` +
          `${JSON.stringify(got[index])} vs the model's ${JSON.stringify(want[index])}`,
      );
    }
    checks += got.length;
  }
  const checksum = book.checksum();
  if (checksum !== model.checksum()) {
    throw new Violation(`checksum() ${checksum}, the model's ${model.checksum()}`);
  }
  return checks;
}

function decodePayload(text: string): { type: "snapshot" | "update"; payload: BookPayload } {
  const message = decode(text);
  if (message.kind !== "book") {
    throw new Violation(
      `a well-formed book frame decoded as ${message.kind}: ${
        JSON.stringify(message).slice(0, 200)
      }`,
    );
  }
  return { type: message.type, payload: message.data[0] };
}

/** One book life: a depth, a market, and a sequence of messages checked one by one. */
function bookLife(
  rng: Rng,
  make: (symbol: string, depth: BookDepth) => BookUnderTest,
  counts: Tally,
): void {
  const depth = rng.pick(BOOK_DEPTHS);
  const spread = Math.ceil(depth * rng.pick([1.2, 2, 4]));
  const market: Market = {
    depth,
    priceDecimals: rng.pick([0, 1, 2, 4, 8]),
    qtyDecimals: rng.pick([0, 2, 4, 8]),
    // Far levels reach twice the spread below the mid: every price stays positive.
    mid: 2 * spread + rng.range(1, 2_000_000),
    spread,
    respell: rng.pick([0, 0.05, 0.3]),
  };
  const book = make(SYMBOL, depth);
  const model = new BookModel(depth);
  const messages = Math.max(8, Math.round(rng.range(20, 60) * 10 / Math.sqrt(depth)));
  for (let m = 0; m < messages; m++) {
    const roll = rng.next();
    let type: "snapshot" | "update";
    let bids: WireLevel[] = [];
    let asks: WireLevel[] = [];
    const snapshot = model.state !== "synced" ? rng.chance(0.8) : roll < 0.04;
    if (snapshot) {
      type = "snapshot";
      bids = snapshotSide(rng, market, "bid");
      asks = snapshotSide(rng, market, "ask");
    } else {
      type = "update";
      const changes = rng.range(1, 8);
      const bidCount = rng.int(changes + 1);
      bids = updateSide(rng, market, model, "bid", bidCount);
      asks = updateSide(rng, market, model, "ask", changes - bidCount);
      if (rng.chance(0.02)) bids.push(...crossing(rng, market, model));
    }
    const strange = rng.chance(0.02);
    const symbol = strange ? "ETH/USD" : SYMBOL;
    const { sent, expected } = expectMessage(
      rng,
      model,
      { snapshot: type === "snapshot", strange, bids, asks },
      plain,
    );
    const { type: decodedType, payload } = decodePayload(
      bookFrameText(rng, type, symbol, bids, asks, sent),
    );
    const verdict = book.apply(decodedType, payload);
    counts.add("book messages");
    counts.add("levels", bids.length + asks.length);
    counts.add(`${expected.status} verdicts`);
    try {
      counts.add("checks", checkBook(book, verdict, expected, model));
    } catch (error) {
      throw new Violation(`depth ${depth}, message ${m} (${type}): ${describeError(error)}`);
    }
  }
}

/**
 * Runs one seed of the book target.
 *
 * @param seed The seed: every book life comes from it.
 * @param options Cases and the book under test.
 */
export function fuzzBook(seed: number, options: BookFuzzOptions = {}): FuzzResult {
  const make = options.book ?? ((symbol, depth) => new OrderBook(symbol, depth));
  return runLives(
    "book",
    seed,
    options.cases ?? BOOK_CASES,
    "book lives",
    (rng, counts) => bookLife(rng, make, counts),
    (index) => `book life ${index}`,
  );
}
