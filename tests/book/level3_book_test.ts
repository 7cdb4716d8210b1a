import assert from "node:assert/strict";
import { crc32 as zlibCrc32 } from "node:zlib";
import { Level3Book, type Level3Depth } from "../../src/book/level3_book.ts";
import { level3Checksum } from "../../src/book/level3_checksum.ts";
import type { Level3PriceLevel } from "../../src/book/level3_side.ts";
import { decimalSum } from "../../src/protocol/decimal_arithmetic.ts";
import { decode } from "../../src/protocol/decode.ts";
import { checksumDigits, plainDecimalText } from "../../src/protocol/decimal_text.ts";
import type {
  Level3Event,
  Level3Order,
  Level3Payload,
} from "../../src/protocol/level3_messages.ts";
import { seededRandom } from "../fixtures.ts";
import {
  eventJson,
  GUIDE_ASKS_STRING,
  GUIDE_BIDS_STRING,
  GUIDE_CHECKSUM,
  guideSnapshotFrame,
  REFERENCE_SNAPSHOT,
  REFERENCE_UPDATE,
} from "./level3_vectors.ts";

const TIME = "2024-01-08T12:26:39.526146327Z";

function order(
  orderId: string,
  limitPriceText: string,
  orderQtyText: string,
  event?: Level3Event,
): Level3Order {
  const base = {
    orderId,
    limitPrice: Number(limitPriceText),
    limitPriceText,
    orderQty: Number(orderQtyText),
    orderQtyText,
    timestamp: TIME,
  };
  return event === undefined ? base : { ...base, event };
}

function payload(
  bids: Level3Order[],
  asks: Level3Order[],
  checksum: number,
  symbol = "BTC/USD",
): Level3Payload {
  return { symbol, bids, asks, checksum };
}

/** An independent checksum: the definition, through node:zlib's CRC over the built string. */
function checksumString(asks: readonly Level3PriceLevel[], bids: readonly Level3PriceLevel[]) {
  const side = (levels: readonly Level3PriceLevel[]) =>
    levels.slice(0, 10).flatMap((level) => level.orders).map((entry) =>
      checksumDigits(plainDecimalText(entry.limitPriceText)) +
      checksumDigits(plainDecimalText(entry.orderQtyText))
    ).join("");
  return side(asks) + side(bids);
}

function referenceChecksum(
  asks: readonly Level3PriceLevel[],
  bids: readonly Level3PriceLevel[],
): number {
  return zlibCrc32(checksumString(asks, bids));
}

function decoded(text: string): Level3Payload {
  const message = decode(text);
  if (message.kind !== "level3") throw new Error(JSON.stringify(message));
  return message.data[0];
}

/** The checksum a book of these levels must carry, from the reference. */
function sign(bids: Level3Order[], asks: Level3Order[]): Level3Payload {
  const levels = (orders: Level3Order[], descending: boolean) => {
    const prices = [...new Set(orders.map((entry) => entry.limitPrice))]
      .sort((a, b) => descending ? b - a : a - b);
    return prices.map((price) => {
      const queue = orders.filter((entry) => entry.limitPrice === price);
      return { price, priceText: queue[0].limitPriceText, orders: queue };
    });
  };
  return payload(bids, asks, referenceChecksum(levels(asks, false), levels(bids, true)));
}

// ---------------------------------------------------------------------------------------------
// Kraken's documented examples
// ---------------------------------------------------------------------------------------------

Deno.test("level3 book: the checksum guide's worked example gives 1063832831, as printed and as sent", () => {
  for (const quoted of [true, false]) {
    for (const depth of [10, 100, 1000] as const) {
      const book = new Level3Book("BTC/USD", depth);
      const verdict = book.apply("snapshot", decoded(guideSnapshotFrame(quoted)));
      assert.deepEqual(verdict, { status: "ok", checksum: GUIDE_CHECKSUM });
      assert.equal(book.state, "synced");
      assert.equal(book.checksum(), GUIDE_CHECKSUM);
      // The page's own intermediate strings, rebuilt from what the book holds.
      assert.equal(checksumString(book.asks(), []), GUIDE_ASKS_STRING);
      assert.equal(checksumString([], book.bids()), GUIDE_BIDS_STRING);
      assert.equal(level3Checksum(book.asks(), book.bids()), GUIDE_CHECKSUM);
      assert.equal(referenceChecksum(book.asks(), book.bids()), GUIDE_CHECKSUM);
    }
  }
});

Deno.test("level3 book: the guide's example holds exactly 10 price levels a side", () => {
  const book = new Level3Book("BTC/USD", 10);
  book.apply("snapshot", decoded(guideSnapshotFrame(false)));
  assert.deepEqual(book.size, { bids: 10, asks: 10, orders: 21 + 14 });
  assert.equal(book.asks().at(-1)?.priceText, "44979.2");
  assert.equal(book.order("OFO525-PHRVS-236RMN")?.levelIndex, 9);
  assert.equal(book.bestBid()?.orders.length, 8);
  assert.deepEqual(book.queuePosition("OSMYPE-S5VOC-YSS3WM"), {
    side: "bid",
    levelIndex: 0,
    ordersAhead: 7,
    qtyAhead: "2.27648010", // Python: sum(Decimal(q) for q in the 7 ahead)
  });
  assert.deepEqual(book.order("OSDOZX-7UZ6Y-QDNPVI"), {
    side: "ask",
    levelIndex: 2,
    queueIndex: 0,
    order: {
      orderId: "OSDOZX-7UZ6Y-QDNPVI",
      limitPrice: 44953,
      limitPriceText: "44953.0",
      orderQty: 0.00064537,
      orderQtyText: "0.00064537",
      timestamp: "2024-01-08T12:24:58.086806970Z",
    },
  });
});

Deno.test("level3 book: the guide's example, then updates verified against the reference", () => {
  const book = new Level3Book("BTC/USD", 10);
  book.apply("snapshot", decoded(guideSnapshotFrame(false)));
  // A fill of the first ask (modify in place), a cancel inside the bid queue, a new bid at the back.
  const events = [
    eventJson("modify", ["OFVLAA-HRSSP-BK75KB", "44939.5", "4.00000000", TIME]),
    eventJson("delete", ["OMPHVY-IZPJ4-KOKA3P", "44939.4", "0.10000000", TIME]),
    eventJson("add", ["ONEW00-AAAAA-BBBBBB", "44939.4", "0.01000000", TIME]),
  ];
  const asks = book.asks().map((level) => ({ ...level, orders: [...level.orders] }));
  const bids = book.bids().map((level) => ({ ...level, orders: [...level.orders] }));
  asks[0].orders[0] = { ...asks[0].orders[0], orderQty: 4, orderQtyText: "4.00000000" };
  bids[0].orders.splice(2, 1);
  bids[0].orders.push(order("ONEW00-AAAAA-BBBBBB", "44939.4", "0.01000000"));
  const expected = referenceChecksum(asks, bids);
  const frame =
    `{"channel":"level3","type":"update","data":[{"symbol":"BTC/USD","checksum":${expected},` +
    `"bids":[${events[1]},${events[2]}],"asks":[${events[0]}]}]}`;
  assert.deepEqual(book.apply("update", decoded(frame)), { status: "ok", checksum: expected });
  assert.equal(book.order("OFVLAA-HRSSP-BK75KB")?.queueIndex, 0);
  assert.equal(book.order("ONEW00-AAAAA-BBBBBB")?.queueIndex, 7);
  assert.equal(book.order("OMPHVY-IZPJ4-KOKA3P"), undefined);
});

Deno.test("level3 book: the reference snapshot is abridged: its checksum covers orders it does not show", () => {
  const book = new Level3Book("MATIC/USD", 10);
  const verdict = book.apply("snapshot", decoded(REFERENCE_SNAPSHOT));
  // 3050883524 is zlib's CRC-32 of the shown orders' digits (see level3_vectors.ts).
  assert.deepEqual(verdict, { status: "mismatch", expected: 281817320, computed: 3050883524 });
  assert.equal(book.state, "failed");
  assert.deepEqual(book.apply("update", decoded(REFERENCE_UPDATE)), {
    status: "refused",
    reason: "awaiting_snapshot",
  });
  // Queues hold the snapshot's wire order.
  assert.deepEqual(book.bids().map((level) => level.orders.map((entry) => entry.orderId)), [
    ["O6ZQNQ-BXL4E-5WGINO"],
    ["OEP26Y-YAFEF-OFR62B", "OKNAY7-67JRK-AIZ4JO"],
  ]);
});

Deno.test("level3 book: the reference update applied after its snapshot's orders", () => {
  const book = new Level3Book("MATIC/USD", 10);
  const snapshot = decoded(REFERENCE_SNAPSHOT);
  // The update deletes an order at 0.5636 that the abridged snapshot does not show: add it.
  const hidden = order("OOIATY-6EIWY-ACVIUN", "0.5636", "302.89736033");
  const asks = [...snapshot.asks, hidden];
  assert.equal(
    book.apply("snapshot", { ...sign([...snapshot.bids], asks), symbol: "MATIC/USD" }).status,
    "ok",
  );
  const update = decoded(REFERENCE_UPDATE);
  const after = [...snapshot.asks, ...update.asks.slice(1)];
  const expected = sign([...snapshot.bids], after).checksum;
  assert.deepEqual(book.apply("update", { ...update, checksum: expected }), {
    status: "ok",
    checksum: expected,
  });
  assert.deepEqual(book.asks().map((level) => [level.priceText, level.orders.length]), [
    ["0.563", 3],
    ["0.564", 3],
  ]);
});

// ---------------------------------------------------------------------------------------------
// Queue semantics and edge cases
// ---------------------------------------------------------------------------------------------

function queues(book: Level3Book): string[][] {
  return [...book.asks(), ...book.bids()].map((level) =>
    level.orders.map((entry) => `${entry.orderId}:${entry.orderQtyText}`)
  );
}

function synced(bids: Level3Order[], asks: Level3Order[], depth: Level3Depth = 10): Level3Book {
  const book = new Level3Book("BTC/USD", depth);
  assert.equal(book.apply("snapshot", sign(bids, asks)).status, "ok");
  return book;
}

/** Applies an update whose checksum is what the reference gives for the book's new state. */
function update(
  book: Level3Book,
  bids: Level3Order[],
  asks: Level3Order[],
  expectBids: Level3Order[],
  expectAsks: Level3Order[],
) {
  const { checksum } = sign(expectBids, expectAsks);
  return book.apply("update", payload(bids, asks, checksum));
}

const A1 = order("A1", "101.0", "1.00000000");
const A2 = order("A2", "101.0", "2.00000000");
const A3 = order("A3", "101.0", "3.00000000");
const B1 = order("B1", "100.0", "1.00000000");

Deno.test("level3 book: modify at the same price keeps the order's place in the queue", () => {
  const book = synced([B1], [A1, A2, A3]);
  const filled = order("A1", "101.0", "0.25000000", "modify");
  const verdict = update(book, [], [filled], [B1], [order("A1", "101.0", "0.25000000"), A2, A3]);
  assert.equal(verdict.status, "ok");
  assert.deepEqual(queues(book), [["A1:0.25000000", "A2:2.00000000", "A3:3.00000000"], [
    "B1:1.00000000",
  ]]);
});

Deno.test("level3 book: modify to another price leaves the queue and joins the back of the new level", () => {
  const A4 = order("A4", "102.0", "4.00000000");
  const book = synced([B1], [A1, A2, A4]);
  const moved = order("A1", "102.0", "1.00000000", "modify");
  const verdict = update(book, [], [moved], [B1], [A2, A4, order("A1", "102.0", "1.00000000")]);
  assert.equal(verdict.status, "ok");
  assert.deepEqual(queues(book), [["A2:2.00000000"], ["A4:4.00000000", "A1:1.00000000"], [
    "B1:1.00000000",
  ]]);
  assert.deepEqual(book.order("A1")?.levelIndex, 1);
});

Deno.test("level3 book: add of a held id replaces it at the back; zero quantities remove", () => {
  const book = synced([B1], [A1, A2, A3]);
  const verdict = update(
    book,
    [order("B1", "100.0", "0.00000000", "modify")],
    [order("A1", "101.0", "5.00000000", "add"), order("A3", "101.0", "0", "add")],
    [],
    [A2, order("A1", "101.0", "5.00000000")],
  );
  assert.equal(verdict.status, "ok");
  assert.deepEqual(queues(book), [["A2:2.00000000", "A1:5.00000000"]]);
  assert.equal(book.bestBid(), undefined);
  assert.deepEqual(book.size, { bids: 0, asks: 1, orders: 2 });
});

Deno.test("level3 book: modify or delete of an unknown id is ignored, never invented", () => {
  const book = synced([B1], [A1]);
  const verdict = update(
    book,
    [order("X1", "100.0", "1.00000000", "delete")],
    [order("X2", "101.0", "1.00000000", "modify")],
    [B1],
    [A1],
  );
  assert.equal(verdict.status, "ok");
  assert.equal(book.order("X2"), undefined);
  assert.deepEqual(book.size, { bids: 1, asks: 1, orders: 2 });
});

Deno.test("level3 book: the last order of a level leaving removes the level", () => {
  const A4 = order("A4", "102.0", "4.00000000");
  const book = synced([B1], [A1, A4]);
  const verdict = update(book, [], [order("A1", "101.0", "1.00000000", "delete")], [B1], [A4]);
  assert.equal(verdict.status, "ok");
  assert.equal(book.bestAsk()?.priceText, "102.0");
  assert.deepEqual(book.size, { bids: 1, asks: 1, orders: 2 });
});

Deno.test("level3 book: a level pushed past the depth is cut with its orders", () => {
  const asks = Array.from({ length: 10 }, (_, i) => order(`A${i}`, `${101 + i}.0`, "1.00000000"));
  const book = synced([B1], asks);
  const inside = order("N1", "100.5", "1.00000000", "add");
  const expected = [order("N1", "100.5", "1.00000000"), ...asks.slice(0, 9)];
  assert.equal(update(book, [], [inside], [B1], expected).status, "ok");
  assert.equal(book.size.asks, 10);
  assert.equal(book.order("A9"), undefined);
  // Kraken re-publishes the orders of a level coming back into view as adds.
  const back = [order("N1", "100.5", "1.00000000", "delete"), {
    ...asks[9],
    event: "add" as const,
  }];
  assert.equal(update(book, [], back, [B1], asks).status, "ok");
  assert.equal(book.order("A9")?.levelIndex, 9);
});

Deno.test("level3 book: verdicts: mismatch, crossed, refused, then a snapshot recovers", () => {
  const book = new Level3Book("BTC/USD", 10);
  assert.deepEqual(book.apply("update", sign([B1], [A1])), {
    status: "refused",
    reason: "awaiting_snapshot",
  });
  assert.deepEqual(book.apply("snapshot", { ...sign([B1], [A1]), symbol: "ETH/USD" }), {
    status: "refused",
    reason: "wrong_symbol",
  });
  assert.equal(book.state, "empty");
  const good = sign([B1], [A1]);
  assert.deepEqual(book.apply("snapshot", { ...good, checksum: good.checksum ^ 1 }), {
    status: "mismatch",
    expected: good.checksum ^ 1,
    computed: good.checksum,
  });
  assert.equal(book.apply("update", payload([], [], good.checksum)).status, "refused");
  // Crossed: two bids at 101.0 against an ask at 101.0, with the right checksum.
  const bid1 = order("B2", "101.0", "0.10000000");
  const bid2 = order("B3", "101.0", "0.20000000");
  assert.deepEqual(book.apply("snapshot", sign([bid1, bid2], [A1])), {
    status: "crossed",
    bestBid: { price: 101, priceText: "101.0", qty: 0.3, qtyText: "0.30000000" },
    bestAsk: { price: 101, priceText: "101.0", qty: 1, qtyText: "1.00000000" },
  });
  assert.equal(book.state, "failed");
  assert.equal(book.apply("update", payload([], [], 0)).status, "refused");
  assert.deepEqual(book.apply("snapshot", good), { status: "ok", checksum: good.checksum });
  assert.equal(book.state, "synced");
});

Deno.test("level3 book: precision pads values that lost their zeros, also when set later", () => {
  const full = sign([order("B1", "100.0", "1.00000000")], [order("A1", "101.5", "0.50000000")]);
  const short = payload([order("B1", "100", "1")], [order("A1", "101.5", "0.5")], full.checksum);
  const padded = new Level3Book("BTC/USD", 10, { precision: { price: 1, qty: 8 } });
  assert.deepEqual(padded.apply("snapshot", short), { status: "ok", checksum: full.checksum });
  const late = new Level3Book("BTC/USD", 10);
  assert.equal(late.apply("snapshot", short).status, "mismatch");
  late.setPrecision({ price: 1, qty: 8 });
  assert.equal(late.checksum(), full.checksum);
  assert.equal(level3Checksum(late.asks(), late.bids(), { price: 1, qty: 8 }), full.checksum);
});

Deno.test("level3 book: reads are frozen views, shared until their queue changes", () => {
  const book = synced([B1], [A1, A2]);
  const before = book.bestAsk();
  assert.ok(before !== undefined && Object.isFrozen(before) && Object.isFrozen(before.orders));
  assert.ok(Object.isFrozen(before.orders[0]));
  assert.equal(book.asks(1)[0], before);
  assert.equal(book.asks(0).length, 0);
  update(book, [order("B1", "100.0", "0.50000000", "modify")], [], [
    order("B1", "100.0", "0.50000000"),
  ], [A1, A2]);
  assert.equal(book.bestAsk(), before);
  update(book, [], [order("A2", "101.0", "1.50000000", "modify")], [
    order("B1", "100.0", "0.50000000"),
  ], [A1, order("A2", "101.0", "1.50000000")]);
  assert.notEqual(book.bestAsk(), before);
  assert.equal(before.orders[1].orderQtyText, "2.00000000");
  assert.equal("event" in (book.order("A2")?.order ?? {}), false);
  assert.deepEqual(book.queuePosition("A1"), {
    side: "ask",
    levelIndex: 0,
    ordersAhead: 0,
    qtyAhead: "0",
  });
  assert.equal(book.queuePosition("nope"), undefined);
});

Deno.test("level3 book: qtyAhead sums exactly (decimalSum), whatever the spellings", () => {
  assert.equal(decimalSum(["0.10000000", "0.2", "1.2e-7"]), "0.30000012");
  assert.equal(decimalSum(["0.1", "0.2"]), "0.3");
  assert.equal(decimalSum(["7"]), "7");
  assert.equal(decimalSum([]), "0");
  const book = synced([B1], [order("A1", "101.0", "0.1"), order("A2", "101.0", "0.2"), A3]);
  assert.equal(book.queuePosition("A3")?.qtyAhead, "0.3");
});

Deno.test("level3 book: only the depths Kraken accepts", () => {
  assert.throws(() => new Level3Book("BTC/USD", 25 as Level3Depth), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Randomized: the book against an obviously correct model
// ---------------------------------------------------------------------------------------------

interface ModelOrder {
  readonly id: string;
  readonly side: "bid" | "ask";
  readonly priceText: string;
  readonly qtyText: string;
  readonly seq: number;
}

/** Orders in a flat list; levels are rebuilt by sorting, every time. */
class Model {
  orders: ModelOrder[] = [];
  seq = 0;

  constructor(readonly depth: number) {}

  #remove(id: string): ModelOrder | undefined {
    const found = this.orders.find((entry) => entry.id === id);
    this.orders = this.orders.filter((entry) => entry.id !== id);
    return found;
  }

  #push(side: "bid" | "ask", source: Level3Order): void {
    if (Number(source.orderQtyText) === 0) return;
    this.orders.push({
      id: source.orderId,
      side,
      priceText: source.limitPriceText,
      qtyText: source.orderQtyText,
      seq: ++this.seq,
    });
  }

  event(side: "bid" | "ask", source: Level3Order): void {
    const event = source.event ?? "add";
    if (event === "delete") this.#remove(source.orderId);
    else if (event === "add") {
      this.#remove(source.orderId);
      this.#push(side, source);
    } else {
      const held = this.orders.find((entry) => entry.id === source.orderId);
      if (held === undefined) return;
      const samePlace = held.side === side && Number(held.priceText) === source.limitPrice;
      if (samePlace && Number(source.orderQtyText) > 0) {
        this.orders = this.orders.map((entry) =>
          entry === held ? { ...held, qtyText: source.orderQtyText } : entry
        );
      } else {
        this.#remove(source.orderId);
        this.#push(side, source);
      }
    }
  }

  levels(side: "bid" | "ask"): { priceText: string; orders: ModelOrder[] }[] {
    const mine = this.orders.filter((entry) => entry.side === side);
    mine.sort((a, b) => {
      const byPrice = Number(a.priceText) - Number(b.priceText);
      return (side === "ask" ? byPrice : -byPrice) || a.seq - b.seq;
    });
    const out: { priceText: string; orders: ModelOrder[] }[] = [];
    for (const entry of mine) {
      const last = out.at(-1);
      if (last !== undefined && Number(last.priceText) === Number(entry.priceText)) {
        last.orders.push(entry);
      } else out.push({ priceText: entry.priceText, orders: [entry] });
    }
    return out;
  }

  cut(): void {
    const kept = new Set<string>();
    for (const side of ["bid", "ask"] as const) {
      for (const level of this.levels(side).slice(0, this.depth)) {
        for (const entry of level.orders) kept.add(entry.id);
      }
    }
    this.orders = this.orders.filter((entry) => kept.has(entry.id));
  }

  checksum(): number {
    const digits = (side: "bid" | "ask") =>
      this.levels(side).slice(0, 10).flatMap((level) => level.orders).map((entry) =>
        checksumDigits(plainDecimalText(entry.priceText)) +
        checksumDigits(plainDecimalText(entry.qtyText))
      ).join("");
    return zlibCrc32(digits("ask") + digits("bid"));
  }
}

function randomQty(random: () => number): string {
  const roll = random();
  if (roll < 0.03) return "1.2e-7";
  if (roll < 0.06) return "0.00000001";
  return (Math.floor(random() * 5e8) / 1e8 + 0.00000001).toFixed(8);
}

function randomPrice(random: () => number, side: "bid" | "ask", spread: number): string {
  const ticks = Math.floor(random() * spread);
  // Far enough from 0 that the widest book keeps its bids positive, as Kraken's prices are.
  return side === "bid" ? (999.9 - ticks / 10).toFixed(1) : (1000.1 + ticks / 10).toFixed(1);
}

function compare(book: Level3Book, model: Model, context: string): void {
  for (const side of ["bid", "ask"] as const) {
    const actual = (side === "bid" ? book.bids() : book.asks()).map((level) => ({
      priceText: level.priceText,
      orders: level.orders.map((
        entry,
      ) => [entry.orderId, entry.limitPriceText, entry.orderQtyText]),
    }));
    const expected = model.levels(side).map((level) => ({
      priceText: level.orders[0].priceText,
      orders: level.orders.map((entry) => [entry.id, entry.priceText, entry.qtyText]),
    }));
    assert.deepEqual(actual, expected, `${context}: ${side}s`);
  }
  assert.equal(book.size.orders, model.orders.length, context);
}

function checkQueuePosition(book: Level3Book, model: Model, random: () => number, context: string) {
  if (model.orders.length === 0) return;
  const pick = model.orders[Math.floor(random() * model.orders.length)];
  const levels = model.levels(pick.side);
  const levelIndex = levels.findIndex((level) => level.orders.includes(pick));
  const ahead = levels[levelIndex].orders.slice(0, levels[levelIndex].orders.indexOf(pick));
  const position = book.queuePosition(pick.id);
  assert.equal(position?.levelIndex, levelIndex, context);
  assert.equal(position?.ordersAhead, ahead.length, context);
  if (ahead.every((entry) => /^\d+\.\d{8}$/.test(entry.qtyText))) {
    const units = ahead.reduce((sum, entry) => sum + BigInt(entry.qtyText.replace(".", "")), 0n);
    const expected = ahead.length === 0
      ? "0"
      : `${units / 100000000n}.${(units % 100000000n).toString().padStart(8, "0")}`;
    assert.equal(position?.qtyAhead, expected, context);
  }
}

function randomRun(seed: number, depth: Level3Depth, spread: number, messages: number): void {
  const random = seededRandom(seed);
  const model = new Model(depth);
  const book = new Level3Book("BTC/USD", depth);
  let nextId = 0;
  const snapshot: Record<"bid" | "ask", Level3Order[]> = { bid: [], ask: [] };
  for (const side of ["bid", "ask"] as const) {
    const count = Math.floor(random() * 60);
    for (let i = 0; i < count; i++) {
      const entry = order(`O${++nextId}`, randomPrice(random, side, spread), randomQty(random));
      snapshot[side].push(entry);
      model.event(side, entry);
    }
  }
  model.cut();
  const first = book.apply("snapshot", payload(snapshot.bid, snapshot.ask, model.checksum()));
  assert.deepEqual(first, { status: "ok", checksum: model.checksum() }, `seed ${seed} snapshot`);
  compare(book, model, `seed ${seed} snapshot`);
  for (let m = 0; m < messages; m++) {
    const context = `seed ${seed} message ${m}`;
    const events: Record<"bid" | "ask", Level3Order[]> = { bid: [], ask: [] };
    const count = 1 + Math.floor(random() * 8);
    for (let e = 0; e < count; e++) {
      const side = random() < 0.5 ? "bid" : "ask";
      const held = model.orders.filter((entry) => entry.side === side);
      const pick = held[Math.floor(random() * held.length)] as ModelOrder | undefined;
      const roll = random();
      let entry: Level3Order;
      if (pick === undefined || roll < 0.35) {
        entry = order(`O${++nextId}`, randomPrice(random, side, spread), randomQty(random), "add");
      } else if (roll < 0.55) {
        entry = order(pick.id, pick.priceText, pick.qtyText, "delete");
      } else if (roll < 0.8) {
        entry = order(pick.id, pick.priceText, randomQty(random), "modify");
      } else if (roll < 0.85) {
        entry = order(pick.id, pick.priceText, "0.00000000", "modify");
      } else if (roll < 0.9) {
        entry = order(pick.id, randomPrice(random, side, spread), randomQty(random), "modify");
      } else if (roll < 0.94) {
        entry = order(pick.id, randomPrice(random, side, spread), randomQty(random), "add");
      } else {
        const unknown = `X${++nextId}`;
        entry = order(
          unknown,
          randomPrice(random, side, spread),
          randomQty(random),
          random() < 0.5 ? "modify" : "delete",
        );
      }
      events[side].push(entry);
    }
    for (const entry of events.bid) model.event("bid", entry);
    for (const entry of events.ask) model.event("ask", entry);
    model.cut();
    const expected = model.checksum();
    const verdict = book.apply("update", payload(events.bid, events.ask, expected));
    assert.deepEqual(verdict, { status: "ok", checksum: expected }, context);
    compare(book, model, context);
    assert.equal(level3Checksum(book.asks(), book.bids()), expected, context);
    checkQueuePosition(book, model, random, context);
  }
}

Deno.test("level3 book: random add/modify/delete at depth 10 match the model after every message", () => {
  for (let seed = 1; seed <= 12; seed++) randomRun(seed, 10, 30, 150);
});

Deno.test("level3 book: random add/modify/delete at depth 100, few levels, deep queues", () => {
  for (let seed = 101; seed <= 106; seed++) randomRun(seed, 100, 6, 150);
});

Deno.test("level3 book: random add/modify/delete at depth 100 and 1000, wide books", () => {
  for (let seed = 201; seed <= 204; seed++) randomRun(seed, 100, 400, 120);
  for (let seed = 301; seed <= 302; seed++) randomRun(seed, 1000, 2000, 120);
});
