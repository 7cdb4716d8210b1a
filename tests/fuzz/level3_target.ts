/**
 * The level 3 book target: `Level3Book` fed seeded snapshots and add/modify/delete updates
 * (through `decode`, from their wire text) with zero in every spelling, respelled prices, repeated
 * ids, unknown ids, orders past the depth, wrong checksums and crossings; after every message its
 * verdict, queues and checksum must be the reference model's ({@link checkLevel3}).
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { LEVEL3_DEPTHS, Level3Book, type Level3Depth } from "../../src/book/level3_book.ts";
import type { Level3PriceLevel } from "../../src/book/level3_side.ts";
import type { BookVerdict } from "../../src/book/order_book.ts";
import { decode } from "../../src/protocol/decode.ts";
import type { Level3Payload } from "../../src/protocol/level3_messages.ts";
import { spell, ZERO_SPELLINGS } from "./book_model.ts";
import { expectMessage } from "./expected_verdict.ts";
import { Level3Model, type ModelLevel3, sumDecimals, type WireOrder } from "./level3_model.ts";
import type { Rng } from "./random.ts";
import {
  describeError,
  type FuzzOptions,
  type FuzzResult,
  runLives,
  type Tally,
  Violation,
} from "./report.ts";

/** What the oracle reads of a level 3 book: `Level3Book`, or a tampered copy. */
export interface Level3UnderTest {
  apply(type: "snapshot" | "update", payload: Level3Payload): BookVerdict;
  bids(): Level3PriceLevel[];
  asks(): Level3PriceLevel[];
  checksum(): number;
  readonly state: "empty" | "synced" | "failed";
  readonly size: { readonly orders: number };
}

/** Settings of the level 3 target. */
export interface Level3FuzzOptions extends FuzzOptions {
  /** Makes the book under test (default: `Level3Book`). */
  readonly book?: (symbol: string, depth: Level3Depth) => Level3UnderTest;
}

/** Book lives per seed when `--cases` is not given. */
export const LEVEL3_CASES = 3;

const SYMBOL = "BTC/USD";

function aggregate(level: ModelLevel3) {
  const qtyText = sumDecimals(level.orders.map((order) => order.qtyText));
  return { price: level.price, priceText: level.priceText, qty: Number(qtyText), qtyText };
}

function shown(levels: readonly (Level3PriceLevel | ModelLevel3)[]) {
  return levels.map((level) => ({
    price: level.price,
    priceText: level.priceText,
    orders: level.orders.map((order) =>
      "id" in order
        ? [order.id, order.price, order.priceText, Number(order.qtyText), order.qtyText]
        : [
          order.orderId,
          order.limitPrice,
          order.limitPriceText,
          order.orderQty,
          order.orderQtyText,
        ]
    ),
  }));
}

/**
 * The oracle of a level 3 book after one message: its verdict, state, every level's price, text
 * and queue (ids, order, exact texts), its order count and its checksum are the model's.
 *
 * @param book The book under test.
 * @param verdict What its `apply` returned.
 * @param expected The verdict the model owes.
 * @param model The reference, already moved by the same message.
 * @returns How many checks were made (one per order compared, and four).
 * @throws {Violation} At the first difference.
 */
export function checkLevel3(
  book: Level3UnderTest,
  verdict: BookVerdict,
  expected: BookVerdict,
  model: Level3Model,
): number {
  if (!isDeepStrictEqual(verdict, expected)) {
    throw new Violation(
      `verdict ${JSON.stringify(verdict)}, the model says ${JSON.stringify(expected)}`,
    );
  }
  if (book.state !== model.state) {
    throw new Violation(`state ${book.state}, the model says ${model.state}`);
  }
  // The verdict, the state, the order count and the checksum, and every order.
  let checks = 4;
  for (const side of ["bid", "ask"] as const) {
    const got = shown(side === "bid" ? book.bids() : book.asks());
    const want = shown(model.levels(side));
    // As JSON text: one comparison of strings, far faster than a deep walk of a thousand levels.
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      const at = got.findIndex((level, i) => !isDeepStrictEqual(level, want[i]));
      const index = at < 0 ? Math.min(got.length, want.length) : at;
      throw new Violation(
        `${side} levels differ at ${index} of ${got.length} (model ${want.length}): ` +
          `${JSON.stringify(got[index])} vs the model's ${JSON.stringify(want[index])}`,
      );
    }
    for (const level of got) checks += level.orders.length;
  }
  if (book.size.orders !== model.size) {
    throw new Violation(`${book.size.orders} orders held, the model ${model.size}`);
  }
  const checksum = book.checksum();
  if (checksum !== model.checksum()) {
    throw new Violation(`checksum() ${checksum}, the model's ${model.checksum()}`);
  }
  return checks;
}

interface Market {
  readonly depth: Level3Depth;
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  readonly mid: number;
  readonly spread: number;
  readonly respell: number;
}

const TIME = "2024-01-08T12:26:39.526146327Z";

function orderJson(rng: Rng, order: WireOrder): string {
  // Kraken's checksum guide prints the decimals as JSON strings: the decoder takes both.
  const quote = rng.chance(0.05) ? '"' : "";
  const event = order.event === undefined ? "" : `"event":"${order.event}",`;
  return `{${event}"order_id":${
    JSON.stringify(order.orderId)
  },"limit_price":${quote}${order.priceText}${quote},` +
    `"order_qty":${quote}${order.qtyText}${quote},"timestamp":"${TIME}"}`;
}

function frameText(
  rng: Rng,
  type: "snapshot" | "update",
  symbol: string,
  bids: readonly WireOrder[],
  asks: readonly WireOrder[],
  checksum: number,
): string {
  const side = (orders: readonly WireOrder[]) =>
    `[${orders.map((order) => orderJson(rng, order)).join(",")}]`;
  return `{"channel":"level3","type":"${type}","data":[{"symbol":${JSON.stringify(symbol)},` +
    `"checksum":${checksum},"bids":${side(bids)},"asks":${side(asks)}}]}`;
}

function decodePayload(text: string): { type: "snapshot" | "update"; payload: Level3Payload } {
  const message = decode(text);
  if (message.kind !== "level3") {
    throw new Violation(
      `a well-formed level3 frame decoded as ${message.kind}: ${
        JSON.stringify(message).slice(0, 200)
      }`,
    );
  }
  return { type: message.type, payload: message.data[0] };
}

/** Makes the orders and events of one book life. */
class OrderSource {
  #next = 0;

  constructor(readonly rng: Rng, readonly market: Market) {}

  id(): string {
    return `O${++this.#next}-${this.rng.int(1000)}`;
  }

  price(side: "bid" | "ask", from = 1, to = this.market.spread): string {
    const offset = this.rng.range(from, to);
    const ticks = side === "bid" ? this.market.mid - offset : this.market.mid + offset;
    return spell(this.rng, ticks, this.market.priceDecimals, this.market.respell);
  }

  qty(): string {
    const units = this.rng.range(1, 10 ** Math.min(this.market.qtyDecimals + 2, 10));
    return spell(this.rng, units, this.market.qtyDecimals, this.market.respell / 3);
  }

  zero(): string {
    return this.rng.chance(0.3)
      ? spell(this.rng, 0, this.market.qtyDecimals)
      : this.rng.pick(ZERO_SPELLINGS);
  }

  snapshotSide(side: "bid" | "ask"): WireOrder[] {
    const levels = this.rng.chance(0.1) ? 0 : this.rng.int(this.market.depth + 8);
    const orders: WireOrder[] = [];
    for (let i = 0; i < levels; i++) {
      const priceText = this.price(side);
      for (let n = this.rng.range(1, 3); n > 0; n--) {
        const repeat = orders.length > 0 && this.rng.chance(0.02);
        orders.push({
          orderId: repeat ? this.rng.pick(orders).orderId : this.id(),
          priceText,
          qtyText: this.qty(),
        });
      }
    }
    return orders;
  }

  /** One update's events, each listed on the side of the order it names (almost always). */
  events(model: Level3Model, count: number): Record<"bid" | "ask", WireOrder[]> {
    const rng = this.rng;
    const out: Record<"bid" | "ask", WireOrder[]> = { bid: [], ask: [] };
    const held = model.orders();
    for (let i = 0; i < count; i++) {
      const roll = rng.next();
      const pick = held.length > 0 ? rng.pick(held) : undefined;
      const side = pick?.side ?? (rng.chance(0.5) ? "bid" : "ask");
      const other = side === "bid" ? "ask" : "bid";
      if (pick === undefined || roll < 0.35) {
        out[side].push({
          event: "add",
          orderId: this.id(),
          priceText: this.price(side),
          qtyText: this.qty(),
        });
      } else if (roll < 0.4) {
        out[side].push({
          event: "add",
          orderId: this.id(),
          priceText: this.price(side, this.market.spread, 2 * this.market.spread),
          qtyText: this.qty(),
        });
      } else if (roll < 0.55) {
        out[side].push({
          event: "delete",
          orderId: pick.id,
          priceText: pick.priceText,
          qtyText: pick.qtyText,
        });
      } else if (roll < 0.72) {
        out[side].push({
          event: "modify",
          orderId: pick.id,
          priceText: pick.priceText,
          qtyText: this.qty(),
        });
      } else if (roll < 0.76) {
        // The same price in another spelling: the order keeps its place, with this text.
        const ticks = Math.round(pick.price * 10 ** this.market.priceDecimals);
        out[side].push({
          event: "modify",
          orderId: pick.id,
          priceText: spell(rng, ticks, this.market.priceDecimals, 1),
          qtyText: this.qty(),
        });
      } else if (roll < 0.81) {
        out[side].push({
          event: "modify",
          orderId: pick.id,
          priceText: pick.priceText,
          qtyText: this.zero(),
        });
      } else if (roll < 0.86) {
        out[side].push({
          event: "modify",
          orderId: pick.id,
          priceText: this.price(side),
          qtyText: this.qty(),
        });
      } else if (roll < 0.9) {
        out[side].push({
          event: "add",
          orderId: pick.id,
          priceText: this.price(side),
          qtyText: this.qty(),
        });
      } else if (roll < 0.92) {
        out[side].push({
          event: "add",
          orderId: this.id(),
          priceText: this.price(side),
          qtyText: this.zero(),
        });
      } else if (roll < 0.96) {
        out[side].push({
          event: rng.pick(["modify", "delete"] as const),
          orderId: this.id(),
          priceText: this.price(side),
          qtyText: this.qty(),
        });
      } else if (roll < 0.995) {
        // Named on the other side: a delete finds its order by id alone.
        out[other].push({
          event: "delete",
          orderId: pick.id,
          priceText: pick.priceText,
          qtyText: pick.qtyText,
        });
      } else {
        // A bid at or above the best ask (or an ask at or below the best bid): crossed.
        const [bestAsk] = model.levels("ask");
        if (bestAsk !== undefined) {
          const ticks = Math.round(bestAsk.price * 10 ** this.market.priceDecimals);
          out.bid.push({
            event: "add",
            orderId: this.id(),
            priceText: spell(rng, ticks, this.market.priceDecimals),
            qtyText: this.qty(),
          });
        }
      }
    }
    return out;
  }
}

function level3Life(
  rng: Rng,
  make: (symbol: string, depth: Level3Depth) => Level3UnderTest,
  counts: Tally,
): void {
  const depth = rng.pick(LEVEL3_DEPTHS);
  const spread = Math.ceil(depth * rng.pick([1.2, 2, 4]));
  const market: Market = {
    depth,
    priceDecimals: rng.pick([0, 1, 2, 4, 8]),
    qtyDecimals: rng.pick([0, 2, 4, 8]),
    mid: 2 * spread + rng.range(1, 2_000_000),
    spread,
    respell: rng.pick([0, 0.05, 0.3]),
  };
  const source = new OrderSource(rng, market);
  const book = make(SYMBOL, depth);
  const model = new Level3Model(depth);
  const messages = Math.max(6, Math.round(rng.range(20, 60) * 10 / Math.sqrt(depth)));
  for (let m = 0; m < messages; m++) {
    const snapshot = model.state !== "synced" ? rng.chance(0.8) : rng.chance(0.04);
    const type = snapshot ? "snapshot" : "update";
    let bids: WireOrder[];
    let asks: WireOrder[];
    if (snapshot) {
      bids = source.snapshotSide("bid");
      asks = source.snapshotSide("ask");
    } else {
      const events = source.events(model, rng.range(1, 10));
      bids = events.bid;
      asks = events.ask;
    }
    const strange = rng.chance(0.02);
    const { sent, expected } = expectMessage(
      rng,
      model,
      { snapshot, strange, bids, asks },
      aggregate,
    );
    const text = frameText(rng, type, strange ? "ETH/USD" : SYMBOL, bids, asks, sent);
    const { type: decodedType, payload } = decodePayload(text);
    const verdict = book.apply(decodedType, payload);
    counts.add("level3 messages");
    counts.add("order events", bids.length + asks.length);
    counts.add(`${expected.status} verdicts`);
    try {
      counts.add("checks", checkLevel3(book, verdict, expected, model));
    } catch (error) {
      throw new Violation(`depth ${depth}, message ${m} (${type}): ${describeError(error)}`);
    }
  }
}

/**
 * Runs one seed of the level 3 target.
 *
 * @param seed The seed: every book life comes from it.
 * @param options Cases and the book under test.
 */
export function fuzzLevel3(seed: number, options: Level3FuzzOptions = {}): FuzzResult {
  const make = options.book ?? ((symbol, depth) => new Level3Book(symbol, depth));
  return runLives(
    "level3",
    seed,
    options.cases ?? LEVEL3_CASES,
    "book lives",
    (rng, counts) => level3Life(rng, make, counts),
    (index) => `book life ${index}`,
  );
}
