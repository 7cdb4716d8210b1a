import assert from "node:assert/strict";
import {
  ackFrame,
  errorFrame,
  krakenTime,
  pongFrame,
  statusFrame,
} from "../../src/exchange/frames.ts";
import { decoded, jsonObject, RFC3339_MICROSECONDS } from "./helpers.ts";

const NOW = Date.UTC(2026, 6, 7, 23, 0, 3, 501);

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
