/**
 * The session and values outside its declared types: a caller's bad input is refused before
 * anything changes; nothing a server sends makes it throw; and what it keeps pending is bounded.
 */

import assert from "node:assert/strict";
import { Session, type SessionInput } from "../../src/core/session.ts";
import { ServerBook } from "./server_book.ts";
import { SessionHarness } from "./session_harness.ts";

const BTC_BOOK = { channel: "book", symbol: "BTC/USD", depth: 10 } as const;
const BTC_TRADES = { channel: "trade", symbol: "BTC/USD" } as const;

/** Inputs a JavaScript caller can build, none of which the session may take. */
const BAD_INPUTS: readonly unknown[] = [
  { type: "subscribe", consumer: 1, request: { channel: "book", symbol: "BTC/USD", depth: 7 } },
  { type: "subscribe", consumer: 1, request: { channel: "book", symbol: "BTC/USD", depth: "10" } },
  { type: "subscribe", consumer: 1, request: { channel: "book", symbol: "BTC/USD" } },
  { type: "subscribe", consumer: 1, request: { channel: "level3", symbol: "BTC/USD", depth: 25 } },
  { type: "subscribe", consumer: 1, request: { channel: "trade", symbol: 42 } },
  { type: "subscribe", consumer: 1, request: { channel: "trade", symbol: "" } },
  { type: "subscribe", consumer: 1, request: { channel: "trade", symbol: "BTC/USD", snapshot: 1 } },
  { type: "subscribe", consumer: 1, request: { channel: "ticker", symbol: "BTC/USD" } },
  { type: "subscribe", consumer: 1, request: { channel: "ohlc", symbol: "BTC/USD", interval: 2 } },
  { type: "subscribe", consumer: 1, request: { channel: "level9", symbol: "BTC/USD" } },
  { type: "subscribe", consumer: 1, request: null },
  { type: "subscribe", consumer: "1", request: BTC_TRADES },
  { type: "unsubscribe" },
  { type: "deadManSwitch", timeoutSeconds: 86_400 },
  { type: "deadManSwitch", timeoutSeconds: 1.5 },
  { type: "overflow", consumer: 1, dropped: 0 },
  { type: "frame", connection: 0, text: 42 },
  { type: "timer" },
  { type: "launch" },
  null,
  "stop",
];

Deno.test("inputs: a caller's bad input is a TypeError or RangeError, and changes nothing", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.ackAll();
  const before = {
    state: harness.session.state,
    subscriptions: harness.session.subscriptions(),
    pending: harness.session.pendingRequests,
    timers: harness.timers,
    events: harness.events.length,
  };
  for (const input of BAD_INPUTS) {
    assert.throws(
      () => harness.input(input as SessionInput),
      (error: unknown) => error instanceof TypeError || error instanceof RangeError,
      JSON.stringify(input),
    );
    assert.deepEqual(
      {
        state: harness.session.state,
        subscriptions: harness.session.subscriptions(),
        pending: harness.session.pendingRequests,
        timers: harness.timers,
        events: harness.events.length,
      },
      before,
      JSON.stringify(input),
    );
  }
  // A time that is not a time is refused too.
  for (const now of [Number.NaN, Infinity, "0"]) {
    assert.throws(
      () => harness.session.handle({ type: "timer", id: "tick" }, now as number),
      (error: unknown) => error instanceof TypeError || error instanceof RangeError,
    );
  }
  // So are settings out of range.
  for (const options of [{ heartbeatTimeoutMs: 0 }, { requestsPerSecond: -1 }, { seed: "1" }]) {
    assert.throws(
      () => new Session({ url: "ws://test", seed: 1, ...options } as never),
      (error: unknown) => error instanceof TypeError || error instanceof RangeError,
    );
  }
});

Deno.test("inputs: a book acknowledged at a depth not asked for is refused, undone, and the rest goes on", () => {
  const harness = new SessionHarness();
  harness.subscribe(BTC_BOOK);
  harness.subscribe(BTC_TRADES);
  harness.goLive();
  harness.advance(500);
  for (const request of harness.requests("subscribe")) {
    const { channel, symbol } = request.params!;
    const result = channel === "book"
      ? { channel, symbol: symbol![0], depth: 7, snapshot: true }
      : { channel, symbol: symbol![0] };
    harness.frame({ method: "subscribe", result, success: true, req_id: request.reqId });
  }
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "rejected");
  assert.equal(harness.session.subscriptionState(BTC_TRADES), "synced");
  const [error] = harness.eventsOf("error");
  assert.equal(error.code, "rejected");
  assert.equal(error.channel, "book");
  assert.match(error.message, /depth 7, not the 10 asked for/);
  // The server's subscription is undone, as the server holds it.
  harness.advance(500);
  const [undo] = harness.requests("unsubscribe");
  assert.deepEqual(undo.params, { channel: "book", symbol: ["BTC/USD"], depth: 7 });
  // The stream leaves while the undoing is unanswered: it waits for the answer, then ends.
  harness.unsubscribe(1);
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "unsubscribing");
  assert.ok(harness.session.pendingRequests <= 3 * harness.session.subscriptionCount);
  harness.ackAll();
  harness.ackAll();
  assert.equal(harness.session.subscriptionState(BTC_BOOK), undefined);
  assert.equal(harness.session.pendingRequests, 0);
  assert.equal(harness.session.state, "live");
  // A candle interval not asked for is refused the same way, for every symbol of the request.
  const ohlc = new SessionHarness();
  const candles = (symbol: string) => ({ channel: "ohlc", symbol, interval: 5 }) as const;
  ohlc.subscribe(candles("BTC/USD"));
  ohlc.subscribe(candles("ETH/USD"));
  ohlc.goLive();
  const [request] = ohlc.requests("subscribe");
  assert.deepEqual(request.params!.symbol, ["BTC/USD", "ETH/USD"]);
  for (const symbol of ["BTC/USD", "ETH/USD"]) {
    ohlc.frame({
      method: "subscribe",
      result: { channel: "ohlc", symbol, interval: 60 },
      success: true,
      req_id: request.reqId,
    });
    assert.equal(ohlc.session.subscriptionState(candles(symbol)), "rejected");
  }
  ohlc.advance(500);
  assert.deepEqual(ohlc.requests("unsubscribe").map((undo) => undo.params), [
    { channel: "ohlc", symbol: ["BTC/USD", "ETH/USD"], interval: 60 },
  ]);
});

Deno.test("inputs: a refused subscription asked for again while its undoing is pending keeps the bound", () => {
  // The undoing unsubscribe of the refused one is still queued when a new stream asks for the
  // same book and leaves: the new subscription waits for that unsubscribe's answer, so it is held
  // (unsubscribing) until then, and nothing pending is left without a subscription to count it.
  const harness = new SessionHarness();
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  const [request] = harness.requests("subscribe");
  harness.frame({
    method: "subscribe",
    result: { channel: "book", symbol: "BTC/USD", depth: 25 },
    success: true,
    req_id: request.reqId,
  });
  const again = harness.subscribe(BTC_BOOK);
  harness.unsubscribe(again);
  assert.ok(
    harness.session.pendingRequests <= 3 * harness.session.subscriptionCount,
    `${harness.session.pendingRequests} pending for ${harness.session.subscriptionCount}`,
  );
  for (let i = 0; i < 3; i++) {
    harness.advance(200);
    harness.ackAll();
  }
  assert.equal(harness.session.pendingRequests, 0);
  assert.equal(harness.session.subscriptionCount, 0);
});

Deno.test("inputs: a subscription that ends leaves nothing pending, even with its subscribe refused late", () => {
  // The subscribe is on the wire when the stream leaves; the subscribe is then refused. The
  // unsubscribe waited for that answer, so nothing of the ended subscription stays pending.
  const harness = new SessionHarness();
  const consumer = harness.subscribe(BTC_TRADES);
  harness.goLive();
  const [subscribe] = harness.requests("subscribe");
  harness.unsubscribe(consumer);
  harness.advance(500);
  assert.deepEqual(harness.requests().map((request) => request.method), ["subscribe"]);
  harness.reject(subscribe, "Currency pair not supported BTC/USD");
  assert.equal(harness.session.subscriptionCount, 0);
  assert.equal(harness.session.pendingRequests, 0);
});

Deno.test("inputs: a subscription has at most one request on the wire and two queued: at most three", () => {
  // The worst case: a silent book resubscribes and its subscribe is on the wire (after its
  // unsubscribe's answer) when a deeper stream joins: a fresh unsubscribe and subscribe queue
  // behind it.
  const harness = new SessionHarness({ subscriptionTimeoutMs: 5000, heartbeatTimeoutMs: 60_000 });
  const server = new ServerBook("BTC/USD");
  harness.subscribe(BTC_BOOK);
  harness.goLive();
  harness.ackAll();
  harness.frame(server.snapshot());
  harness.advance(6000);
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "stale");
  harness.ackAll();
  harness.advance(200);
  const sent = () => harness.requests().filter((request) => request.method !== "ping");
  assert.deepEqual(sent().map((request) => request.method), [
    "subscribe",
    "unsubscribe",
    "subscribe",
  ]);
  harness.subscribe({ channel: "book", symbol: "BTC/USD", depth: 25 });
  assert.equal(harness.session.subscriptionCount, 1);
  assert.equal(harness.session.pendingRequests, 3);
  // Each answer lets the next one out, in order.
  for (let i = 0; i < 3; i++) {
    harness.ackAll();
    harness.advance(200);
  }
  assert.deepEqual(
    sent().map((request) => `${request.method} ${request.params!.depth}`),
    ["subscribe 10", "unsubscribe 10", "subscribe 10", "unsubscribe 10", "subscribe 25"],
  );
  harness.ackAll();
  assert.equal(harness.session.pendingRequests, 0);
  assert.equal(harness.session.subscriptionState(BTC_BOOK), "awaiting_snapshot");
});
