import assert from "node:assert/strict";
import { BOOK_DEPTHS } from "../../src/book/order_book.ts";
import { OHLC_INTERVALS } from "../../src/core/subscription.ts";
import {
  ackFrame,
  errorFrame,
  krakenTime,
  parseSimRequest,
  pongFrame,
  type SimRequest,
  statusFrame,
} from "../../src/sim/requests.ts";
import { decoded, jsonObject, requestText, RFC3339_MICROSECONDS } from "./sim_test_helpers.ts";

const NOW = Date.UTC(2026, 6, 7, 23, 0, 3, 501);

/** The reply frame of a refused request. */
function refusal(request: SimRequest): string {
  assert.equal(request.kind, "invalid");
  if (request.kind !== "invalid") throw new Error("unreachable");
  return request.reply;
}

/** The subscription a request asked for. */
function subscription(request: SimRequest): Extract<SimRequest, { kind: "subscription" }> {
  assert.equal(request.kind, "subscription");
  if (request.kind !== "subscription") throw new Error("unreachable");
  return request;
}

Deno.test("krakenTime: RFC 3339 UTC with microseconds", () => {
  assert.equal(krakenTime(0), "1970-01-01T00:00:00.000000Z");
  assert.equal(krakenTime(NOW), "2026-07-07T23:00:03.501000Z");
  assert.match(krakenTime(NOW), RFC3339_MICROSECONDS);
  assert.equal(Date.parse(krakenTime(NOW)), NOW);
});

Deno.test("ackFrame: Kraken's acknowledgement envelope, req_id echoed", () => {
  const text = ackFrame(
    NOW,
    "subscribe",
    { channel: "book", depth: 10, snapshot: true, symbol: "BTC/USD" },
    7,
  );
  assert.deepEqual(jsonObject(text), {
    method: "subscribe",
    result: { channel: "book", depth: 10, snapshot: true, symbol: "BTC/USD" },
    success: true,
    time_in: "2026-07-07T23:00:03.501000Z",
    time_out: "2026-07-07T23:00:03.501000Z",
    req_id: 7,
  });
  const message = decoded(text);
  assert.equal(message.kind, "ack");
  if (message.kind === "ack") {
    assert.equal(message.reqId, 7);
    assert.equal(message.method, "subscribe");
    assert.equal(message.result.channel, "book");
    assert.equal(message.result.symbol, "BTC/USD");
    assert.equal(message.result.depth, 10);
    assert.equal(message.result.snapshot, true);
  }
});

Deno.test("ackFrame and errorFrame: no req_id when the request had none", () => {
  const ack = jsonObject(
    ackFrame(NOW, "unsubscribe", { channel: "trade", symbol: "ETH/USD" }, undefined),
  );
  assert.ok(!("req_id" in ack));
  assert.equal(ack.success, true);
  const error = jsonObject(errorFrame(NOW, "subscribe", "Exceeded msg rate", undefined));
  assert.ok(!("req_id" in error));
  assert.ok(!("symbol" in error));
});

Deno.test("errorFrame: `Currency pair not supported` names the symbol at the top level", () => {
  const text = errorFrame(NOW, "subscribe", "Currency pair not supported XBT/USD", 3, "XBT/USD");
  assert.deepEqual(jsonObject(text), {
    error: "Currency pair not supported XBT/USD",
    method: "subscribe",
    success: false,
    symbol: "XBT/USD",
    time_in: "2026-07-07T23:00:03.501000Z",
    time_out: "2026-07-07T23:00:03.501000Z",
    req_id: 3,
  });
  // No `result` and no `channel`: a client has only req_id and symbol to match on.
  const message = decoded(text);
  assert.equal(message.kind, "rejection");
  if (message.kind === "rejection") {
    assert.equal(message.error, "Currency pair not supported XBT/USD");
    assert.equal(message.symbol, "XBT/USD");
    assert.equal(message.reqId, 3);
    assert.equal(message.channel, undefined);
  }
});

Deno.test("errorFrame: `Exceeded msg rate` has Kraken's shape: error string, success false", () => {
  const text = errorFrame(NOW, "subscribe", "Exceeded msg rate", 12);
  const fields = jsonObject(text);
  assert.deepEqual(Object.keys(fields), [
    "error",
    "method",
    "success",
    "time_in",
    "time_out",
    "req_id",
  ]);
  assert.equal(fields.error, "Exceeded msg rate");
  assert.equal(fields.success, false);
  assert.equal(typeof fields.error, "string");
  const message = decoded(text);
  assert.equal(message.kind, "rejection");
  if (message.kind === "rejection") {
    assert.equal(message.error, "Exceeded msg rate");
    assert.equal(message.method, "subscribe");
    assert.equal(message.reqId, 12);
  }
});

Deno.test("pongFrame: method pong with the ping's req_id and server times", () => {
  const fields = jsonObject(pongFrame(NOW, 42));
  assert.deepEqual(fields, {
    method: "pong",
    req_id: 42,
    time_in: "2026-07-07T23:00:03.501000Z",
    time_out: "2026-07-07T23:00:03.501000Z",
  });
  const message = decoded(pongFrame(NOW, 42));
  assert.equal(message.kind, "pong");
  if (message.kind === "pong") assert.equal(message.reqId, 42);
  assert.ok(!("req_id" in jsonObject(pongFrame(NOW, undefined))));
});

Deno.test("statusFrame: connection_id above 2^63 printed exactly, read exactly by decode", () => {
  for (const now of [0, NOW, NOW + 1]) {
    const text = statusFrame(now, "online");
    const printed = /"connection_id":([0-9]+)[,}]/.exec(text);
    assert.ok(printed !== null, "connection_id is an integer literal, not a float or a string");
    const digits = printed[1];
    assert.ok(BigInt(digits) > 2n ** 63n, `${digits} is not above 2^63`);
    // A float would have been rounded: the printed digits are not those of any double near it.
    assert.notEqual(String(Number(digits)), digits);
    const message = decoded(text);
    assert.equal(message.kind, "status");
    if (message.kind !== "status") continue;
    assert.equal(message.type, "update");
    assert.deepEqual(message.data[0], {
      system: "online",
      apiVersion: "v2",
      connectionId: digits,
      version: "2.0.10",
    });
  }
  for (const system of ["maintenance", "cancel_only", "post_only"]) {
    const message = decoded(statusFrame(NOW, system));
    assert.equal(message.kind === "status" ? message.data[0].system : undefined, system);
  }
});

Deno.test("parseSimRequest: ping, with and without req_id", () => {
  assert.deepEqual(parseSimRequest('{"method":"ping","req_id":4}', NOW), {
    kind: "ping",
    reqId: 4,
  });
  assert.deepEqual(parseSimRequest('{"method":"ping"}', NOW), { kind: "ping", reqId: undefined });
});

Deno.test("parseSimRequest: book defaults to depth 10 with a snapshot; every Kraken depth accepted", () => {
  const plain = subscription(
    parseSimRequest(requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }, 1), NOW),
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
      parseSimRequest(requestText("subscribe", { channel: "book", symbol: ["X/Y"], depth }), NOW),
    );
    assert.equal(request.depth, depth);
    assert.equal(request.reqId, undefined);
  }
  const noSnapshot = subscription(
    parseSimRequest(
      requestText("subscribe", { channel: "book", symbol: ["X/Y"], snapshot: false }),
      NOW,
    ),
  );
  assert.equal(noSnapshot.snapshot, false);
});

Deno.test("parseSimRequest: a depth Kraken does not offer is `Subscription depth not supported`", () => {
  for (const depth of [0, 5, 11, 50, 250, 2000, "10"]) {
    const reply = jsonObject(refusal(parseSimRequest(
      requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth }, 9),
      NOW,
    )));
    assert.equal(reply.error, "Subscription depth not supported", `depth ${depth}`);
    assert.equal(reply.success, false);
    assert.equal(reply.method, "subscribe");
    assert.equal(reply.req_id, 9);
  }
});

Deno.test("parseSimRequest: trade snapshot only when asked (Kraken's default is false)", () => {
  const trade = (params: Record<string, unknown>) =>
    subscription(
      parseSimRequest(
        requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"], ...params }),
        NOW,
      ),
    );
  assert.equal(trade({}).snapshot, false);
  assert.equal(trade({ snapshot: true }).snapshot, true);
  assert.equal(trade({ snapshot: false }).snapshot, false);
  assert.equal(trade({}).depth, undefined);
});

Deno.test("parseSimRequest: ticker trigger is `trades` unless `bbo`; snapshot by default", () => {
  const ticker = (params: Record<string, unknown>) =>
    subscription(
      parseSimRequest(
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

Deno.test("parseSimRequest: ohlc takes every Kraken interval, default 1, refuses others", () => {
  const ohlc = (params: Record<string, unknown>) =>
    parseSimRequest(
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

Deno.test("parseSimRequest: an unknown channel is `Subscription name invalid`, req_id echoed", () => {
  for (const channel of ["level3", "books", "Book", "", 7, undefined]) {
    const reply = jsonObject(refusal(parseSimRequest(
      requestText("subscribe", { channel, symbol: ["BTC/USD"] }, 21),
      NOW,
    )));
    assert.equal(reply.error, "Subscription name invalid", `channel ${channel}`);
    assert.equal(reply.success, false);
    assert.equal(reply.req_id, 21);
  }
});

Deno.test("parseSimRequest: a subscription without symbols is refused", () => {
  for (const symbol of [undefined, [], "BTC/USD", [7]]) {
    const reply = jsonObject(refusal(
      parseSimRequest(requestText("subscribe", { channel: "trade", symbol }, 2), NOW),
    ));
    assert.equal(reply.success, false);
    assert.equal(reply.req_id, 2);
  }
});

Deno.test("parseSimRequest: every symbol of a multi-symbol request is kept, in order", () => {
  const request = subscription(parseSimRequest(
    requestText("unsubscribe", { channel: "trade", symbol: ["BTC/USD", "XBT/USD", "ETH/USD"] }),
    NOW,
  ));
  assert.equal(request.method, "unsubscribe");
  assert.deepEqual(request.symbols, ["BTC/USD", "XBT/USD", "ETH/USD"]);
});

Deno.test("parseSimRequest: instrument needs no symbol", () => {
  assert.deepEqual(
    parseSimRequest(requestText("subscribe", { channel: "instrument" }, 8), NOW),
    { kind: "instrument", method: "subscribe", reqId: 8 },
  );
  assert.deepEqual(
    parseSimRequest(requestText("unsubscribe", { channel: "instrument" }), NOW),
    { kind: "instrument", method: "unsubscribe", reqId: undefined },
  );
});

Deno.test("parseSimRequest: malformed JSON, non-objects and unknown methods are refused", () => {
  for (const text of ["{not json", "[]", "null", "42", '"ping"']) {
    const reply = jsonObject(refusal(parseSimRequest(text, NOW)));
    assert.equal(reply.success, false, text);
    assert.equal(typeof reply.error, "string");
    assert.ok(!("req_id" in reply));
  }
  const unknown = jsonObject(refusal(parseSimRequest('{"method":"subscribed","req_id":6}', NOW)));
  assert.equal(unknown.success, false);
  assert.equal(unknown.method, "subscribed");
  assert.equal(unknown.req_id, 6);
});
