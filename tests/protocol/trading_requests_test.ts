/**
 * Trading requests: every method's params encode to the docs' examples (in this SDK's key order),
 * decimal text goes out verbatim, invalid input throws naming the field, the token is spliced in
 * and redacted, and results are typed.
 */

import assert from "node:assert/strict";
import {
  encodeTradingRequest,
  redactToken,
  type TradingParamsByMethod,
  tradingParamsJson,
  tradingResult,
} from "../../src/protocol/trading_requests.ts";
import type { TradingMethod } from "../../src/protocol/private_messages.ts";
import type { JsonValue } from "../../src/protocol/messages.ts";

/** Calls `tradingParamsJson` with params a JavaScript caller could pass, unchecked by types. */
function untyped(method: string, params: unknown): string {
  return (tradingParamsJson as (method: string, params: unknown) => string)(method, params);
}

function throwsNaming(method: string, params: unknown, field: string): void {
  assert.throws(
    () => untyped(method, params),
    (error: unknown) => {
      assert.ok(error instanceof TypeError || error instanceof RangeError, String(error));
      assert.ok(error.message.includes(field), `${error.message} should name ${field}`);
      return true;
    },
    `${method} ${Deno.inspect(params)}`,
  );
}

Deno.test("trading requests: add_order docs examples", () => {
  assert.equal(
    tradingParamsJson("add_order", {
      orderType: "limit",
      side: "buy",
      limitPrice: 26500.4,
      orderUserref: 100054,
      orderQty: 1.2,
      symbol: "BTC/USD",
    }),
    '{"order_type":"limit","side":"buy","order_qty":1.2,"symbol":"BTC/USD","limit_price":26500.4,' +
      '"order_userref":100054}',
  );
  assert.equal(
    tradingParamsJson("add_order", {
      orderType: "stop-loss",
      side: "sell",
      orderQty: 100,
      symbol: "MATIC/USD",
      triggers: { reference: "last", price: "-2.0", priceType: "pct" },
    }),
    '{"order_type":"stop-loss","side":"sell","order_qty":100,"symbol":"MATIC/USD",' +
      '"triggers":{"reference":"last","price":-2.0,"price_type":"pct"}}',
  );
  assert.equal(
    tradingParamsJson("add_order", {
      orderType: "limit",
      side: "buy",
      orderQty: "1.2",
      symbol: "BTC/USD",
      limitPrice: "28440",
      conditional: { orderType: "stop-loss-limit", triggerPrice: "28410", limitPrice: "28400" },
    }),
    '{"order_type":"limit","side":"buy","order_qty":1.2,"symbol":"BTC/USD","limit_price":28440,' +
      '"conditional":{"order_type":"stop-loss-limit","limit_price":28400,"trigger_price":28410}}',
  );
});

Deno.test("trading requests: add_order with every field, in a stable order", () => {
  const json = tradingParamsJson("add_order", {
    senderSubId: "sub",
    validate: true,
    cashOrderQty: "10.00",
    stpType: "cancel_both",
    feePreference: "quote",
    displayQty: "0.01000000",
    conditional: {
      orderType: "take-profit-limit",
      limitPrice: "1",
      limitPriceType: "static",
      triggerPrice: "2",
      triggerPriceType: "pct",
    },
    clOrdId: "6d1b345e-2821-40e2-ad83-4ecb18a06876",
    deadline: "2024-07-21T09:53:59.050Z",
    expireTime: "2024-08-01T00:00:00Z",
    effectiveTime: "2024-07-22T00:00:00Z",
    reduceOnly: false,
    postOnly: true,
    margin: false,
    timeInForce: "gtd",
    triggers: { price: 5 },
    limitPriceType: "quote",
    limitPrice: "26500.10",
    symbol: "BTC/USD",
    orderQty: "0.10000000",
    side: "buy",
    orderType: "iceberg",
  });
  assert.equal(
    json,
    '{"order_type":"iceberg","side":"buy","order_qty":0.10000000,"symbol":"BTC/USD",' +
      '"limit_price":26500.10,"limit_price_type":"quote","triggers":{"price":5},' +
      '"time_in_force":"gtd","margin":false,"post_only":true,"reduce_only":false,' +
      '"effective_time":"2024-07-22T00:00:00Z","expire_time":"2024-08-01T00:00:00Z",' +
      '"deadline":"2024-07-21T09:53:59.050Z","cl_ord_id":"6d1b345e-2821-40e2-ad83-4ecb18a06876",' +
      '"conditional":{"order_type":"take-profit-limit","limit_price":1,"limit_price_type":"static",' +
      '"trigger_price":2,"trigger_price_type":"pct"},"display_qty":0.01000000,' +
      '"fee_preference":"quote","stp_type":"cancel_both","cash_order_qty":10.00,"validate":true,' +
      '"sender_sub_id":"sub"}',
  );
  JSON.parse(json);
});

Deno.test("trading requests: amend_order and edit_order docs examples", () => {
  assert.equal(
    tradingParamsJson("amend_order", {
      clOrdId: "2c6be801-1f53-4f79-a0bb-4ea1c95dfae9",
      limitPrice: 490795,
      orderQty: 1.2,
    }),
    '{"cl_ord_id":"2c6be801-1f53-4f79-a0bb-4ea1c95dfae9","order_qty":1.2,"limit_price":490795}',
  );
  assert.equal(
    tradingParamsJson("amend_order", {
      orderId: "OAIYAU-LGI3M-PFM5VW",
      limitPrice: "61031.3",
      deadline: "2024-07-21T09:53:59.050Z",
      postOnly: true,
    }),
    '{"order_id":"OAIYAU-LGI3M-PFM5VW","limit_price":61031.3,"post_only":true,' +
      '"deadline":"2024-07-21T09:53:59.050Z"}',
  );
  assert.equal(
    tradingParamsJson("edit_order", {
      orderId: "ORDERX-IDXXX-XXXXX1",
      orderQty: "0.2123456789",
      symbol: "BTC/USD",
    }),
    '{"order_id":"ORDERX-IDXXX-XXXXX1","symbol":"BTC/USD","order_qty":0.2123456789}',
  );
});

Deno.test("trading requests: cancel methods and the dead man's switch (docs)", () => {
  assert.equal(
    tradingParamsJson("cancel_order", { orderId: ["OM5CRX-N2HAL-GFGWE9", "OLUMT4-UTEGU-ZYM7E9"] }),
    '{"order_id":["OM5CRX-N2HAL-GFGWE9","OLUMT4-UTEGU-ZYM7E9"]}',
  );
  assert.equal(
    tradingParamsJson("cancel_order", { orderId: "OM5CRX-N2HAL-GFGWE9", orderUserref: 7 }),
    '{"order_id":["OM5CRX-N2HAL-GFGWE9"],"order_userref":[7]}',
  );
  assert.equal(
    tradingParamsJson("cancel_order", { clOrdId: ["a", "b"], orderUserref: [1, -2] }),
    '{"cl_ord_id":["a","b"],"order_userref":[1,-2]}',
  );
  assert.equal(tradingParamsJson("cancel_all", {}), "{}");
  assert.equal(tradingParamsJson("cancel_all_orders_after", { timeout: 100 }), '{"timeout":100}');
  assert.equal(tradingParamsJson("cancel_all_orders_after", { timeout: 0 }), '{"timeout":0}');
  assert.equal(
    tradingParamsJson("batch_cancel", { orders: ["1", "2", "ORDERX-IDXXX-XXXXX3"] }),
    '{"orders":["1","2","ORDERX-IDXXX-XXXXX3"]}',
  );
  assert.equal(
    tradingParamsJson("batch_cancel", { orders: ["1", "2"], clOrdId: ["c"] }),
    '{"orders":["1","2"],"cl_ord_id":["c"]}',
  );
});

Deno.test("trading requests: batch_add docs example keeps decimal text", () => {
  const json = tradingParamsJson("batch_add", {
    deadline: "2022-06-13T08:09:10.123456Z",
    orders: [
      {
        limitPrice: "1010.10",
        orderQty: "0.123456789",
        orderType: "limit",
        orderUserref: 1,
        side: "buy",
      },
      {
        limitPrice: "2020.20",
        orderQty: "0.987654321",
        orderType: "limit",
        orderUserref: 2,
        side: "sell",
        stpType: "cancel_both",
      },
    ],
    symbol: "BTC/USD",
    validate: false,
  });
  assert.equal(
    json,
    '{"symbol":"BTC/USD","orders":[' +
      '{"order_type":"limit","side":"buy","order_qty":0.123456789,"limit_price":1010.10,"order_userref":1},' +
      '{"order_type":"limit","side":"sell","order_qty":0.987654321,"limit_price":2020.20,"order_userref":2,' +
      '"stp_type":"cancel_both"}],"deadline":"2022-06-13T08:09:10.123456Z","validate":false}',
  );
  const docs = {
    deadline: "2022-06-13T08:09:10.123456Z",
    orders: [
      {
        limit_price: 1010.10,
        order_qty: 0.123456789,
        order_type: "limit",
        order_userref: 1,
        side: "buy",
      },
      {
        limit_price: 2020.20,
        order_qty: 0.987654321,
        order_type: "limit",
        order_userref: 2,
        side: "sell",
        stp_type: "cancel_both",
      },
    ],
    symbol: "BTC/USD",
    validate: false,
  };
  assert.deepEqual(JSON.parse(json), docs);
});

Deno.test("trading requests: decimals", () => {
  const qty = (orderQty: unknown) =>
    untyped("edit_order", { orderId: "O", symbol: "BTC/USD", orderQty });
  assert.equal(qty("0.10000000"), '{"order_id":"O","symbol":"BTC/USD","order_qty":0.10000000}');
  assert.equal(qty("500"), '{"order_id":"O","symbol":"BTC/USD","order_qty":500}');
  assert.equal(qty("-0.5"), '{"order_id":"O","symbol":"BTC/USD","order_qty":-0.5}');
  assert.equal(qty(0.1), '{"order_id":"O","symbol":"BTC/USD","order_qty":0.1}');
  assert.equal(qty(1.2e-7), '{"order_id":"O","symbol":"BTC/USD","order_qty":0.00000012}');
  assert.equal(qty(1e21), '{"order_id":"O","symbol":"BTC/USD","order_qty":1000000000000000000000}');
  assert.equal(qty(-0), '{"order_id":"O","symbol":"BTC/USD","order_qty":0}');
  for (const bad of ["", "1.", ".5", "1e5", "01", "+1", " 1", "1,5", "0x10", "NaN", "1.2.3"]) {
    throwsNaming("edit_order", { orderId: "O", symbol: "BTC/USD", orderQty: bad }, "orderQty");
  }
  for (const bad of [NaN, Infinity, -Infinity, true, null, {}, [1], 10n]) {
    throwsNaming("edit_order", { orderId: "O", symbol: "BTC/USD", orderQty: bad }, "orderQty");
  }
});

Deno.test("trading requests: invalid input throws naming the field", () => {
  const order = { symbol: "BTC/USD", side: "buy", orderType: "limit", orderQty: "1" };
  throwsNaming("add_order", { ...order, symbol: undefined }, "symbol");
  throwsNaming("add_order", { ...order, side: undefined }, "side");
  throwsNaming("add_order", { ...order, orderQty: undefined }, "orderQty");
  throwsNaming("add_order", { ...order, side: "long" }, "side");
  throwsNaming("add_order", { ...order, orderType: "stop" }, "orderType");
  throwsNaming("add_order", { ...order, timeInForce: "GTC" }, "timeInForce");
  throwsNaming("add_order", { ...order, stpType: "none" }, "stpType");
  throwsNaming("add_order", { ...order, feePreference: "usd" }, "feePreference");
  throwsNaming("add_order", { ...order, limitPriceType: "abs" }, "limitPriceType");
  throwsNaming(
    "add_order",
    { ...order, triggers: { reference: "mark", price: 1 } },
    "triggers.reference",
  );
  throwsNaming("add_order", { ...order, triggers: {} }, "triggers.price");
  throwsNaming("add_order", { ...order, triggers: "last" }, "triggers");
  throwsNaming("add_order", { ...order, conditional: { limitPrice: 1 } }, "conditional.orderType");
  throwsNaming(
    "add_order",
    { ...order, conditional: { orderType: "market" } },
    "conditional.orderType",
  );
  throwsNaming("add_order", { ...order, postOnly: "true" }, "postOnly");
  throwsNaming("add_order", { ...order, orderUserref: 1.5 }, "orderUserref");
  throwsNaming("add_order", { ...order, orderUserref: "1" }, "orderUserref");
  throwsNaming("add_order", { ...order, symbol: "" }, "symbol");
  throwsNaming("add_order", { ...order, symbol: 5 }, "symbol");
  throwsNaming("add_order", { ...order, clOrdId: "a", orderUserref: 1 }, "clOrdId");
  throwsNaming("add_order", { ...order, stopPrice: 1 }, "stopPrice");
  throwsNaming("add_order", { ...order, limit_price: 1 }, "limit_price");
  throwsNaming("add_order", null, "params");
  throwsNaming("add_order", [order], "params");
  throwsNaming("amend_order", { limitPrice: 1 }, "orderId");
  throwsNaming("amend_order", { orderId: "O", clOrdId: "C" }, "clOrdId");
  throwsNaming("edit_order", { orderId: "O" }, "symbol");
  throwsNaming("cancel_order", {}, "orderId");
  throwsNaming("cancel_order", { orderId: [] }, "orderId");
  throwsNaming("cancel_order", { orderId: ["O", 5] }, "orderId[1]");
  throwsNaming("cancel_order", { orderUserref: [1.5] }, "orderUserref[0]");
  throwsNaming("cancel_all", { token: "x" }, "token");
  throwsNaming("cancel_all_orders_after", {}, "timeout");
  throwsNaming("cancel_all_orders_after", { timeout: 86400 }, "timeout");
  throwsNaming("cancel_all_orders_after", { timeout: -1 }, "timeout");
  throwsNaming("cancel_all_orders_after", { timeout: 1.5 }, "timeout");
  throwsNaming("cancel_all_orders_after", { timeout: "60" }, "timeout");
  const one = { side: "buy", orderType: "limit", orderQty: "1", limitPrice: "1" };
  throwsNaming("batch_add", { symbol: "BTC/USD", orders: [one] }, "orders");
  throwsNaming("batch_add", { symbol: "BTC/USD", orders: Array(16).fill(one) }, "orders");
  throwsNaming("batch_add", { orders: [one, one] }, "symbol");
  throwsNaming(
    "batch_add",
    { symbol: "BTC/USD", orders: [one, { ...one, side: "x" }] },
    "orders[1].side",
  );
  throwsNaming(
    "batch_add",
    { symbol: "BTC/USD", orders: [one, { ...one, symbol: "BTC/USD" }] },
    "orders[1].symbol",
  );
  throwsNaming("batch_cancel", { orders: ["1"] }, "orders");
  throwsNaming("batch_cancel", { orders: Array(51).fill("1") }, "orders");
  throwsNaming("batch_cancel", { orders: "1,2" }, "orders");
  assert.throws(() => untyped("withdraw", {}), TypeError);
});

Deno.test("trading requests: encodeTradingRequest splices the token", () => {
  assert.equal(
    encodeTradingRequest(
      "add_order",
      tradingParamsJson("add_order", {
        orderType: "limit",
        side: "buy",
        orderQty: "1.2",
        symbol: "BTC/USD",
        limitPrice: "26500.4",
      }),
      "G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY",
      123456789,
    ),
    '{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":1.2,' +
      '"symbol":"BTC/USD","limit_price":26500.4,"token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"},' +
      '"req_id":123456789}',
  );
  assert.equal(
    encodeTradingRequest(
      "cancel_all",
      "{}",
      "weeBxllys/7kHy/zHpkATSDIS42BvDgWS2b04ZSZHZ5",
      1234567890,
    ),
    '{"method":"cancel_all","params":{"token":"weeBxllys/7kHy/zHpkATSDIS42BvDgWS2b04ZSZHZ5"},' +
      '"req_id":1234567890}',
  );
  assert.equal(
    encodeTradingRequest("cancel_all", " { } ", "t", 1),
    '{"method":"cancel_all","params":{"token":"t"},"req_id":1}',
  );
  assert.equal(
    encodeTradingRequest("cancel_all_orders_after", '{"timeout":100}', 'a"b', 2),
    '{"method":"cancel_all_orders_after","params":{"timeout":100,"token":"a\\"b"},"req_id":2}',
  );
  const parsed = JSON.parse(
    encodeTradingRequest("batch_cancel", '{"orders":["1","2"]}', "tok", 3),
  );
  assert.deepEqual(parsed, {
    method: "batch_cancel",
    params: { orders: ["1", "2"], token: "tok" },
    req_id: 3,
  });
  assert.throws(() => encodeTradingRequest("cancel_all", "{}", "", 1), TypeError);
  assert.throws(() => encodeTradingRequest("cancel_all", "[]", "t", 1), TypeError);
  assert.throws(() => encodeTradingRequest("cancel_all", "{", "t", 1), TypeError);
  assert.throws(() => encodeTradingRequest("cancel_all", '{"token":"x"}', "t", 1), TypeError);
  assert.throws(() => encodeTradingRequest("cancel_all", "{}", "t", 1.5), RangeError);
  assert.throws(
    () =>
      (encodeTradingRequest as (m: string, p: string, t: string, r: number) => string)(
        "subscribe",
        "{}",
        "t",
        1,
      ),
    TypeError,
  );
});

Deno.test("trading requests: redactToken", () => {
  const cases: [string, string][] = [
    [
      '{"method":"cancel_all","params":{"token":"secret"},"req_id":1}',
      '{"method":"cancel_all","params":{"token":"[redacted]"},"req_id":1}',
    ],
    [
      '{"params": {"channel": "executions", "token" : "G38a/+=x", "snap_orders": true}}',
      '{"params": {"channel": "executions", "token":"[redacted]", "snap_orders": true}}',
    ],
    ['{"token":"a\\"b\\\\","x":"y"}', '{"token":"[redacted]","x":"y"}'],
    ['{"token":""}', '{"token":"[redacted]"}'],
    ['{"token":"1"} {"token":\n\t"2"}', '{"token":"[redacted]"} {"token":"[redacted]"}'],
    ['{"params":{"token":"cut sho', '{"params":{"token":"[redacted]"'],
    ['{"method":"ping","req_id":1}', '{"method":"ping","req_id":1}'],
    ['{"tokens":"x","my_token":"y"}', '{"tokens":"x","my_token":"y"}'],
    ['{"token":null}', '{"token":null}'],
    ["", ""],
  ];
  for (const [input, expected] of cases) assert.equal(redactToken(input), expected, input);
  const request = encodeTradingRequest("cancel_all", "{}", 'we"ird\\tok', 9);
  assert.ok(!redactToken(request).includes("ird"));
  assert.deepEqual(JSON.parse(redactToken(request)).params, { token: "[redacted]" });
});

Deno.test("trading requests: tradingResult types each method's result", () => {
  const results: { [M in TradingMethod]: [JsonValue, unknown] } = {
    add_order: [
      { order_id: "AA5JGQ-SBMRC-SCJ7J7", order_userref: 100054 },
      { orderId: "AA5JGQ-SBMRC-SCJ7J7", orderUserref: 100054, warnings: [] },
    ],
    amend_order: [
      { amend_id: "TTW6PD-RC36L-ZZSWNU", cl_ord_id: "c", warnings: ["w"] },
      { amendId: "TTW6PD-RC36L-ZZSWNU", clOrdId: "c", warnings: ["w"] },
    ],
    edit_order: [
      { order_id: "N", original_order_id: "O" },
      { orderId: "N", originalOrderId: "O", warnings: [] },
    ],
    cancel_order: [{ order_id: "O", cl_ord_id: null }, { orderId: "O", warnings: [] }],
    cancel_all: [{ count: 1 }, { count: 1, warnings: [] }],
    cancel_all_orders_after: [
      { currentTime: "2023-09-21T15:49:29Z", triggerTime: "2023-09-21T15:51:09Z" },
      { currentTime: "2023-09-21T15:49:29Z", triggerTime: "2023-09-21T15:51:09Z", warnings: [] },
    ],
    batch_add: [
      [{ order_id: "A", order_userref: 1 }, { error: "EOrder:Insufficient funds" }],
      [{ orderId: "A", orderUserref: 1, warnings: [] }, {
        error: "EOrder:Insufficient funds",
        warnings: [],
      }],
    ],
    batch_cancel: [{ count: 3, extra: 1 }, { count: 3, warnings: [] }],
  };
  for (const [method, [raw, typed]] of Object.entries(results)) {
    assert.deepEqual(tradingResult(method as TradingMethod, raw), typed, method);
  }
  assert.deepEqual(tradingResult("add_order", { order_id: "" }), { orderId: "", warnings: [] });
  assert.deepEqual(
    tradingResult("cancel_all_orders_after", {
      currentTime: "2023-09-21T15:49:29Z",
      triggerTime: 0,
    }),
    { currentTime: "2023-09-21T15:49:29Z", triggerTime: "0", warnings: [] },
  );
  const params: TradingParamsByMethod["cancel_all"] = {};
  assert.equal(tradingParamsJson("cancel_all", params), "{}");
});

Deno.test("trading requests: tradingResult refuses wrong shapes naming the field", () => {
  const bad: [TradingMethod, JsonValue, string][] = [
    ["add_order", null, "add_order result"],
    ["add_order", [], "add_order result"],
    ["add_order", {}, "order_id"],
    ["add_order", { order_id: 5 }, "order_id"],
    ["add_order", { order_id: "O", order_userref: "1" }, "order_userref"],
    ["add_order", { order_id: "O", warnings: "w" }, "warnings"],
    ["amend_order", { order_id: "O" }, "amend_id"],
    ["edit_order", { order_id: "O" }, "original_order_id"],
    ["cancel_all", { count: -1 }, "count"],
    ["cancel_all", { count: 1.5 }, "count"],
    ["cancel_all_orders_after", { currentTime: "x" }, "triggerTime"],
    ["batch_add", { order_id: "O" }, "batch_add result"],
    ["batch_add", [{ order_userref: 1 }], "batch_add result[0]"],
    ["batch_add", [5], "batch_add result[0]"],
    ["batch_cancel", {}, "count"],
  ];
  for (const [method, raw, field] of bad) {
    assert.throws(
      () => tradingResult(method, raw),
      (error: unknown) => error instanceof TypeError && error.message.includes(field),
      `${method} ${JSON.stringify(raw)}`,
    );
  }
});
