import assert from "node:assert/strict";
import { type InFlight, matchAnswer } from "../../src/core/answer_matching.ts";
import { Subscription, type SubscriptionRequest } from "../../src/core/subscription.ts";

function onWire(...requests: [number, "subscribe" | "unsubscribe", SubscriptionRequest][]) {
  return new Map<number, InFlight>(
    requests.map(([reqId, method, request]) => [
      reqId,
      { method, subscription: new Subscription(request, reqId, 0), sentAt: 0 },
    ]),
  );
}

Deno.test("answer matching: a req_id names its request, and nothing else", () => {
  const inFlight = onWire(
    [1, "subscribe", { channel: "trade", symbol: "BTC/USD" }],
    [2, "subscribe", { channel: "trade", symbol: "ETH/USD" }],
  );
  assert.equal(matchAnswer(inFlight, 2, { method: "subscribe", symbol: "BTC/USD" }), 2);
  assert.equal(matchAnswer(inFlight, 7, { method: "subscribe" }), undefined, "a ping's, or gone");
});

Deno.test("answer matching: without req_id, the oldest request that fits what the answer names", () => {
  const inFlight = onWire(
    [1, "subscribe", { channel: "ohlc", symbol: "BTC/USD", interval: 1 }],
    [2, "unsubscribe", { channel: "book", symbol: "BTC/USD", depth: 10 }],
    [3, "subscribe", { channel: "ohlc", symbol: "BTC/USD", interval: 5 }],
    [4, "subscribe", { channel: "book", symbol: "BTC/USD", depth: 10 }],
  );
  const match = (names: Parameters<typeof matchAnswer>[2]) =>
    matchAnswer(inFlight, undefined, names);
  assert.equal(match({ method: "subscribe", symbol: "BTC/USD" }), 1, "Kraken answers in order");
  assert.equal(match({ method: "subscribe", channel: "ohlc", interval: 5 }), 3);
  assert.equal(match({ method: "subscribe", channel: "book" }), 4);
  assert.equal(match({ method: "unsubscribe", symbol: "BTC/USD" }), 2);
  assert.equal(match({ method: "", channel: "book" }), 2, "an answer that names no method");
  assert.equal(match({ method: "subscribe", symbol: "XBT/USD" }), undefined);
});
