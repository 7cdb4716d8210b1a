/**
 * Edge cases found in review: each test is the input sequence that once went wrong.
 */

import assert from "node:assert/strict";
import { ServerBook } from "./server_book.ts";
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
  const [gap] = harness.eventsOf("gap").filter((event) => event.reason === "resubscribe");
  assert.ok(gap, "the resubscribe is a gap");
  assert.equal(gap.channel, "ticker");
  assert.equal(gap.symbol, "BTC/USD");
  assert.equal(gap.fromTime, lastData);
  assert.ok(gap.toTime! > lastData + 5000);
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
