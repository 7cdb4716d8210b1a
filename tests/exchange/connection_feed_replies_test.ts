import assert from "node:assert/strict";
import { BOOK_DEPTHS } from "../../src/book/order_book.ts";
import { SimMarket } from "../../src/exchange/market.ts";
import type { ConnectionFeed } from "../../src/exchange/connection_feed.ts";
import type { SimFrame } from "../../src/exchange/feed.ts";
import type { SimChange } from "../../src/exchange/market.ts";
import {
  decoded,
  type JsonObject,
  jsonObject,
  marketConnection,
  objectField,
  requestText,
  RFC3339_MICROSECONDS,
} from "./helpers.ts";

const NOW = Date.UTC(2026, 6, 7, 23, 0, 3, 501);

function newConnection(
  seed = 1,
): { market: SimMarket; connection: ConnectionFeed<readonly SimChange[]> } {
  const market = new SimMarket(seed);
  return { market, connection: marketConnection(market) };
}

/** The `reply` frames among `frames`, parsed. */
function replies(frames: readonly SimFrame[]): JsonObject[] {
  return frames.filter((frame) => frame.kind === "reply").map((frame) => jsonObject(frame.text));
}

/** The only reply among `frames`. */
function onlyReply(frames: readonly SimFrame[]): JsonObject {
  const found = replies(frames);
  assert.equal(found.length, 1, JSON.stringify(frames));
  return found[0];
}

Deno.test("ConnectionFeed: status on connect, connection_id above 2^63 printed exactly", () => {
  const { connection } = newConnection();
  const frame = connection.status(NOW);
  assert.equal(frame.kind, "status");
  const digits = /"connection_id":([0-9]+)[,}]/.exec(frame.text)?.[1];
  assert.ok(digits !== undefined, frame.text);
  assert.ok(BigInt(digits) > 2n ** 63n);
  const message = decoded(frame.text);
  assert.equal(message.kind, "status");
  if (message.kind !== "status") return;
  assert.equal(message.data[0].connectionId, digits);
  assert.equal(message.data[0].system, "online");
  assert.equal(message.data[0].apiVersion, "v2");
});

Deno.test("ConnectionFeed: a status change on the same connection keeps its connection_id", () => {
  const { connection } = newConnection();
  const ids = [
    connection.status(NOW),
    connection.status(NOW + 4_000, "maintenance"),
    connection.status(NOW + 9_000, "online"),
  ].map((frame) => {
    const message = decoded(frame.text);
    return message.kind === "status" ? message.data[0].connectionId : undefined;
  });
  assert.ok(ids[0] !== undefined);
  assert.deepEqual(ids, [ids[0], ids[0], ids[0]]);
  const systems = [connection.status(NOW + 10_000, "cancel_only")].map((frame) =>
    decoded(frame.text)
  )
    .map((message) => message.kind === "status" ? message.data[0].system : "");
  assert.deepEqual(systems, ["cancel_only"]);
});

Deno.test("ConnectionFeed: ping → pong with req_id, and without one when the ping had none", () => {
  const { connection } = newConnection();
  const pong = onlyReply(connection.receive('{"method":"ping","req_id":31}', NOW));
  assert.equal(pong.method, "pong");
  assert.equal(pong.req_id, 31);
  assert.match(String(pong.time_in), RFC3339_MICROSECONDS);
  assert.match(String(pong.time_out), RFC3339_MICROSECONDS);
  const bare = onlyReply(connection.receive('{"method":"ping"}', NOW));
  assert.equal(bare.method, "pong");
  assert.ok(!("req_id" in bare));
});

Deno.test("ConnectionFeed: one acknowledgement per symbol of a multi-symbol subscribe, req_id echoed", () => {
  const { connection } = newConnection();
  const frames = connection.receive(
    requestText("subscribe", { channel: "trade", symbol: ["BTC/USD", "ETH/USD", "SOL/USD"] }, 7),
    NOW,
  );
  const acks = replies(frames);
  assert.deepEqual(
    acks.map((ack) => objectField(ack, "result").symbol),
    ["BTC/USD", "ETH/USD", "SOL/USD"],
  );
  for (const ack of acks) {
    assert.equal(ack.method, "subscribe");
    assert.equal(ack.success, true);
    assert.equal(ack.req_id, 7);
    assert.deepEqual(objectField(ack, "result"), {
      channel: "trade",
      symbol: objectField(ack, "result").symbol,
      snapshot: false,
    });
    assert.match(String(ack.time_in), RFC3339_MICROSECONDS);
  }
  assert.equal(frames.length, 3, "no trade snapshot unless asked");
  assert.equal(connection.subscriptions.length, 3);
});

Deno.test("ConnectionFeed: acknowledgements carry no req_id when the request had none", () => {
  const { connection } = newConnection();
  const ack = onlyReply(
    connection.receive(requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }), NOW),
  );
  assert.equal(ack.success, true);
  assert.ok(!("req_id" in ack));
  const unsubscribed = onlyReply(
    connection.receive(requestText("unsubscribe", { channel: "book", symbol: ["BTC/USD"] }), NOW),
  );
  assert.equal(unsubscribed.success, true);
  assert.ok(!("req_id" in unsubscribed));
});

Deno.test("ConnectionFeed: `Currency pair not supported XBT/USD` with a top-level symbol, others acked", () => {
  const { connection } = newConnection();
  const frames = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD", "XBT/USD", "ETH/USD"] }, 4),
    NOW,
  );
  const answers = replies(frames);
  assert.equal(answers.length, 3);
  assert.equal(objectField(answers[0], "result").symbol, "BTC/USD");
  assert.equal(objectField(answers[2], "result").symbol, "ETH/USD");
  const refused = answers[1];
  assert.deepEqual(refused, {
    error: "Currency pair not supported XBT/USD",
    method: "subscribe",
    success: false,
    symbol: "XBT/USD",
    time_in: refused.time_in,
    time_out: refused.time_out,
    req_id: 4,
  });
  const message = decoded(frames.find((frame) => frame.text.includes("XBT"))!.text);
  assert.equal(message.kind, "rejection");
  if (message.kind === "rejection") {
    assert.equal(message.symbol, "XBT/USD");
    assert.equal(message.reqId, 4);
  }
  assert.deepEqual(connection.subscriptions.map((held) => held.symbol), ["BTC/USD", "ETH/USD"]);
  // The two books' snapshots came, none for the refused pair.
  assert.deepEqual(
    frames.filter((frame) => frame.kind === "book").map((frame) => frame.symbol),
    ["BTC/USD", "ETH/USD"],
  );
});

Deno.test("ConnectionFeed: a second book subscribe for a symbol is `Already subscribed`, any depth", () => {
  const { connection } = newConnection();
  connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 10 }),
    NOW,
  );
  for (const depth of BOOK_DEPTHS) {
    const frames = connection.receive(
      requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth }, 11),
      NOW,
    );
    assert.equal(frames.length, 1, "no second snapshot");
    const refused = onlyReply(frames);
    assert.equal(refused.error, "Already subscribed");
    assert.equal(refused.success, false);
    assert.equal(refused.symbol, "BTC/USD");
    assert.equal(refused.req_id, 11);
  }
  assert.equal(connection.subscriptions.length, 1);
  assert.equal(connection.subscriptions[0].depth, 10);
});

Deno.test("ConnectionFeed: `Already subscribed` for trade and ticker too, one error per symbol", () => {
  const { connection } = newConnection();
  connection.receive(requestText("subscribe", { channel: "ticker", symbol: ["ETH/USD"] }), NOW);
  const answers = replies(connection.receive(
    requestText("subscribe", {
      channel: "ticker",
      symbol: ["ETH/USD", "BTC/USD"],
      event_trigger: "bbo",
    }, 3),
    NOW,
  ));
  assert.equal(answers.length, 2);
  assert.equal(answers[0].error, "Already subscribed");
  assert.equal(answers[0].symbol, "ETH/USD");
  assert.equal(answers[1].success, true);
  assert.equal(objectField(answers[1], "result").event_trigger, "bbo");
});

Deno.test("ConnectionFeed: bad depth and unknown channel refused with Kraken's strings", () => {
  const { connection } = newConnection();
  const depth = onlyReply(connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"], depth: 20 }, 1),
    NOW,
  ));
  assert.equal(depth.error, "Subscription depth not supported");
  assert.equal(depth.success, false);
  assert.equal(depth.req_id, 1);
  const name = onlyReply(connection.receive(
    requestText("subscribe", { channel: "level9", symbol: ["BTC/USD"] }, 2),
    NOW,
  ));
  assert.equal(name.error, "Subscription name invalid");
  assert.equal(name.success, false);
  assert.equal(name.req_id, 2);
  assert.deepEqual(connection.subscriptions, []);
});

Deno.test("ConnectionFeed: unsubscribe acks per symbol; an unknown subscription is `Subscription Not Found`", () => {
  const { connection } = newConnection();
  connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD", "ETH/USD"], depth: 25 }),
    NOW,
  );
  const answers = replies(connection.receive(
    requestText("unsubscribe", { channel: "book", symbol: ["BTC/USD", "SOL/USD"], depth: 25 }, 9),
    NOW,
  ));
  assert.equal(answers.length, 2);
  assert.equal(answers[0].method, "unsubscribe");
  assert.equal(answers[0].success, true);
  assert.equal(answers[0].req_id, 9);
  assert.deepEqual(objectField(answers[0], "result"), {
    channel: "book",
    symbol: "BTC/USD",
    depth: 25,
  });
  assert.equal(answers[1].error, "Subscription Not Found");
  assert.equal(answers[1].method, "unsubscribe");
  assert.equal(answers[1].success, false);
  assert.equal(answers[1].symbol, "SOL/USD");
  assert.equal(answers[1].req_id, 9);
  assert.deepEqual(connection.subscriptions.map((held) => held.symbol), ["ETH/USD"]);
  // The same unsubscribe again: that subscription is gone now.
  const again = onlyReply(connection.receive(
    requestText("unsubscribe", { channel: "book", symbol: ["BTC/USD"], depth: 25 }, 10),
    NOW,
  ));
  assert.equal(again.error, "Subscription Not Found");
  const unknownPair = onlyReply(connection.receive(
    requestText("unsubscribe", { channel: "book", symbol: ["XBT/USD"] }, 12),
    NOW,
  ));
  assert.equal(unknownPair.error, "Currency pair not supported XBT/USD");
  assert.equal(unknownPair.symbol, "XBT/USD");
});

Deno.test("ConnectionFeed: an unsubscribed symbol gets no more frames; a resubscribe gets a fresh snapshot", () => {
  const { market, connection } = newConnection(5);
  connection.receive(requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }), NOW);
  connection.receive(requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"] }), NOW);
  connection.receive(requestText("unsubscribe", { channel: "book", symbol: ["BTC/USD"] }), NOW);
  let trades = 0;
  for (let step = 1; step <= 200; step++) {
    const frames = connection.step(market.step(NOW + step * 100), NOW + step * 100);
    assert.ok(frames.every((frame) => frame.kind === "trade"), "book frames after unsubscribe");
    trades += frames.length;
  }
  assert.ok(trades > 0);
  const frames = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }),
    NOW + 30_000,
  );
  assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "book"]);
  assert.equal(frames[1].book?.snapshot, true);
});

Deno.test("ConnectionFeed: book acks carry depth and snapshot; the snapshot comes by default", () => {
  const { market, connection } = newConnection();
  const frames = connection.receive(
    requestText("subscribe", { channel: "book", symbol: ["ETH/USD"], depth: 100 }, 1),
    NOW,
  );
  assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "book"]);
  assert.deepEqual(objectField(jsonObject(frames[0].text), "result"), {
    channel: "book",
    symbol: "ETH/USD",
    depth: 100,
    snapshot: true,
  });
  const message = decoded(frames[1].text);
  assert.equal(message.kind, "book");
  if (message.kind !== "book") return;
  assert.equal(message.type, "snapshot");
  const truth = market.symbol("ETH/USD");
  assert.equal(message.data[0].bids.length, 100);
  assert.equal(message.data[0].asks.length, 100);
  assert.equal(message.data[0].bids[0].priceText, truth.bids[0].priceText);
  assert.equal(message.data[0].asks[99].qtyText, truth.asks[99].qtyText);
});

Deno.test("ConnectionFeed: `snapshot: false` gets the ack only", () => {
  const { connection } = newConnection();
  for (const channel of ["book", "ticker", "ohlc", "trade"]) {
    const frames = connection.receive(
      requestText("subscribe", { channel, symbol: ["SOL/USD"], snapshot: false }, 2),
      NOW,
    );
    assert.deepEqual(frames.map((frame) => frame.kind), ["reply"], channel);
    assert.equal(objectField(jsonObject(frames[0].text), "result").snapshot, false);
  }
});

Deno.test("ConnectionFeed: ticker and ohlc snapshots by default; trade snapshot only when asked", () => {
  const { market, connection } = newConnection(9);
  // Let trades happen first, so a trade snapshot has something to show.
  for (let step = 1; step <= 400; step++) market.step(NOW + step * 100);
  const btc = market.symbol("BTC/USD");
  assert.ok(btc.trades.length > 50, "the market traded enough for a full snapshot");
  const later = NOW + 40_100;
  assert.deepEqual(
    connection.receive(requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"] }), later)
      .map((frame) => frame.kind),
    ["reply"],
  );
  assert.deepEqual(
    connection.receive(requestText("subscribe", { channel: "ticker", symbol: ["BTC/USD"] }), later)
      .map((frame) => frame.kind),
    ["reply", "ticker"],
  );
  assert.deepEqual(
    connection.receive(requestText("subscribe", { channel: "ohlc", symbol: ["BTC/USD"] }), later)
      .map((frame) => frame.kind),
    ["reply", "ohlc"],
  );
  const second = marketConnection(market);
  const frames = second.receive(
    requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"], snapshot: true }, 5),
    later,
  );
  assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "trade"]);
  assert.equal(objectField(jsonObject(frames[0].text), "result").snapshot, true);
  const message = decoded(frames[1].text);
  assert.equal(message.kind, "trade");
  if (message.kind !== "trade") return;
  assert.equal(message.type, "snapshot");
  // Kraken's trade snapshot: the last 50 trades, in order, ending with the latest.
  assert.equal(message.data.length, 50);
  assert.equal(message.data.at(-1)!.tradeId, btc.lastTradeId);
  for (let i = 1; i < message.data.length; i++) {
    assert.equal(message.data[i].tradeId, message.data[i - 1].tradeId + 1);
  }
  assert.deepEqual(frames[1].tradeIds, message.data.map((trade) => trade.tradeId));
});

Deno.test("ConnectionFeed: instrument snapshot carries each pair's price and qty precision", () => {
  const { market, connection } = newConnection();
  const frames = connection.receive(requestText("subscribe", { channel: "instrument" }, 77), NOW);
  assert.deepEqual(frames.map((frame) => frame.kind), ["reply", "instrument"]);
  const ack = jsonObject(frames[0].text);
  assert.equal(ack.success, true);
  assert.equal(ack.req_id, 77);
  assert.equal(objectField(ack, "result").channel, "instrument");
  const message = decoded(frames[1].text);
  assert.equal(message.kind, "instrument");
  if (message.kind !== "instrument") return;
  assert.equal(message.type, "snapshot");
  const expected = [...market.symbols].map((state) => ({
    symbol: state.pair.symbol,
    base: state.pair.symbol.split("/")[0],
    quote: state.pair.symbol.split("/")[1],
    pricePrecision: state.pair.pricePrecision,
    qtyPrecision: state.pair.qtyPrecision,
  }));
  assert.deepEqual(
    message.pairs.map((pair) => ({
      symbol: pair.symbol,
      base: pair.base,
      quote: pair.quote,
      pricePrecision: pair.pricePrecision,
      qtyPrecision: pair.qtyPrecision,
    })),
    expected,
  );
  for (const pair of message.pairs) {
    assert.equal(pair.status, "online");
    assert.equal(pair.fields.price_increment, 10 ** -pair.pricePrecision);
    assert.equal(pair.fields.qty_increment, 10 ** -pair.qtyPrecision);
  }
  // Every base and quote of a pair is an asset.
  const assets = message.assets.map((asset) =>
    typeof asset === "object" && asset !== null && !Array.isArray(asset) ? asset.id : undefined
  );
  for (const pair of message.pairs) {
    assert.ok(assets.includes(pair.base) && assets.includes(pair.quote), pair.symbol);
  }
  const unsubscribed = onlyReply(
    connection.receive(requestText("unsubscribe", { channel: "instrument" }, 78), NOW),
  );
  assert.equal(unsubscribed.method, "unsubscribe");
  assert.equal(unsubscribed.success, true);
  assert.equal(unsubscribed.req_id, 78);
});

Deno.test("ConnectionFeed: heartbeats only while subscribed, only after a second of silence", () => {
  const { market, connection } = newConnection(3);
  connection.status(NOW);
  // Connected but subscribed to nothing: never a heartbeat, however long the silence.
  for (const later of [1_000, 5_000, 60_000]) {
    assert.equal(connection.heartbeat(NOW + later), undefined);
  }
  const start = NOW + 60_000;
  connection.receive(requestText("subscribe", { channel: "trade", symbol: ["XRP/USD"] }), start);
  assert.equal(connection.heartbeat(start + 999), undefined, "the ack was sent under a second ago");
  const beat = connection.heartbeat(start + 1_000);
  assert.deepEqual(beat, { kind: "heartbeat", text: '{"channel":"heartbeat"}' });
  assert.equal(decoded(beat!.text).kind, "heartbeat");
  assert.equal(connection.heartbeat(start + 1_500), undefined, "a heartbeat counts as sent");
  assert.ok(connection.heartbeat(start + 2_000) !== undefined);
  // Any other frame resets the second: a pong, then data.
  connection.receive('{"method":"ping","req_id":1}', start + 2_600);
  assert.equal(connection.heartbeat(start + 3_000), undefined);
  assert.equal(connection.heartbeat(start + 3_599), undefined);
  assert.ok(connection.heartbeat(start + 3_600) !== undefined);
  let now = start + 3_600;
  let dataAt: number | undefined;
  while (dataAt === undefined) {
    now += 100;
    if (connection.step(market.step(now), now).length > 0) dataAt = now;
  }
  assert.equal(connection.heartbeat(dataAt + 999), undefined, "data was sent under a second ago");
  assert.ok(connection.heartbeat(dataAt + 1_000) !== undefined);
  connection.receive(
    requestText("unsubscribe", { channel: "trade", symbol: ["XRP/USD"] }),
    dataAt + 1_100,
  );
  assert.equal(connection.subscriptions.length, 0);
  for (const later of [2_100, 10_000, 100_000]) {
    assert.equal(connection.heartbeat(dataAt + later), undefined, "no heartbeat once unsubscribed");
  }
});

Deno.test("ConnectionFeed: nothing subscribed, nothing sent on market steps", () => {
  const { market, connection } = newConnection(4);
  connection.status(NOW);
  for (let step = 1; step <= 100; step++) {
    assert.deepEqual(connection.step(market.step(NOW + step * 100), NOW + step * 100), []);
  }
});
