/**
 * Frames before their acknowledgement are held for the one subscribe on the wire, and for nothing
 * else: found by the fuzz suite (`deno task fuzz --target session --seed 43`, `--seed 79`), where a
 * snapshot the session had given up came back as the new book.
 */

import assert from "node:assert/strict";
import { ServerBook } from "./server_book.ts";
import { SessionHarness } from "./session_harness.ts";

const BTC_BOOK = { channel: "book", symbol: "BTC/USD", depth: 10 } as const;

Deno.test("early frames: a snapshot of the old subscription, while only its unsubscribe is on the wire, is never the new book", () => {
  const harness = new SessionHarness();
  const server = new ServerBook("BTC/USD");
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.frame(server.update(2, true)); // a mismatch: unsubscribe, then subscribe
  harness.advance(200);
  assert.deepEqual(harness.requests().map((request) => request.method), [
    "subscribe",
    "unsubscribe",
  ]);
  // The old subscription's late snapshot, with a book the server no longer has.
  const stale = new ServerBook("BTC/USD", 10, 500);
  harness.frame(stale.snapshot());
  harness.ackAll(); // the unsubscribe; the subscribe goes out
  harness.ackAll(); // the subscribe
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "awaiting_snapshot");
  assert.equal(harness.eventsOf("book").length, 1, "only the first snapshot's book");
  harness.frame(server.snapshot());
  const books = harness.eventsOf("book");
  assert.equal(books.length, 2);
  assert.equal(books[1].bids[0].priceText, server.bids[0].priceText);
});

Deno.test("early frames: frames held for a subscribe that then times out are not applied on a later acknowledgement", () => {
  const harness = new SessionHarness({ requestTimeoutMs: 2000, heartbeatTimeoutMs: 60_000 });
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  const old = new ServerBook("BTC/USD", 10, 500);
  harness.frame(old.snapshot()); // ahead of an answer that never comes
  for (let i = 0; i < 30 && harness.requests("unsubscribe").length === 0; i++) {
    harness.advance(100);
    harness.frame({ channel: "heartbeat" });
  }
  harness.ackAll(); // the unsubscribe after the timeout; the next subscribe goes out at the pace
  harness.advance(200);
  harness.ackAll(); // that subscribe
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "awaiting_snapshot");
  assert.deepEqual(harness.eventsOf("book"), [], "the old hold is let go");
  // Held for the subscribe on the wire, a snapshot ahead of its answer is taken.
  const fresh = new ServerBook("BTC/USD");
  harness.frame(fresh.update(3, true)); // a late update of the old book: dropped
  harness.frame(fresh.snapshot());
  assert.equal(harness.eventsOf("book").length, 1);
});

Deno.test("early frames: a snapshot ahead of its own subscribe's answer is still taken", () => {
  const harness = new SessionHarness();
  const server = new ServerBook("BTC/USD");
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.frame(server.snapshot());
  harness.frame(server.update(4));
  assert.equal(harness.eventsOf("book").length, 0);
  harness.ackAll();
  const books = harness.eventsOf("book");
  assert.equal(books.length, 2);
  assert.equal(books[1].bids[0].qtyText, "4.00000000");
});

Deno.test("early frames: a stream that leaves and comes back while its subscribe is unanswered takes the unsubscribe back", () => {
  // Found by the fuzz suite (`deno task fuzz --target session --seed 355`): the subscribe's answer
  // synced a book that the queued unsubscribe then stopped, and a stream joining later was handed
  // that frozen book as current.
  const harness = new SessionHarness();
  const server = new ServerBook("BTC/USD");
  const first = harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.unsubscribe(first);
  harness.subscribe(BTC_BOOK);
  assert.equal(harness.session.pendingRequests, 1, "only the subscribe on the wire");
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.advance(1000);
  assert.deepEqual(harness.requests().map((request) => request.method), ["subscribe"]);
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
  assert.equal(harness.eventsOf("book").length, 1);
});
