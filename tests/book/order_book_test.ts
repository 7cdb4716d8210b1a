import assert from "node:assert/strict";
import { crc32 as zlibCrc32 } from "node:zlib";
import { OrderBook } from "../../src/book/order_book.ts";
import { checksumDigits } from "../../src/protocol/decimal_text.ts";
import type { BookLevel, BookPayload } from "../../src/protocol/messages.ts";
import { seededRandom } from "../fixtures.ts";

function level(priceText: string, qtyText: string): BookLevel {
  return { price: Number(priceText), priceText, qty: Number(qtyText), qtyText };
}

function levels(pairs: string): BookLevel[] {
  return pairs.trim().split(/,\s*/).filter((pair) => pair !== "").map((pair) => {
    const [price, qty] = pair.trim().split(/\s+/);
    return level(price, qty);
  });
}

/** An independent checksum: straight from the definition, through node:zlib's CRC. */
function referenceChecksum(asks: BookLevel[], bids: BookLevel[]): number {
  const text = [...asks.slice(0, 10), ...bids.slice(0, 10)]
    .map((entry) => checksumDigits(entry.priceText) + checksumDigits(entry.qtyText))
    .join("");
  return zlibCrc32(text);
}

function payload(
  bids: BookLevel[],
  asks: BookLevel[],
  checksum: number,
  symbol = "BTC/USD",
): BookPayload {
  return { symbol, bids, asks, checksum };
}

const KRAKEN_ASKS = levels(`45285.2 0.00100000, 45286.4 1.54571953, 45286.6 1.54571109,
  45289.6 1.54560911, 45290.2 0.15890660, 45291.8 1.54553491, 45294.7 0.04454749,
  45296.1 0.35380000, 45297.5 0.09945542, 45299.5 0.18772827`);
const KRAKEN_BIDS = levels(`45283.5 0.10000000, 45283.4 1.54582015, 45282.1 0.10000000,
  45281.0 0.10000000, 45280.3 1.54592586, 45279.0 0.07990000, 45277.6 0.03310103,
  45277.5 0.30000000, 45277.3 1.54602737, 45276.6 0.15445238`);

Deno.test("order book: Kraken's worked example gives checksum 3310070434", () => {
  const book = new OrderBook("BTC/USD", 10);
  const verdict = book.applySnapshot(payload(KRAKEN_BIDS, KRAKEN_ASKS, 3310070434));
  assert.deepEqual(verdict, { status: "ok", checksum: 3310070434 });
  assert.equal(book.state, "synced");
  assert.equal(referenceChecksum(KRAKEN_ASKS, KRAKEN_BIDS), 3310070434);
});

Deno.test("order book: the example's levels in shuffled order sort into the same book", () => {
  const random = seededRandom(11);
  const shuffle = <T>(items: T[]) =>
    items.map((item) => [random(), item] as const)
      .sort((a, b) => a[0] - b[0]).map(([, item]) => item);
  const book = new OrderBook("BTC/USD", 10);
  const verdict = book.applySnapshot(
    payload(shuffle(KRAKEN_BIDS), shuffle(KRAKEN_ASKS), 3310070434),
  );
  assert.equal(verdict.status, "ok");
  assert.deepEqual(book.bids(), KRAKEN_BIDS);
  assert.deepEqual(book.asks(), KRAKEN_ASKS);
});

Deno.test("order book: the same price twice in an update, the later wins", () => {
  const book = new OrderBook("BTC/USD", 10);
  const bids = levels("100.0 1.0, 99.0 1.0");
  const asks = levels("101.0 1.0, 102.0 1.0");
  assert.equal(book.applySnapshot(payload(bids, asks, referenceChecksum(asks, bids))).status, "ok");
  const update = levels("100.0 5.0, 100.0 7.0");
  const expectedBids = levels("100.0 7.0, 99.0 1.0");
  const verdict = book.applyUpdate(payload(update, [], referenceChecksum(asks, expectedBids)));
  assert.equal(verdict.status, "ok");
  assert.deepEqual(book.bids(), expectedBids);
  // And a delete then a re-add of the same price in one message leaves the re-added level.
  const readd = levels("99.0 0.0, 99.0 3.0");
  const afterReadd = levels("100.0 7.0, 99.0 3.0");
  assert.equal(
    book.applyUpdate(payload(readd, [], referenceChecksum(asks, afterReadd))).status,
    "ok",
  );
  assert.deepEqual(book.bids(), afterReadd);
});

Deno.test("order book: a zero quantity in any spelling deletes the level", () => {
  for (const zero of ["0", "0.0", "0.00000000", "0e0", "0E-8", "-0", "0.000e+5"]) {
    const book = new OrderBook("BTC/USD", 10);
    const bids = levels("100.0 1.0, 99.0 1.0");
    const asks = levels("101.0 1.0");
    book.applySnapshot(payload(bids, asks, referenceChecksum(asks, bids)));
    const remaining = levels("100.0 1.0");
    const verdict = book.applyUpdate(
      payload([level("99.0", zero)], [], referenceChecksum(asks, remaining)),
    );
    assert.equal(verdict.status, "ok", `zero spelled ${zero}`);
    assert.deepEqual(book.bids(), remaining, `zero spelled ${zero}`);
  }
});

Deno.test("order book: a delete of an unknown level changes nothing", () => {
  const book = new OrderBook("BTC/USD", 10);
  const bids = levels("100.0 1.0");
  const asks = levels("101.0 1.0");
  book.applySnapshot(payload(bids, asks, referenceChecksum(asks, bids)));
  const verdict = book.applyUpdate(
    payload([level("50.0", "0.0")], [], referenceChecksum(asks, bids)),
  );
  assert.equal(verdict.status, "ok");
  assert.deepEqual(book.bids(), bids);
});

Deno.test("order book: each side is cut to the depth after every message", () => {
  const book = new OrderBook("BTC/USD", 10);
  const bids = Array.from({ length: 10 }, (_, i) => level(`${100 - i}.0`, "1.0"));
  const asks = Array.from({ length: 10 }, (_, i) => level(`${101 + i}.0`, "1.0"));
  book.applySnapshot(payload(bids, asks, referenceChecksum(asks, bids)));
  // A better bid pushes the worst one (91.0) out; Kraken sends no delete for it.
  const better = level("100.5", "2.0");
  const afterInsert = [better, ...bids.slice(0, 9)];
  const verdict = book.applyUpdate(payload([better], [], referenceChecksum(asks, afterInsert)));
  assert.equal(verdict.status, "ok");
  assert.deepEqual(book.bids(), afterInsert);
  assert.equal(book.size.bids, 10);
  // The cut level does not come back when a better one is deleted: the book shows 9 levels.
  const afterDelete = afterInsert.filter((entry) => entry.priceText !== "100.5");
  assert.equal(
    book.applyUpdate(payload([level("100.5", "0")], [], referenceChecksum(asks, afterDelete)))
      .status,
    "ok",
  );
  assert.equal(book.size.bids, 9);
});

Deno.test("order book: a mismatch is reported, then updates are refused until a snapshot", () => {
  const book = new OrderBook("BTC/USD", 10);
  const bids = levels("100.0 1.0");
  const asks = levels("101.0 1.0");
  const good = referenceChecksum(asks, bids);
  assert.equal(book.applySnapshot(payload(bids, asks, good)).status, "ok");
  const changed = levels("100.0 2.0");
  const wrong = (referenceChecksum(asks, changed) + 1) >>> 0;
  assert.deepEqual(book.applyUpdate(payload(changed, [], wrong)), {
    status: "mismatch",
    expected: wrong,
    computed: referenceChecksum(asks, changed),
  });
  assert.equal(book.state, "failed");
  assert.deepEqual(book.applyUpdate(payload(bids, [], good)), {
    status: "refused",
    reason: "awaiting_snapshot",
  });
  assert.equal(book.applySnapshot(payload(bids, asks, good)).status, "ok");
  assert.equal(book.state, "synced");
});

Deno.test("order book: updates before the first snapshot and for another symbol are refused", () => {
  const book = new OrderBook("BTC/USD", 10);
  assert.deepEqual(book.applyUpdate(payload([], [], 0)), {
    status: "refused",
    reason: "awaiting_snapshot",
  });
  assert.deepEqual(book.applySnapshot(payload([], [], 0, "ETH/USD")), {
    status: "refused",
    reason: "wrong_symbol",
  });
  assert.equal(book.state, "empty");
});

Deno.test("order book: a crossed book that passes its checksum is still a failure", () => {
  const book = new OrderBook("BTC/USD", 10);
  const bids = levels("101.0 1.0");
  const asks = levels("101.0 2.0");
  const verdict = book.applySnapshot(payload(bids, asks, referenceChecksum(asks, bids)));
  assert.deepEqual(verdict, {
    status: "crossed",
    bestBid: bids[0],
    bestAsk: asks[0],
  });
  assert.equal(book.state, "failed");
});

Deno.test("order book: reads are copies, never live references", () => {
  const book = new OrderBook("BTC/USD", 10);
  book.applySnapshot(payload(KRAKEN_BIDS, KRAKEN_ASKS, 3310070434));
  const top = book.bids(3);
  const best = book.bestBid();
  (top as { price: number }[])[0].price = 1;
  top.pop();
  assert.equal(book.bids(3).length, 3);
  assert.equal(book.bestBid()?.price, 45283.5);
  const update = [level("45283.5", "0")];
  const after = KRAKEN_BIDS.slice(1);
  book.applyUpdate(payload(update, [], referenceChecksum(KRAKEN_ASKS, after)));
  assert.equal(best?.priceText, "45283.5", "an earlier read does not change");
  assert.equal(book.bestBid()?.priceText, "45283.4");
  assert.equal(book.bestAsk()?.priceText, "45285.2");
  assert.ok(Math.abs((book.spread() ?? 0) - 1.8) < 1e-9);
});

Deno.test("order book: precision pads values that lost their trailing zeros", () => {
  const bids = levels("45283.5 0.1, 45283.4 1.54582015");
  const asks = levels("45285.2 0.001, 45286 4");
  const padded = levels("45285.2 0.00100000, 45286.0 4.00000000");
  const paddedBids = levels("45283.5 0.10000000, 45283.4 1.54582015");
  const expected = referenceChecksum(padded, paddedBids);
  const without = new OrderBook("BTC/USD", 10);
  assert.equal(without.applySnapshot(payload(bids, asks, expected)).status, "mismatch");
  const withPrecision = new OrderBook("BTC/USD", 10, { precision: { price: 1, qty: 8 } });
  assert.equal(withPrecision.applySnapshot(payload(bids, asks, expected)).status, "ok");
  // Precision learnt later (an instrument frame) recomputes the cached digits.
  without.setPrecision({ price: 1, qty: 8 });
  assert.equal(without.checksum(), expected);
});

Deno.test("order book: deep books checksum only the top 10, and changes below keep it", () => {
  const random = seededRandom(99);
  const bids = Array.from(
    { length: 25 },
    (_, i) => level(`${(1000 - i).toFixed(1)}`, "1.00000000"),
  );
  const asks = Array.from(
    { length: 25 },
    (_, i) => level(`${(1001 + i).toFixed(1)}`, "1.00000000"),
  );
  const book = new OrderBook("BTC/USD", 25);
  const top = referenceChecksum(asks, bids);
  assert.equal(book.applySnapshot(payload(bids, asks, top)).status, "ok");
  for (let i = 0; i < 50; i++) {
    const index = 10 + Math.floor(random() * 15);
    const qty = (1 + random()).toFixed(8);
    const verdict = book.applyUpdate(payload([level(bids[index].priceText, qty)], [], top));
    assert.equal(verdict.status, "ok", `update ${i} below the top 10`);
  }
  const inside = level("995.0", "9.00000000");
  const expectedBids = book.bids().map((entry) => entry.priceText === "995.0" ? inside : entry);
  assert.equal(
    book.applyUpdate(payload([inside], [], referenceChecksum(asks, expectedBids))).status,
    "ok",
  );
});

Deno.test("order book: random updates always agree with a naive reference book", () => {
  const random = seededRandom(424242);
  for (const depth of [10, 25, 100] as const) {
    const book = new OrderBook("ETH/USD", depth);
    const reference = { bids: new Map<string, BookLevel>(), asks: new Map<string, BookLevel>() };
    const view = (side: Map<string, BookLevel>, descending: boolean) =>
      [...side.values()].sort((a, b) => descending ? b.price - a.price : a.price - b.price);
    const cut = (side: Map<string, BookLevel>, descending: boolean) => {
      const kept = view(side, descending).slice(0, depth);
      side.clear();
      for (const entry of kept) side.set(entry.priceText, entry);
    };
    for (let step = 0; step < 400; step++) {
      const snapshot = step === 0;
      const bidUpdates: BookLevel[] = [];
      const askUpdates: BookLevel[] = [];
      const count = snapshot ? depth : 1 + Math.floor(random() * 6);
      for (let i = 0; i < count; i++) {
        const bid = random() < 0.5;
        const price = bid
          ? (2000 - Math.floor(random() * depth * 2) / 10).toFixed(1)
          : (2000.1 + Math.floor(random() * depth * 2) / 10).toFixed(1);
        const qty = !snapshot && random() < 0.3 ? "0.00000000" : (random() * 5).toFixed(8);
        (bid ? bidUpdates : askUpdates).push(
          level(price, qty === "0.00000000" && snapshot ? "1.00000000" : qty),
        );
      }
      if (snapshot) {
        reference.bids.clear();
        reference.asks.clear();
      }
      for (
        const [updates, side] of [[bidUpdates, reference.bids], [
          askUpdates,
          reference.asks,
        ]] as const
      ) {
        for (const entry of updates) {
          if (entry.qty === 0) side.delete(entry.priceText);
          else side.set(entry.priceText, entry);
        }
      }
      cut(reference.bids, true);
      cut(reference.asks, false);
      const expectedBids = view(reference.bids, true);
      const expectedAsks = view(reference.asks, false);
      const verdict = book.apply(
        snapshot ? "snapshot" : "update",
        payload(bidUpdates, askUpdates, referenceChecksum(expectedAsks, expectedBids), "ETH/USD"),
      );
      assert.equal(verdict.status, "ok", `depth ${depth} step ${step}`);
      assert.deepEqual(book.bids(), expectedBids, `depth ${depth} step ${step}`);
      assert.deepEqual(book.asks(), expectedAsks, `depth ${depth} step ${step}`);
    }
  }
});

Deno.test("order book: only Kraken's depths are accepted", () => {
  assert.throws(() => new OrderBook("BTC/USD", 20 as 10), RangeError);
  for (const depth of [10, 25, 100, 500, 1000] as const) {
    assert.equal(new OrderBook("BTC/USD", depth).depth, depth);
  }
});
