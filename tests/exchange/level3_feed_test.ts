import assert from "node:assert/strict";
import { Level3Book } from "../../src/book/level3_book.ts";
import type { Level3Depth } from "../../src/book/level3_book.ts";
import { ConnectionFeed } from "../../src/exchange/connection_feed.ts";
import {
  Exchange,
  type ExchangeOptions,
  type ExchangeOutput,
} from "../../src/exchange/exchange.ts";
import { MALFORMED_LEVEL3_FRAME } from "../../src/exchange/faults.ts";
import {
  LEVEL3_MAX_SYMBOLS,
  LEVEL3_SYMBOL_LIMIT_ERROR,
  Level3Feed,
} from "../../src/exchange/level3_feed.ts";
import { type SimOrder, SimOrders } from "../../src/exchange/level3_orders.ts";
import { simLevel, SimMarket, type SimSymbol } from "../../src/exchange/market.ts";
import { MarketFeed } from "../../src/exchange/market_feed.ts";
import { TokenBook } from "../../src/exchange/tokens.ts";
import { decode } from "../../src/protocol/decode.ts";
import type { Level3Payload } from "../../src/protocol/level3_messages.ts";

const START = Date.UTC(2026, 0, 1);
const T = "2026-01-01T00:00:00.001000Z";
const SECRET = btoa("a simulated secret");
const ORDER_ID = /^O[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/;
const NANO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

/** A level 3 frame as the client decodes it: its type and its one payload. */
function level3(text: string): { type: "snapshot" | "update"; payload: Level3Payload } {
  const message = decode(text);
  assert.equal(message.kind, "level3", text.slice(0, 200));
  if (message.kind !== "level3") throw new Error("unreachable");
  assert.equal(message.data.length, 1);
  return { type: message.type, payload: message.data[0] };
}

const subscribe = (
  token: string,
  symbols: readonly string[],
  depth: number | undefined,
  reqId: number,
  extra = "",
) =>
  `{"method":"subscribe","params":{"channel":"level3","symbol":${JSON.stringify(symbols)}${
    depth === undefined ? "" : `,"depth":${depth}`
  }${extra},"token":"${token}"},"req_id":${reqId}}`;

const unsubscribe = (token: string, symbols: readonly string[], depth: number, reqId: number) =>
  `{"method":"unsubscribe","params":{"channel":"level3","symbol":${
    JSON.stringify(symbols)
  },"depth":${depth},"token":"${token}"},"req_id":${reqId}}`;

const ack = (method: string, result: string, reqId: number) =>
  `{"method":"${method}","result":${result},"success":true,"time_in":"${T}","time_out":"${T}","req_id":${reqId}}`;
const error = (method: string, message: string, reqId: number, symbol?: string) =>
  `{"error":"${message}","method":"${method}","success":false,${
    symbol === undefined ? "" : `"symbol":"${symbol}",`
  }"time_in":"${T}","time_out":"${T}","req_id":${reqId}}`;

/** The text Kraken writes for one order: `event` first in an update. */
function orderText(order: SimOrder, event?: string): string {
  return `{${
    event === undefined ? "" : `"event":"${event}",`
  }"order_id":"${order.orderId}","limit_price":${order.limitPriceText},"order_qty":${order.orderQtyText},"timestamp":"${order.timestamp}"}`;
}

/** A market whose BTC/USD book is known to the test: bids 99.0 and below, asks from 100.0 up. */
function knownMarket(asks = 2): SimMarket {
  const market = new SimMarket(1);
  const state = market.symbol("BTC/USD");
  state.bids = [simLevel(990, 100_000_000, state.pair), simLevel(980, 30_000_000, state.pair)];
  state.asks = Array.from(
    { length: asks },
    (_, i) => simLevel(1000 + 10 * i, 50_000_000 + i, state.pair),
  );
  return market;
}

/** One level 3 channel on its own, over a market the test moves by hand. */
class Channel {
  readonly market: SimMarket;
  readonly orders: SimOrders;
  readonly tokens = new TokenBook();
  readonly feed: Level3Feed;
  readonly token = "t0k3n";
  now = START + 1;

  constructor(market: SimMarket) {
    this.market = market;
    this.orders = new SimOrders(market);
    this.tokens.add(this.token, START);
    this.feed = new Level3Feed(this.orders, this.tokens);
  }

  send(text: string): string[] {
    return this.feed.receive(text, this.now).map((frame) => frame.text);
  }

  /** The market's BTC/USD book was changed by hand: the orders follow, the channel sends. */
  move(trades: Parameters<SimOrders["sync"]>[0][number]["trades"] = []): string[] {
    this.orders.sync([{ symbol: "BTC/USD", trades, bookChanged: true }], this.now);
    return this.feed.step(this.now).map((frame) => frame.text);
  }
}

Deno.test("level3 feed: subscribe in, ack and snapshot out, exactly as Kraken writes them", () => {
  const channel = new Channel(knownMarket());
  const frames = channel.send(subscribe(channel.token, ["BTC/USD"], 10, 7));
  assert.equal(frames.length, 2);
  assert.equal(
    frames[0],
    ack("subscribe", '{"channel":"level3","symbol":"BTC/USD","depth":10,"snapshot":true}', 7),
  );
  const btc = channel.orders.track("BTC/USD");
  const side = (levels: typeof btc.bids) =>
    levels.flatMap((level) => level.orders).map((order) => orderText(order)).join(",");
  const { type, payload } = level3(frames[1]);
  assert.equal(
    frames[1],
    `{"channel":"level3","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[${
      side(btc.bids)
    }],"asks":[${side(btc.asks)}],"checksum":${payload.checksum},"timestamp":"${T}"}]}`,
  );
  assert.equal(type, "snapshot");
  // Trailing zeros kept, Kraken's ids, nanosecond times.
  assert.match(frames[1], /"limit_price":99\.0,"order_qty":\d\.\d{8},/);
  for (const order of [...payload.bids, ...payload.asks]) {
    assert.match(order.orderId, ORDER_ID);
    assert.match(order.timestamp, NANO_TIME);
  }
  // Each level's orders add up to its L2 quantity.
  const sum = (price: string) =>
    payload.bids.filter((order) => order.limitPriceText === price).reduce(
      (total, order) => total + Math.round(order.orderQty * 1e8),
      0,
    );
  assert.equal(sum("99.0"), 100_000_000);
  assert.equal(sum("98.0"), 30_000_000);
  const book = new Level3Book("BTC/USD", 10);
  assert.equal(book.apply(type, payload).status, "ok");
});

Deno.test("level3 feed: a level that grows gets an add at the back; one that shrinks, a fill from the front", () => {
  const channel = new Channel(knownMarket());
  const [, snapshot] = channel.send(subscribe(channel.token, ["BTC/USD"], 10, 1));
  const book = new Level3Book("BTC/USD", 10);
  assert.equal(book.apply("snapshot", level3(snapshot).payload).status, "ok");
  const state = channel.market.symbol("BTC/USD");
  const btc = channel.orders.track("BTC/USD");

  // 99.0 grows by 0.25: one new order at the back of its queue.
  state.bids = [simLevel(990, 125_000_000, state.pair), state.bids[1]];
  let frames = channel.move();
  assert.equal(frames.length, 1);
  const added = btc.bids[0].orders.at(-1)!;
  assert.equal(added.orderQtyText, "0.25000000");
  assert.match(added.orderId, ORDER_ID);
  let update = level3(frames[0]).payload;
  assert.equal(
    frames[0],
    `{"channel":"level3","type":"update","data":[{"symbol":"BTC/USD","bids":[${
      orderText(added, "add")
    }],"asks":[],"checksum":${update.checksum},"timestamp":"${T}"}]}`,
  );
  assert.equal(book.apply("update", update).status, "ok");

  // A trade takes 0.1 from the best ask: the front order is filled (modified, or deleted).
  const front = btc.asks[0].orders[0];
  const ask = state.asks[0];
  state.asks = [simLevel(ask.ticks, ask.lots - 10_000_000, state.pair), ...state.asks.slice(1)];
  frames = channel.move([{
    tradeId: 1,
    side: "buy",
    ticks: ask.ticks,
    lots: 10_000_000,
    ordType: "market",
    time: channel.now,
  }]);
  update = level3(frames[0]).payload;
  assert.deepEqual(update.bids, []);
  if (front.lots > 10_000_000) {
    assert.equal(update.asks.length, 1);
    assert.equal(update.asks[0].event, "modify");
    assert.equal(update.asks[0].orderId, front.orderId);
    assert.equal(update.asks[0].orderQtyText, btc.asks[0].orders[0].orderQtyText);
    assert.equal(update.asks[0].timestamp, front.timestamp);
  } else {
    assert.equal(update.asks[0].event, "delete");
    assert.equal(update.asks[0].orderId, front.orderId);
  }
  assert.equal(book.apply("update", update).status, "ok");
  assert.equal(book.queuePosition(btc.asks[0].orders[0].orderId)?.ordersAhead, 0);

  // The best bid's price goes: every order of it is deleted, and the new price's are added.
  const gone = btc.bids[0].orders;
  state.bids = [simLevel(985, 40_000_000, state.pair), state.bids[1]];
  frames = channel.move();
  update = level3(frames[0]).payload;
  assert.deepEqual(
    update.bids.filter((order) => order.event === "delete").map((order) => order.orderId),
    gone.map((order) => order.orderId),
  );
  assert.deepEqual(
    update.bids.filter((order) => order.event === "add").map((order) => order.orderId),
    btc.bids[0].orders.map((order) => order.orderId),
  );
  assert.equal(book.apply("update", update).status, "ok");
  assert.equal(book.bestBid()?.priceText, "98.5");

  // Nothing changed: nothing sent.
  assert.deepEqual(channel.move(), []);
});

Deno.test("level3 feed: each side cut to the depth; a level moving into view comes as adds, one pushed out gets nothing", () => {
  const channel = new Channel(knownMarket(12));
  const [, snapshot] = channel.send(subscribe(channel.token, ["BTC/USD"], 10, 1));
  const first = level3(snapshot).payload;
  // Ten ask levels of twelve.
  assert.equal(new Set(first.asks.map((order) => order.limitPriceText)).size, 10);
  assert.ok(!first.asks.some((order) => order.limitPriceText === "110.0"));
  const book = new Level3Book("BTC/USD", 10);
  assert.equal(book.apply("snapshot", first).status, "ok");
  const state = channel.market.symbol("BTC/USD");
  const btc = channel.orders.track("BTC/USD");

  // The best ask goes: its orders are deleted and the 11th level (110.0) moves into view.
  const gone = btc.asks[0].orders;
  state.asks = state.asks.slice(1);
  let update = level3(channel.move()[0]).payload;
  const into = btc.asks[9];
  assert.equal(into.priceText, "110.0");
  assert.deepEqual(update.asks.map((order) => `${order.event} ${order.orderId}`), [
    ...gone.map((order) => `delete ${order.orderId}`),
    ...into.orders.map((order) => `add ${order.orderId}`),
  ]);
  assert.equal(book.apply("update", update).status, "ok");
  assert.equal(book.asks().length, 10);

  // A new best ask pushes 110.0 below the depth: only the new level's orders are sent.
  state.asks = [simLevel(995, 1_000_000, state.pair), ...state.asks];
  update = level3(channel.move()[0]).payload;
  assert.deepEqual(update.asks.map((order) => order.event), btc.asks[0].orders.map(() => "add"));
  assert.ok(update.asks.every((order) => order.limitPriceText === "99.5"));
  assert.equal(book.apply("update", update).status, "ok");
  assert.equal(book.asks().at(-1)?.priceText, "109.0");

  // It comes back into view when the new level goes: its orders are added again.
  state.asks = state.asks.slice(1);
  update = level3(channel.move()[0]).payload;
  assert.deepEqual(
    update.asks.filter((order) => order.event === "add").map((order) => order.orderId),
    btc.asks[9].orders.map((order) => order.orderId),
  );
  assert.equal(book.apply("update", update).status, "ok");
});

/** An exchange of a seeded market with a level 3 connection. */
class Harness {
  readonly feed: MarketFeed;
  readonly exchange: Exchange;
  readonly connection: number;
  readonly outputs: ExchangeOutput[] = [];
  now = START + 1;

  constructor(options: Partial<ExchangeOptions> = {}, seed = 1) {
    this.feed = new MarketFeed(new SimMarket(seed));
    this.exchange = new Exchange({
      feed: this.feed,
      start: START,
      seed,
      account: { apiKey: "key", apiSecret: SECRET },
      ...options,
    });
    this.connection = this.exchange.connect(this.now, "level3");
    this.take();
  }

  token(): string {
    return this.exchange.issueToken(this.now);
  }

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

Deno.test("level3 feed: the exchange's frames verify in Level3Book on every message, many seeds, every depth", () => {
  for (const seed of [1, 2, 3, 7, 42]) {
    for (const depth of [10, 100, 1000] as const) {
      const h = new Harness({}, seed);
      const token = h.token();
      // Three symbols at depth 1000 would be 300 on the rate counter: two then.
      const symbols = depth === 1000 ? ["BTC/USD", "XRP/USD"] : ["BTC/USD", "ETH/USD", "XRP/USD"];
      const books = new Map(symbols.map((symbol) => [symbol, new Level3Book(symbol, depth)]));
      const frames = [...h.send(subscribe(token, symbols, depth, 1)), ...h.at(START + 30_000)];
      let updates = 0;
      let adds = 0;
      let modifies = 0;
      let deletes = 0;
      for (const text of frames) {
        if (!text.startsWith('{"channel":"level3"')) continue;
        const { type, payload } = level3(text);
        const verdict = books.get(payload.symbol)!.apply(type, payload);
        assert.equal(
          verdict.status,
          "ok",
          `seed ${seed} depth ${depth}: ${JSON.stringify(verdict)}`,
        );
        if (type === "update") updates++;
        for (const order of [...payload.bids, ...payload.asks]) {
          if (order.event === "add") adds++;
          if (order.event === "modify") modifies++;
          if (order.event === "delete") deletes++;
        }
      }
      assert.ok(updates > 300, `seed ${seed} depth ${depth}: ${updates} updates`);
      assert.ok(adds > 0 && modifies > 0 && deletes > 0, `${adds} ${modifies} ${deletes}`);
      // The book holds the truth cut to the depth, level by level, order by order.
      for (const [symbol, book] of books) {
        const truth = h.feed.orders.track(symbol);
        const shown = (
          levels: readonly {
            readonly orders: readonly { readonly orderId: string; readonly orderQtyText: string }[];
          }[],
        ) =>
          levels.map((level) =>
            level.orders.map((order) => `${order.orderId} ${order.orderQtyText}`)
          );
        assert.deepEqual(shown(book.bids()), shown(truth.bids.slice(0, depth)), symbol);
        assert.deepEqual(shown(book.asks()), shown(truth.asks.slice(0, depth)), symbol);
        assert.equal(book.state, "synced", symbol);
      }
    }
  }
});

Deno.test("level3 feed: the L2 feed of a seed is the same with or without level 3 subscriptions", () => {
  const l2 = (withLevel3: boolean) => {
    const exchange = new Exchange({
      feed: new MarketFeed(new SimMarket(9)),
      start: START,
      seed: 9,
    });
    const connection = exchange.connect(START + 1);
    const level3Connection = exchange.connect(START + 1, "level3");
    exchange.advance(START + 1);
    if (withLevel3) {
      const token = exchange.issueToken(START + 1);
      exchange.receive(
        level3Connection,
        subscribe(token, ["BTC/USD", "ETH/USD"], 1000, 1),
        START + 1,
      );
    }
    exchange.receive(
      connection,
      '{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD"],"depth":1000}}',
      START + 1,
    );
    return exchange.advance(START + 20_000).flatMap((output) =>
      output.type === "deliver" && output.connection === connection ? [output.text] : []
    );
  };
  assert.deepEqual(l2(true), l2(false));
});

Deno.test("level3 feed: errors, in Kraken's words", () => {
  const h = new Harness();
  const token = h.token();
  assert.deepEqual(h.send(subscribe(token, ["BTC/USD"], 25, 1)), [
    error("subscribe", "Subscription depth not supported", 1),
  ]);
  const frames = h.send(subscribe(token, ["XBT/USD", "BTC/USD"], 10, 2));
  assert.equal(frames[0], error("subscribe", "Currency pair not supported XBT/USD", 2, "XBT/USD"));
  assert.equal(
    frames[1],
    ack("subscribe", '{"channel":"level3","symbol":"BTC/USD","depth":10,"snapshot":true}', 2),
  );
  // One depth per symbol per connection.
  assert.deepEqual(h.send(subscribe(token, ["BTC/USD"], 1000, 3)), [
    error("subscribe", "Already subscribed", 3, "BTC/USD"),
  ]);
  assert.deepEqual(h.send(unsubscribe(token, ["ETH/USD"], 10, 4)), [
    error("unsubscribe", "Subscription Not Found", 4, "ETH/USD"),
  ]);
  assert.deepEqual(h.send(unsubscribe(token, ["BTC/USD"], 10, 5)), [
    ack("unsubscribe", '{"channel":"level3","symbol":"BTC/USD","depth":10}', 5),
  ]);
  // Without a snapshot, and at the default depth (10).
  assert.deepEqual(h.send(subscribe(token, ["BTC/USD"], undefined, 6, ',"snapshot":false')), [
    ack("subscribe", '{"channel":"level3","symbol":"BTC/USD","depth":10,"snapshot":false}', 6),
  ]);
  // Other channels and methods are not served here.
  assert.deepEqual(
    h.send('{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]},"req_id":8}'),
    [error("subscribe", "Subscription name invalid", 8)],
  );
  assert.deepEqual(h.send('{"method":"add_order","params":{},"req_id":9}'), [
    error("add_order", "Method not found", 9),
  ]);
  assert.equal(
    h.send('{"method":"ping","req_id":10}')[0],
    `{"method":"pong","req_id":10,"time_in":"${T}","time_out":"${T}"}`,
  );
  // The level3 channel is not served on the public endpoint.
  const publicConnection = h.exchange.connect(h.now);
  h.take();
  h.exchange.receive(publicConnection, subscribe(token, ["BTC/USD"], 10, 11), h.now);
  assert.deepEqual(h.take(), [error("subscribe", "Subscription name invalid", 11)]);
});

Deno.test("level3 feed: the token check: none, unknown, or first used too late is EAPI:Invalid token", () => {
  const h = new Harness();
  const late = h.token();
  assert.deepEqual(
    h.send(
      '{"method":"subscribe","params":{"channel":"level3","symbol":["BTC/USD"]},"req_id":1}',
    ),
    [error("subscribe", "EAPI:Invalid token", 1)],
  );
  assert.deepEqual(h.send(subscribe("not-a-token", ["BTC/USD"], 10, 2)), [
    error("subscribe", "EAPI:Invalid token", 2),
  ]);
  h.at(START + 16 * 60_000);
  const frames = h.send(subscribe(late, ["BTC/USD"], 10, 3));
  assert.equal(jsonError(frames[0]), "EAPI:Invalid token");
  const good = h.token();
  const ok = h.send(subscribe(good, ["BTC/USD"], 10, 4));
  assert.equal(ok.length, 2);
  assert.ok(ok[1].startsWith('{"channel":"level3","type":"snapshot"'));
  // The unsubscribe needs a token too.
  assert.equal(jsonError(h.send(unsubscribe("nope", ["BTC/USD"], 10, 5))[0]), "EAPI:Invalid token");
});

function jsonError(text: string): unknown {
  return (JSON.parse(text) as { error?: unknown }).error;
}

Deno.test("level3 feed: the rate counter: 5, 25, 100 a symbol at depth 10, 100, 1000 against 200 a second", () => {
  const h = new Harness();
  const token = h.token();
  const statuses = (frames: string[]) =>
    frames.flatMap((text) => {
      const frame = JSON.parse(text) as { method?: string; success?: boolean; error?: string };
      return frame.method === "subscribe" ? [frame.success === true ? "ok" : frame.error] : [];
    });
  // 100 + 100 = 200: the counter is full, a third symbol even at depth 10 is refused.
  assert.deepEqual(statuses(h.send(subscribe(token, ["BTC/USD", "ETH/USD"], 1000, 1))), [
    "ok",
    "ok",
  ]);
  assert.deepEqual(statuses(h.send(subscribe(token, ["SOL/USD"], 10, 2))), ["Exceeded msg rate"]);
  // A second later the counter is back to zero.
  h.at(h.now + 1000);
  assert.deepEqual(statuses(h.send(subscribe(token, ["SOL/USD", "XRP/USD"], 100, 3))), [
    "ok",
    "ok",
  ]);
  // Eight symbols at depth 100 fill the counter; a refused symbol is not charged, so the same
  // request's symbols are judged one by one.
  const channel = new Channel(new SimMarket(1, pairs(12)));
  const symbols = pairs(12).map((pair) => pair.symbol);
  assert.deepEqual(
    statuses(channel.send(subscribe(channel.token, symbols.slice(0, 7), 100, 1))),
    Array(7).fill("ok"),
  );
  assert.deepEqual(statuses(channel.send(subscribe(channel.token, symbols.slice(7, 9), 1000, 2))), [
    "Exceeded msg rate",
    "Exceeded msg rate",
  ]);
  assert.deepEqual(statuses(channel.send(subscribe(channel.token, symbols.slice(7), 10, 3))), [
    "ok",
    "ok",
    "ok",
    "ok",
    "ok",
  ]);
  assert.deepEqual(statuses(channel.send(subscribe(channel.token, symbols.slice(0, 1), 10, 4))), [
    "Already subscribed",
  ]);
});

/** `count` pairs of two decimals. */
function pairs(count: number): SimSymbol[] {
  return Array.from({ length: count }, (_, i) => ({
    symbol: `C${i}/USD`,
    price: 100 + i,
    pricePrecision: 2,
    qtyPrecision: 8,
  }));
}

Deno.test("level3 feed: at most 200 symbols a connection", () => {
  const symbols = pairs(LEVEL3_MAX_SYMBOLS + 1).map((pair) => pair.symbol);
  const channel = new Channel(new SimMarket(1, pairs(LEVEL3_MAX_SYMBOLS + 1)));
  let accepted = 0;
  // 40 symbols at depth 10 is 200 on the counter: one batch a second.
  for (let batch = 0; batch * 40 < LEVEL3_MAX_SYMBOLS; batch++) {
    const replies = channel.send(
      subscribe(channel.token, symbols.slice(batch * 40, batch * 40 + 40), 10, batch),
    )
      .filter((text) => text.startsWith('{"method"'));
    accepted += replies.filter((text) => text.includes('"success":true')).length;
    channel.now += 1000;
  }
  assert.equal(accepted, LEVEL3_MAX_SYMBOLS);
  assert.deepEqual(channel.send(subscribe(channel.token, symbols.slice(-1), 10, 99)), [
    error("subscribe", LEVEL3_SYMBOL_LIMIT_ERROR, 99, symbols.at(-1)).replaceAll(
      T,
      new Date(channel.now).toISOString().replace("Z", "000Z"),
    ),
  ]);
  // An unsubscribe makes room.
  channel.send(unsubscribe(channel.token, symbols.slice(0, 1), 10, 100));
  assert.equal(
    channel.send(subscribe(channel.token, symbols.slice(-1), 10, 101)).filter((text) =>
      text.includes('"success":true')
    ).length,
    1,
  );
});

Deno.test("level3 feed: status on connect, heartbeats while subscribed and silent", () => {
  const market = new SimMarket(1);
  const tokens = new TokenBook();
  tokens.add("t", 0);
  const connection = new ConnectionFeed(
    new MarketFeed(market),
    undefined,
    new Level3Feed(new SimOrders(market), tokens),
  );
  assert.equal(connection.status(0).kind, "status");
  assert.equal(connection.heartbeat(5000), undefined);
  connection.receive(subscribe("t", ["BTC/USD"], 10, 1), 5000);
  assert.equal(connection.heartbeat(5500), undefined);
  assert.equal(connection.heartbeat(6000)?.text, '{"channel":"heartbeat"}');
  assert.deepEqual(connection.subscriptions, [{ channel: "level3", symbol: "BTC/USD", depth: 10 }]);
});

Deno.test("level3 feed: faults hit level3 frames, and the book detects them", () => {
  for (const kind of ["wrong_checksum", "drop_update"] as const) {
    const h = new Harness({ faults: { scripted: { 1: [{ at: 2000, kind }] } } });
    const token = h.token();
    const book = new Level3Book("BTC/USD", 10);
    const statuses: string[] = [];
    for (const text of [...h.send(subscribe(token, ["BTC/USD"], 10, 1)), ...h.at(START + 10_000)]) {
      if (!text.startsWith('{"channel":"level3"')) continue;
      const { type, payload } = level3(text);
      const verdict = book.apply(type, payload);
      statuses.push(verdict.status);
      if (verdict.status !== "ok") break;
    }
    assert.equal(statuses.at(-1), "mismatch", kind);
    assert.ok(statuses.filter((status) => status === "ok").length > 5, kind);
    const hit = h.outputs.find((output) =>
      output.type === (kind === "drop_update" ? "lost" : "deliver") &&
      "frame" in output && output.frame.kind === "level3" &&
      (kind === "drop_update" || (output.type === "deliver" && output.fate === "corrupted"))
    );
    assert.ok(hit !== undefined, kind);
  }
  // A malformed frame on a level 3 connection is a broken level3 frame.
  const h = new Harness({ faults: { scripted: { 1: [{ at: 1000, kind: "malformed_json" }] } } });
  assert.ok(h.at(START + 2000).includes(MALFORMED_LEVEL3_FRAME));
  const broken = decode(MALFORMED_LEVEL3_FRAME);
  assert.equal(broken.kind, "decodeError");
});

Deno.test("level3 feed: random faults on a level 3 connection hit its level3 frames", () => {
  const h = new Harness({
    faults: { random: { meanGapMs: 1500, kinds: ["wrong_checksum", "duplicate_frame"] } },
  });
  const token = h.token();
  h.send(subscribe(token, ["BTC/USD", "ETH/USD"], 100, 1));
  h.at(START + 30_000);
  const fates = h.outputs.flatMap((output) =>
    output.type === "deliver" && output.frame.kind === "level3" && output.fate !== "sent"
      ? [output.fate]
      : []
  );
  assert.ok(fates.includes("corrupted"), JSON.stringify(fates));
  assert.ok(fates.includes("duplicated"), JSON.stringify(fates));
});

Deno.test("level3 feed: orders are the same for the same seed, whichever depth asked", () => {
  const snapshotOf = (depth: Level3Depth) => {
    const h = new Harness({}, 5);
    h.at(START + 5000);
    const token = h.token();
    const [, snapshot] = h.send(subscribe(token, ["SOL/USD"], depth, 1));
    return level3(snapshot).payload.bids.slice(0, 5);
  };
  assert.deepEqual(snapshotOf(10), snapshotOf(1000));
});
