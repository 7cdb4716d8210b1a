import assert from "node:assert/strict";
import { KrakenClosedError } from "../../src/client/kraken_ws.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { bookChecksum } from "../../src/book/checksum.ts";
import { decode } from "../../src/protocol/decode.ts";
import { KrakenSimulator } from "../../src/sim/simulator.ts";
import { EventCollector } from "../client/event_collector.ts";
import { fixturePath } from "../fixtures.ts";
import { Loopback } from "./loopback.ts";

/** Every book event is a book Kraken's checksum accepts and that is not crossed. */
function assertBooksValid(events: readonly KrakenEvent[]): number {
  let books = 0;
  for (const event of events) {
    if (event.type !== "book") continue;
    books++;
    assert.equal(bookChecksum(event.asks, event.bids), event.checksum);
    if (event.bids.length > 0 && event.asks.length > 0) {
      assert.ok(event.bids[0].price < event.asks[0].price, "not crossed");
    }
  }
  return books;
}

Deno.test("simulator: a client gets verified books, trades, tickers and candles over loopback", async () => {
  const loop = await Loopback.start({ seed: 3 });
  try {
    const book = new EventCollector(loop.kraken.book("BTC/USD", { depth: 100 }));
    const trades = new EventCollector(loop.kraken.trades(["BTC/USD", "ETH/USD"]));
    const ticker = new EventCollector(loop.kraken.ticker("SOL/USD", { trigger: "bbo" }));
    const candles = new EventCollector(loop.kraken.ohlc("XRP/USD", { interval: 5 }));
    await loop.run(20_000);
    const books = assertBooksValid(book.events);
    assert.ok(books > 50, `${books} books`);
    // A data stream also hears its subscription's states; its first book is the snapshot.
    const firstBook = book.events.find((event) => event.type === "book");
    assert.equal(firstBook?.type === "book" && firstBook.snapshot, true);
    assert.equal(book.events.filter((event) => event.type === "gap").length, 0, "no loss");
    const first = book.events.find((event) => event.type === "book");
    assert.ok(first?.type === "book" && first.bids.length === 100 && first.asks.length === 100);
    // Prices and quantities come at the pair's precision with trailing zeros, as Kraken prints.
    assert.match(first.bids[0].priceText, /^\d+\.\d$/);
    assert.match(first.bids[0].qtyText, /^\d+\.\d{8}$/);
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      const ids = trades.events.filter((event) => event.type === "trade" && event.symbol === symbol)
        .map((event) => event.type === "trade" ? event.tradeId : 0);
      assert.ok(ids.length > 5, `${symbol}: ${ids.length} trades`);
      assert.deepEqual(ids, ids.map((_, index) => ids[0] + index), "consecutive trade ids");
    }
    assert.ok(ticker.events.filter((event) => event.type === "ticker").length > 10);
    const candle = candles.events.find((event) => event.type === "ohlc");
    assert.ok(candle?.type === "ohlc" && candle.interval === 5);
    const [connection] = loop.simulator.connections;
    assert.equal(connection.subscriptions.length, 5, "one per symbol and channel");
  } finally {
    await loop.close();
  }
});

Deno.test("simulator: Kraken's refusals reach the client with Kraken's own strings", async () => {
  const loop = await Loopback.start({ seed: 3 });
  try {
    const bad = new EventCollector(loop.kraken.trades("XBT/USD"));
    const good = new EventCollector(loop.kraken.trades("BTC/USD"));
    await loop.run(3000);
    assert.equal(await bad.done, undefined, "the refused stream ends");
    const refusal = bad.events.find((event) => event.type === "error");
    assert.ok(refusal?.type === "error" && refusal.code === "rejected");
    assert.equal(refusal.message, "Currency pair not supported XBT/USD");
    assert.equal(good.ended, false);
  } finally {
    await loop.close();
  }
});

for (
  const [fault, cause] of [
    ["drop_connection", "close 1006"],
    ["close_1001", "close 1001 CloudFlare WebSocket proxy restarting"],
    ["close_1011", "close 1011 keepalive ping timeout"],
    ["stall", "stale"],
  ] as const
) {
  Deno.test(`simulator: after ${fault} the client reconnects, resubscribes and says what it lost`, async () => {
    const loop = await Loopback.start({ seed: 4 });
    try {
      const book = new EventCollector(loop.kraken.book("ETH/USD"));
      await loop.run(2000);
      assert.ok(loop.simulator.inject(fault, { durationMs: 15_000 }));
      assert.ok(await loop.until(() => loop.simulator.connections.length === 2, 30_000));
      assert.ok(
        await loop.until(() =>
          book.events.filter((event) => event.type === "book" && event.snapshot).length === 2
        ),
      );
      assert.ok(
        loop.connectionStates().includes(`backoff (${cause})`),
        loop.connectionStates().join(", "),
      );
      const gap = book.events.find((event) => event.type === "gap");
      assert.ok(gap?.type === "gap" && gap.reason === "reconnect" && gap.symbol === "ETH/USD");
      assert.deepEqual(loop.simulator.connections[1].subscriptions.map((s) => s.channel), ["book"]);
      assertBooksValid(book.events);
    } finally {
      await loop.close();
    }
  });
}

Deno.test("simulator: close 1008 ends the client for good", async () => {
  const loop = await Loopback.start({ seed: 4 });
  try {
    const trades = new EventCollector(loop.kraken.trades("BTC/USD"));
    await loop.run(1000);
    loop.simulator.inject("close_1008");
    assert.ok(await loop.until(() => loop.kraken.state === "closed", 5000));
    assert.ok((await trades.done) instanceof KrakenClosedError);
    await loop.run(60_000, 1000);
    assert.equal(loop.simulator.connections.length, 1, "no reconnect");
  } finally {
    await loop.close();
  }
});

Deno.test("simulator: a wrong checksum and a dropped update are caught and resynced", async () => {
  const loop = await Loopback.start({ seed: 6 });
  try {
    const book = new EventCollector(loop.kraken.book("BTC/USD"));
    await loop.run(2000);
    loop.simulator.inject("wrong_checksum");
    assert.ok(await loop.until(() => book.events.some((event) => event.type === "gap")));
    const gap = book.events.find((event) => event.type === "gap");
    assert.ok(gap?.type === "gap" && gap.reason === "checksum");
    assert.equal(
      gap.expected,
      (gap.computed! + 1) >>> 0,
      "the simulator added one to the checksum",
    );
    assert.ok(
      await loop.until(() =>
        book.events.filter((event) => event.type === "book" && event.snapshot).length === 2
      ),
    );
    loop.simulator.inject("drop_update");
    assert.ok(
      await loop.until(() => book.events.filter((event) => event.type === "gap").length === 2),
    );
    assert.ok(
      await loop.until(() =>
        book.events.filter((event) => event.type === "book" && event.snapshot).length === 3
      ),
    );
    assertBooksValid(book.events);
    assert.equal(loop.simulator.connections.length, 1, "resynced on the same connection");
  } finally {
    await loop.close();
  }
});

Deno.test("simulator: duplicates, bad frames, rate limits, maintenance and slowness are survived", async () => {
  const loop = await Loopback.start({ seed: 8 });
  try {
    const trades = new EventCollector(loop.kraken.trades("BTC/USD"));
    await loop.run(1000);
    for (
      const fault of [
        "duplicate_frame",
        "malformed_json",
        "unknown_channel",
        "oversized_frame",
      ] as const
    ) {
      loop.simulator.inject(fault);
    }
    loop.simulator.inject("maintenance", { durationMs: 2000 });
    loop.simulator.inject("slow", { durationMs: 3000 });
    loop.simulator.inject("exceeded_msg_rate");
    const book = new EventCollector(loop.kraken.book("SOL/USD"));
    await loop.run(10_000);
    const errors = loop.of("error").map((event) => event.code);
    assert.deepEqual(
      errors.filter((code) => code === "decode").length,
      2,
      "malformed and oversized",
    );
    assert.ok(errors.includes("unknown"));
    assert.deepEqual(loop.of("status").map((event) => event.system), [
      "online",
      "maintenance",
      "online",
    ]);
    const ids = trades.events.filter((event) => event.type === "trade")
      .map((event) => event.type === "trade" ? event.tradeId : 0);
    assert.equal(new Set(ids).size, ids.length, "a duplicated frame is not delivered twice");
    // The refused subscribe was sent again and the book came.
    assert.ok(book.events.some((event) => event.type === "book"));
    const [connection] = loop.simulator.connections;
    assert.equal(connection.requestsReceived >= 3, true);
    assert.equal(loop.simulator.connections.length, 1);
  } finally {
    await loop.close();
  }
});

Deno.test("simulator: during an outage connections are refused, and the client backs off", async () => {
  const loop = await Loopback.start({ seed: 9 });
  try {
    const book = new EventCollector(loop.kraken.book("BTC/USD"));
    await loop.run(1000);
    loop.simulator.inject("outage", { durationMs: 30_000 });
    await loop.run(29_000, 100);
    const refused = loop.connectionStates().filter((state) => state.startsWith("backoff"));
    // Backoff: the first retry at once, then 1 s, 2 s, 4 s, 8 s, 16 s caps: a handful, not hundreds.
    assert.ok(refused.length >= 3 && refused.length <= 8, refused.join(", "));
    assert.ok(await loop.until(() => loop.kraken.state === "live", 40_000));
    assert.ok(
      await loop.until(() =>
        book.events.filter((event) => event.type === "book" && event.snapshot).length === 2
      ),
    );
  } finally {
    await loop.close();
  }
});

Deno.test("simulator: scripted faults hit the connection they name, at their time", async () => {
  const loop = await Loopback.start({
    seed: 10,
    faults: {
      scripted: {
        1: [{ at: 2000, kind: "close_1001" }],
        2: [{ at: 1500, kind: "wrong_checksum" }],
      },
    },
  });
  try {
    const book = new EventCollector(loop.kraken.book("ETH/USD"));
    await loop.run(1900);
    assert.equal(loop.kraken.state, "live");
    assert.ok(await loop.until(() => loop.simulator.connections.length === 2, 1000));
    assert.ok(
      await loop.until(
        () => book.events.some((event) => event.type === "gap" && event.reason === "checksum"),
        5000,
      ),
    );
    assert.deepEqual(loop.simulator.connections.map((info) => info.faults), [["close_1001"], [
      "wrong_checksum",
    ]]);
  } finally {
    await loop.close();
  }
});

Deno.test("simulator: random faults are drawn from the seed", async () => {
  const kindsOf = async (seed: number) => {
    const loop = await Loopback.start({
      seed,
      faults: {
        random: {
          meanGapMs: 500,
          kinds: ["duplicate_frame", "malformed_json", "unknown_channel", "slow"],
        },
      },
    });
    try {
      loop.kraken.trades("BTC/USD");
      await loop.run(10_000, 100);
      return loop.simulator.connections[0].faults;
    } finally {
      await loop.close();
    }
  };
  const first = await kindsOf(21);
  assert.ok(first.length > 5, `${first.length} faults`);
  // Real sockets under load may end a run a draw early or late: the draws themselves must agree.
  const again = await kindsOf(21);
  const common = Math.min(first.length, again.length);
  assert.ok(common > 5 && Math.abs(first.length - again.length) <= 1, `${first} / ${again}`);
  assert.deepEqual(again.slice(0, common), first.slice(0, common));
  assert.notDeepEqual((await kindsOf(22)).slice(0, common), first.slice(0, common));
});

Deno.test("simulator: replays a recording so that every book verifies through the client", async () => {
  const lines = (await Deno.readTextFile(fixturePath("live-btc-eth.ndjson"))).split("\n");
  const loop = await Loopback.start({ replay: { lines, speed: 4 } }, { requestsPerSecond: 100 });
  try {
    const btc = new EventCollector(loop.kraken.book("BTC/USD"));
    const eth = new EventCollector(loop.kraken.book("ETH/USD"));
    const trades = new EventCollector(loop.kraken.trades("BTC/USD"));
    await loop.run(8000);
    const books = assertBooksValid(btc.events) + assertBooksValid(eth.events);
    // The file holds 2962 book frames; those before a subscription were folded into its snapshot.
    // A book stream conflates what comes faster than it is read, saying how many it skipped.
    const skipped = [...btc.events, ...eth.events].reduce(
      (sum, event) =>
        sum + (event.type === "gap" && event.reason === "overflow" ? event.dropped ?? 0 : 0),
      0,
    );
    assert.ok(books + skipped > 2900, `${books} books, ${skipped} skipped`);
    for (const stream of [btc, eth]) {
      const lost = stream.events.filter((event) =>
        event.type === "gap" && event.reason !== "overflow"
      );
      assert.deepEqual(lost, []);
    }
    // The last book equals the recording's last book frame's checksum.
    const lastBtc = lines.filter((line) =>
      line.includes('"channel":"book"') && line.includes("BTC/USD")
    ).at(-1)!;
    const recorded = decode(lastBtc);
    const shown = btc.events.findLast((event) => event.type === "book");
    assert.ok(recorded.kind === "book" && shown?.type === "book");
    assert.equal(shown.checksum, recorded.data[0].checksum);
    assert.ok(trades.events.some((event) => event.type === "trade"));
  } finally {
    await loop.close();
  }
});

Deno.test("simulator: plain HTTP gets 426, and close() ends every connection", async () => {
  const simulator = new KrakenSimulator();
  const url = await simulator.start();
  const response = await fetch(url.replace("ws://", "http://"));
  assert.equal(response.status, 426);
  await response.body?.cancel();
  const socket = new WebSocket(url);
  const status = await new Promise<string>((resolve) =>
    socket.onmessage = (message) => resolve(message.data)
  );
  assert.match(status, /"channel":"status".*"system":"online"/);
  const closed = new Promise<number>((resolve) => socket.onclose = (event) => resolve(event.code));
  await simulator.close();
  assert.ok([1001, 1006, 0].includes(await closed));
});

Deno.test("simulator: maintenance is the exchange's state: it outlives the connection that drew it", async () => {
  const loop = await Loopback.start({
    seed: 12,
    faults: {
      scripted: {
        1: [{ at: 500, kind: "maintenance", durationMs: 20_000 }, {
          at: 1000,
          kind: "drop_connection",
        }],
      },
    },
  });
  try {
    loop.kraken.trades("BTC/USD");
    assert.ok(await loop.until(() => loop.simulator.connections.length === 2, 15_000));
    assert.ok(await loop.until(() => loop.of("status").length === 3, 5000));
    assert.deepEqual(loop.of("status").map((event) => event.system), [
      "online",
      "maintenance",
      "maintenance",
    ]);
    // After a maintenance notice the client waited 5 s between attempts.
    const attempts = loop.of("state").filter((event) =>
      event.scope === "connection" && event.to === "connecting"
    ).map((event) => event.time);
    assert.equal(attempts.length, 2);
    assert.ok(attempts[1] - attempts[0] >= 5000, `${attempts[1] - attempts[0]} ms apart`);
    await loop.run(20_000, 100);
    assert.deepEqual(loop.of("status").map((event) => event.system), [
      "online",
      "maintenance",
      "maintenance",
      "online",
    ]);
  } finally {
    await loop.close();
  }
});
