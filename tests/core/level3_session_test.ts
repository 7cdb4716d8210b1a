import assert from "node:assert/strict";
import { level3Checksum } from "../../src/book/level3_checksum.ts";
import type { Level3PriceLevel } from "../../src/book/level3_side.ts";
import { SessionHarness } from "./session_harness.ts";

const TOKEN = "l3-token";

interface Row {
  readonly id: string;
  readonly price: string;
  readonly qty: string;
}

function level(rows: readonly Row[]): Level3PriceLevel {
  return {
    price: Number(rows[0].price),
    priceText: rows[0].price,
    orders: rows.map((row) => ({
      orderId: row.id,
      limitPrice: Number(row.price),
      limitPriceText: row.price,
      orderQty: Number(row.qty),
      orderQtyText: row.qty,
      timestamp: "2024-01-08T12:26:39Z",
    })),
  };
}

/** Groups rows by price, in the order given (best first). */
function levels(rows: readonly Row[]): Level3PriceLevel[] {
  const byPrice = new Map<string, Row[]>();
  for (const row of rows) byPrice.set(row.price, [...(byPrice.get(row.price) ?? []), row]);
  return [...byPrice.values()].map(level);
}

function wire(rows: readonly Row[], event?: string): string {
  return rows.map((row) =>
    `{${
      event === undefined ? "" : `"event":"${event}",`
    }"order_id":"${row.id}","limit_price":${row.price},` +
    `"order_qty":${row.qty},"timestamp":"2024-01-08T12:26:39Z"}`
  ).join(",");
}

function frame(
  type: "snapshot" | "update",
  symbol: string,
  bids: string,
  asks: string,
  checksum: number,
): string {
  return `{"channel":"level3","type":"${type}","data":[{"symbol":"${symbol}","bids":[${bids}],` +
    `"asks":[${asks}],"checksum":${checksum},"timestamp":"2024-01-08T12:26:40Z"}]}`;
}

const BIDS: Row[] = [
  { id: "B1", price: "100.0", qty: "1.00000000" },
  { id: "B2", price: "100.0", qty: "0.50000000" },
  { id: "B3", price: "99.5", qty: "2.00000000" },
];
const ASKS: Row[] = [
  { id: "A1", price: "101.0", qty: "0.25000000" },
  { id: "A2", price: "101.5", qty: "3.00000000" },
];

function snapshot(symbol = "BTC/USD"): string {
  return frame(
    "snapshot",
    symbol,
    wire(BIDS),
    wire(ASKS),
    level3Checksum(levels(ASKS), levels(BIDS)),
  );
}

function level3Session(): SessionHarness {
  return new SessionHarness({ link: "level3", requestsPerSecond: 1 });
}

Deno.test("level3: subscribe names the token and depth, the snapshot verifies, updates keep queue order", () => {
  const harness = level3Session();
  harness.subscribe({ channel: "level3", symbol: "BTC/USD", depth: 10 });
  harness.goLive(TOKEN);
  const [subscribe] = harness.requests("subscribe");
  assert.deepEqual(subscribe.params, {
    channel: "level3",
    symbol: ["BTC/USD"],
    depth: 10,
    snapshot: true,
    token: TOKEN,
  });
  harness.ackAll();
  assert.equal(
    harness.session.subscriptionState({ channel: "level3", symbol: "BTC/USD", depth: 10 }),
    "awaiting_snapshot",
  );
  harness.frame(snapshot());
  // B1 fills partly (modify keeps its place), B4 joins the back of 100.0.
  const bidsAfter: Row[] = [
    { id: "B1", price: "100.0", qty: "0.40000000" },
    BIDS[1],
    { id: "B4", price: "100.0", qty: "0.10000000" },
    BIDS[2],
  ];
  harness.frame(frame(
    "update",
    "BTC/USD",
    `${wire([bidsAfter[0]], "modify")},${wire([bidsAfter[2]], "add")}`,
    "",
    level3Checksum(levels(ASKS), levels(bidsAfter)),
  ));
  const books = harness.eventsOf("level3");
  assert.equal(books.length, 2);
  assert.equal(books[0].snapshot, true);
  assert.deepEqual(
    books[1].bids[0].orders.map((order) => [order.orderId, order.orderQtyText]),
    [["B1", "0.40000000"], ["B2", "0.50000000"], ["B4", "0.10000000"]],
  );
  assert.deepEqual(books[1].updates.map((order) => [order.event, order.orderId]), [
    ["modify", "B1"],
    ["add", "B4"],
  ]);
  assert.equal(books[1].validated, true);
});

Deno.test("level3: a checksum mismatch is never shown: a gap, then unsubscribe, subscribe and a fresh snapshot", () => {
  const harness = level3Session();
  harness.subscribe({ channel: "level3", symbol: "BTC/USD", depth: 10 });
  harness.goLive(TOKEN);
  harness.ackAll();
  harness.frame(snapshot());
  harness.frame(frame("update", "BTC/USD", wire([BIDS[2]], "delete"), "", 12345));
  assert.equal(harness.eventsOf("level3").length, 1);
  const [gap] = harness.eventsOf("gap");
  assert.equal(gap.reason, "checksum");
  assert.equal(gap.channel, "level3");
  assert.equal(gap.symbol, "BTC/USD");
  harness.advance(1000);
  harness.ackAll(); // the subscribe follows its unsubscribe's answer, at the pace
  harness.advance(1000);
  const methods = harness.requests().map((request) => request.method);
  assert.deepEqual(methods.slice(-2), ["unsubscribe", "subscribe"]);
  assert.equal(harness.requests("unsubscribe")[0].params?.depth, 10);
  assert.equal(harness.requests("unsubscribe")[0].params?.token, TOKEN);
  harness.ackAll();
  harness.frame(snapshot());
  assert.equal(harness.eventsOf("level3").length, 2);
  assert.equal(
    harness.session.subscriptionState({ channel: "level3", symbol: "BTC/USD", depth: 10 }),
    "synced",
  );
});

Deno.test("level3: subscriptions are paced to Kraken's rate counter by depth (200 a second)", () => {
  const harness = level3Session();
  const symbols = Array.from({ length: 100 }, (_, i) => `S${i}/USD`);
  for (const symbol of symbols) harness.subscribe({ channel: "level3", symbol, depth: 10 });
  harness.subscribe({ channel: "level3", symbol: "DEEP1/USD", depth: 1000 });
  harness.subscribe({ channel: "level3", symbol: "DEEP2/USD", depth: 1000 });
  harness.subscribe({ channel: "level3", symbol: "DEEP3/USD", depth: 1000 });
  harness.goLive(TOKEN);
  for (let second = 0; second < 6; second++) harness.advance(1000);
  const sent = harness.requests("subscribe");
  assert.deepEqual(sent.map((request) => request.params?.symbol?.length), [40, 40, 20, 2, 1]);
  const costs = sent.map((request) =>
    (request.params?.symbol?.length ?? 0) * (request.params?.depth === 1000 ? 100 : 5)
  );
  assert.ok(costs.every((cost) => cost <= 200), String(costs));
  const times = sent.map((request) => request.at);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 1000);
});

Deno.test("level3: a connection's states say link level3", () => {
  const harness = level3Session();
  harness.subscribe({ channel: "level3", symbol: "BTC/USD", depth: 10 });
  harness.goLive(TOKEN);
  const states = harness.eventsOf("state").filter((event) => event.scope === "connection");
  assert.ok(states.length > 0);
  assert.ok(states.every((event) => event.scope === "connection" && event.link === "level3"));
});

Deno.test("level3: EAPI:Invalid token fetches a fresh token and subscribes once more", () => {
  const harness = level3Session();
  harness.subscribe({ channel: "level3", symbol: "BTC/USD", depth: 10 });
  harness.goLive(TOKEN);
  const [first] = harness.requests("subscribe");
  harness.reject(first, "EAPI:Invalid token");
  assert.deepEqual(harness.tokenRequests, [harness.connection]);
  harness.input({ type: "token", connection: harness.connection, token: "fresh" });
  harness.advance(1000);
  const second = harness.requests("subscribe")[1];
  assert.equal(second.params?.token, "fresh");
  assert.equal(harness.eventsOf("error").length, 0);
});

Deno.test("level3: a snapshot that comes before its acknowledgement is held and verified once acknowledged", () => {
  const harness = level3Session();
  harness.subscribe({ channel: "level3", symbol: "BTC/USD", depth: 10 });
  harness.goLive(TOKEN);
  harness.frame(snapshot());
  assert.equal(harness.eventsOf("level3").length, 0);
  harness.ackAll();
  const [book] = harness.eventsOf("level3");
  assert.equal(book.snapshot, true);
  assert.equal(
    harness.session.subscriptionState({ channel: "level3", symbol: "BTC/USD", depth: 10 }),
    "synced",
  );
});

Deno.test("level3: an update of the old subscription during a resync is not held and never applied", () => {
  const harness = level3Session();
  harness.subscribe({ channel: "level3", symbol: "BTC/USD", depth: 10 });
  harness.goLive(TOKEN);
  harness.ackAll();
  harness.frame(snapshot());
  harness.frame(frame("update", "BTC/USD", wire([BIDS[2]], "delete"), "", 12345)); // mismatch
  harness.frame(frame("update", "BTC/USD", wire([BIDS[1]], "delete"), "", 1)); // old book's
  harness.advance(2000);
  harness.ackAll();
  harness.ackAll();
  harness.frame(snapshot());
  assert.deepEqual(harness.eventsOf("level3").map((event) => event.snapshot), [true, true]);
  assert.equal(harness.eventsOf("gap").length, 1);
});

Deno.test("book: an L2 snapshot before its acknowledgement is held the same way", () => {
  const harness = new SessionHarness();
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 10 });
  harness.goLive();
  harness.frame(
    '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",' +
      '"bids":[{"price":100.0,"qty":1.00000000}],"asks":[{"price":101.0,"qty":2.00000000}],' +
      '"checksum":1424606772}]}',
  );
  assert.equal(harness.eventsOf("book").length, 0);
  harness.ackAll();
  assert.equal(harness.eventsOf("book")[0]?.checksum, 1424606772);
});
