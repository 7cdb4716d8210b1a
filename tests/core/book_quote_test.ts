import assert from "node:assert/strict";
import { bookMid, bookSpread } from "../../src/core/book_quote.ts";
import type { BookEvent } from "../../src/core/events.ts";
import type { BookLevel } from "../../src/protocol/messages.ts";

const level = (priceText: string): BookLevel => ({
  price: Number(priceText),
  priceText,
  qty: 1,
  qtyText: "1.00000000",
});

function book(bids: BookLevel[], asks: BookLevel[]): BookEvent {
  return {
    type: "book",
    symbol: "BTC/USD",
    bids,
    asks,
    changes: [],
    checksum: 0,
    snapshot: false,
    validated: true,
    seq: 1,
    time: 0,
  };
}

Deno.test("book quote: exact spread and mid from the wire text of the best levels", () => {
  const event = book([level("63501.8"), level("63500.0")], [level("63501.9")]);
  assert.equal(bookSpread(event), "0.1");
  assert.equal(bookMid(event), "63501.85");
  assert.equal(bookSpread(book([], [level("1.0")])), undefined);
  assert.equal(bookMid(book([level("1.0")], [])), undefined);
});
