/**
 * Edge cases found in review: each test is the input sequence that once went wrong.
 */

import assert from "node:assert/strict";
import { ServerBook } from "./server_book.ts";
import { RATE_RECOVERY_MS } from "../../src/core/request_pacer.ts";
import { SessionHarness } from "./session_harness.ts";

const BTC_BOOK = { channel: "book", symbol: "BTC/USD", depth: 10 } as const;
const BTC_TRADES = { channel: "trade", symbol: "BTC/USD" } as const;

Deno.test("edge: a deeper book asked for while the first subscribe is on the wire gets its depth", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 100 });
  harness.ackAll();
  harness.advance(500);
  // The unsubscribe's answer lets the deeper subscribe out; then that one is answered.
  harness.ackAll();
  harness.ackAll();
  const books = harness.requests().filter((request) => request.params?.channel === "book");
  assert.deepEqual(books.map((request) => [request.method, request.params!.depth]), [
    ["subscribe", 10],
    ["unsubscribe", 10],
    ["subscribe", 100],
  ]);
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "awaiting_snapshot");
});

Deno.test("edge: answers for a subscription nobody wants any more never bring it back", () => {
  // Refused for rate, after the consumer left: not retried.
  const rate = new SessionHarness();
  const consumer = rate.subscribe(BTC_TRADES);
  rate.goLive();
  const [subscribe] = rate.requests("subscribe");
  rate.unsubscribe(consumer);
  rate.reject(subscribe, "Exceeded msg rate");
  rate.advance(2000);
  rate.ackAll();
  rate.advance(2000);
  assert.equal(rate.requests("subscribe").length, 1, "the refused subscribe is not sent again");
  assert.equal(rate.session.subscriptionState(BTC_TRADES), undefined);
  const states = rate.eventsOf("state").filter((event) => event.scope === "subscription");
  assert.equal(states.at(-1)?.to, "unsubscribed");

  // "Already subscribed" after the consumer left: no resubscribe.
  const already = new SessionHarness();
  const other = already.subscribe(BTC_TRADES);
  already.goLive();
  const [first] = already.requests("subscribe");
  already.unsubscribe(other);
  already.reject(first, "Already subscribed");
  already.advance(1000);
  already.ackAll();
  already.advance(1000);
  assert.equal(already.requests("subscribe").length, 1);
  assert.equal(already.session.subscriptionState(BTC_TRADES), undefined);

  // Refused for good after the consumer left: gone, not "rejected".
  const refused = new SessionHarness();
  const leaving = refused.subscribe(BTC_TRADES);
  refused.goLive();
  const [request] = refused.requests("subscribe");
  refused.unsubscribe(leaving);
  refused.reject(request, "Currency pair not supported BTC/USD");
  assert.equal(refused.session.subscriptionState(BTC_TRADES), undefined);
  assert.equal(refused.eventsOf("error").length, 0, "nobody is left to tell");
});

Deno.test("edge: a resubscribe after silence owes a gap with its span", () => {
  const harness = new SessionHarness({ subscriptionTimeoutMs: 5000, heartbeatTimeoutMs: 60_000 });
  harness.subscribe({ channel: "ticker", symbol: "BTC/USD", trigger: "trades" });
  harness.subscribe({ channel: "trade", symbol: "ETH/USD" });
  harness.goLive();
  harness.advance(200);
  harness.ackAll();
  const lastData = harness.clock.now();
  for (let i = 0; i < 60; i++) {
    harness.advance(100);
    harness.frame(
      `{"channel":"trade","type":"update","data":[{"symbol":"ETH/USD","side":"buy","price":1.0,"qty":1.0,"ord_type":"limit","trade_id":${
        i + 1
      },"timestamp":"t"}]}`,
    );
  }
  harness.advance(500);
  harness.ackAll();
  harness.ackAll();
  const [gap] = harness.eventsOf("gap").filter((event) => event.reason === "resubscribe");
  assert.ok(gap, "the resubscribe is a gap");
  assert.equal(gap.channel, "ticker");
  assert.equal(gap.symbol, "BTC/USD");
  assert.ok(gap.reason === "resubscribe" || gap.reason === "reconnect");
  assert.equal(gap.fromTime, lastData);
  assert.ok(gap.toTime > lastData + 5000);
});

Deno.test("edge: after a stable connection exactly one retry goes at once", () => {
  const harness = new SessionHarness({ reconnect: { seed: 1 } });
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  for (let second = 0; second < 31; second++) {
    harness.advance(1000);
    harness.frame({ channel: "heartbeat" });
  }
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = harness.clock.now();
    harness.serverClose(1006);
    const next = harness.clock.nextAt()!;
    delays.push(next - before);
    harness.advance(next - before);
  }
  assert.equal(delays[0], 0);
  assert.ok(delays[1] > 0 && delays[1] <= 1000, `the second retry waits: ${delays}`);
  assert.ok(delays[2] <= 2000);
});

Deno.test("edge: a socket that opens after stop() is not an error", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_TRADES);
  harness.input({ type: "stop" });
  assert.equal(harness.session.state, "closing");
  harness.opened();
  assert.equal(harness.session.state, "closing");
  harness.serverClose(1000);
  assert.equal(harness.session.state, "closed");
});

Deno.test("edge: an undecodable book frame is a gap for that book, which resyncs", () => {
  const harness = new SessionHarness();
  const server = new ServerBook("BTC/USD", 25);
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 25 });
  harness.goLive();
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.frame('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":');
  const gap = harness.eventsOf("gap").at(-1)!;
  assert.deepEqual([gap.reason, gap.channel, gap.symbol], ["decode", "book", "BTC/USD"]);
  harness.advance(500);
  harness.ackAll();
  const requests = harness.requests().filter((request) => request.method !== "ping");
  assert.deepEqual(requests.map((request) => request.method), [
    "subscribe",
    "unsubscribe",
    "subscribe",
  ]);
  // One that names nothing is still a gap, for everyone.
  harness.frame("\u0000garbage");
  const anonymous = harness.eventsOf("gap").at(-1)!;
  assert.deepEqual([anonymous.reason, anonymous.channel, anonymous.symbol], [
    "decode",
    undefined,
    undefined,
  ]);
});

Deno.test("edge: a rejection in Kraken's documented shape, without req_id, fails that subscription alone", () => {
  const harness = new SessionHarness();
  const xbt = { channel: "trade", symbol: "XBT/USD" } as const;
  const btc = { channel: "trade", symbol: "BTC/USD" } as const;
  harness.subscribe(xbt);
  harness.subscribe(btc);
  harness.goLive();
  harness.advance(500);
  // One request names both symbols; Kraken answers each on its own.
  const [request] = harness.requests("subscribe");
  assert.deepEqual(request.params!.symbol, ["XBT/USD", "BTC/USD"]);
  harness.frame({
    error: "Currency pair not supported XBT/USD",
    method: "subscribe",
    success: false,
    symbol: "XBT/USD",
    time_in: "2026-01-01T00:00:00.000000Z",
    time_out: "2026-01-01T00:00:00.000001Z",
  });
  harness.ack(request, ["BTC/USD"]);
  for (let i = 0; i < 60; i++) {
    harness.advance(1000);
    harness.frame({ channel: "heartbeat" });
  }
  assert.equal(harness.session.subscriptionState(xbt), "rejected");
  assert.equal(harness.session.subscriptionState(btc), "synced");
  const [rejected] = harness.eventsOf("error");
  assert.equal(rejected.code, "rejected");
  assert.equal(rejected.symbol, "XBT/USD");
  const xbtRequests = harness.requests().filter((sent) => sent.params?.symbol?.includes("XBT/USD"));
  assert.equal(xbtRequests.length, 1, "never asked again");
});

Deno.test("edge: an acknowledgement without req_id goes to the request it names", () => {
  const harness = new SessionHarness();
  harness.subscribe({ channel: "ohlc", symbol: "BTC/USD", interval: 1 });
  harness.subscribe({ channel: "ohlc", symbol: "BTC/USD", interval: 5 });
  harness.goLive();
  harness.advance(500);
  harness.frame({
    method: "subscribe",
    result: { channel: "ohlc", symbol: "BTC/USD", interval: 5, snapshot: true },
    success: true,
  });
  assert.equal(
    harness.session.subscriptionState({ channel: "ohlc", symbol: "BTC/USD", interval: 5 }),
    "synced",
  );
  assert.equal(
    harness.session.subscriptionState({ channel: "ohlc", symbol: "BTC/USD", interval: 1 }),
    "pending",
  );
});

Deno.test("edge: Exceeded msg rate without req_id slows the pacing and retries the oldest request", () => {
  // One symbol a request, so the pacing between requests shows.
  const harness = new SessionHarness({ requestsPerSecond: 10, maxSymbolsPerRequest: 1 });
  for (const symbol of ["A/USD", "B/USD", "C/USD", "D/USD"]) {
    harness.subscribe({ channel: "trade", symbol });
  }
  harness.goLive();
  harness.frame({ error: "Exceeded msg rate", method: "subscribe", success: false });
  harness.advance(3000);
  const sent = harness.requests("subscribe");
  assert.deepEqual(sent.map((request) => request.params!.symbol![0]), [
    "A/USD",
    "A/USD",
    "B/USD",
    "C/USD",
    "D/USD",
  ]);
  const later = sent.slice(1);
  const gaps = later.slice(1).map((request, index) => request.at - later[index].at);
  assert.ok(gaps.every((gap) => gap >= 200), `slower after the refusal: ${gaps}`);
  assert.equal(harness.eventsOf("error").length, 0, "not a failure");
});

Deno.test("edge: the pacing recovers its rate after a quiet period", () => {
  const harness = new SessionHarness({ requestsPerSecond: 10, maxSymbolsPerRequest: 1 });
  harness.subscribe({ channel: "trade", symbol: "A/USD" });
  harness.goLive();
  const [first] = harness.requests("subscribe");
  harness.reject(first, "Exceeded msg rate");
  harness.advance(1000);
  harness.ackAll();
  for (let waited = 0; waited < RATE_RECOVERY_MS * 2; waited += 1000) {
    harness.advance(1000);
    harness.frame({ channel: "heartbeat" });
  }
  for (const symbol of ["B/USD", "C/USD", "D/USD"]) {
    harness.subscribe({ channel: "trade", symbol });
  }
  harness.advance(1000);
  assert.equal(harness.connection, 1, "the same connection throughout");
  const fresh = harness.requests("subscribe").slice(-3);
  const gaps = fresh.slice(1).map((request, index) => request.at - fresh[index].at);
  assert.deepEqual(gaps, [100, 100], "back to 10 per second");
});

Deno.test("edge: a deeper stream joining a synced book owes that book a gap", () => {
  const harness = new SessionHarness();
  const server = new ServerBook("BTC/USD");
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 10 });
  harness.goLive();
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.frame(server.update(2));
  const joinedAt = harness.clock.now();
  const before = harness.events.length;
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 100 });
  harness.frame(server.update(3));
  harness.advance(500);
  harness.ackAll();
  harness.ackAll();
  const after = harness.events.slice(before);
  assert.equal(
    after.filter((event) => event.type === "book").length,
    0,
    "no book until the snapshot",
  );
  const gaps = after.filter((event) => event.type === "gap" && event.channel === "book");
  assert.equal(gaps.length, 1);
  assert.ok(gaps[0].type === "gap" && gaps[0].reason === "resubscribe");
  assert.equal(gaps[0].type === "gap" && gaps[0].fromTime, joinedAt);
});

Deno.test("edge: when the session closes, every subscription it held ends, visibly", () => {
  for (const close of ["stop", "1008"] as const) {
    const harness = new SessionHarness();
    harness.subscribe(BTC_TRADES);
    harness.subscribe(BTC_BOOK);
    harness.goLive();
    harness.ackAll();
    if (close === "stop") {
      harness.input({ type: "stop" });
      harness.serverClose(1000);
    } else harness.serverClose(1008, "policy violation");
    assert.equal(harness.session.state, "closed");
    const ended = harness.eventsOf("state").filter((event) =>
      event.scope === "subscription" && event.to === "unsubscribed"
    );
    assert.deepEqual(ended.map((event) => event.scope === "subscription" && event.cause), [
      "closed",
      "closed",
    ], close);
    assert.equal(harness.session.subscriptionCount, 0);
  }
});

Deno.test("edge: a link lost while a resubscribe is owed makes that gap a reconnect gap", () => {
  const harness = new SessionHarness({ subscriptionTimeoutMs: 5000, heartbeatTimeoutMs: 60_000 });
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  const lastData = harness.clock.now();
  // Pongs keep the link alive but cover no subscription: it goes stale and is resubscribed.
  for (let i = 0; i < 7; i++) {
    harness.advance(1000);
    harness.frame({ method: "pong", req_id: 0 });
  }
  assert.equal(harness.session.subscriptionState(BTC_TRADES), "stale");
  harness.serverClose(1006);
  harness.advance(0);
  harness.goLive();
  harness.advance(100);
  harness.ackAll();
  const gaps = harness.eventsOf("gap");
  assert.equal(gaps.length, 1, "one gap covers both");
  assert.equal(gaps[0].reason, "reconnect");
  assert.equal(gaps[0].fromTime, lastData);
});
