import assert from "node:assert/strict";
import { PRIVATE_ON_PUBLIC } from "../../src/exchange/connection_feed.ts";
import {
  Exchange,
  type ExchangeOptions,
  type ExchangeOutput,
} from "../../src/exchange/exchange.ts";
import { simLevel, SimMarket } from "../../src/exchange/market.ts";
import { MarketFeed } from "../../src/exchange/market_feed.ts";
import { answerTokenRequest, TOKEN_PATH } from "../../src/exchange/token_endpoint.ts";
import { signRestRequest } from "../../src/protocol/rest_signature.ts";
import { jsonObject } from "./helpers.ts";

const START = Date.UTC(2026, 0, 1);
const T = "2026-01-01T00:00:00.001000Z";
const SECRET = btoa("a simulated secret");

/** A market whose BTC/USD book is 99.0 / 100.0, known to the test. */
function market(): SimMarket {
  const sim = new SimMarket(1);
  const state = sim.symbol("BTC/USD");
  state.bids = [simLevel(990, 100_000_000, state.pair)];
  state.asks = [simLevel(1000, 50_000_000, state.pair), simLevel(1010, 100_000_000, state.pair)];
  return sim;
}

/** One exchange, one connection, time held still unless a test moves it. */
class Harness {
  readonly exchange: Exchange;
  readonly connection: number;
  readonly outputs: ExchangeOutput[] = [];
  now = START + 1;

  constructor(kind: "public" | "private" = "private", options: Partial<ExchangeOptions> = {}) {
    this.exchange = new Exchange({
      feed: new MarketFeed(market()),
      start: START,
      account: { apiKey: "key", apiSecret: SECRET, balances: { USD: "1000", BTC: "0.5" } },
      ...options,
    });
    this.connection = this.exchange.connect(this.now, kind);
    this.take();
  }

  token(): string {
    return this.exchange.issueToken(this.now);
  }

  /** What reached the client by now: delivered texts (other outputs kept in `outputs`). */
  take(): string[] {
    const outputs = this.exchange.advance(this.now);
    this.outputs.push(...outputs);
    return outputs.flatMap((output) => output.type === "deliver" ? [output.text] : []);
  }

  send(text: string): string[] {
    this.exchange.receive(this.connection, text, this.now);
    return this.take();
  }

  at(ms: number): string[] {
    this.now = ms;
    return this.take();
  }
}

const reply = (method: string, reqId: number, result: string) =>
  `{"method":"${method}","req_id":${reqId},"result":${result},"success":true,"time_in":"${T}","time_out":"${T}"}`;
const error = (method: string, reqId: number, message: string) =>
  `{"error":"${message}","method":"${method}","req_id":${reqId},"success":false,"time_in":"${T}","time_out":"${T}"}`;

Deno.test("private feed: executions subscribe, add_order, its updates: exact frames, sequence from 1", () => {
  const h = new Harness();
  const token = h.token();
  assert.deepEqual(
    h.send(
      `{"method":"subscribe","params":{"channel":"executions","token":"${token}"},"req_id":1}`,
    ),
    [
      reply(
        "subscribe",
        1,
        '{"channel":"executions","maxratecount":125,"snap_orders":true,"snap_trades":false}',
      ),
      '{"channel":"executions","type":"snapshot","data":[],"sequence":1}',
    ],
  );
  const frames = h.send(
    `{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.10000000,"limit_price":95.0,"symbol":"BTC/USD","cl_ord_id":"c-1","token":"${token}"},"req_id":2}`,
  );
  const id = String(objectResult(frames[0]).order_id);
  assert.match(id, /^O[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/);
  assert.deepEqual(frames, [
    reply("add_order", 2, `{"order_id":"${id}","cl_ord_id":"c-1"}`),
    `{"channel":"executions","type":"update","data":[{"order_id":"${id}","cl_ord_id":"c-1","symbol":"BTC/USD","order_qty":0.10000000,"cum_cost":0.0000000000,"time_in_force":"GTC","exec_type":"pending_new","side":"buy","order_type":"limit","limit_price":95.0,"order_status":"pending_new","fee_ccy_pref":"fciq","timestamp":"${T}"}],"sequence":2}`,
    `{"channel":"executions","type":"update","data":[{"timestamp":"${T}","order_status":"new","exec_type":"new","order_id":"${id}","cl_ord_id":"c-1"}],"sequence":3}`,
  ]);
  // A second connection's snapshot holds the open order.
  const second = h.exchange.connect(h.now, "private");
  h.take();
  h.exchange.receive(
    second,
    `{"method":"subscribe","params":{"channel":"executions","token":"${token}","snap_trades":true},"req_id":9}`,
    h.now,
  );
  const [, snapshot] = h.take();
  assert.equal(
    snapshot,
    `{"channel":"executions","type":"snapshot","data":[{"order_id":"${id}","cl_ord_id":"c-1","symbol":"BTC/USD","order_qty":0.10000000,"cum_qty":0.00000000,"cum_cost":0.0000000000,"time_in_force":"GTC","exec_type":"new","side":"buy","order_type":"limit","limit_price":95.0,"post_only":false,"order_status":"new","amended":false,"timestamp":"${T}"}],"sequence":1}`,
  );
});

function objectResult(text: string): Record<string, unknown> {
  const result = jsonObject(text).result;
  assert.ok(typeof result === "object" && result !== null);
  return result as Record<string, unknown>;
}

Deno.test("private feed: a market order's trade, filled and ledger updates; balances snapshot and unsubscribe", () => {
  const h = new Harness();
  const token = h.token();
  const [ack, snapshot] = h.send(
    `{"method":"subscribe","params":{"channel":"balances","token":"${token}"},"req_id":1}`,
  );
  assert.equal(ack, reply("subscribe", 1, '{"channel":"balances","snapshot":true}'));
  assert.match(
    snapshot,
    /^\{"channel":"balances","type":"snapshot","data":\[\{"asset":"BTC","asset_class":"currency","balance":0\.5000000000,"wallets":\[\{"type":"spot","id":"main","balance":0\.5000000000\}\]\},.*\],"sequence":1\}$/,
  );
  h.send(`{"method":"subscribe","params":{"channel":"executions","token":"${token}"},"req_id":2}`);
  const frames = h.send(
    `{"method":"add_order","params":{"order_type":"market","side":"sell","order_qty":0.2,"symbol":"BTC/USD","token":"${token}"},"req_id":3}`,
  );
  const channels = frames.map((text) => {
    const frame = jsonObject(text);
    return `${frame.channel ?? frame.method} ${frame.sequence ?? ""}`.trim();
  });
  assert.deepEqual(channels, [
    "add_order",
    "executions 2",
    "executions 3",
    "executions 4",
    "balances 2",
    "balances 3",
    "executions 5",
  ]);
  assert.match(
    frames[3],
    /"exec_type":"trade","trade_id":1,"symbol":"BTC\/USD","side":"sell","last_qty":0\.20000000,"last_price":99\.0,"liquidity_ind":"t","cost":19\.8000000000,.*"order_status":"filled","cum_qty":0\.20000000,"cum_cost":19\.8000000000,"avg_price":99\.0,"fees":\[\{"asset":"USD","qty":0\.0514800000\}\]/,
  );
  assert.match(
    frames[4],
    /"type":"trade","asset":"BTC",.*"amount":-0\.2000000000,"fee":0\.0000000000,"balance":0\.3000000000\}/,
  );
  assert.match(
    frames[5],
    /"asset":"USD",.*"amount":19\.8000000000,"fee":0\.0514800000,"balance":1019\.7485200000\}/,
  );
  assert.match(frames[6], /"exec_type":"filled","order_status":"filled"/);
  assert.deepEqual(
    h.send(
      `{"method":"unsubscribe","params":{"channel":"balances","token":"${token}"},"req_id":4}`,
    ),
    [reply("unsubscribe", 4, '{"channel":"balances"}')],
  );
  assert.deepEqual(
    h.send(
      `{"method":"unsubscribe","params":{"channel":"balances","token":"${token}"},"req_id":5}`,
    ),
    [error("unsubscribe", 5, "Subscription Not Found")],
  );
  assert.deepEqual(
    h.send(
      `{"method":"subscribe","params":{"channel":"executions","token":"${token}"},"req_id":6}`,
    ),
    [error("subscribe", 6, "Already subscribed")],
  );
  assert.deepEqual(h.exchange.connections[0].privateSubscriptions, ["executions"]);
});

Deno.test("private feed: Kraken's error strings, and cancel_order's one reply per order", () => {
  const h = new Harness();
  const token = h.token();
  const add = (params: string, reqId: number) =>
    h.send(`{"method":"add_order","params":{${params},"token":"${token}"},"req_id":${reqId}}`);
  assert.deepEqual(add('"order_type":"limit","side":"buy","symbol":"BTC/USD"', 1), [
    error("add_order", 1, "EGeneral:Invalid arguments:order_qty"),
  ]);
  assert.deepEqual(
    add(
      '"order_type":"limit","side":"buy","order_qty":100,"limit_price":95.0,"symbol":"BTC/USD"',
      2,
    ),
    [error("add_order", 2, "EOrder:Insufficient funds")],
  );
  assert.deepEqual(
    add('"order_type":"limit","side":"buy","order_qty":1,"limit_price":95.0,"symbol":"XBT/USD"', 3),
    [error("add_order", 3, "EGeneral:Invalid arguments:symbol")],
  );
  const a = String(
    objectResult(
      add(
        '"order_type":"limit","side":"buy","order_qty":1,"limit_price":95.0,"symbol":"BTC/USD"',
        4,
      )[0],
    ).order_id,
  );
  const b = String(
    objectResult(
      add(
        '"order_type":"limit","side":"buy","order_qty":1,"limit_price":94.0,"symbol":"BTC/USD"',
        5,
      )[0],
    ).order_id,
  );
  assert.deepEqual(
    h.send(
      `{"method":"cancel_order","params":{"order_id":["${a}","${b}"],"token":"${token}"},"req_id":6}`,
    ),
    [
      reply("cancel_order", 6, `{"order_id":"${a}"}`),
      reply("cancel_order", 6, `{"order_id":"${b}"}`),
    ],
  );
  assert.deepEqual(
    h.send(
      `{"method":"cancel_order","params":{"order_id":["${a}"],"token":"${token}"},"req_id":7}`,
    ),
    [error("cancel_order", 7, "EOrder:Unknown order")],
  );
  assert.deepEqual(
    h.send(
      `{"method":"amend_order","params":{"order_id":"${a}","order_qty":2,"token":"${token}"},"req_id":8}`,
    ),
    [error("amend_order", 8, "EOrder:Unknown order")],
  );
  assert.deepEqual(
    h.send(`{"method":"cancel_all_orders_after","params":{"token":"${token}"},"req_id":9}`),
    [error("cancel_all_orders_after", 9, "EGeneral:Invalid arguments:timeout")],
  );
  assert.deepEqual(
    h.send(`{"method":"cancel_all","params":{"token":"${token}"},"req_id":10}`),
    [reply("cancel_all", 10, '{"count":0}')],
  );
  // Every trading request is logged, per connection, token left out.
  const log = h.exchange.account.requests;
  assert.equal(log.length, 10);
  assert.deepEqual(
    [log[5].connection, log[5].method, log[5].reqId, log[5].params],
    [1, "cancel_order", 6, { order_id: [a, b] }],
  );
});

Deno.test("private feed: the rate counter answers EOrder:Rate limit exceeded", () => {
  const h = new Harness("private", {
    account: { apiKey: "key", apiSecret: SECRET, balances: { USD: "1000" }, maxRateCount: 1 },
  });
  const token = h.token();
  const order =
    `"order_type":"limit","side":"buy","order_qty":0.01,"limit_price":90.0,"symbol":"BTC/USD","token":"${token}"`;
  assert.ok(
    h.send(`{"method":"add_order","params":{${order}},"req_id":1}`)[0].includes('"success":true'),
  );
  assert.deepEqual(h.send(`{"method":"add_order","params":{${order}},"req_id":2}`), [
    error("add_order", 2, "EOrder:Rate limit exceeded"),
  ]);
});

Deno.test("private feed: a missing, unknown or stale token answers EAPI:Invalid token and the socket stays open", () => {
  const h = new Harness();
  const stale = h.token();
  assert.deepEqual(
    h.send('{"method":"subscribe","params":{"channel":"executions"},"req_id":1}'),
    [error("subscribe", 1, "EAPI:Invalid token")],
  );
  assert.deepEqual(
    h.send('{"method":"cancel_all","params":{"token":"nope"},"req_id":2}'),
    [error("cancel_all", 2, "EAPI:Invalid token")],
  );
  // Unused for more than 15 minutes: no longer good. The clock moves the market too.
  h.at(START + 15 * 60_000 + 2);
  const late = h.send(`{"method":"cancel_all","params":{"token":"${stale}"},"req_id":3}`);
  assert.equal(jsonObject(late[0]).error, "EAPI:Invalid token");
  const pong = h.send('{"method":"ping","req_id":4}');
  assert.equal(jsonObject(pong[0]).method, "pong");
  assert.ok(h.exchange.connections[0].open);
  // A token used in time stays good.
  const fresh = h.token();
  h.send(`{"method":"cancel_all","params":{"token":"${fresh}"},"req_id":5}`);
  h.at(h.now + 20 * 60_000);
  const later = h.send(`{"method":"cancel_all","params":{"token":"${fresh}"},"req_id":6}`);
  assert.equal(jsonObject(later[0]).success, true);
});

Deno.test("private feed: a public connection refuses private channels and trading", () => {
  const h = new Harness("public");
  const token = h.token();
  const refusal = (method: string, reqId: number) =>
    jsonObject(
      h.send(
        method === "subscribe"
          ? `{"method":"subscribe","params":{"channel":"balances","token":"${token}"},"req_id":${reqId}}`
          : `{"method":"${method}","params":{"token":"${token}"},"req_id":${reqId}}`,
      )[0],
    );
  for (const [method, reqId] of [["subscribe", 1], ["cancel_all", 2]] as const) {
    const frame = refusal(method, reqId);
    assert.deepEqual([frame.error, frame.method, frame.req_id, frame.success], [
      PRIVATE_ON_PUBLIC,
      method,
      reqId,
      false,
    ]);
  }
  assert.equal(h.exchange.account.requests.length, 0);
});

Deno.test("private feed: heartbeats flow while only a private subscription is held", () => {
  const h = new Harness();
  const token = h.token();
  h.send(`{"method":"subscribe","params":{"channel":"balances","token":"${token}"}}`);
  const frames = h.at(START + 3000);
  assert.ok(frames.filter((text) => text === '{"channel":"heartbeat"}').length >= 1);
});

Deno.test("private faults: invalidate_token, skip_sequence, drop_with_order, swallow_reply", () => {
  const h = new Harness();
  const token = h.token();
  h.send(`{"method":"subscribe","params":{"channel":"executions","token":"${token}"},"req_id":1}`);
  const order = (reqId: number, price: string) =>
    `{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"limit_price":${price},"symbol":"BTC/USD","token":"${token}"},"req_id":${reqId}}`;

  assert.ok(h.exchange.inject("skip_sequence", {}, h.now));
  const skipped = h.send(order(2, "90.0")).map((text) => jsonObject(text).sequence);
  assert.deepEqual(skipped, [undefined, 3], "the pending_new (2) was lost");
  assert.ok(h.outputs.some((output) => output.type === "lost" && output.frame.sequence === 2));

  assert.ok(h.exchange.inject("swallow_reply", {}, h.now));
  const swallowed = h.send(order(3, "91.0"));
  assert.deepEqual(swallowed.map((text) => jsonObject(text).sequence), [4, 5], "updates, no reply");
  assert.equal(h.exchange.account.openOrders().length, 2);

  assert.ok(h.exchange.inject("invalidate_token", {}, h.now));
  assert.deepEqual(h.send(`{"method":"cancel_all","params":{"token":"${token}"},"req_id":4}`), [
    error("cancel_all", 4, "EAPI:Invalid token"),
  ]);

  const fresh = h.token();
  assert.ok(h.exchange.inject("drop_with_order", {}, h.now));
  const dropped = h.send(order(5, "92.0").replace(token, fresh));
  assert.deepEqual(dropped, []);
  assert.equal(h.exchange.account.openOrders().length, 3, "carried out");
  assert.ok(h.outputs.some((output) => output.type === "drop"));
  assert.equal(h.exchange.connections[0].open, false);
  assert.deepEqual(
    h.exchange.connections[0].faults,
    ["skip_sequence", "swallow_reply", "invalidate_token", "drop_with_order"],
  );
});

Deno.test("private faults: thrown only at private connections, at random only there", () => {
  const h = new Harness("public", {
    faults: { random: { meanGapMs: 200, kinds: ["skip_sequence", "swallow_reply", "stall"] } },
  });
  assert.equal(h.exchange.inject("skip_sequence", {}, h.now), false, "no private connection");
  assert.ok(
    !h.outputs.some((output) => output.type === "fault" && output.kind === "skip_sequence"),
  );
  h.at(START + 20_000);
  const publicKinds = new Set(h.exchange.connections[0].faults);
  assert.deepEqual([...publicKinds], ["stall"]);
  const second = h.exchange.connect(h.now, "private");
  h.at(START + 60_000);
  const privateKinds = new Set(h.exchange.connections[second - 1].faults);
  assert.ok(privateKinds.has("skip_sequence") || privateKinds.has("swallow_reply"));
});

Deno.test("token endpoint: a signed request gets a token; bad key, signature or nonce are refused", async () => {
  const exchange = new Exchange({
    feed: new MarketFeed(market()),
    start: START,
    account: { apiKey: "key", apiSecret: SECRET },
  });
  const ask = async (
    nonce: string,
    options: { key?: string; secret?: string; json?: boolean } = {},
  ) => {
    const body = options.json ? `{"nonce":${nonce}}` : `nonce=${nonce}`;
    const sign = await signRestRequest(options.secret ?? SECRET, TOKEN_PATH, nonce, body);
    const request = new Request(`http://sim.invalid${TOKEN_PATH}`, {
      method: "POST",
      headers: { "API-Key": options.key ?? "key", "API-Sign": sign },
      body,
    });
    return await (await answerTokenRequest(exchange, request, () => START)).json();
  };
  const good = await ask("100");
  assert.deepEqual(good.error, []);
  assert.equal(good.result.expires, 900);
  assert.match(good.result.token, /^[A-Za-z0-9+/]{43}$/);
  assert.deepEqual(await ask("100"), { error: ["EAPI:Invalid nonce"] });
  assert.deepEqual(await ask("101", { key: "other" }), { error: ["EAPI:Invalid key"] });
  assert.deepEqual(await ask("102", { secret: btoa("wrong") }), {
    error: ["EAPI:Invalid signature"],
  });
  assert.deepEqual((await ask("103", { json: true })).error, []);
  const wrongPath = await answerTokenRequest(
    exchange,
    new Request("http://sim.invalid/0/private/Balance", { method: "POST", body: "nonce=1" }),
    () => START,
  );
  assert.equal(wrongPath.status, 404);
  await wrongPath.body?.cancel();
});

Deno.test("private faults: a scheduled one hits the newest private connection, even when a public one is newer", () => {
  const h = new Harness("private", {
    faults: { schedule: [{ at: 50, kind: "invalidate_token" }] },
  });
  const token = h.token();
  const publicConnection = h.exchange.connect(h.now, "public");
  h.at(START + 60);
  assert.deepEqual(h.exchange.connections.map((info) => info.faults), [["invalidate_token"], []]);
  assert.equal(publicConnection, 2);
  assert.deepEqual(h.send(`{"method":"cancel_all","params":{"token":"${token}"},"req_id":1}`), [
    `{"error":"EAPI:Invalid token","method":"cancel_all","req_id":1,"success":false,"time_in":"2026-01-01T00:00:00.060000Z","time_out":"2026-01-01T00:00:00.060000Z"}`,
  ]);
});
