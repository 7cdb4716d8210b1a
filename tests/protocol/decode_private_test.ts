/**
 * `decode` on the authenticated connection: `executions` and `balances` frames (every example of
 * Kraken's docs, as copied in the spec), trading replies and rejections, subscribe acks, and
 * hostile input that must come back as a decode error, never a throw.
 */

import assert from "node:assert/strict";
import { decode } from "../../src/protocol/decode.ts";
import type { DecodeError, KrakenMessage } from "../../src/protocol/messages.ts";
import type {
  BalancesMessage,
  ExecutionsMessage,
  TradingReply,
} from "../../src/protocol/private_messages.ts";

function decoded(text: string): KrakenMessage {
  const message = decode(text);
  if (message.kind === "decodeError") {
    assert.fail(`unexpected decode error ${message.reason}: ${message.detail} in ${text}`);
  }
  return message;
}

function executions(text: string): ExecutionsMessage {
  const message = decoded(text);
  if (message.kind !== "executions") assert.fail(`expected executions, got ${message.kind}`);
  return message;
}

function balances(text: string): BalancesMessage {
  const message = decoded(text);
  if (message.kind !== "balances") assert.fail(`expected balances, got ${message.kind}`);
  return message;
}

function reply(text: string): TradingReply {
  const message = decoded(text);
  if (message.kind !== "tradingReply") assert.fail(`expected tradingReply, got ${message.kind}`);
  return message;
}

function failure(text: string, options?: { maxFrameBytes?: number }): DecodeError {
  let message: KrakenMessage | DecodeError;
  try {
    message = decode(text, options);
  } catch (error) {
    assert.fail(`decode threw ${error} on ${text.slice(0, 200)}`);
  }
  if (message.kind !== "decodeError") {
    assert.fail(`expected a decode error, got ${message.kind} for ${text.slice(0, 200)}`);
  }
  assert.notEqual(message.reason, "internal", message.detail);
  return message;
}

// ---------------------------------------------------------------------------------------------
// executions
// ---------------------------------------------------------------------------------------------

Deno.test("decode private: executions docs example pending_new keeps every text", () => {
  const message = executions(`{"channel": "executions", "type": "update", "data": [{
   "order_id": "OK4GJX-KSTLS-7DZZO5", "order_userref": 3, "symbol": "BTC/USD", "order_qty": 0.005,
   "cum_cost": 0.0, "time_in_force": "GTC", "exec_type": "pending_new", "side": "sell",
   "order_type": "limit", "limit_price_type": "static", "limit_price": 26500.0, "stop_price": 0.0,
   "order_status": "pending_new", "fee_usd_equiv": 0.0, "fee_ccy_pref": "fciq",
   "timestamp": "2023-09-22T10:33:05.709950Z"}], "sequence": 8}`);
  assert.deepEqual(message, {
    kind: "executions",
    type: "update",
    sequence: 8,
    data: [{
      orderId: "OK4GJX-KSTLS-7DZZO5",
      orderUserref: 3,
      symbol: "BTC/USD",
      orderQty: 0.005,
      orderQtyText: "0.005",
      cumCost: 0,
      cumCostText: "0.0",
      timeInForce: "GTC",
      execType: "pending_new",
      side: "sell",
      orderType: "limit",
      limitPriceType: "static",
      limitPrice: 26500,
      limitPriceText: "26500.0",
      stopPrice: 0,
      stopPriceText: "0.0",
      orderStatus: "pending_new",
      feeUsdEquiv: 0,
      feeUsdEquivText: "0.0",
      feeCcyPref: "fciq",
      timestamp: "2023-09-22T10:33:05.709950Z",
    }],
  });
});

Deno.test("decode private: executions docs example sparse new update", () => {
  const message = executions(`{"channel": "executions", "type": "update", "data": [{
   "timestamp": "2023-09-22T10:33:05.709982Z", "order_status": "new", "exec_type": "new",
   "order_userref": 3, "order_id": "OK4GJX-KSTLS-7DZZO5"}], "sequence": 9}`);
  assert.deepEqual(message.data, [{
    timestamp: "2023-09-22T10:33:05.709982Z",
    orderStatus: "new",
    execType: "new",
    orderUserref: 3,
    orderId: "OK4GJX-KSTLS-7DZZO5",
  }]);
  assert.equal(message.sequence, 9);
});

Deno.test("decode private: executions docs example trade with fees", () => {
  const message = executions(`{"channel": "executions", "type": "update", "data": [{
   "order_id": "OK4GJX-KSTLS-7DZZO5", "order_userref": 3, "exec_id": "TGBB7L-HT5LX-J3BZ4A",
   "exec_type": "trade", "trade_id": 62887576, "symbol": "BTC/USD", "side": "sell",
   "last_qty": 0.005, "last_price": 26599.9, "liquidity_ind": "t", "cost": 132.9995,
   "order_type": "limit", "timestamp": "2023-09-22T10:33:05.709993Z",
   "order_status": "partially_filled", "cum_qty": 0.005, "cum_cost": 132.9995, "avg_price": 26599.9,
   "fee_usd_equiv": 0.3458, "fees": [{"asset": "USD", "qty": 0.3458}]}], "sequence": 10}`);
  const [trade] = message.data;
  assert.equal(trade.execType, "trade");
  assert.equal(trade.execId, "TGBB7L-HT5LX-J3BZ4A");
  assert.equal(trade.tradeId, 62887576);
  assert.equal(trade.lastQtyText, "0.005");
  assert.equal(trade.lastPriceText, "26599.9");
  assert.equal(trade.costText, "132.9995");
  assert.equal(trade.cumQtyText, "0.005");
  assert.equal(trade.cumCostText, "132.9995");
  assert.equal(trade.avgPrice, 26599.9);
  assert.equal(trade.avgPriceText, "26599.9");
  assert.equal(trade.liquidityInd, "t");
  assert.equal(trade.feeUsdEquivText, "0.3458");
  assert.deepEqual(trade.fees, [{ asset: "USD", qty: 0.3458, qtyText: "0.3458" }]);
});

Deno.test("decode private: executions snapshot with triggers (live fixture)", () => {
  const message = executions(
    '{"channel":"executions","type":"snapshot","data":[{"order_id":"AHOJQ8-1E72C-8M2VQH","symbol":"ADX/USD",' +
      '"order_qty":81.36256082,"cum_cost":0,"time_in_force":"GTC","exec_type":"pending_new","side":"buy",' +
      '"order_type":"stop-loss-limit","order_userref":0,"limit_price_type":"static",' +
      '"triggers":{"price":0.2,"price_type":"static","reference":"index","status":"untriggered"},' +
      '"stop_price":0.2,"limit_price":0.2,"trigger":"index","order_status":"pending_new","fee_usd_equiv":0,' +
      '"fee_ccy_pref":"fciq","timestamp":"2024-05-18T12:01:56.165888Z"}],"sequence":120}',
  );
  assert.equal(message.type, "snapshot");
  assert.equal(message.sequence, 120);
  const [order] = message.data;
  assert.equal(order.orderQtyText, "81.36256082");
  assert.equal(order.cumCostText, "0");
  assert.equal(order.orderUserref, 0);
  assert.equal(order.trigger, "index");
  assert.deepEqual(order.triggers, {
    price: 0.2,
    priceText: "0.2",
    priceType: "static",
    reference: "index",
    status: "untriggered",
  });
});

Deno.test("decode private: executions snapshot of trades, sequence before data, empty data", () => {
  const message = executions(
    '{"channel":"executions","sequence":1,"type":"snapshot","data":[' +
      '{"exec_type":"trade","order_id":"O1","trade_id":5,"exec_id":"T1","last_qty":1.00000000,' +
      '"last_price":100.10,"order_status":"filled","timestamp":"t","fees":[],"amended":false,' +
      '"margin":false,"liquidated":false,"post_only":true,"reduce_only":false,"margin_borrow":false,' +
      '"position_status":"opened","display_qty":0.5,"display_qty_remain":0.25,"cash_order_qty":12,' +
      '"effective_time":"e","expire_time":"x","reason":"User requested","cancel_reason":"old",' +
      '"ord_ref_id":"R","ext_ord_id":"u1","ext_exec_id":"u2","sender_sub_id":"s","user":"AA96",' +
      '"contingent":{"order_type":"stop-loss-limit","trigger_price":28410,"trigger_price_type":"static",' +
      '"limit_price":28400.0,"limit_price_type":"static"},"triggered_price":5.0,"no_mpp":false}]}',
  );
  assert.equal(message.sequence, 1);
  const [fill] = message.data;
  assert.equal(fill.lastQtyText, "1.00000000");
  assert.equal(fill.lastPriceText, "100.10");
  assert.deepEqual(fill.fees, []);
  assert.equal(fill.postOnly, true);
  assert.equal(fill.amended, false);
  assert.equal(fill.positionStatus, "opened");
  assert.equal(fill.displayQtyText, "0.5");
  assert.equal(fill.displayQtyRemainText, "0.25");
  assert.equal(fill.cashOrderQtyText, "12");
  assert.equal(fill.reason, "User requested");
  assert.equal(fill.cancelReason, "old");
  assert.equal(fill.user, "AA96");
  assert.equal(fill.triggeredPriceText, "5.0");
  assert.deepEqual(fill.contingent, {
    orderType: "stop-loss-limit",
    triggerPrice: 28410,
    triggerPriceText: "28410",
    triggerPriceType: "static",
    limitPrice: 28400,
    limitPriceText: "28400.0",
    limitPriceType: "static",
  });

  const empty = executions('{"data":[],"sequence":2,"type":"update","channel":"executions"}');
  assert.deepEqual(empty, { kind: "executions", type: "update", sequence: 2, data: [] });
});

Deno.test("decode private: unknown exec_type and order_status stay strings; unknown fields skipped", () => {
  const message = executions(
    '{"channel":"executions","type":"update","data":[{"exec_type":"rejected","order_id":"O",' +
      '"order_status":"pending_cancel","timestamp":"t","brand_new":{"x":[1,2]},"cl_ord_id":null}],' +
      '"sequence":3,"extra":true}',
  );
  assert.deepEqual(message.data, [{
    execType: "rejected",
    orderId: "O",
    orderStatus: "pending_cancel",
    timestamp: "t",
  }]);
});

Deno.test("decode private: ratecount is read leniently", () => {
  const [a, b, c] = executions(
    '{"channel":"executions","type":"update","sequence":4,"data":[' +
      '{"exec_type":"new","order_id":"A","timestamp":"t","ratecount":12.5},' +
      '{"exec_type":"new","order_id":"B","timestamp":"t","ratecount":"3"},' +
      '{"exec_type":"new","order_id":"C","timestamp":"t","ratecount":{"odd":1}}]}',
  ).data;
  assert.equal(a.ratecount, 12.5);
  assert.equal(a.ratecountText, "12.5");
  assert.equal(b.ratecount, 3);
  assert.equal(c.ratecount, undefined);
});

// ---------------------------------------------------------------------------------------------
// balances
// ---------------------------------------------------------------------------------------------

Deno.test("decode private: balances docs snapshot with integer numbers", () => {
  const message = balances(`{"channel": "balances", "data": [
   {"asset": "BTC", "asset_class": "currency", "balance": 1.2,
    "wallets": [{"type": "spot", "id": "main", "balance": 1.2}]},
   {"asset": "MATIC", "asset_class": "currency", "balance": 500,
    "wallets": [{"type": "spot", "id": "main", "balance": 300}, {"type": "earn", "id": "flex", "balance": 200}]},
   {"asset": "USD", "asset_class": "currency", "balance": 80595.4943,
    "wallets": [{"type": "spot", "id": "main", "balance": 80595.4943}]}],
 "type": "snapshot", "sequence": 1}`);
  assert.deepEqual(message, {
    kind: "balances",
    type: "snapshot",
    sequence: 1,
    data: [
      {
        asset: "BTC",
        assetClass: "currency",
        balance: 1.2,
        balanceText: "1.2",
        wallets: [{ type: "spot", id: "main", balance: 1.2, balanceText: "1.2" }],
      },
      {
        asset: "MATIC",
        assetClass: "currency",
        balance: 500,
        balanceText: "500",
        wallets: [
          { type: "spot", id: "main", balance: 300, balanceText: "300" },
          { type: "earn", id: "flex", balance: 200, balanceText: "200" },
        ],
      },
      {
        asset: "USD",
        assetClass: "currency",
        balance: 80595.4943,
        balanceText: "80595.4943",
        wallets: [{ type: "spot", id: "main", balance: 80595.4943, balanceText: "80595.4943" }],
      },
    ],
  });
});

Deno.test("decode private: balances docs updates (deposit, both legs of a trade)", () => {
  const deposit = balances(`{"channel": "balances", "type": "update", "data": [{
   "ledger_id": "ADKKFF-WEA5A-CNUBHG", "ref_id": "AGBWUJRU-LAREZ-W3UFAN",
   "timestamp": "2023-09-22T10:23:42.925034Z", "type": "deposit", "asset": "BTC",
   "asset_class": "currency", "category": "deposit", "wallet_type": "spot", "wallet_id": "main",
   "amount": 0.01, "fee": 0.0, "balance": 0.02}], "sequence": 2}`);
  assert.deepEqual(deposit, {
    kind: "balances",
    type: "update",
    sequence: 2,
    data: [{
      ledgerId: "ADKKFF-WEA5A-CNUBHG",
      refId: "AGBWUJRU-LAREZ-W3UFAN",
      timestamp: "2023-09-22T10:23:42.925034Z",
      type: "deposit",
      asset: "BTC",
      assetClass: "currency",
      category: "deposit",
      walletType: "spot",
      walletId: "main",
      amount: 0.01,
      amountText: "0.01",
      fee: 0,
      feeText: "0.0",
      balance: 0.02,
      balanceText: "0.02",
    }],
  });
  const sell = balances(
    `{"channel": "balances", "type": "update", "data": [{"ledger_id": "AAICKV-NMQSR-ZO5IJD",
  "ref_id": "AGBB7L-HT5LX-J3BB4A", "timestamp": "2023-09-22T10:33:05.710082Z", "type": "trade",
  "asset": "BTC", "asset_class": "currency", "category": "trade", "wallet_type": "spot",
  "wallet_id": "main", "amount": -0.005, "fee": 0.0, "balance": 0.005}], "sequence": 9}`,
  );
  assert.equal(sell.sequence, 9);
  if (sell.type !== "update") assert.fail("expected an update");
  assert.equal(sell.data[0].amount, -0.005);
  assert.equal(sell.data[0].amountText, "-0.005");
  const buy = balances(
    `{"channel": "balances", "type": "update", "data": [{"ledger_id": "A5KS77-LQRMP-SMMN4B",
  "ref_id": "AGBB7L-HT5LX-J3BB4A", "timestamp": "2023-09-22T10:33:05.710082Z", "type": "trade",
  "asset": "USD", "asset_class": "currency", "category": "trade", "wallet_type": "spot",
  "wallet_id": "main", "amount": 132.9995, "fee": 0.3458, "balance": 500}], "sequence": 10}`,
  );
  if (buy.type !== "update") assert.fail("expected an update");
  assert.equal(buy.data[0].balance, 500);
  assert.equal(buy.data[0].balanceText, "500");
  assert.equal(buy.data[0].feeText, "0.3458");
});

Deno.test("decode private: balances entry without wallets gets an empty list", () => {
  const message = balances(
    '{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"ETH","balance":0}]}',
  );
  assert.deepEqual(message.data, [{ asset: "ETH", balance: 0, balanceText: "0", wallets: [] }]);
});

// ---------------------------------------------------------------------------------------------
// acks, trading replies, rejections
// ---------------------------------------------------------------------------------------------

Deno.test("decode private: executions and balances acks (docs)", () => {
  const subscribed = decoded(`{"method": "subscribe",
 "result": {"channel": "executions", "maxratecount": 125, "snap_orders": true, "snap_trades": true},
 "success": true, "time_in": "2023-10-16T13:18:35.303171Z", "time_out": "2023-10-16T13:18:35.318297Z"}`);
  assert.deepEqual(subscribed, {
    kind: "ack",
    method: "subscribe",
    result: {
      channel: "executions",
      symbol: undefined,
      depth: undefined,
      snapshot: undefined,
      eventTrigger: undefined,
      interval: undefined,
    },
    reqId: undefined,
    warnings: [],
    timeIn: "2023-10-16T13:18:35.303171Z",
    timeOut: "2023-10-16T13:18:35.318297Z",
  });
  const balancesAck = decoded(
    `{"method": "subscribe", "result": {"channel": "balances", "snapshot": true}, "success": true,
 "time_in": "2023-10-16T13:29:13.111530Z", "time_out": "2023-10-16T13:29:13.111775Z"}`,
  );
  if (balancesAck.kind !== "ack") assert.fail("expected an ack");
  assert.equal(balancesAck.result.channel, "balances");
  assert.equal(balancesAck.result.snapshot, true);
  assert.equal(balancesAck.result.symbol, undefined);
  const unsubscribed = decoded(
    '{"method":"unsubscribe","result":{"channel":"executions"},"success":true,"time_in":"a","time_out":"b","req_id":4}',
  );
  if (unsubscribed.kind !== "ack") assert.fail("expected an ack");
  assert.equal(unsubscribed.method, "unsubscribe");
  assert.equal(unsubscribed.reqId, 4);
  const warned = decoded(
    '{"method":"subscribe","result":{"channel":"executions","snapshot":true,"warnings":' +
      '["cancel_reason is deprecated, use reason"]},"success":true}',
  );
  if (warned.kind !== "ack") assert.fail("expected an ack");
  assert.deepEqual(warned.warnings, ["cancel_reason is deprecated, use reason"]);
});

Deno.test("decode private: a reply for each trading method (docs)", () => {
  const cases: [string, string, unknown][] = [
    [
      "add_order",
      `{"method": "add_order", "req_id": 123456789,
 "result": {"order_id": "AA5JGQ-SBMRC-SCJ7J7", "order_userref": 100054},
 "success": true, "time_in": "2023-09-21T14:15:07.197274Z", "time_out": "2023-09-21T14:15:07.205301Z"}`,
      { order_id: "AA5JGQ-SBMRC-SCJ7J7", order_userref: 100054 },
    ],
    [
      "amend_order",
      `{"method": "amend_order",
 "result": {"amend_id": "TTW6PD-RC36L-ZZSWNU", "cl_ord_id": "2c6be801-1f53-4f79-a0bb-4ea1c95dfae9"},
 "success": true, "time_in": "2024-07-26T13:39:04.922699Z", "time_out": "2024-07-26T13:39:04.924912Z"}`,
      { amend_id: "TTW6PD-RC36L-ZZSWNU", cl_ord_id: "2c6be801-1f53-4f79-a0bb-4ea1c95dfae9" },
    ],
    [
      "edit_order",
      `{"method": "edit_order", "req_id": 1234567890,
 "result": {"order_id": "ORDERX-IDXXX-XXXXX2", "original_order_id": "ORDERX-IDXXX-XXXXX1"},
 "success": true, "time_in": "2022-07-15T12:56:09.876488Z", "time_out": "2022-07-15T12:56:09.923422Z"}`,
      { order_id: "ORDERX-IDXXX-XXXXX2", original_order_id: "ORDERX-IDXXX-XXXXX1" },
    ],
    [
      "cancel_order",
      `{"method": "cancel_order", "req_id": 123456789, "result": {"order_id": "OLUMT4-UTEGU-ZYM7E9"},
 "success": true, "time_in": "2023-09-21T14:36:57.428972Z", "time_out": "2023-09-21T14:36:57.437952Z"}`,
      { order_id: "OLUMT4-UTEGU-ZYM7E9" },
    ],
    [
      "cancel_all",
      `{"method": "cancel_all", "req_id": 1234567890, "result": {"count": 1}, "success": true,
 "time_in": "2023-09-26T13:09:48.463201Z", "time_out": "2023-09-26T13:09:48.471419Z"}`,
      { count: 1 },
    ],
    [
      "cancel_all_orders_after",
      `{"method": "cancel_all_orders_after", "req_id": 1234567890,
 "result": {"currentTime": "2023-09-21T15:49:29Z", "triggerTime": "2023-09-21T15:51:09Z"},
 "success": true, "time_in": "2023-09-21T15:49:28.627900Z", "time_out": "2023-09-21T15:49:28.649057Z"}`,
      { currentTime: "2023-09-21T15:49:29Z", triggerTime: "2023-09-21T15:51:09Z" },
    ],
    [
      "batch_add",
      `{"method": "batch_add", "req_id": 1234567890,
 "result": [{"order_id": "ORDERX-IDXXX-XXXXX1", "order_userref": 1},
            {"order_id": "ORDERX-IDXXX-XXXXX2", "order_userref": 2}],
 "success": true, "time_in": "2022-06-13T08:09:10.123456Z", "time_out": "2022-06-13T08:09:10.7890123"}`,
      [
        { order_id: "ORDERX-IDXXX-XXXXX1", order_userref: 1 },
        { order_id: "ORDERX-IDXXX-XXXXX2", order_userref: 2 },
      ],
    ],
    [
      "batch_cancel",
      `{"method": "batch_cancel", "req_id": 1234567890, "result": {"count": 3}, "success": true,
 "time_in": "2022-06-13T08:09:10.123456Z", "time_out": "2022-06-13T08:09:10.7890123"}`,
      { count: 3 },
    ],
  ];
  for (const [method, text, result] of cases) {
    const message = reply(text);
    assert.equal(message.method, method);
    assert.deepEqual(message.result, result, method);
    assert.deepEqual(message.warnings, [], method);
    assert.equal(typeof message.timeIn, "string", method);
  }
  const batch = reply(cases[6][1]);
  assert.ok(Array.isArray(batch.result));
  assert.equal(batch.reqId, 1234567890);
  assert.equal(batch.timeOut, "2022-06-13T08:09:10.7890123");
  const amend = reply(cases[1][1]);
  assert.equal(amend.reqId, undefined);
});

Deno.test("decode private: trading reply warnings, missing result, result before method", () => {
  const warned = reply(
    '{"result":{"order_id":"O","warnings":["w1"]},"warnings":["w2"],"success":true,' +
      '"method":"add_order","req_id":5}',
  );
  assert.deepEqual(warned.warnings, ["w1", "w2"]);
  assert.deepEqual(warned.result, { order_id: "O", warnings: ["w1"] });
  const bare = reply('{"method":"cancel_all_orders_after","success":true,"req_id":6}');
  assert.equal(bare.result, null);
  assert.equal(bare.reqId, 6);
});

Deno.test("decode private: a rejected add_order keeps error, method and reqId", () => {
  const message = decoded(
    `{"error": "EOrder:Insufficient funds", "method": "add_order", "req_id": 123456789,
   "success": false, "time_in": "2023-09-21T14:15:07.197274Z", "time_out": "2023-09-21T14:15:07.205301Z"}`,
  );
  assert.deepEqual(message, {
    kind: "rejection",
    method: "add_order",
    error: "EOrder:Insufficient funds",
    reqId: 123456789,
    symbol: undefined,
    channel: undefined,
    timeIn: "2023-09-21T14:15:07.197274Z",
    timeOut: "2023-09-21T14:15:07.205301Z",
  });
  const cancel = decoded(
    '{"error":"EOrder:Unknown order","method":"cancel_order","req_id":8,"success":false}',
  );
  if (cancel.kind !== "rejection") assert.fail("expected a rejection");
  assert.equal(cancel.error, "EOrder:Unknown order");
  assert.equal(cancel.method, "cancel_order");
  assert.equal(cancel.reqId, 8);
});

// ---------------------------------------------------------------------------------------------
// hostile input
// ---------------------------------------------------------------------------------------------

const EXEC_HEAD = '{"channel":"executions","type":"update","sequence":1,"data":[';
const ITEM = '"exec_type":"new","order_id":"O","timestamp":"t"';

Deno.test("decode private: wrong types of known fields are decode errors", () => {
  const cases: [string, string][] = [
    [`${EXEC_HEAD}{${ITEM},"order_qty":"0.1"}]}`, "wrong_type"],
    [`${EXEC_HEAD}{${ITEM},"limit_price":true}]}`, "wrong_type"],
    [`${EXEC_HEAD}{"exec_type":5,"order_id":"O","timestamp":"t"}]}`, "wrong_type"],
    [`${EXEC_HEAD}{${ITEM},"post_only":"yes"}]}`, "wrong_type"],
    [`${EXEC_HEAD}{${ITEM},"trade_id":1.5}]}`, "out_of_range"],
    [`${EXEC_HEAD}{${ITEM},"trade_id":-1}]}`, "out_of_range"],
    [`${EXEC_HEAD}{${ITEM},"order_userref":1e3}]}`, "out_of_range"],
    [`${EXEC_HEAD}{${ITEM},"fees":{"asset":"USD"}}]}`, "wrong_type"],
    [`${EXEC_HEAD}{${ITEM},"fees":[{"asset":"USD"}]}]}`, "missing_field"],
    [`${EXEC_HEAD}{${ITEM},"triggers":[1]}]}`, "wrong_type"],
    [`${EXEC_HEAD}{${ITEM},"cum_qty":1e400}]}`, "out_of_range"],
    [`${EXEC_HEAD}{"exec_type":"new","timestamp":"t"}]}`, "missing_field"],
    [`${EXEC_HEAD}{"exec_type":"new","order_id":null,"timestamp":"t"}]}`, "missing_field"],
    [`${EXEC_HEAD}"x"]}`, "wrong_type"],
    ['{"channel":"executions","type":"update","sequence":1,"data":{}}', "wrong_type"],
    [
      '{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"BTC"}]}',
      "missing_field",
    ],
    [
      '{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"BTC","balance":1,"wallets":[{"type":"spot","id":"main"}]}]}',
      "missing_field",
    ],
    [
      '{"channel":"balances","type":"update","sequence":1,"data":[{"asset":"BTC","balance":1,"wallets":[]}]}',
      "missing_field",
    ],
    [
      '{"channel":"balances","type":"update","sequence":1,"data":[{"ledger_id":"L","ref_id":"R","timestamp":"t","type":"trade","asset":"BTC","amount":"1","fee":0,"balance":1}]}',
      "wrong_type",
    ],
    ['{"channel":"executions","type":"partial","sequence":1,"data":[]}', "wrong_type"],
    ['{"channel":"executions","sequence":1,"data":[]}', "missing_field"],
    ['{"channel":"executions","type":"update","sequence":1}', "missing_field"],
    [
      '{"method":"add_order","success":true,"result":{"order_id":"O","warnings":"w"}}',
      "wrong_type",
    ],
    ['{"method":"add_order","success":true,"result":{"order_id":"O"},"req_id":"7"}', "wrong_type"],
  ];
  for (const [text, reason] of cases) assert.equal(failure(text).reason, reason, text);
});

Deno.test("decode private: sequence must be a non-negative safe integer", () => {
  const frame = (sequence: string) =>
    `{"channel":"executions","type":"update","data":[],"sequence":${sequence}}`;
  assert.equal(
    failure('{"channel":"executions","type":"update","data":[]}').reason,
    "missing_field",
  );
  assert.equal(
    failure('{"channel":"balances","type":"update","data":[]}').reason,
    "missing_field",
  );
  for (const bad of ["-1", "1.5", "1.0", "1e2", "9007199254740992"]) {
    assert.equal(failure(frame(bad)).reason, "out_of_range", bad);
  }
  for (const bad of ['"1"', "null", "true", "[1]"]) {
    assert.equal(failure(frame(bad)).reason, "wrong_type", bad);
  }
  assert.equal(executions(frame("0")).sequence, 0);
  assert.equal(executions(frame("9007199254740991")).sequence, 9007199254740991);
});

Deno.test("decode private: broken JSON, huge and deep frames are decode errors, not throws", () => {
  const valid = `${EXEC_HEAD}{${ITEM}}]}`;
  for (let cut = 1; cut < valid.length; cut++) {
    assert.equal(failure(valid.slice(0, cut)).reason, "malformed_json", valid.slice(0, cut));
  }
  const many = `${EXEC_HEAD}${Array.from({ length: 20000 }, () => `{${ITEM}}`).join(",")}]}`;
  assert.equal(executions(many).data.length, 20000);
  assert.equal(failure(many, { maxFrameBytes: 1024 }).reason, "too_large");
  const huge = `${EXEC_HEAD}{${ITEM},"reason":"${"x".repeat(9 * 1024 * 1024)}"}]}`;
  assert.equal(failure(huge).reason, "too_large");
  const deep = `${EXEC_HEAD}{${ITEM},"extra":${"[".repeat(200)}${"]".repeat(200)}}]}`;
  assert.equal(failure(deep).reason, "too_deep");
  const deepResult = `{"method":"batch_add","success":true,"result":${"[".repeat(100)}${
    "]".repeat(100)
  }}`;
  assert.equal(failure(deepResult).reason, "too_deep");
  // A syntax error after a wrong-typed field is reported as the syntax error.
  assert.equal(
    failure(`${EXEC_HEAD}{${ITEM},"order_qty":"x"}]`).reason,
    "malformed_json",
  );
});

Deno.test("decode private: prototype keys in results stay plain data", () => {
  const message = reply(
    '{"method":"cancel_all","success":true,"result":{"count":1,"__proto__":{"polluted":true}}}',
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(message.result as object), ["count", "__proto__"]);
});
