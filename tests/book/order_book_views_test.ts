import assert from "node:assert/strict";
import { OrderBook } from "../../src/book/order_book.ts";
import { bookChecksum } from "../../src/book/checksum.ts";
import type { BookLevel, BookPayload } from "../../src/protocol/messages.ts";
import { seededRandom } from "../fixtures.ts";

function level(priceText: string, qtyText: string): BookLevel {
  return { price: Number(priceText), priceText, qty: Number(qtyText), qtyText };
}

/** A payload whose checksum is what the book will compute, so every message applies. */
function applied(
  book: OrderBook,
  type: "snapshot" | "update",
  bids: BookLevel[],
  asks: BookLevel[],
) {
  // Work out the checksum on a twin that already holds the same levels.
  const twin = new OrderBook(book.symbol, book.depth);
  if (type === "update") {
    twin.applySnapshot({
      symbol: book.symbol,
      bids: [...book.bidLevels()],
      asks: [...book.askLevels()],
      checksum: book.checksum(),
    });
  }
  const probe: BookPayload = { symbol: book.symbol, bids, asks, checksum: 0 };
  twin.apply(type, probe);
  const checksum = bookChecksum(twin.askLevels(), twin.bidLevels());
  const verdict = book.apply(type, { ...probe, checksum });
  assert.equal(verdict.status, "ok");
}

Deno.test("order book views: frozen, shared between reads, and never changed under a reader", () => {
  const book = new OrderBook("BTC/USD", 10);
  applied(book, "snapshot", [level("100.0", "1"), level("99.0", "2")], [level("101.0", "3")]);
  const bids = book.bidLevels();
  assert.ok(Object.isFrozen(bids));
  assert.equal(book.bidLevels(), bids, "a second read shares the same array: no copy");
  assert.throws(() => (bids as BookLevel[]).push(level("1", "1")), TypeError);
  applied(book, "update", [level("100.0", "0"), level("98.5", "4")], []);
  assert.deepEqual(bids.map((entry) => entry.priceText), ["100.0", "99.0"], "the held view stays");
  assert.deepEqual(book.bidLevels().map((entry) => entry.priceText), ["99.0", "98.5"]);
  assert.notEqual(book.bidLevels(), bids);
  assert.equal(book.askLevels()[0], book.askLevels()[0], "untouched side: same level objects");
});

Deno.test("order book changes: sets, deletes and levels cut at the depth, bids then asks", () => {
  const book = new OrderBook("BTC/USD", 10);
  const bids = Array.from({ length: 10 }, (_, i) => level(`${100 - i}.0`, "1"));
  applied(book, "snapshot", bids, [level("101.0", "1")]);
  assert.equal(book.changes().length, 11, "after a snapshot, every level it set");
  applied(book, "update", [level("100.5", "2"), level("99.0", "0.000")], [level("101.0", "0")]);
  const described = book.changes().map((change) =>
    `${change.side} ${change.priceText} ${change.qtyText}`
  );
  // 100.5 pushes nothing out (99.0 left): 10 bids stay, nothing is cut.
  assert.deepEqual(described, ["bid 100.5 2", "bid 99.0 0.000", "ask 101.0 0"]);
  applied(book, "update", [level("100.7", "1")], []);
  assert.deepEqual(
    book.changes().map((change) => `${change.side} ${change.priceText} ${change.qtyText}`),
    ["bid 100.7 1", "bid 91.0 0"],
    "the level pushed past the depth is a removal",
  );
});

Deno.test("order book changes: a consumer following only the changes keeps the same book", () => {
  const random = seededRandom(5);
  for (const depth of [10, 100] as const) {
    const book = new OrderBook("ETH/USD", depth);
    const mirror = { bid: new Map<string, string>(), ask: new Map<string, string>() };
    const follow = () => {
      for (const change of book.changes()) {
        if (change.qty === 0) mirror[change.side].delete(change.priceText);
        else mirror[change.side].set(change.priceText, change.qtyText);
      }
    };
    const side = (base: number, sign: number, count: number) =>
      Array.from({ length: count }, () => {
        const price = (base + sign * Math.floor(random() * 300) / 10).toFixed(1);
        return level(price, random() < 0.25 ? "0" : (random() * 5).toFixed(3));
      });
    applied(book, "snapshot", side(1000, -1, depth).filter((entry) => entry.qty > 0), []);
    follow();
    for (let step = 0; step < 300; step++) {
      applied(book, "update", side(1000, -1, 3), side(1031, 1, 3));
      follow();
      const shown = (levels: readonly BookLevel[]) =>
        new Map(levels.map((entry) => [entry.priceText, entry.qtyText]));
      assert.deepEqual(mirror.bid, shown(book.bidLevels()), `bids at step ${step}`);
      assert.deepEqual(mirror.ask, shown(book.askLevels()), `asks at step ${step}`);
    }
  }
});
