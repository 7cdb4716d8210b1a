/**
 * The soak: the real client against the real simulator over loopback sockets, with random faults
 * on every connection, for two minutes of virtual time. It holds the seeded simulation's own
 * invariants (src/sim/invariants.ts) where everything real is in the way: sockets, the relay, the
 * streams; and its own checks of what the streams delivered.
 */

import assert from "node:assert/strict";
import { bookChecksum, CHECKSUM_LEVELS } from "../../src/book/checksum.ts";
import type { BookEvent, KrakenEvent } from "../../src/core/events.ts";
import type { BookLevel } from "../../src/protocol/messages.ts";
import { Invariants } from "../../src/sim/invariants.ts";
import { EventCollector } from "../client/event_collector.ts";
import { Loopback } from "./loopback.ts";

const VIRTUAL_MS = 120_000;
const MAX_FRAMES = 60_000;
const BUFFER_SIZE = 64;

/** Yields to the event loop once. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function sameLevels(
  shown: readonly BookLevel[],
  truth: readonly BookLevel[],
  rows: number,
): boolean {
  const count = Math.min(rows, truth.length);
  if (Math.min(rows, shown.length) !== count) return false;
  for (let i = 0; i < count; i++) {
    if (shown[i].priceText !== truth[i].priceText || shown[i].qtyText !== truth[i].qtyText) {
      return false;
    }
  }
  return true;
}

Deno.test("soak: two minutes of random faults over loopback, and the client never lies", async () => {
  let invariants: Invariants | undefined;
  const loop = await Loopback.start(
    {
      seed: 11,
      faults: { random: { meanGapMs: 5000 } },
      onOutput: (output) => invariants?.observe(output),
    },
    { bufferSize: BUFFER_SIZE, reconnect: { seed: 11 } },
    (clock) => (invariants = new Invariants(clock)).probe,
  );
  const checks = invariants!;
  const violations: string[] = [];
  try {
    const watch = (name: string, channel: "book" | "trade", symbols: string[], depth = 10) =>
      checks.watchStream({
        name,
        requests: symbols.map((symbol) =>
          channel === "book" ? { channel, symbol, depth: depth as 10 | 25 } : { channel, symbol }
        ),
      });
    const btcWatch = watch("book BTC/USD", "book", ["BTC/USD"], 25);
    const btc = new EventCollector(loop.kraken.book("BTC/USD", { depth: 25 }));
    const ethWatch = watch("book ETH/USD", "book", ["ETH/USD"]);
    const eth = new EventCollector(loop.kraken.book("ETH/USD", { depth: 10 }));
    const tradesWatch = watch("trades", "trade", ["BTC/USD", "ETH/USD"]);
    const trades = new EventCollector(loop.kraken.trades(["BTC/USD", "ETH/USD"]));
    // A consumer that reads a few events every few seconds: it must overflow, and say so. One
    // read is always outstanding; it is taken only when it has an event.
    const slowWatch = watch("slow trades", "trade", ["BTC/USD", "ETH/USD"]);
    const slow = loop.kraken.trades(["BTC/USD", "ETH/USD"]).getReader();
    const slowEvents: KrakenEvent[] = [];
    let slowRead = slow.read();
    let slowDone = false;
    const readSlow = async (most: number) => {
      for (let read = 0; read < most && !slowDone; read++) {
        const result = await Promise.race([slowRead, turn().then(() => undefined)]);
        if (result === undefined) return;
        if (result.done) slowDone = true;
        else slowEvents.push(result.value);
        slowRead = slow.read();
      }
    };
    for (let elapsed = 0; elapsed < VIRTUAL_MS && loop.received < MAX_FRAMES; elapsed += 3000) {
      await loop.run(3000, 100);
      await readSlow(10);
    }
    loop.simulator.calm();
    await loop.run(30_000, 100); // a quiet end: the client recovers from the last faults
    await readSlow(Infinity);

    // Every book shown is one the server actually sent, in order, valid and uncrossed.
    const sentViews = new Map<
      string,
      {
        connection: number;
        bids: readonly BookLevel[];
        asks: readonly BookLevel[];
        checksum: number;
      }[]
    >();
    for (const { connection, frame } of loop.sent) {
      if (frame.book === undefined || frame.symbol === undefined) continue;
      const views = sentViews.get(frame.symbol) ?? [];
      views.push({ connection, ...frame.book });
      sentViews.set(frame.symbol, views);
    }
    for (const [stream, symbol] of [[btc, "BTC/USD"], [eth, "ETH/USD"]] as const) {
      const views = sentViews.get(symbol) ?? [];
      let cursor = 0;
      const books = stream.events.filter((event): event is BookEvent => event.type === "book");
      assert.ok(books.length > 100, `${symbol}: ${books.length} books`);
      for (const book of books) {
        if (bookChecksum(book.asks, book.bids) !== book.checksum) {
          violations.push(`${symbol} book seq ${book.seq} fails its checksum`);
        }
        if (
          book.bids.length > 0 && book.asks.length > 0 && book.bids[0].price >= book.asks[0].price
        ) {
          violations.push(`${symbol} book seq ${book.seq} is crossed`);
        }
        // The checksum covers the top 10: those must be a state the server sent, in order.
        const found = views.findIndex((view, index) =>
          index >= cursor && view.checksum === book.checksum &&
          sameLevels(book.bids, view.bids, CHECKSUM_LEVELS) &&
          sameLevels(book.asks, view.asks, CHECKSUM_LEVELS)
        );
        if (found < 0) {
          violations.push(`${symbol} book seq ${book.seq} was never sent (or out of order)`);
        } else cursor = found;
      }
    }

    // Trades: in order, never twice, and every id missing between the first and the last is a gap.
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      const ids = trades.events.filter((event) => event.type === "trade" && event.symbol === symbol)
        .map((event) => event.type === "trade" ? event.tradeId : 0);
      assert.ok(ids.length > 100, `${symbol}: ${ids.length} trades`);
      for (let i = 1; i < ids.length; i++) {
        if (ids[i] <= ids[i - 1]) {
          violations.push(`${symbol} trade ${ids[i]} out of order or twice`);
        }
      }
      const covered = new Set(ids);
      for (const event of trades.events) {
        if (event.type !== "gap" || event.reason !== "sequence" || event.symbol !== symbol) {
          continue;
        }
        for (let id = event.fromTradeId!; id <= event.toTradeId!; id++) covered.add(id);
      }
      for (let id = ids[0]; id <= ids[ids.length - 1]; id++) {
        if (!covered.has(id)) {
          violations.push(`${symbol} trade ${id} lost without a gap`);
          break;
        }
      }
    }

    // The slow consumer lost events, and every one it lost is counted in an overflow gap: what
    // the fast reader got equals what the slow one got plus what it was told it lost.
    const overflow = slowEvents.filter((event) =>
      event.type === "gap" && event.reason === "overflow"
    );
    assert.ok(overflow.length > 0, "the slow consumer overflowed");
    const fastOverflows = trades.events.filter((event) =>
      event.type === "gap" && event.reason === "overflow"
    );
    assert.equal(fastOverflows.length, 0, "the fast consumer kept up");
    const dropped = overflow.reduce(
      (sum, event) => sum + (event.type === "gap" ? event.dropped! : 0),
      0,
    );
    const slowKept = slowEvents.filter((event) =>
      !(event.type === "gap" && event.reason === "overflow")
    );
    // Subscription states went to the streams open when they happened; the slow one opened
    // after the fast one had subscribed: the data and gaps both carried are what compares.
    const carried = (event: KrakenEvent) => event.type !== "state";
    assert.equal(
      slowKept.filter(carried).length + dropped,
      trades.events.filter(carried).length,
      "nothing lost silently",
    );

    // Faults really happened: links were replaced, books resynced, attempts stayed polite.
    const connections = loop.simulator.connections;
    const faults = connections.flatMap((info) => info.faults);
    assert.ok(faults.length >= 15, `${faults.length} faults`);
    assert.ok(connections.length >= 3, `${connections.length} connections`);
    assert.ok(connections.length <= 150, "within the attempt budget");
    const resyncs = [...btc.events, ...eth.events].filter((event) =>
      event.type === "gap" && (event.reason === "checksum" || event.reason === "crossed")
    );
    assert.ok(resyncs.length >= 1, "at least one resync");
    // At the end, after the quiet spell, both books are in sync again.
    for (const stream of [btc, eth]) {
      const last = stream.events.at(-1);
      assert.equal(last?.type, "book", "the last word of a book stream is a book");
    }

    // The simulation's invariants, over the whole run: every stream read to its end.
    await loop.kraken.close();
    await Promise.all([btc.done, eth.done, trades.done]);
    while (!slowDone) await readSlow(Infinity);
    for (
      const [stream, events] of [
        [btcWatch, btc.events],
        [ethWatch, eth.events],
        [tradesWatch, trades.events],
        [slowWatch, slowEvents],
      ] as const
    ) {
      for (const event of events) stream.read(event);
    }
    checks.finish();
    violations.push(...checks.violations);
    assert.ok(checks.stats.books > 200 && checks.stats.faults >= 15, JSON.stringify(checks.stats));
  } finally {
    await loop.close();
  }
  assert.deepEqual(violations, []);
});
