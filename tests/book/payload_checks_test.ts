/**
 * A book is a public class: a JavaScript caller can hand it anything. A payload not of the decoded
 * shape is refused whole, before any of it is applied.
 */

import assert from "node:assert/strict";
import { OrderBook } from "../../src/book/order_book.ts";
import { Level3Book } from "../../src/book/level3_book.ts";
import { decode } from "../../src/protocol/decode.ts";

const SNAPSHOT = decode(
  '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",' +
    '"bids":[{"price":100.0,"qty":1.00000000}],"asks":[{"price":101.0,"qty":2.00000000}],' +
    '"checksum":1424606772}]}',
);

const level = (price: number, qty: unknown) => ({
  price,
  priceText: price.toFixed(1),
  qty,
  qtyText: String(qty),
});

Deno.test("book checks: a bad payload is refused whole, and the book is as it was", () => {
  assert.ok(SNAPSHOT.kind === "book");
  const book = new OrderBook("BTC/USD", 10);
  assert.equal(book.apply("snapshot", SNAPSHOT.data[0]).status, "ok");
  const before = { bids: book.bids(), asks: book.asks(), checksum: book.checksum() };
  const bad: [unknown, unknown][] = [
    ["update", null],
    ["update", { symbol: "BTC/USD", bids: [level(99, 1)], asks: 5, checksum: 0 }],
    ["update", { symbol: "BTC/USD", bids: [level(99, 1), level(98, "2")], asks: [], checksum: 0 }],
    ["update", { symbol: "BTC/USD", bids: [level(99, 1), level(98, -2)], asks: [], checksum: 0 }],
    ["update", { symbol: "BTC/USD", bids: [level(99, 1), null], asks: [], checksum: 0 }],
    ["update", { symbol: "BTC/USD", bids: [level(99, 1)], asks: [], checksum: 2 ** 32 }],
    ["update", { symbol: "BTC/USD", bids: [level(99, 1)], asks: [], checksum: "0" }],
    ["delta", { symbol: "BTC/USD", bids: [level(99, 1)], asks: [], checksum: 0 }],
  ];
  for (const [type, payload] of bad) {
    assert.throws(
      () => book.apply(type as "update", payload as never),
      (error: unknown) => error instanceof TypeError || error instanceof RangeError,
      JSON.stringify([type, payload]),
    );
    assert.deepEqual(
      { bids: book.bids(), asks: book.asks(), checksum: book.checksum() },
      before,
      JSON.stringify([type, payload]),
    );
    assert.equal(book.state, "synced");
  }
  assert.throws(() => new OrderBook(42 as never, 10), TypeError);
});

Deno.test("book checks: a level 3 book refuses a bad order before applying any", () => {
  const book = new Level3Book("BTC/USD", 10);
  const order = (id: string, price: number, qty: unknown, event?: unknown) => ({
    orderId: id,
    limitPrice: price,
    limitPriceText: price.toFixed(1),
    orderQty: qty,
    orderQtyText: String(qty),
    timestamp: "2026-01-01T00:00:00Z",
    ...(event === undefined ? {} : { event }),
  });
  const snapshot = { symbol: "BTC/USD", bids: [order("A", 100, 1)], asks: [], checksum: 0 };
  // The first try names a wrong checksum, to learn the right one.
  const verdict = book.apply("snapshot", snapshot as never);
  assert.ok(verdict.status === "mismatch");
  book.apply("snapshot", { ...snapshot, checksum: verdict.computed } as never);
  assert.equal(book.state, "synced");
  const checksum = book.checksum();
  const bad = [
    {
      symbol: "BTC/USD",
      bids: [order("B", 99, 1, "add"), order("C", 98, 1, "upsert")],
      asks: [],
      checksum,
    },
    {
      symbol: "BTC/USD",
      bids: [order("B", 99, 1, "add"), order("C", 98, Number.NaN, "add")],
      asks: [],
      checksum,
    },
    {
      symbol: "BTC/USD",
      bids: [order("B", 99, 1, "add"), { ...order("C", 98, 1, "add"), orderId: 7 }],
      asks: [],
      checksum,
    },
  ];
  for (const payload of bad) {
    assert.throws(
      () => book.apply("update", payload as never),
      (error: unknown) => error instanceof TypeError || error instanceof RangeError,
    );
    assert.equal(book.order("B"), undefined, "nothing of it applied");
    assert.equal(book.checksum(), checksum);
  }
});
