import assert from "node:assert/strict";
import { encodePing, encodeSubscribe, encodeUnsubscribe } from "../../src/protocol/encode.ts";

Deno.test("encode: subscribe, unsubscribe and ping carry their req_id", () => {
  assert.deepEqual(
    JSON.parse(encodeSubscribe({ channel: "book", symbol: ["BTC/USD"], depth: 25 }, 7)),
    {
      method: "subscribe",
      params: { channel: "book", symbol: ["BTC/USD"], depth: 25 },
      req_id: 7,
    },
  );
  assert.deepEqual(
    JSON.parse(encodeUnsubscribe({ channel: "book", symbol: ["BTC/USD"], depth: 25 }, 8)),
    {
      method: "unsubscribe",
      params: { channel: "book", symbol: ["BTC/USD"], depth: 25 },
      req_id: 8,
    },
  );
  assert.equal(encodePing(9), '{"method":"ping","req_id":9}');
  assert.deepEqual(
    JSON.parse(
      encodeSubscribe({ channel: "ticker", symbol: ["ETH/USD"], event_trigger: "bbo" }, 1),
    ).params,
    { channel: "ticker", symbol: ["ETH/USD"], event_trigger: "bbo" },
  );
});
