import assert from "node:assert/strict";
import { bookChecksum } from "../../src/book/checksum.ts";
import { fixturePath } from "../fixtures.ts";
import { SessionHarness } from "./session_harness.ts";

const INSTRUMENT = { channel: "instrument" } as const;
const BTC_BOOK = { channel: "book", symbol: "BTC/USD", depth: 10 } as const;
const BTC_TRADES = { channel: "trade", symbol: "BTC/USD" } as const;

/** Kraken's instrument frame for `pairs` as [symbol, price decimals, qty decimals]. */
function instrumentFrame(
  type: "snapshot" | "update",
  ...pairs: [symbol: string, price: number, qty: number][]
): string {
  const items = pairs.map(([symbol, price, qty]) => {
    const [base, quote] = symbol.split("/");
    return `{"symbol":"${symbol}","base":"${base}","quote":"${quote}","status":"online",` +
      `"qty_precision":${qty},"qty_increment":1e-0${qty},"price_precision":${price},` +
      `"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.50,` +
      `"price_increment":1e-0${price},"qty_min":0.00010000}`;
  });
  return `{"channel":"instrument","type":"${type}","data":{"assets":[{"id":"BTC",` +
    `"status":"enabled","precision":10,"precision_display":5,"borrowable":true,` +
    `"collateral_value":1.0,"margin_rate":0.01}],"pairs":[${items.join(",")}]}}`;
}

/**
 * A one-level BTC/USD book whose frame lost its trailing zeros (`100` for `100.0`, `1` for
 * `1.00000000`), its checksum computed, as Kraken's is, on the digits printed at the pair's
 * precision (price 1 decimal, qty 8).
 */
function reserializedSnapshot(): string {
  const padded = (price: string, qty: string) => ({
    price: Number(price),
    priceText: price,
    qty: Number(qty),
    qtyText: qty,
  });
  const checksum = bookChecksum([padded("101.0", "2.00000000")], [padded("100.0", "1.00000000")]);
  return `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",` +
    `"bids":[{"price":100,"qty":1}],"asks":[{"price":101,"qty":2}],"checksum":${checksum}}]}`;
}

/** A live session holding `requests`, each acknowledged. */
function live(...requests: Parameters<SessionHarness["subscribe"]>[0][]): SessionHarness {
  const harness = new SessionHarness();
  for (const request of requests) harness.subscribe(request);
  harness.goLive();
  harness.ackAll();
  return harness;
}

Deno.test("instruments: subscribe names no symbol and asks for the snapshot; the ack without symbol syncs it", () => {
  const harness = new SessionHarness();
  harness.subscribe(INSTRUMENT);
  harness.goLive();
  const [subscribe] = harness.requests("subscribe");
  assert.deepEqual(subscribe.params, { channel: "instrument", snapshot: true });
  assert.equal(harness.session.subscriptionState(INSTRUMENT), "pending");
  harness.ackAll();
  assert.equal(harness.session.subscriptionState(INSTRUMENT), "synced");
  assert.deepEqual(harness.session.subscriptions(), [{ channel: "instrument", state: "synced" }]);
  const states = harness.eventsOf("state").filter((event) => event.scope === "subscription");
  assert.deepEqual(states.map((event) => [event.channel, "symbol" in event, event.to]), [
    ["instrument", false, "pending"],
    ["instrument", false, "synced"],
  ]);
});

Deno.test("instruments: the snapshot and updates arrive as typed instrument events", () => {
  const harness = live(INSTRUMENT);
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8], ["ETH/USD", 2, 8]));
  harness.frame(instrumentFrame("update", ["MINA/GBP", 4, 8]));
  const events = harness.eventsOf("instrument");
  assert.deepEqual(events.map((event) => [event.snapshot, event.pairs.map((p) => p.symbol)]), [
    [true, ["BTC/USD", "ETH/USD"]],
    [false, ["MINA/GBP"]],
  ]);
  const [btc] = events[0].pairs;
  assert.deepEqual(
    [btc.pricePrecision, btc.qtyPrecision, btc.qtyIncrementText, btc.costMinText, btc.qtyMinText],
    [1, 8, "1e-08", "0.50", "0.00010000"],
  );
  assert.deepEqual([events[0].assets[0].id, events[0].assets[0].collateralValueText], [
    "BTC",
    "1.0",
  ]);
});

Deno.test("instruments: its request never batches with a pair's, and a pair's still lists its symbols", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_TRADES);
  harness.subscribe(INSTRUMENT);
  harness.subscribe({ channel: "trade", symbol: "ETH/USD" });
  harness.goLive();
  harness.advance(1000);
  const params = harness.requests("subscribe").map((request) => request.params);
  assert.deepEqual(params, [
    { channel: "trade", symbol: ["BTC/USD", "ETH/USD"], snapshot: false },
    { channel: "instrument", snapshot: true },
  ]);
  harness.ackAll();
  assert.deepEqual(harness.session.subscriptions().map((status) => status.state), [
    "synced",
    "synced",
    "synced",
  ]);
});

Deno.test("instruments: one subscription serves every consumer; the last to leave unsubscribes, naming no symbol", () => {
  const harness = new SessionHarness();
  const first = harness.subscribe(INSTRUMENT);
  harness.goLive();
  const second = harness.subscribe(INSTRUMENT);
  harness.ackAll();
  assert.equal(harness.requests("subscribe").length, 1, "one subscription for both");
  assert.equal(harness.session.subscriptionCount, 1);
  harness.unsubscribe(first);
  assert.equal(harness.requests("unsubscribe").length, 0, "still wanted");
  harness.unsubscribe(second);
  harness.advance(1000);
  const [unsubscribe] = harness.requests("unsubscribe");
  assert.deepEqual(unsubscribe.params, { channel: "instrument" });
  assert.equal(harness.session.subscriptionState(INSTRUMENT), "unsubscribing");
  harness.ack(unsubscribe);
  assert.equal(harness.session.subscriptionState(INSTRUMENT), undefined);
  const ends = harness.eventsOf("state").filter((event) =>
    event.scope === "subscription" && event.to === "unsubscribed"
  );
  assert.deepEqual(ends.map((event) => event.scope === "subscription" && event.cause), [
    "acknowledged",
  ]);
});

Deno.test("instruments: after a reconnect it is replayed, owed a gap naming no symbol, and its new snapshot delivered", () => {
  const harness = live(INSTRUMENT);
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
  harness.advance(500);
  harness.serverClose(1006);
  harness.advance(60_000);
  harness.goLive();
  const replayed = harness.requests("subscribe");
  assert.deepEqual(replayed.map((request) => request.params), [
    { channel: "instrument", snapshot: true },
  ]);
  harness.ackAll();
  const [gap] = harness.eventsOf("gap");
  assert.ok(gap.reason === "reconnect");
  assert.equal(gap.channel, "instrument");
  assert.equal("symbol" in gap, false);
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8], ["ETH/USD", 2, 8]));
  assert.deepEqual(harness.eventsOf("instrument").map((event) => event.pairs.length), [1, 2]);
});

Deno.test("instruments: a frame before the acknowledgement is not delivered", () => {
  const harness = new SessionHarness();
  harness.subscribe(INSTRUMENT);
  harness.goLive();
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
  assert.deepEqual(harness.eventsOf("instrument"), []);
});

Deno.test("instruments: a refusal naming no symbol matches it and ends it with an error naming none", () => {
  const harness = new SessionHarness();
  harness.subscribe(INSTRUMENT);
  harness.goLive();
  const [subscribe] = harness.requests("subscribe");
  harness.reject(subscribe, "Subscription name invalid");
  assert.equal(harness.session.subscriptionState(INSTRUMENT), "rejected");
  const [error] = harness.eventsOf("error");
  assert.deepEqual(
    { code: error.code, channel: error.channel, symbol: "symbol" in error },
    { code: "rejected", channel: "instrument", symbol: false },
  );
  // Asked for again, it is subscribed again.
  harness.subscribe(INSTRUMENT);
  harness.advance(1000);
  assert.equal(harness.requests("subscribe").length, 2);
});

Deno.test("instruments: an undecodable instrument frame is a decode gap of the instrument channel", () => {
  const harness = live(INSTRUMENT);
  harness.frame('{"channel":"instrument","type":"update","data":{"pairs":[{"symbol":"BTC/USD"}]}}');
  const [gap] = harness.eventsOf("gap");
  assert.deepEqual({ reason: gap.reason, channel: gap.channel, symbol: "symbol" in gap }, {
    reason: "decode",
    channel: "instrument",
    symbol: false,
  });
});

Deno.test("instruments: without a precision, a book whose numbers lost their trailing zeros fails", () => {
  const harness = live(BTC_BOOK);
  harness.frame(reserializedSnapshot());
  assert.deepEqual(harness.eventsOf("book"), []);
  assert.deepEqual(harness.eventsOf("gap").map((gap) => gap.reason), ["checksum"]);
});

Deno.test("instruments: a book made once the precision is known pads to it and verifies", () => {
  const harness = live(INSTRUMENT);
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
  harness.subscribe(BTC_BOOK);
  harness.advance(1000);
  harness.ackAll();
  harness.frame(reserializedSnapshot());
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
  const [book] = harness.eventsOf("book");
  assert.deepEqual([book.bids[0].priceText, book.asks[0].qtyText], ["100", "2"]);
  assert.deepEqual(harness.eventsOf("gap"), []);
});

Deno.test("instruments: a book awaiting its snapshot takes the precision of an instrument snapshot received meanwhile", () => {
  const harness = live(BTC_BOOK, INSTRUMENT);
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "awaiting_snapshot");
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
  harness.frame(reserializedSnapshot());
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
  assert.equal(harness.eventsOf("book").length, 1);
});

Deno.test("instruments: a book that failed for want of zeros verifies after its resync once the snapshot came", () => {
  const harness = live(BTC_BOOK, INSTRUMENT);
  harness.frame(reserializedSnapshot());
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "resyncing");
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
  harness.advance(1000);
  harness.ackAll();
  harness.ackAll();
  harness.frame(reserializedSnapshot());
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
  assert.deepEqual(harness.eventsOf("gap").map((gap) => gap.reason), ["checksum"]);
});

Deno.test("instruments: Kraken's re-serialised BTC/USD recording verifies, all 510 frames, once the instrument snapshot came", () => {
  const recording = JSON.parse(
    Deno.readTextFileSync(fixturePath("reserialized-btc-usd-book.json")),
  ) as { init: unknown; updates: unknown[] };
  const run = (withInstruments: boolean) => {
    const harness = withInstruments ? live(BTC_BOOK, INSTRUMENT) : live(BTC_BOOK);
    if (withInstruments) harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
    // Each frame goes out through JSON.stringify: its numbers lose their trailing zeros.
    harness.frame(recording.init);
    for (const update of recording.updates) harness.frame(update);
    return harness;
  };
  const without = run(false);
  assert.equal(without.eventsOf("book").length, 0);
  assert.ok(without.eventsOf("gap").some((gap) => gap.reason === "checksum"));
  const verified = run(true);
  assert.equal(verified.eventsOf("book").length, 1 + recording.updates.length);
  assert.deepEqual(verified.eventsOf("gap"), []);
});

Deno.test("instruments: a precision change reaches a book in sync; a later snapshot without the pair forgets it", () => {
  const harness = live(BTC_BOOK, INSTRUMENT);
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
  harness.frame(reserializedSnapshot());
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "synced");
  // Kraken now prints BTC/USD prices with 2 decimals: the book pads to them from now on.
  harness.frame(instrumentFrame("update", ["BTC/USD", 2, 8]));
  const padded = (price: string, qty: string) => ({
    price: Number(price),
    priceText: price,
    qty: Number(qty),
    qtyText: qty,
  });
  const checksum = bookChecksum(
    [padded("101.00", "2.00000000")],
    [padded("100.00", "3.00000000")],
  );
  harness.frame(
    `{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":100,` +
      `"qty":3}],"asks":[],"checksum":${checksum}}]}`,
  );
  assert.equal(harness.eventsOf("book").length, 2);
  assert.deepEqual(harness.eventsOf("gap"), []);
  // A snapshot is the whole list: a pair it leaves out pads no more.
  harness.frame(instrumentFrame("snapshot", ["ETH/USD", 2, 8]));
  harness.frame(reserializedSnapshot());
  assert.deepEqual(harness.eventsOf("gap").map((gap) => gap.reason), ["checksum"]);
});

Deno.test("instruments: once its last consumer leaves, new books no longer pad to what it said", () => {
  const harness = new SessionHarness();
  const consumer = harness.subscribe(INSTRUMENT);
  harness.goLive();
  harness.ackAll();
  harness.frame(instrumentFrame("snapshot", ["BTC/USD", 1, 8]));
  harness.unsubscribe(consumer);
  harness.advance(1000);
  harness.ackAll();
  assert.equal(harness.session.subscriptionState(INSTRUMENT), undefined);
  // A precision no feed keeps current could be one Kraken no longer prints: it is not used.
  harness.subscribe(BTC_BOOK);
  harness.advance(1000);
  harness.ackAll();
  harness.frame(reserializedSnapshot());
  assert.deepEqual(harness.eventsOf("book"), []);
  assert.deepEqual(harness.eventsOf("gap").map((gap) => gap.reason), ["checksum"]);
});
