import assert from "node:assert/strict";
import { BookStreamQueue } from "../../src/client/book_stream_queue.ts";
import type { BookEvent, GapEvent, KrakenEvent } from "../../src/core/events.ts";

let seq = 0;
const change = { side: "bid", price: 1, priceText: "1", qty: 1, qtyText: "1" } as const;
const book = (symbol: string): BookEvent => ({
  type: "book",
  symbol,
  bids: [],
  asks: [],
  checksum: 0,
  snapshot: false,
  validated: true,
  changes: [change],
  seq: ++seq,
  time: seq,
});
const checksumGap = (symbol: string): GapEvent => ({
  type: "gap",
  reason: "checksum",
  channel: "book",
  symbol,
  expected: 1,
  computed: 2,
  seq: ++seq,
  time: seq,
});

async function readAll(stream: ReadableStream<KrakenEvent>): Promise<KrakenEvent[]> {
  const out: KrakenEvent[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

Deno.test("book stream queue: a stalled reader holds the newest book per symbol, whatever it missed", async () => {
  const overflows: GapEvent[] = [];
  const queue = new BookStreamQueue(256, (gap) => overflows.push(gap));
  const stream = queue.readable(() => {});
  // 60 s of a depth-1000 book at 100 messages a second, two symbols, a checksum gap now and then.
  let pushed = 0;
  const newest = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const event = book(i % 2 === 0 ? "BTC/USD" : "ETH/USD");
    queue.push(event);
    newest.set(event.symbol, event.seq);
    pushed++;
    if (i % 1000 === 999) queue.pushControl(checksumGap("BTC/USD"));
    // The newest book and a gap of each symbol, plus the lifecycle events: never a backlog.
    assert.ok(queue.size <= 2 * 2 + 6, `size ${queue.size} after ${i + 1} books`);
  }
  queue.end();
  const events = await readAll(stream);
  const seqs = events.map((event) => event.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "seq only increases");
  assert.equal(new Set(seqs).size, seqs.length, "no seq twice");
  const checksumGaps = events.filter((event) =>
    event.type === "gap" && event.reason === "checksum"
  );
  assert.equal(checksumGaps.length, 6, "lifecycle events are never dropped");
  const books = events.filter((event) => event.type === "book");
  const skipped = events.reduce(
    (sum, event) =>
      sum + (event.type === "gap" && event.reason === "overflow" ? event.dropped! : 0),
    0,
  );
  assert.equal(books.length + skipped, pushed, "every book is delivered or counted as skipped");
  assert.equal(overflows.length, 2, "the owner hears of each overflow gap once, when delivered");
  assert.ok(
    books.every((event) => event.type === "book" && event.changes.length === 0),
    "a book after skipped ones is taken whole",
  );
  for (const [symbol, newestSeq] of newest) {
    const delivered = books.filter((event) => event.type === "book" && event.symbol === symbol);
    assert.equal(delivered.at(-1)?.seq, newestSeq, `${symbol}: the newest book is delivered`);
  }
  for (const symbol of ["BTC/USD", "ETH/USD"]) {
    const index = events.findIndex((event) =>
      event.type === "gap" && event.reason === "overflow" && event.symbol === symbol
    );
    const after = events.findIndex((event, i) =>
      i > index && event.type === "book" && event.symbol === symbol
    );
    assert.ok(index >= 0 && after > index, `${symbol}: its gap comes before its newest book`);
  }
});

Deno.test("book stream queue: a reader keeping up gets every book, and no gap", async () => {
  const queue = new BookStreamQueue(16);
  const reader = queue.readable(() => {}).getReader();
  for (let i = 0; i < 5; i++) {
    queue.push(book("BTC/USD"));
    const { value } = await reader.read();
    assert.ok(value?.type === "book" && value.changes.length === 1, "every book with its changes");
  }
  assert.equal(queue.size, 0);
});

Deno.test("book stream queue: lifecycle events past the limit become one counted gap, in order", async () => {
  const queue = new BookStreamQueue(3);
  const stream = queue.readable(() => {});
  for (let i = 0; i < 10; i++) queue.pushControl(checksumGap("BTC/USD"));
  queue.push(book("BTC/USD"));
  assert.equal(queue.size, 5);
  queue.end();
  const events = await readAll(stream);
  assert.deepEqual(events.map((event) => event.type), ["gap", "gap", "gap", "gap", "book"]);
  const overflow = events[3] as GapEvent;
  assert.equal(overflow.reason, "overflow");
  assert.equal(overflow.dropped, 7);
  assert.equal(overflow.symbol, undefined);
  const seqs = events.map((event) => event.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
});

Deno.test("book stream queue: cancelling lets everything go", async () => {
  let cancelled = false;
  const queue = new BookStreamQueue(4);
  const stream = queue.readable(() => cancelled = true);
  queue.push(book("BTC/USD"));
  await stream.cancel();
  assert.ok(cancelled);
  assert.equal(queue.size, 0);
  queue.push(book("BTC/USD"));
  assert.equal(queue.size, 0, "an ended queue takes nothing");
});
