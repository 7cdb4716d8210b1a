import assert from "node:assert/strict";
import { KrakenClosedError, KrakenWs } from "../../src/client/kraken_ws.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { SubscriptionConflictError } from "../../src/core/session.ts";
import { ServerBook, tradeFrame } from "../core/server_book.ts";
import { setup } from "./client_setup.ts";
import { EventCollector } from "./event_collector.ts";
import {
  AUTO_ACK,
  type Received,
  ScriptedServer,
  type ServerConnection,
  STATUS_FRAME,
} from "./scripted_server.ts";

const isSubscribe = (symbol?: string) => (message: Received) =>
  message.method === "subscribe" &&
  (symbol === undefined || message.params?.symbol?.includes(symbol) === true);

/** Answers each subscribe: refuses XBT/USD, acknowledges every other symbol it names. */
const refusingXbt = (connection: ServerConnection, echoReqId = true) => {
  connection.opened.then(() => connection.send(STATUS_FRAME));
  connection.onMessage((message) => {
    if (message.method !== "subscribe") return;
    const symbols = message.params?.symbol ?? [];
    if (symbols.includes("XBT/USD")) {
      connection.reject(message, "Currency pair not supported XBT/USD", echoReqId, ["XBT/USD"]);
    }
    connection.ack(message, symbols.filter((symbol) => symbol !== "XBT/USD"));
  });
};

const connectionState = (to: string) => (event: KrakenEvent) =>
  event.type === "state" && event.scope === "connection" && event.to === to;

Deno.test("client: connects on the first subscription, not before", async () => {
  const { server, kraken, events, teardown } = setup();
  assert.equal(kraken.state, "idle");
  assert.equal(server.connections.length, 0);
  const trades = new EventCollector(kraken.trades("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe("BTC/USD"));
  await events.waitFor(connectionState("live"));
  assert.equal(kraken.state, "live");
  await teardown();
  assert.equal(await trades.done, undefined, "a user close ends data streams cleanly");
});

for (const code of [1001, 1006, 1011]) {
  Deno.test(`client: reconnects and resubscribes after close ${code}`, async () => {
    const { server, clock, kraken, events, teardown } = setup();
    const trades = new EventCollector(kraken.trades("BTC/USD"));
    const first = await server.connection(0);
    await first.waitFor(isSubscribe());
    await events.waitFor((event) =>
      event.type === "state" && event.scope === "subscription" && event.to === "synced"
    );
    // 1006 is never sent: it is what the client reports when the link drops with no close frame.
    if (code === 1006) first.drop();
    else first.close(code, "going away");
    const backoff = await events.waitFor(connectionState("backoff"));
    assert.ok(backoff.type === "state" && backoff.cause.startsWith(`close ${code}`));
    clock.advance(0); // the first retry is at once
    const second = await server.connection(1);
    clock.advance(100); // the replay is paced
    const resubscribe = await second.waitFor(isSubscribe("BTC/USD"));
    // After a loss a trade subscription asks for Kraken's last trades, to recover what it missed.
    assert.deepEqual(resubscribe.params, {
      channel: "trade",
      symbol: ["BTC/USD"],
      snapshot: true,
    });
    const gap = await trades.waitFor((event) =>
      event.type === "gap" && event.reason === "reconnect"
    );
    assert.equal(gap.type === "gap" && gap.symbol, "BTC/USD");
    await teardown();
  });
}

Deno.test("client: a stalled link is dropped and replaced", async () => {
  const { server, clock, kraken, events, teardown } = setup({ heartbeatTimeoutMs: 10_000 });
  kraken.trades("BTC/USD");
  const first = await server.connection(0);
  await first.waitFor(isSubscribe());
  await events.waitFor((event) =>
    event.type === "state" && event.scope === "subscription" && event.to === "synced"
  );
  // The server goes silent: no heartbeat, nothing.
  clock.advance(11_000);
  const stale = await events.waitFor(connectionState("backoff"));
  assert.ok(stale.type === "state" && stale.cause === "stale");
  await first.closed;
  clock.advance(0);
  const second = await server.connection(1);
  clock.advance(100);
  await second.waitFor(isSubscribe("BTC/USD"));
  await teardown();
});

Deno.test("client: close 1008 is final; data streams fail with a typed error", async () => {
  const { server, clock, kraken, events, teardown } = setup();
  const trades = new EventCollector(kraken.trades("BTC/USD"));
  const first = await server.connection(0);
  await first.waitFor(isSubscribe());
  first.close(1008, "policy violation");
  const closed = await events.waitFor(connectionState("closed"));
  assert.ok(closed.type === "state" && closed.cause === "close 1008 policy violation");
  const failure = await trades.done;
  assert.ok(failure instanceof KrakenClosedError);
  assert.equal(failure.code, 1008);
  assert.equal(failure.reason, "policy violation");
  assert.equal(failure.message, "the connection ended for good: close 1008 policy violation");
  assert.throws(
    () => kraken.trades("ETH/USD"),
    KrakenClosedError,
    "a closed client subscribes no more",
  );
  clock.advance(600_000);
  assert.equal(server.connections.length, 1, "no reconnect");
  assert.equal(kraken.state, "closed");
  await teardown();
});

Deno.test("client: resubscribes in the order asked, batched by channel, paced on the wire", async () => {
  const stamps: number[] = [];
  const clockRef: { clock?: VirtualClock } = {};
  const { server, clock, kraken, teardown } = setup({}, (connection) => {
    AUTO_ACK(connection);
    connection.onMessage(() => stamps.push(clockRef.clock!.now()));
  });
  clockRef.clock = clock;
  const symbols = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD"];
  for (const symbol of symbols) kraken.trades(symbol);
  kraken.book("ETH/USD", { depth: 25 });
  // Every trade subscription goes out as one request naming its four symbols, then the book.
  const expected = [`trade ${symbols.join(",")}`, "book ETH/USD"];
  for (const index of [0, 1]) {
    const connection = await server.connection(index);
    for (let i = 0; i < expected.length; i++) {
      await connection.waitFor(isSubscribe(), i);
      clock.advance(100);
    }
    const wire = connection.received.filter(isSubscribe())
      .map((message) => `${message.params!.channel} ${message.params!.symbol!.join(",")}`);
    assert.deepEqual(wire, expected, `connection ${index}`);
    const book = connection.received.find((message) => message.params?.channel === "book");
    assert.equal(book?.params?.depth, 25);
    if (index === 0) {
      connection.close(1006);
      await connection.closed;
      clock.advance(0);
    }
  }
  const gaps = stamps.slice(1).map((at, index) => at - stamps[index]).filter((gap) => gap < 100);
  assert.deepEqual(gaps, [], "never two requests within 100 ms");
  await teardown();
});

for (const echoReqId of [true, false]) {
  Deno.test(`client: a rejected symbol fails alone (req_id echoed: ${echoReqId})`, async () => {
    const { server, clock, kraken, teardown } = setup(
      {},
      (connection) => refusingXbt(connection, echoReqId),
    );
    const bad = new EventCollector(kraken.trades("XBT/USD"));
    const good = new EventCollector(kraken.trades("BTC/USD"));
    const connection = await server.connection(0);
    await connection.waitFor(isSubscribe("XBT/USD"));
    clock.advance(100);
    await connection.waitFor(isSubscribe("BTC/USD"));
    assert.equal(await bad.done, undefined, "the rejected stream ends");
    const error = bad.events.at(-1)!;
    assert.ok(error.type === "error");
    assert.equal(error.code, "rejected");
    assert.equal(error.message, "Currency pair not supported XBT/USD");
    // Before its end, only its subscription's life: born, then refused.
    assert.deepEqual(
      bad.events.slice(0, -1).map((event) =>
        event.type === "state" && event.scope === "subscription"
          ? `${event.symbol} ${event.to}`
          : event.type
      ),
      ["XBT/USD pending", "XBT/USD rejected"],
    );
    connection.send(tradeFrame("BTC/USD", 1, 2));
    await good.waitFor((event) => event.type === "trade" && event.tradeId === 2);
    assert.equal(good.ended, false);
    await teardown();
  });
}

Deno.test("client: a corrupted checksum gives exactly unsubscribe, subscribe, a gap and no bad book", async () => {
  const { server, clock, kraken, teardown } = setup();
  const book = new EventCollector(kraken.book("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  const truth = new ServerBook("BTC/USD");
  // Each book is read before the next is sent: a reader that falls behind gets the newest only.
  connection.send(truth.snapshot());
  await book.waitFor((event) => event.type === "book");
  connection.send(truth.update(2));
  await book.waitFor((event) => event.type === "book" && !event.snapshot);
  const before = connection.received.length;
  connection.send(truth.update(3, true));
  const sentChecksum = (truth.checksum() + 1) >>> 0;
  const appliedChecksum = truth.checksum();
  connection.send(truth.update(4)); // belongs to the broken book: must be dropped
  await book.waitFor((event) => event.type === "gap");
  clock.advance(100); // requests are paced: 100 ms apart at the default rate
  await connection.waitFor((message) => message.method === "unsubscribe");
  clock.advance(100);
  await connection.waitFor(isSubscribe(), 1);
  const requests = connection.received.slice(before).filter((message) => message.method !== "ping");
  assert.deepEqual(requests.map((message) => [message.method, message.params]), [
    ["unsubscribe", { channel: "book", symbol: ["BTC/USD"], depth: 10 }],
    ["subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 10, snapshot: true }],
  ]);
  connection.send(truth.snapshot());
  await book.waitFor((event) => event.type === "book" && event.snapshot, 1);
  const types = book.events.filter((event) => event.type !== "state").map((event) =>
    event.type === "book" ? `book ${event.bids[0].qtyText}` : event.type
  );
  assert.deepEqual(types, [
    "book 1.00000000",
    "book 2.00000000",
    "gap",
    "book 4.00000000",
  ]);
  const gap = book.events.find((event) => event.type === "gap")!;
  assert.ok(gap.type === "gap");
  assert.equal(gap.reason, "checksum");
  assert.equal(gap.expected, sentChecksum);
  assert.equal(gap.computed, appliedChecksum);
  for (const event of book.events) {
    if (event.type === "book") assert.equal(event.validated, true);
  }
  await teardown();
});

Deno.test("client: a trade_id jump is a gap with the missing range", async () => {
  const { server, clock, kraken, teardown } = setup();
  const trades = new EventCollector(kraken.trades(["BTC/USD", "ETH/USD"]));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe("BTC/USD"));
  clock.advance(100);
  await connection.waitFor(isSubscribe("ETH/USD"));
  connection.send(tradeFrame("BTC/USD", 10, 11));
  connection.send(tradeFrame("ETH/USD", 500));
  connection.send(tradeFrame("BTC/USD", 15));
  await trades.waitFor((event) => event.type === "trade" && event.tradeId === 15);
  const summary = trades.events.filter((event) => event.type !== "state").map((event) =>
    event.type === "trade"
      ? `${event.symbol} ${event.tradeId}`
      : event.type === "gap"
      ? `gap ${event.symbol} ${
        event.reason === "sequence" ? `${event.fromTradeId}-${event.toTradeId}` : event.reason
      }`
      : event.type
  );
  assert.deepEqual(summary, [
    "BTC/USD 10",
    "BTC/USD 11",
    "ETH/USD 500",
    "gap BTC/USD 12-14",
    "BTC/USD 15",
  ]);
  await teardown();
});

Deno.test("client: a slow book reader gets the newest book, after a gap counting what it skipped", async () => {
  const { server, kraken, events, teardown } = setup({ bufferSize: 4 });
  const stream = kraken.book("BTC/USD");
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  const truth = new ServerBook("BTC/USD");
  connection.send(truth.snapshot());
  for (let i = 1; i <= 20; i++) connection.send(truth.update(i + 0.5));
  // The unified stream is read as it comes; wait until the client has applied all 20 updates.
  await events.waitFor((event) => event.type === "book" && event.bids[0].qtyText === "20.50000000");
  const received: KrakenEvent[] = [];
  for await (const event of stream) {
    received.push(event);
    if (event.type === "book") break;
  }
  const shapes = received.filter((event) => event.type !== "state").map((event) =>
    event.type === "book"
      ? `book ${event.bids[0].qtyText}`
      : event.type === "gap"
      ? `gap ${event.reason} ${event.reason === "overflow" ? event.dropped : ""}`
      : event.type
  );
  // The stream conflates: one book held, never a backlog of 21 full books; the snapshot and the
  // first 19 updates are counted, in the place of the first one skipped.
  assert.deepEqual(shapes, ["gap overflow 20", "book 20.50000000"]);
  const seqs = received.map((event) => event.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "seq increases within the stream");
  await teardown();
});

Deno.test("client: cancelling a stream unsubscribes only when no other stream needs it", async () => {
  const { server, clock, kraken, events, teardown } = setup();
  const first = kraken.trades("BTC/USD");
  const second = new EventCollector(kraken.trades("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  const synced = (event: KrakenEvent) =>
    event.type === "state" && event.scope === "subscription" && event.to === "synced";
  await events.waitFor(synced);
  await first.cancel();
  clock.advance(200);
  // A trade through the same socket is the barrier: whatever the cancel caused came before it.
  connection.send(tradeFrame("BTC/USD", 1));
  await second.waitFor((event) => event.type === "trade");
  const leaving = (event: KrakenEvent) =>
    event.type === "state" && event.scope === "subscription" && event.to === "unsubscribing";
  assert.equal(events.events.filter(leaving).length, 0, "still needed by the second stream");
  await second.cancel();
  await events.waitFor(leaving);
  clock.advance(100);
  const unsubscribe = await connection.waitFor((message) => message.method === "unsubscribe");
  assert.deepEqual(unsubscribe.params, { channel: "trade", symbol: ["BTC/USD"] });
  assert.equal(connection.received.filter((message) => message.method === "unsubscribe").length, 1);
  await teardown();
});

Deno.test("client: close() and the signal end every stream and leave nothing behind", async () => {
  const { server, clock, kraken, teardown } = setup();
  const book = new EventCollector(kraken.book("BTC/USD"));
  const trades = new EventCollector(kraken.trades("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe("BTC/USD"));
  clock.advance(100);
  await connection.waitFor(isSubscribe("BTC/USD"), 1);
  assert.ok(clock.pendingCount > 0, "timers run while connected");
  await kraken.close();
  assert.equal(kraken.state, "closed");
  assert.equal(clock.pendingCount, 0, "no timer left");
  assert.equal(await book.done, undefined);
  assert.equal(await trades.done, undefined);
  await connection.closed;
  assert.throws(() => kraken.trades("ETH/USD"), KrakenClosedError);
  await kraken.close(); // twice is fine
  await teardown();

  const aborted = ScriptedServer.start();
  const controller = new AbortController();
  const viaSignal = new KrakenWs({
    url: aborted.url,
    clock: new VirtualClock(),
    signal: controller.signal,
  });
  const stream = new EventCollector(viaSignal.trades("BTC/USD"));
  const abortedConnection = await aborted.connection(0);
  await abortedConnection.waitFor(isSubscribe());
  controller.abort();
  assert.equal(await stream.done, undefined);
  await viaSignal.close();
  assert.equal(viaSignal.state, "closed");
  await aborted.close();
});

Deno.test("client: a ticker with another trigger is a typed error at once", async () => {
  const { server, kraken, teardown } = setup();
  kraken.ticker("BTC/USD", { trigger: "bbo" });
  assert.throws(() => kraken.ticker("BTC/USD", { trigger: "trades" }), SubscriptionConflictError);
  await server.connection(0);
  await teardown();
});

Deno.test("client: a book stream joining a synced book starts from its current state", async () => {
  const { server, kraken, teardown } = setup();
  const first = new EventCollector(kraken.book("BTC/USD", { depth: 10 }));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  const truth = new ServerBook("BTC/USD");
  connection.send(truth.snapshot());
  await first.waitFor((event) => event.type === "book");
  const late = new EventCollector(kraken.book("BTC/USD", { depth: 10 }));
  const [current] = await Promise.all([late.waitFor((event) => event.type === "book")]);
  assert.ok(current.type === "book");
  assert.equal(current.checksum, truth.checksum());
  await teardown();
});

Deno.test("client: a rejection reaches a stream even when its buffer is full", async () => {
  const { server, clock, kraken, events, teardown } = setup({ bufferSize: 2 }, (connection) => {
    connection.opened.then(() => connection.send(STATUS_FRAME));
    connection.onMessage((message) => {
      if (message.method !== "subscribe") return;
      // One request names both: BTC/USD is acknowledged, trades pour in, then XBT/USD is refused.
      connection.ack(message, ["BTC/USD"]);
      connection.send(tradeFrame("BTC/USD", 1, 2, 3, 4, 5));
      connection.reject(message, "Currency pair not supported XBT/USD", true, ["XBT/USD"]);
    });
  });
  const stream = kraken.trades(["BTC/USD", "XBT/USD"]);
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe("BTC/USD"));
  clock.advance(100);
  await events.waitFor((event) => event.type === "error" && event.code === "rejected");
  const seen: string[] = [];
  const seqs: number[] = [];
  const reader = stream.getReader();
  while (!seen.some((shape) => shape.startsWith("gap overflow"))) {
    const { value } = await reader.read();
    seqs.push(value!.seq);
    seen.push(
      value!.type === "trade"
        ? `trade ${value!.tradeId}`
        : value!.type === "gap"
        ? `gap ${value!.reason} ${value!.reason === "overflow" ? value!.dropped : ""}`
        : value!.type === "state" && value!.scope === "subscription"
        ? `state ${value!.symbol} ${value!.to}`
        : `error ${value!.type === "error" && value!.code}`,
    );
  }
  // Two places: the births of both subscriptions fill them, and what came while the reader was
  // away is either kept (lifecycle: BTC/USD synced, XBT/USD refused) or counted (the trades).
  assert.deepEqual(seen, [
    "state BTC/USD pending",
    "state XBT/USD pending",
    "state BTC/USD synced",
    "state XBT/USD rejected",
    "error rejected",
    "gap overflow 5",
  ]);
  // The lifecycle events held aside are older than the overflow's gap: they come first, so seq
  // only increases within the stream.
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "seq increases within the stream");
  reader.releaseLock();
  await teardown();
});

Deno.test("client: a gap nobody can place reaches every stream", async () => {
  const { server, kraken, teardown } = setup();
  const ticker = new EventCollector(kraken.ticker("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  connection.send("\u0000not json");
  const gap = await ticker.waitFor((event) => event.type === "gap");
  assert.ok(gap.type === "gap" && gap.reason === "decode");
  await teardown();
});

Deno.test("client: the tap sees every frame and event in order, and a throwing tap is reported", async () => {
  const seen: string[] = [];
  let throwOnTrade = true;
  const { server, kraken, events, teardown } = setup({
    tap: {
      frame: (text) => seen.push(`frame ${text.slice(0, 19)}`),
      event: (event) => {
        seen.push(`event ${event.type}`);
        if (event.type === "trade" && throwOnTrade) {
          throwOnTrade = false;
          throw new Error("tap broke");
        }
      },
    },
  });
  const trades = new EventCollector(kraken.trades("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  connection.send(tradeFrame("BTC/USD", 1, 2));
  await trades.waitFor((event) => event.type === "trade" && event.tradeId === 2);
  const failure = await events.waitFor((event) => event.type === "error");
  assert.ok(failure.type === "error" && failure.code === "internal");
  assert.match(failure.message, /tap failed: tap broke/);
  // The trade frame came before the two trades it carries, and nothing is skipped after a throw.
  const tradeFrameAt = seen.indexOf('frame {"channel":"trade",');
  assert.ok(tradeFrameAt >= 0);
  assert.deepEqual(seen.slice(tradeFrameAt, tradeFrameAt + 3), [
    'frame {"channel":"trade",',
    "event trade",
    "event trade",
  ]);
  await teardown();
});

Deno.test("client: the WebSocket factory makes every socket; one that throws is a failed attempt", async () => {
  const server = ScriptedServer.start();
  const clock = new VirtualClock(1_000_000);
  const urls: string[] = [];
  let refuse = true;
  const kraken = new KrakenWs({
    url: server.url,
    clock,
    reconnect: { seed: 3 },
    webSocket: (url) => {
      urls.push(url);
      if (refuse) {
        refuse = false;
        throw new SyntaxError("refused by the test");
      }
      return new WebSocket(url);
    },
  });
  const events = new EventCollector(kraken.events());
  const trades = new EventCollector(kraken.trades("BTC/USD"));
  const backoff = await events.waitFor(connectionState("backoff"));
  assert.ok(backoff.type === "state" && backoff.cause === "close 1006 refused by the test");
  clock.advance(0); // the first retry is at once
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe("BTC/USD"));
  assert.deepEqual(urls, [server.url, server.url]);
  await kraken.close();
  await events.done;
  await trades.done;
  await server.close();
});

Deno.test("client: one book stream for several symbols; each event reaches only the streams that asked", async () => {
  const { server, clock, kraken, teardown } = setup();
  const both = new EventCollector(kraken.book(["BTC/USD", "ETH/USD"]));
  const eth = new EventCollector(kraken.book("ETH/USD"));
  const lifecycle = new EventCollector(
    kraken.events({ types: ["state", "gap"], symbols: ["ETH/USD"] }),
  );
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe("BTC/USD"));
  clock.advance(200);
  await connection.waitFor(isSubscribe("ETH/USD"));
  const btcBook = new ServerBook("BTC/USD");
  const ethBook = new ServerBook("ETH/USD", 10, 2000);
  connection.send(btcBook.snapshot());
  connection.send(ethBook.snapshot());
  connection.send(btcBook.update(3.5));
  await both.waitFor((event) =>
    event.type === "book" && event.symbol === "BTC/USD" && !event.snapshot
  );
  await both.waitFor((event) => event.type === "book" && event.symbol === "ETH/USD");
  await eth.waitFor((event) => event.type === "book" && event.symbol === "ETH/USD");
  await lifecycle.waitFor((event) =>
    event.type === "state" && event.scope === "subscription" && event.to === "synced"
  );
  await teardown();
  await eth.done;
  await lifecycle.done;
  const ethEvents = eth.events;
  assert.ok(ethEvents.every((event) => event.type !== "book" || event.symbol === "ETH/USD"));
  const filtered = lifecycle.events;
  assert.ok(filtered.length > 0);
  for (const event of filtered) {
    assert.ok(
      event.type === "state" || event.type === "gap",
      `type ${event.type} was filtered out`,
    );
    if (event.type === "state" && event.scope === "subscription") {
      assert.equal(event.symbol, "ETH/USD", "another symbol's state was filtered out");
    }
  }
  assert.ok(
    filtered.some((event) => event.type === "state" && event.scope === "connection"),
    "a connection state has no symbol: it passes a symbol filter",
  );
});

Deno.test("client: a URL that is not a WebSocket URL is a TypeError at once, not endless retries", () => {
  for (const url of ["not a url", "http://127.0.0.1/v2", "", "ws//missing-colon"]) {
    assert.throws(() => new KrakenWs({ url }), TypeError, url);
  }
  for (const url of ["ws://127.0.0.1:1/v2", "wss://ws.kraken.com/v2"]) {
    assert.equal(new KrakenWs({ url }).state, "idle");
  }
});

Deno.test("client: a book stream hears at once that its book is no longer live when the link drops", async () => {
  const { server, kraken, teardown } = setup();
  const book = new EventCollector(kraken.book("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  const truth = new ServerBook("BTC/USD");
  connection.send(truth.snapshot());
  await book.waitFor((event) => event.type === "book");
  connection.drop();
  // No acknowledgement, no gap yet: the reconnect is still to come. The state says it.
  const left = await book.waitFor((event) =>
    event.type === "state" && event.scope === "subscription" && event.from === "synced"
  );
  assert.ok(left.type === "state" && left.scope === "subscription");
  assert.equal(left.to, "pending");
  assert.equal(left.cause, "disconnected");
  assert.equal(book.events.some((event) => event.type === "gap"), false, "before any gap");
  await teardown();
});

Deno.test("client: runs where the runtime has no global WebSocket, given a factory", async () => {
  const server = ScriptedServer.start();
  const global = globalThis as { WebSocket?: typeof WebSocket };
  const NativeWebSocket = global.WebSocket!;
  const clock = new VirtualClock(1_000_000);
  delete global.WebSocket;
  try {
    const kraken = new KrakenWs({
      url: server.url,
      clock,
      webSocket: (url) => new NativeWebSocket(url),
    });
    const trades = new EventCollector(kraken.trades("BTC/USD"));
    const connection = await server.connection(0);
    await connection.waitFor(isSubscribe("BTC/USD"));
    connection.send(tradeFrame("BTC/USD", 1));
    await trades.waitFor((event) => event.type === "trade");
    await kraken.close();
    assert.equal(await trades.done, undefined);
  } finally {
    global.WebSocket = NativeWebSocket;
    await server.close();
  }
});

Deno.test("client: events() starts from where everything stands; ready() waits for the books", async () => {
  const { server, kraken, teardown } = setup();
  const book = new EventCollector(kraken.book("BTC/USD"));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  let ready = false;
  const whenReady = kraken.ready("BTC/USD").then(() => ready = true);
  const truth = new ServerBook("BTC/USD");
  await book.waitFor((event) =>
    event.type === "state" && event.scope === "subscription" && event.to === "awaiting_snapshot"
  );
  assert.equal(ready, false, "acknowledged is not ready: the snapshot has not verified");
  connection.send(truth.snapshot());
  await whenReady;
  const late = new EventCollector(kraken.events());
  const first = await late.waitFor((event) => event.type === "state", 1);
  const described = late.events.slice(0, 2).map((event) =>
    event.type === "state"
      ? `${event.scope} ${
        event.scope === "subscription" ? event.symbol : ""
      } ${event.from}->${event.to} ${event.cause}`
      : event.type
  );
  assert.deepEqual(described, [
    "connection  live->live current",
    "subscription BTC/USD synced->synced current",
  ]);
  assert.ok(first.seq > 0);
  await teardown();
});

Deno.test("client: ready() rejects when Kraken refuses, and when the client closes first", async () => {
  const { server, kraken, teardown } = setup({}, (connection) => refusingXbt(connection));
  kraken.trades(["XBT/USD"]);
  await assert.rejects(kraken.ready(), RangeError, "refused");
  assert.equal(await kraken.ready([]), undefined, "nothing to wait for");
  kraken.book("BTC/USD");
  const waiting = kraken.ready("BTC/USD");
  await server.connection(0);
  await kraken.close();
  await assert.rejects(waiting, KrakenClosedError);
  await teardown();
});

Deno.test("client: a stream shallower than its subscription follows its own view by its changes", async () => {
  const { server, clock, kraken, teardown } = setup();
  const shallow = new EventCollector(kraken.book("BTC/USD", { depth: 10 }));
  const deep = new EventCollector(kraken.book("BTC/USD", { depth: 25 }));
  const connection = await server.connection(0);
  await connection.waitFor(isSubscribe());
  clock.advance(1000);
  const subscribes = () =>
    connection.received.filter((message) =>
      message.method === "subscribe" && message.params?.depth === 25
    );
  while (subscribes().length === 0) {
    clock.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Eleven levels a side: one past the shallow stream's view.
  const truth = new ServerBook("BTC/USD", 11);
  const steps = [
    () => truth.snapshot(),
    () => truth.deleteBid(0), // the 11th bid moves into the shallow view; the book fits it now
    () => truth.update(7.5),
    () => truth.snapshot(), // a snapshot lists every level of each view
  ];
  let books = 0;
  for (const step of steps) {
    connection.send(step());
    books++;
    await shallow.waitFor((event) => event.type === "book", books - 1);
    await deep.waitFor((event) => event.type === "book", books - 1);
  }
  await teardown();
  for (const [name, stream, depth] of [["shallow", shallow, 10], ["deep", deep, 25]] as const) {
    const mirror = { bid: new Map<string, string>(), ask: new Map<string, string>() };
    const seen = stream.events.filter((event) => event.type === "book");
    assert.equal(seen.length, steps.length, `${name}: every book, none conflated`);
    for (const event of seen) {
      if (event.type !== "book") continue;
      if (event.snapshot) {
        mirror.bid.clear();
        mirror.ask.clear();
        assert.equal(
          event.changes.length,
          event.bids.length + event.asks.length,
          `${name}: a snapshot lists every level of the view`,
        );
      }
      for (const change of event.changes) {
        if (change.qty === 0) mirror[change.side].delete(change.priceText);
        else mirror[change.side].set(change.priceText, change.qtyText);
      }
      const view = (levels: readonly { priceText: string; qtyText: string }[]) =>
        new Map(levels.map((level) => [level.priceText, level.qtyText]));
      assert.ok(event.bids.length <= depth && event.asks.length <= depth);
      assert.deepEqual(mirror.bid, view(event.bids), `${name}: bids followed by changes`);
      assert.deepEqual(mirror.ask, view(event.asks), `${name}: asks followed by changes`);
    }
  }
});
