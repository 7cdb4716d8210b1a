import assert from "node:assert/strict";
import { type InFlightRequest, matchAnswer } from "../../src/core/answer_matching.ts";
import {
  type InstrumentRequest,
  Subscription,
  type SubscriptionRequest,
} from "../../src/core/subscription.ts";

function onWire(
  ...requests: [
    number,
    "subscribe" | "unsubscribe",
    ...(SubscriptionRequest | InstrumentRequest)[],
  ][]
) {
  return new Map<number, InFlightRequest>(
    requests.map(([reqId, method, ...subscriptions]) => [
      reqId,
      {
        method,
        subscriptions: subscriptions.map((request) => new Subscription(request, reqId, 0)),
        sentAt: 0,
      },
    ]),
  );
}

const symbols = (match: ReturnType<typeof matchAnswer>) =>
  match?.subscriptions.map((subscription) => subscription.symbol);

Deno.test("answer matching: a req_id names its request; a lone symbol is that one whatever it echoes", () => {
  const inFlight = onWire(
    [1, "subscribe", { channel: "trade", symbol: "BTC/USD" }],
    [2, "subscribe", { channel: "trade", symbol: "ETH/USD" }],
  );
  const match = matchAnswer(inFlight, 2, { method: "subscribe", symbol: "BTC/USD" });
  assert.equal(match?.reqId, 2);
  assert.deepEqual(symbols(match), ["ETH/USD"]);
  assert.equal(matchAnswer(inFlight, 7, { method: "subscribe" }), undefined, "a ping's, or gone");
});

Deno.test("answer matching: in a request of many symbols, each answer is its own symbol's", () => {
  const trade = (symbol: string) => ({ channel: "trade", symbol }) as const;
  const inFlight = onWire([5, "subscribe", trade("BTC/USD"), trade("ETH/USD"), trade("XBT/EUR")]);
  assert.deepEqual(symbols(matchAnswer(inFlight, 5, { method: "subscribe", symbol: "ETH/USD" })), [
    "ETH/USD",
  ]);
  assert.deepEqual(
    symbols(matchAnswer(inFlight, 5, { method: "subscribe" })),
    ["BTC/USD", "ETH/USD", "XBT/EUR"],
    "an answer naming no symbol (Exceeded msg rate) answers them all",
  );
  assert.equal(
    matchAnswer(inFlight, 5, { method: "subscribe", symbol: "DOGE/USD" }),
    undefined,
    "a symbol the request does not name is none of its answers",
  );
  assert.deepEqual(
    symbols(matchAnswer(inFlight, undefined, { method: "subscribe", symbol: "XBT/EUR" })),
    ["XBT/EUR"],
    "without req_id too",
  );
});

Deno.test("answer matching: without req_id, the oldest request that fits what the answer names", () => {
  const inFlight = onWire(
    [1, "subscribe", { channel: "ohlc", symbol: "BTC/USD", interval: 1 }],
    [2, "unsubscribe", { channel: "book", symbol: "BTC/USD", depth: 10 }],
    [3, "subscribe", { channel: "ohlc", symbol: "BTC/USD", interval: 5 }],
    [4, "subscribe", { channel: "book", symbol: "BTC/USD", depth: 10 }],
  );
  const match = (names: Parameters<typeof matchAnswer>[2]) =>
    matchAnswer(inFlight, undefined, names)?.reqId;
  assert.equal(match({ method: "subscribe", symbol: "BTC/USD" }), 1, "Kraken answers in order");
  assert.equal(match({ method: "subscribe", channel: "ohlc", interval: 5 }), 3);
  assert.equal(match({ method: "subscribe", channel: "book" }), 4);
  assert.equal(match({ method: "unsubscribe", symbol: "BTC/USD" }), 2);
  assert.equal(match({ method: "", channel: "book" }), 2, "an answer that names no method");
  assert.equal(match({ method: "subscribe", symbol: "XBT/USD" }), undefined);
});

Deno.test("answer matching: instrument's answers name no symbol; without a req_id its channel finds it", () => {
  const inFlight = onWire(
    [1, "subscribe", { channel: "trade", symbol: "BTC/USD" }],
    [2, "subscribe", { channel: "instrument" }],
  );
  const channels = (match: ReturnType<typeof matchAnswer>) =>
    match?.subscriptions.map((subscription) => subscription.channel);
  assert.deepEqual(
    channels(matchAnswer(inFlight, 2, { method: "subscribe", channel: "instrument" })),
    [
      "instrument",
    ],
  );
  const byChannel = matchAnswer(inFlight, undefined, {
    method: "subscribe",
    channel: "instrument",
  });
  assert.equal(byChannel?.reqId, 2);
  assert.deepEqual(channels(byChannel), ["instrument"]);
  // An answer naming a pair is never the instrument subscription's.
  assert.equal(
    matchAnswer(inFlight, undefined, { method: "subscribe", symbol: "ETH/USD" }),
    undefined,
  );
});
