import assert from "node:assert/strict";
import { Account, type AccountEvent, type AccountOptions } from "../../src/exchange/account.ts";
import { simLevel, SimMarket } from "../../src/exchange/market.ts";
import { availableFills, StepLiquidity } from "../../src/exchange/matching_engine.ts";
import { wireJson } from "../../src/exchange/private_frames.ts";
import type { OrderRequest, TradingCall } from "../../src/exchange/private_requests.ts";

/** A market whose BTC/USD book (price 1 decimal, qty 8) is exactly `bids` and `asks`. */
function marketWith(
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): SimMarket {
  const market = new SimMarket(1);
  setBook(market, bids, asks);
  return market;
}

function setBook(
  market: SimMarket,
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): void {
  const state = market.symbol("BTC/USD");
  const level = ([price, qty]: readonly [string, string]) =>
    simLevel(Number(price.replace(".", "")), Number(qty.replace(".", "")), state.pair);
  state.bids = bids.map(level);
  state.asks = asks.map(level);
}

const BOOK_BIDS = [["99.0", "1.00000000"], ["98.0", "2.00000000"]] as const;
const BOOK_ASKS = [["100.0", "0.50000000"], ["101.0", "1.00000000"]] as const;

function account(market: SimMarket, options: Partial<AccountOptions> = {}): Account {
  return new Account(
    { apiKey: "k", apiSecret: "c2VjcmV0", balances: { USD: "1000", BTC: "0" }, ...options },
    market,
    7,
  );
}

function order(
  fields: Partial<OrderRequest> & Pick<OrderRequest, "side" | "qtyText">,
): TradingCall {
  return {
    method: "add_order",
    order: {
      orderType: fields.limitPriceText === undefined ? "market" : "limit",
      symbol: "BTC/USD",
      timeInForce: "gtc",
      postOnly: false,
      validate: false,
      ...fields,
    },
  };
}

function balanceOf(account: Account, asset: string) {
  const balance = account.balances().find((item) => item.asset === asset);
  assert.ok(balance !== undefined, asset);
  return balance;
}

/** Execution items as JSON objects (numbers as printed, read back). */
function executions(events: readonly AccountEvent[]): Record<string, unknown>[] {
  return events.filter((event) => event.channel === "executions").map((event) =>
    JSON.parse(wireJson(event.item))
  );
}

function orderIdOf(answers: readonly unknown[]): string {
  const [answer] = answers;
  assert.ok(typeof answer === "object" && answer !== null && "result" in answer, String(answer));
  const result = (answer as { result: { order_id: string } }).result;
  return result.order_id;
}

Deno.test("availableFills: best level first, never past the limit nor what this step already took", () => {
  const asks = [{ ticks: 100, lots: 2 }, { ticks: 101, lots: 5 }, { ticks: 103, lots: 9 }];
  const used = new StepLiquidity();
  assert.deepEqual(availableFills("X/Y", "buy", asks, 101n, 10n, used), [
    { ticks: 100n, lots: 2n },
    { ticks: 101n, lots: 5n },
  ]);
  used.take("X/Y", "asks", 100n, 2n);
  assert.deepEqual(availableFills("X/Y", "buy", asks, undefined, 6n, used), [
    { ticks: 101n, lots: 5n },
    { ticks: 103n, lots: 1n },
  ]);
  const bids = [{ ticks: 99, lots: 3 }, { ticks: 98, lots: 3 }];
  assert.deepEqual(availableFills("X/Y", "sell", bids, 99n, 10n, used), [{ ticks: 99n, lots: 3n }]);
});

Deno.test("account: a resting limit buy holds its quote, fills as maker when the book crosses it, frees the rest on cancel", () => {
  const market = marketWith(BOOK_BIDS, BOOK_ASKS);
  const trader = account(market);
  const id = orderIdOf(
    trader.trade(order({ side: "buy", qtyText: "1", limitPriceText: "99.5" }), 0),
  );
  // 99.5 + the taker fee (the most it could pay): 0.26 % of 99.5 = 0.2587.
  assert.equal(balanceOf(trader, "USD").reserved, "99.7587000000");
  assert.equal(balanceOf(trader, "USD").available, "900.2413000000");
  assert.deepEqual(
    executions(trader.takeEvents()).map((item) => [item.exec_type, item.order_status]),
    [["pending_new", "pending_new"], ["new", "new"]],
  );
  assert.deepEqual(trader.openOrders().map((open) => [open.orderId, open.price, open.status]), [
    [id, "99.5", "new"],
  ]);

  setBook(market, BOOK_BIDS, [["99.4", "0.40000000"], ["100.0", "1.00000000"]]);
  trader.step(100);
  const events = trader.takeEvents();
  const [trade] = executions(events);
  // A maker fills at its own limit, with the maker fee: 39.8 × 0.16 % = 0.06368.
  assert.equal(trade.exec_type, "trade");
  assert.equal(trade.liquidity_ind, "m");
  assert.equal(trade.order_status, "partially_filled");
  assert.match(wireJson(events[0].item), /"last_qty":0\.40000000,"last_price":99\.5,/);
  assert.match(wireJson(events[0].item), /"fees":\[\{"asset":"USD","qty":0\.0636800000\}\]/);
  const ledger = events.filter((event) => event.channel === "balances").map((event) =>
    wireJson(event.item)
  );
  assert.equal(ledger.length, 2);
  assert.match(
    ledger[0],
    /"asset":"BTC".*"amount":0\.4000000000,"fee":0\.0000000000,"balance":0\.4000000000/,
  );
  assert.match(
    ledger[1],
    /"asset":"USD".*"amount":-39\.8000000000,"fee":0\.0636800000,"balance":960\.1363200000/,
  );
  assert.equal(balanceOf(trader, "USD").balance, "960.1363200000");
  assert.equal(balanceOf(trader, "USD").reserved, "59.8552200000");
  assert.equal(trader.openOrders()[0].filled, "0.40000000");

  setBook(market, BOOK_BIDS, BOOK_ASKS);
  const answers = trader.trade(
    { method: "cancel_order", orderIds: [id], clOrdIds: [], orderUserrefs: [] },
    200,
  );
  assert.deepEqual(answers, [{ result: { order_id: id } }]);
  assert.equal(balanceOf(trader, "USD").reserved, "0.0000000000");
  assert.equal(balanceOf(trader, "USD").balance, "960.1363200000");
  const [canceled] = executions(trader.takeEvents());
  assert.equal(canceled.exec_type, "canceled");
  assert.equal(canceled.reason, "User requested");
  assert.deepEqual(trader.openOrders(), []);
});

Deno.test("account: a market buy walks the book at once; what the book lacks is cancelled", () => {
  const market = marketWith(BOOK_BIDS, BOOK_ASKS);
  const trader = account(market);
  trader.trade(order({ side: "buy", qtyText: "1" }), 0);
  const items = executions(trader.takeEvents());
  assert.deepEqual(items.map((item) => item.exec_type), [
    "pending_new",
    "new",
    "trade",
    "trade",
    "filled",
  ]);
  assert.deepEqual(items.slice(2, 4).map((item) => [item.last_price, item.liquidity_ind]), [
    [100, "t"],
    [101, "t"],
  ]);
  assert.equal(items[4].avg_price, 100.5);
  // 50 + 0.13 + 50.5 + 0.1313 paid.
  assert.equal(balanceOf(trader, "USD").balance, "899.2387000000");
  assert.equal(balanceOf(trader, "BTC").balance, "1.0000000000");

  const thin = account(marketWith(BOOK_BIDS, BOOK_ASKS));
  thin.trade(order({ side: "buy", qtyText: "2" }), 0);
  const last = executions(thin.takeEvents()).at(-1);
  assert.equal(last?.exec_type, "canceled");
  assert.equal(last?.reason, "Insufficient liquidity");
  assert.equal(last?.cum_qty, 1.5);
});

Deno.test("account: within one market step a level's liquidity is taken once", () => {
  const market = marketWith(BOOK_BIDS, BOOK_ASKS);
  const trader = account(market);
  const ioc = order({ side: "buy", qtyText: "0.5", limitPriceText: "100.0", timeInForce: "ioc" });
  trader.trade(ioc, 0);
  trader.trade(ioc, 0);
  const items = executions(trader.takeEvents());
  assert.equal(items.filter((item) => item.exec_type === "trade").length, 1);
  assert.equal(items.at(-1)?.exec_type, "canceled");
  assert.equal(items.at(-1)?.reason, "Immediate or cancel");
  trader.step(100);
  trader.trade(ioc, 100);
  assert.equal(
    executions(trader.takeEvents()).filter((item) => item.exec_type === "trade").length,
    1,
    "a new step: the book is whole again",
  );
});

Deno.test("account: post-only that would take, fill-or-kill that cannot fill, and short funds are refused", () => {
  const trader = account(marketWith(BOOK_BIDS, BOOK_ASKS));
  assert.deepEqual(
    trader.trade(
      order({ side: "buy", qtyText: "0.1", limitPriceText: "100.0", postOnly: true }),
      0,
    ),
    [{ error: "EOrder:Post only order" }],
  );
  assert.deepEqual(
    trader.trade(order({ side: "buy", qtyText: "20", limitPriceText: "99.0" }), 0),
    [{ error: "EOrder:Insufficient funds" }],
  );
  assert.deepEqual(trader.trade(order({ side: "sell", qtyText: "0.1" }), 0), [
    { error: "EOrder:Insufficient funds" },
  ]);
  assert.deepEqual(trader.trade(order({ side: "buy", qtyText: "0.123456789" }), 0), [
    { error: "EGeneral:Invalid arguments:order_qty" },
  ]);
  assert.deepEqual(
    trader.trade(order({ side: "buy", qtyText: "1", limitPriceText: "99.55" }), 0),
    [{ error: "EGeneral:Invalid arguments:limit_price" }],
  );
  assert.deepEqual(trader.takeEvents(), []);
  trader.trade(
    order({ side: "buy", qtyText: "1", limitPriceText: "100.0", timeInForce: "fok" }),
    0,
  );
  const items = executions(trader.takeEvents());
  assert.deepEqual(items.map((item) => item.exec_type), ["pending_new", "new", "canceled"]);
  assert.equal(balanceOf(trader, "USD").balance, "1000.0000000000");
  assert.equal(balanceOf(trader, "USD").reserved, "0.0000000000");
});

Deno.test("account: amend keeps the id and re-holds funds; edit makes a new order and cancels the old", () => {
  const trader = account(marketWith(BOOK_BIDS, BOOK_ASKS));
  const id = orderIdOf(
    trader.trade(order({ side: "buy", qtyText: "1", limitPriceText: "90.0", clOrdId: "mine" }), 0),
  );
  trader.takeEvents();
  const [amended] = trader.trade({
    method: "amend_order",
    clOrdId: "mine",
    qtyText: "2",
    limitPriceText: "95.0",
    postOnly: false,
  }, 1000);
  assert.ok("result" in amended);
  assert.deepEqual(Object.keys(amended.result as object), ["amend_id", "cl_ord_id"]);
  const [report] = executions(trader.takeEvents());
  assert.deepEqual(
    [report.exec_type, report.order_id, report.order_qty, report.limit_price, report.amended],
    ["amended", id, 2, 95, true],
  );
  // 190 + 0.494 held.
  assert.equal(balanceOf(trader, "USD").reserved, "190.4940000000");
  assert.deepEqual(
    trader.trade(
      { method: "amend_order", orderId: "ONOPE0-00000-000000", qtyText: "1", postOnly: false },
      1000,
    ),
    [{ error: "EOrder:Unknown order" }],
  );

  const [edited] = trader.trade({
    method: "edit_order",
    orderId: id,
    symbol: "BTC/USD",
    limitPriceText: "96.0",
    postOnly: false,
  }, 2000);
  assert.ok("result" in edited);
  const result = edited.result as { order_id: string; original_order_id: string };
  assert.equal(result.original_order_id, id);
  assert.notEqual(result.order_id, id);
  const items = executions(trader.takeEvents());
  assert.deepEqual(items.map((item) => [item.exec_type, item.order_id]), [
    ["canceled", id],
    ["pending_new", result.order_id],
    ["new", result.order_id],
  ]);
  assert.equal(items[0].reason, "Order replaced");
  assert.deepEqual(trader.openOrders().map((open) => [open.orderId, open.qty, open.price]), [
    [result.order_id, "2.00000000", "96.0"],
  ]);
  assert.deepEqual(
    trader.trade({ method: "edit_order", orderId: id, symbol: "BTC/USD", postOnly: false }, 2000),
    [{ error: "EOrder:Unknown order" }],
  );
});

Deno.test("account: cancel_order answers once per order, cancel_all counts, batches add and cancel", () => {
  const trader = account(marketWith(BOOK_BIDS, BOOK_ASKS));
  const limit = (userref: number) =>
    order({ side: "buy", qtyText: "0.1", limitPriceText: "90.0", orderUserref: userref });
  const a = orderIdOf(trader.trade(limit(1), 0));
  const b = orderIdOf(trader.trade(limit(2), 0));
  orderIdOf(trader.trade(limit(2), 0));
  assert.deepEqual(
    trader.trade(
      {
        method: "cancel_order",
        orderIds: [a, "OXXXXX-XXXXX-XXXXXX"],
        clOrdIds: [],
        orderUserrefs: [2],
      },
      10_000,
    ).map((answer) => "error" in answer ? answer.error : "ok"),
    ["ok", "EOrder:Unknown order", "ok", "ok"],
  );
  assert.notEqual(b, a);
  assert.deepEqual(trader.openOrders(), []);

  const [batch] = trader.trade({
    method: "batch_add",
    symbol: "BTC/USD",
    validate: false,
    orders: [
      { ...(limit(5) as { order: OrderRequest }).order },
      { ...(limit(6) as { order: OrderRequest }).order, qtyText: "100" },
      { ...(limit(7) as { order: OrderRequest }).order },
    ],
  }, 20_000);
  assert.ok("result" in batch);
  const entries = batch.result as Record<string, unknown>[];
  assert.deepEqual(entries.map((entry) => entry.order_userref ?? entry.error), [
    5,
    "EOrder:Insufficient funds",
    7,
  ]);
  const ids = entries.flatMap((entry) =>
    typeof entry.order_id === "string" ? [entry.order_id] : []
  );
  assert.deepEqual(
    trader.trade({ method: "batch_cancel", orders: [ids[0], "7"], clOrdIds: [] }, 30_000),
    [{ result: { count: 2 } }],
  );
  trader.trade(limit(8), 30_000);
  assert.deepEqual(trader.trade({ method: "cancel_all" }, 30_000), [{ result: { count: 1 } }]);
});

Deno.test("account: cancel_all_orders_after cancels everything when its time passes; 0 disarms", () => {
  const trader = account(marketWith(BOOK_BIDS, BOOK_ASKS));
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  trader.trade(order({ side: "buy", qtyText: "0.1", limitPriceText: "90.0" }), start);
  assert.deepEqual(trader.trade({ method: "cancel_all_orders_after", timeout: 60 }, start), [
    { result: { currentTime: "2026-01-01T12:00:00Z", triggerTime: "2026-01-01T12:01:00Z" } },
  ]);
  assert.equal(trader.cancelAfterAt, start + 60_000);
  trader.takeEvents();
  trader.expireCancelAfter(start + 59_999);
  assert.equal(trader.openOrders().length, 1);
  trader.expireCancelAfter(start + 60_000);
  assert.deepEqual(trader.openOrders(), []);
  const [canceled] = executions(trader.takeEvents());
  assert.equal(canceled.reason, "CancelAllOrdersAfter Timeout");
  trader.trade({ method: "cancel_all_orders_after", timeout: 30 }, start);
  assert.deepEqual(trader.trade({ method: "cancel_all_orders_after", timeout: 0 }, start), [
    { result: { currentTime: "2026-01-01T12:00:00Z", triggerTime: "0" } },
  ]);
  assert.equal(trader.cancelAfterAt, undefined);
});

Deno.test("account: the per-pair rate counter refuses past its threshold and decays", () => {
  const trader = account(marketWith(BOOK_BIDS, BOOK_ASKS), {
    maxRateCount: 2,
    rateDecayPerSecond: 1,
  });
  const limit = order({ side: "buy", qtyText: "0.01", limitPriceText: "90.0" });
  assert.ok("result" in trader.trade(limit, 0)[0]);
  assert.ok("result" in trader.trade(limit, 0)[0]);
  assert.deepEqual(trader.trade(limit, 0), [{ error: "EOrder:Rate limit exceeded" }]);
  assert.ok("result" in trader.trade(limit, 1000)[0], "one decayed in a second");
  assert.equal(trader.maxRateCount, 2);
});
