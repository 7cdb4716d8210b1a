import assert from "node:assert/strict";
import { BOOK_DEPTHS } from "../../src/book/order_book.ts";
import { OHLC_INTERVALS } from "../../src/core/subscription.ts";
import { type ClientRequest, parseClientRequest } from "../../src/exchange/requests.ts";
import { jsonObject, requestText } from "./helpers.ts";

const NOW = Date.UTC(2026, 6, 7, 23, 0, 3, 501);

/** The reply frame of a refused request. */
function refusal(request: ClientRequest): string {
  assert.equal(request.kind, "invalid");
  if (request.kind !== "invalid") throw new Error("unreachable");
  return request.reply;
}

/** The subscription a request asked for. */
function subscription(request: ClientRequest): Extract<ClientRequest, { kind: "subscription" }> {
  assert.equal(request.kind, "subscription");
  if (request.kind !== "subscription") throw new Error("unreachable");
  return request;
}

Deno.test("parseClientRequest: ping, with and without req_id", () => {
  assert.deepEqual(parseClientRequest('{"method":"ping","req_id":4}', NOW), {
    kind: "ping",
    reqId: 4,
  });
  assert.deepEqual(parseClientRequest('{"method":"ping"}', NOW), {
    kind: "ping",
    reqId: undefined,
  });
});

Deno.test("parseClientRequest: book defaults to depth 10 with a snapshot; every Kraken depth accepted", () => {
  const plain = subscription(
    parseClientRequest(requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }, 1), NOW),
  );
  assert.equal(plain.method, "subscribe");
  assert.equal(plain.channel, "book");
  assert.deepEqual(plain.symbols, ["BTC/USD"]);
  assert.equal(plain.depth, 10);
  assert.equal(plain.snapshot, true);
  assert.equal(plain.reqId, 1);
  assert.equal(plain.interval, undefined);
  for (const depth of BOOK_DEPTHS) {
    const request = subscription(
      parseClientRequest(
        requestText("subscribe", { channel: "book", symbol: ["X/Y"], depth }),
        NOW,
      ),
    );
    assert.equal(request.depth, depth);
    assert.equal(request.reqId, undefined);
  }
  const noSnapshot = subscription(
    parseClientRequest(
      requestText("subscribe", { channel: "book", symbol: ["X/Y"], snapshot: false }),
      NOW,
    ),
  );
  assert.equal(noSnapshot.snapshot, false);
});

Deno.test("parseClientRequest: a depth Kraken does not offer is `Subscription depth not supported`", () => {
  for (const depth of [0, 5, 11, 50, 250, 2000, "10"]) {
    const reply = jsonObject(refusal(parseClientRequest(
      requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth }, 9),
      NOW,
    )));
    assert.equal(reply.error, "Subscription depth not supported", `depth ${depth}`);
    assert.equal(reply.success, false);
    assert.equal(reply.method, "subscribe");
    assert.equal(reply.req_id, 9);
  }
});

Deno.test("parseClientRequest: trade snapshot only when asked (Kraken's default is false)", () => {
  const trade = (params: Record<string, unknown>) =>
    subscription(
      parseClientRequest(
        requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"], ...params }),
        NOW,
      ),
    );
  assert.equal(trade({}).snapshot, false);
  assert.equal(trade({ snapshot: true }).snapshot, true);
  assert.equal(trade({ snapshot: false }).snapshot, false);
  assert.equal(trade({}).depth, undefined);
});

Deno.test("parseClientRequest: ticker trigger is `trades` unless `bbo`; snapshot by default", () => {
  const ticker = (params: Record<string, unknown>) =>
    subscription(
      parseClientRequest(
        requestText("subscribe", { channel: "ticker", symbol: ["BTC/USD"], ...params }),
        NOW,
      ),
    );
  assert.equal(ticker({}).trigger, "trades");
  assert.equal(ticker({ event_trigger: "bbo" }).trigger, "bbo");
  assert.equal(ticker({ event_trigger: "trades" }).trigger, "trades");
  assert.equal(ticker({}).snapshot, true);
  assert.equal(ticker({ snapshot: false }).snapshot, false);
});

Deno.test("parseClientRequest: ohlc takes every Kraken interval, default 1, refuses others", () => {
  const ohlc = (params: Record<string, unknown>) =>
    parseClientRequest(
      requestText("subscribe", { channel: "ohlc", symbol: ["BTC/USD"], ...params }, 5),
      NOW,
    );
  assert.equal(subscription(ohlc({})).interval, 1);
  for (const interval of OHLC_INTERVALS) {
    assert.equal(subscription(ohlc({ interval })).interval, interval);
  }
  for (const interval of [0, 2, 3, 120, 43200]) {
    const reply = jsonObject(refusal(ohlc({ interval })));
    assert.equal(reply.success, false);
    assert.equal(reply.req_id, 5);
    assert.equal(typeof reply.error, "string");
  }
});

Deno.test("parseClientRequest: an unknown channel is `Subscription name invalid`, req_id echoed", () => {
  for (const channel of ["level3", "books", "Book", "", 7, undefined]) {
    const reply = jsonObject(refusal(parseClientRequest(
      requestText("subscribe", { channel, symbol: ["BTC/USD"] }, 21),
      NOW,
    )));
    assert.equal(reply.error, "Subscription name invalid", `channel ${channel}`);
    assert.equal(reply.success, false);
    assert.equal(reply.req_id, 21);
  }
});

Deno.test("parseClientRequest: a subscription without symbols is refused", () => {
  for (const symbol of [undefined, [], "BTC/USD", [7]]) {
    const reply = jsonObject(refusal(
      parseClientRequest(requestText("subscribe", { channel: "trade", symbol }, 2), NOW),
    ));
    assert.equal(reply.success, false);
    assert.equal(reply.req_id, 2);
  }
});

Deno.test("parseClientRequest: every symbol of a multi-symbol request is kept, in order", () => {
  const request = subscription(parseClientRequest(
    requestText("unsubscribe", { channel: "trade", symbol: ["BTC/USD", "XBT/USD", "ETH/USD"] }),
    NOW,
  ));
  assert.equal(request.method, "unsubscribe");
  assert.deepEqual(request.symbols, ["BTC/USD", "XBT/USD", "ETH/USD"]);
});

Deno.test("parseClientRequest: instrument needs no symbol", () => {
  assert.deepEqual(
    parseClientRequest(requestText("subscribe", { channel: "instrument" }, 8), NOW),
    { kind: "instrument", method: "subscribe", reqId: 8 },
  );
  assert.deepEqual(
    parseClientRequest(requestText("unsubscribe", { channel: "instrument" }), NOW),
    { kind: "instrument", method: "unsubscribe", reqId: undefined },
  );
});

Deno.test("parseClientRequest: malformed JSON, non-objects and unknown methods are refused", () => {
  for (const text of ["{not json", "[]", "null", "42", '"ping"']) {
    const reply = jsonObject(refusal(parseClientRequest(text, NOW)));
    assert.equal(reply.success, false, text);
    assert.equal(typeof reply.error, "string");
    assert.ok(!("req_id" in reply));
  }
  const unknown = jsonObject(
    refusal(parseClientRequest('{"method":"subscribed","req_id":6}', NOW)),
  );
  assert.equal(unknown.success, false);
  assert.equal(unknown.method, "subscribed");
  assert.equal(unknown.req_id, 6);
});
