/**
 * Events for one stream alone: the overflow gap and the books that follow it, and the current
 * book for a stream joining a synced one. Every event still comes out of `handle()`, in `seq`.
 */

import assert from "node:assert/strict";
import type { BookEvent, KrakenEvent } from "../../src/core/events.ts";
import { ServerBook } from "./server_book.ts";
import { SessionHarness } from "./session_harness.ts";

const BTC_BOOK = { channel: "book", symbol: "BTC/USD", depth: 25 } as const;
const ETH_BOOK = { channel: "book", symbol: "ETH/USD", depth: 25 } as const;
const BTC_TRADES = { channel: "trade", symbol: "BTC/USD" } as const;

/** The book part of a book event: what two events of one book state share. */
function levels(event: KrakenEvent) {
  assert.equal(event.type, "book");
  const { symbol, bids, asks, checksum, snapshot, validated } = event as BookEvent;
  return { symbol, bids, asks, checksum, snapshot, validated };
}

function assertSeqFollows(harness: SessionHarness): void {
  const seqs = harness.events.map((event) => event.seq);
  assert.deepEqual(seqs, seqs.map((_, index) => index + 1), "one seq, increasing by one");
}

Deno.test("session: an overflow is a gap for that stream alone", () => {
  const harness = new SessionHarness();
  const trades = harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.advance(500);
  harness.ackAll();
  harness.advance(10);
  const before = harness.events.length;
  harness.input({
    type: "overflow",
    consumer: trades,
    dropped: 3,
    channel: "trade",
    symbol: "BTC/USD",
  });
  assert.deepEqual(harness.addressed.map((entry) => entry.consumer), [trades]);
  assert.deepEqual(harness.events.slice(before), [{
    type: "gap",
    reason: "overflow",
    dropped: 3,
    channel: "trade",
    symbol: "BTC/USD",
    seq: before + 1,
    time: harness.clock.now(),
  }]);
  // The unified stream's overflow names no channel.
  harness.input({ type: "overflow", consumer: 99, dropped: 2 });
  const unified = harness.addressed.at(-1)!;
  assert.equal(unified.consumer, 99);
  assert.ok(
    unified.event.type === "gap" && unified.event.channel === undefined &&
      unified.event.symbol === undefined,
  );
  assertSeqFollows(harness);
});

Deno.test("session: a stream joining a synced book gets the current book, for it alone", () => {
  const harness = new SessionHarness();
  const server = new ServerBook("BTC/USD", 25);
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.frame(server.update(4));
  const requests = harness.requests().length;
  const before = harness.events.length;
  const newest = harness.events.at(-1)!;
  // A shallower stream shares the subscription; it is cut to its depth by whoever routes it.
  const second = harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 10 });
  const joined = harness.events.slice(before);
  assert.deepEqual(harness.addressed, [{ consumer: second, event: joined[0] }]);
  assert.equal(joined.length, 1, "no state event: the subscription did not move");
  assert.deepEqual(levels(joined[0]), levels(newest));
  assert.equal(levels(joined[0]).bids[0].qtyText, "4.00000000");
  assert.equal(harness.requests().length, requests, "nothing asked of Kraken");

  // Nothing to give: a trade stream, a book awaiting its snapshot, a deeper book that resyncs.
  harness.subscribe(BTC_TRADES);
  harness.subscribe(BTC_TRADES);
  harness.subscribe(ETH_BOOK);
  harness.advance(500);
  harness.ackAll();
  assert.equal(harness.session.subscriptionState(ETH_BOOK), "awaiting_snapshot");
  harness.subscribe(ETH_BOOK);
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 100 });
  assert.equal(harness.addressed.length, 1);
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "resyncing");
  assertSeqFollows(harness);
});
