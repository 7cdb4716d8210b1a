import assert from "node:assert/strict";
import { type QueuedRequest, RequestPacer } from "../../src/core/request_pacer.ts";
import { Subscription, type SubscriptionRequest } from "../../src/core/subscription.ts";
import { SessionHarness } from "./session_harness.ts";

const trade = (symbol: string): SubscriptionRequest => ({ channel: "trade", symbol });
const book = (symbol: string, depth: 10 | 25 = 10): SubscriptionRequest => ({
  channel: "book",
  symbol,
  depth,
});
const wire = (harness: SessionHarness, method = "subscribe") =>
  harness.requests(method).map((request) => {
    const { symbol, ...rest } = request.params!;
    return `${JSON.stringify(rest)} ${symbol!.join(",")}`;
  });

Deno.test("batching: one request per channel and parameters, in the order asked, up to the cap", () => {
  const harness = new SessionHarness({ maxSymbolsPerRequest: 3 });
  for (const symbol of ["A/USD", "B/USD", "C/USD", "D/USD"]) harness.subscribe(trade(symbol));
  harness.subscribe(book("A/USD"));
  harness.subscribe(book("B/USD", 25));
  harness.subscribe(book("C/USD"));
  harness.subscribe({ channel: "ohlc", symbol: "A/USD", interval: 5 });
  harness.goLive();
  harness.advance(2000);
  assert.deepEqual(wire(harness), [
    '{"channel":"trade","snapshot":false} A/USD,B/USD,C/USD',
    '{"channel":"trade","snapshot":false} D/USD',
    '{"channel":"book","depth":10,"snapshot":true} A/USD,C/USD',
    '{"channel":"book","depth":25,"snapshot":true} B/USD',
    '{"channel":"ohlc","interval":5,"snapshot":true} A/USD',
  ]);
  const at = harness.requests("subscribe").map((request) => request.at);
  assert.ok(at.slice(1).every((time, i) => time - at[i] >= 100), `still paced: ${at}`);
});

Deno.test("batching: each symbol's answer is its own; a refused symbol ends only its subscription", () => {
  const harness = new SessionHarness();
  for (const symbol of ["A/USD", "XBT/USD", "C/USD"]) harness.subscribe(trade(symbol));
  harness.goLive();
  const [request] = harness.requests("subscribe");
  harness.ack(request, ["C/USD"]);
  harness.reject(request, "Currency pair not supported XBT/USD", ["XBT/USD"]);
  assert.equal(harness.session.subscriptionState(trade("C/USD")), "synced");
  assert.equal(harness.session.subscriptionState(trade("XBT/USD")), "rejected");
  assert.equal(harness.session.subscriptionState(trade("A/USD")), "pending", "still unanswered");
  assert.equal(harness.session.pendingRequests, 1, "A/USD alone waits on the wire");
  harness.ack(request, ["A/USD"]);
  assert.equal(harness.session.subscriptionState(trade("A/USD")), "synced");
  assert.equal(harness.session.pendingRequests, 0);
  const errors = harness.eventsOf("error");
  assert.deepEqual(errors.map((error) => [error.code, error.symbol]), [["rejected", "XBT/USD"]]);
});

Deno.test("batching: Exceeded msg rate for the whole request retries it whole, slowing once", () => {
  const harness = new SessionHarness({ requestsPerSecond: 10 });
  for (const symbol of ["A/USD", "B/USD"]) harness.subscribe(trade(symbol));
  harness.subscribe(book("A/USD"));
  harness.goLive();
  harness.advance(100);
  const [trades] = harness.requests("subscribe");
  harness.reject(trades, "Exceeded msg rate", []);
  harness.advance(1000);
  assert.deepEqual(wire(harness), [
    '{"channel":"trade","snapshot":false} A/USD,B/USD',
    '{"channel":"book","depth":10,"snapshot":true} A/USD',
    '{"channel":"trade","snapshot":false} A/USD,B/USD',
  ]);
  const [, booksAt, retryAt] = harness.requests("subscribe").map((request) => request.at);
  assert.equal(retryAt - booksAt, 200, "the pace halved once: 5 requests a second");
  assert.equal(harness.eventsOf("error").length, 0, "not a failure");
});

Deno.test("batching: a request answered in part when the link is lost is replayed whole", () => {
  const harness = new SessionHarness();
  for (const symbol of ["A/USD", "B/USD", "C/USD"]) harness.subscribe(trade(symbol));
  harness.goLive();
  const [request] = harness.requests("subscribe");
  harness.ack(request, ["A/USD"]);
  harness.frame({
    channel: "trade",
    type: "update",
    data: [{
      symbol: "A/USD",
      side: "buy",
      price: 1.5,
      qty: 1.0,
      ord_type: "limit",
      trade_id: 7,
      timestamp: "2026-01-01T00:00:00.000000Z",
    }],
  });
  harness.serverClose(1006);
  harness.advance(0);
  harness.goLive();
  harness.advance(500);
  // A/USD was receiving: it asks for Kraken's last trades to recover; the others never started.
  assert.deepEqual(wire(harness), [
    '{"channel":"trade","snapshot":true} A/USD',
    '{"channel":"trade","snapshot":false} B/USD,C/USD',
  ]);
  for (const replay of harness.requests("subscribe")) harness.ack(replay);
  for (const symbol of ["A/USD", "B/USD", "C/USD"]) {
    assert.equal(harness.session.subscriptionState(trade(symbol)), "synced");
  }
  assert.deepEqual(harness.eventsOf("gap"), [], "nothing lost yet: no trade id is missing");
});

Deno.test("batching: unsubscribes batch too", () => {
  const harness = new SessionHarness();
  const consumers = ["A/USD", "B/USD", "C/USD"].map((symbol) => harness.subscribe(trade(symbol)));
  harness.goLive();
  harness.ackAll();
  harness.advance(1000);
  for (const consumer of consumers) harness.unsubscribe(consumer);
  harness.advance(1000);
  // The first leaves at once; the two asked while it was pacing leave together.
  assert.deepEqual(wire(harness, "unsubscribe"), [
    '{"channel":"trade"} A/USD',
    '{"channel":"trade"} B/USD,C/USD',
  ]);
  harness.ackAll();
  for (const symbol of ["A/USD", "B/USD", "C/USD"]) {
    assert.equal(harness.session.subscriptionState(trade(symbol)), undefined);
  }
});

Deno.test("batching: the whole market (700 pairs, book and trades) is back within 2 s of a reconnect, in at most 20 requests", () => {
  const harness = new SessionHarness();
  const symbols = Array.from({ length: 700 }, (_, i) => `P${i}/USD`);
  for (const symbol of symbols) {
    harness.subscribe(book(symbol));
    harness.subscribe(trade(symbol));
  }
  harness.goLive();
  harness.advance(3000);
  harness.ackAll();
  harness.serverClose(1006);
  harness.advance(0);
  harness.goLive();
  const openedAt = harness.clock.now();
  // Kraken answers each request as it comes: acknowledge whatever is on the wire, every 10 ms.
  const acknowledged = () =>
    symbols.every((symbol) =>
      harness.session.subscriptionState(book(symbol)) === "awaiting_snapshot" &&
      harness.session.subscriptionState(trade(symbol)) === "synced"
    );
  while (!acknowledged() && harness.clock.now() - openedAt < 10_000) {
    harness.advance(10);
    harness.ackAll();
  }
  const doneAt = harness.clock.now();
  const requests = harness.requests("subscribe");
  assert.ok(requests.length <= 20, `${requests.length} requests`);
  assert.equal(requests.reduce((sum, request) => sum + request.params!.symbol!.length, 0), 1400);
  assert.ok(acknowledged(), "every subscription acknowledged");
  assert.ok(doneAt - openedAt <= 2000, `acknowledged ${doneAt - openedAt} ms after opening`);
});

Deno.test("batching: a resync's subscribe never overtakes its own unsubscribe in a batch", () => {
  const pacer = new RequestPacer(10);
  const subscription = (symbol: string) => new Subscription(book(symbol), 0, 0);
  const [b, x, y] = ["B/USD", "X/USD", "Y/USD"].map(subscription);
  pacer.enqueue({ method: "subscribe", subscription: b });
  pacer.enqueue({ method: "unsubscribe", subscription: x });
  pacer.enqueue({ method: "subscribe", subscription: x });
  pacer.enqueue({ method: "subscribe", subscription: y });
  const kind = (request: QueuedRequest) => request.method;
  const symbols = (batch: QueuedRequest[] | undefined) =>
    batch?.map((request) => `${request.method} ${request.subscription.symbol}`);
  const none = new Set<string>();
  // Y rides with B; X's subscribe waits behind X's unsubscribe.
  assert.deepEqual(symbols(pacer.take(0, 100, kind, none)), ["subscribe B/USD", "subscribe Y/USD"]);
  assert.deepEqual(symbols(pacer.take(100, 100, kind, none)), ["unsubscribe X/USD"]);
  // While X's unsubscribe is unanswered, its subscribe waits, and no pace timer is asked for.
  const xOnWire = new Set([x.key]);
  assert.equal(pacer.take(200, 100, kind, xOnWire), undefined);
  assert.equal(pacer.waitMs(200, xOnWire), undefined);
  assert.equal(pacer.waitMs(200, none), 0);
  assert.deepEqual(symbols(pacer.take(200, 100, kind, none)), ["subscribe X/USD"]);
});
