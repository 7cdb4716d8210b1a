import assert from "node:assert/strict";
import { decode } from "../../src/protocol/decode.ts";
import type { KrakenMessage } from "../../src/protocol/messages.ts";
import { fixtureLines, fixturePath } from "../fixtures.ts";

function decoded(text: string): KrakenMessage {
  const message = decode(text);
  if (message.kind === "decodeError") {
    assert.fail(`unexpected decode error ${message.reason}: ${message.detail} in ${text}`);
  }
  return message;
}

Deno.test("decode: every frame of every fixture decodes", () => {
  const kinds: Record<string, number> = {};
  for (const line of fixtureLines("live-btc-eth.ndjson")) {
    const kind = decoded(line).kind;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  assert.deepEqual(kinds, { status: 1, ack: 4, heartbeat: 23, book: 2962, trade: 10 });
  for (const line of fixtureLines("samples.ndjson")) assert.notEqual(decoded(line).kind, "unknown");
  const reserialized = JSON.parse(
    Deno.readTextFileSync(fixturePath("reserialized-btc-usd-book.json")),
  ) as { init: unknown; updates: unknown[] };
  for (const frame of [reserialized.init, ...reserialized.updates]) {
    assert.equal(decoded(JSON.stringify(frame)).kind, "book");
  }
});

Deno.test("decode: book levels keep their wire text beside the number", () => {
  const message = decoded(
    '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63498.0,' +
      '"qty":0.10000000},{"qty":0.00000012,"price":0.0280}],"asks":[],"checksum":4294967295,' +
      '"timestamp":"2026-07-07T23:00:03.601Z"}]}',
  );
  assert.equal(message.kind, "book");
  if (message.kind !== "book") return;
  assert.equal(message.type, "update");
  const [payload] = message.data;
  assert.deepEqual(payload.bids, [
    { price: 63498, priceText: "63498.0", qty: 0.1, qtyText: "0.10000000" },
    { price: 0.028, priceText: "0.0280", qty: 1.2e-7, qtyText: "0.00000012" },
  ]);
  assert.equal(payload.checksum, 4294967295);
  assert.equal(payload.timestamp, "2026-07-07T23:00:03.601Z");
});

Deno.test("decode: key order does not matter, data before channel included", () => {
  const message = decoded(
    '{"data":[{"checksum":1,"asks":[{"qty":1.0,"price":2.0}],"bids":[],"symbol":"X/Y"}],' +
      '"type":"snapshot","channel":"book"}',
  );
  assert.equal(message.kind, "book");
  if (message.kind === "book") {
    assert.equal(message.type, "snapshot");
    assert.equal(message.data[0].asks[0].priceText, "2.0");
  }
});

Deno.test("decode: status keeps connection_id digits exactly and reads maintenance", () => {
  const [online, , maintenance] = fixtureLines("samples.ndjson").slice(6);
  const status = decoded(online);
  assert.equal(status.kind, "status");
  if (status.kind === "status") {
    assert.deepEqual(status.data[0], {
      system: "online",
      apiVersion: "v2",
      connectionId: "12393906104898154338",
      version: "2.0.4",
    });
  }
  const down = decoded(maintenance);
  assert.ok(down.kind === "status" && down.data[0].system === "maintenance");
  const live = decoded(
    '{"channel":"status","type":"update","data":[{"system":"online","connection_id":1,' +
      '"upcoming_maintenance":[{"stage":"announced"}],"emergency":[]}]}',
  );
  assert.ok(live.kind === "status");
  if (live.kind === "status") {
    assert.deepEqual(live.data[0].upcomingMaintenance, [{ stage: "announced" }]);
    assert.deepEqual(live.data[0].emergency, []);
  }
});

Deno.test("decode: acknowledgements carry req_id, symbol, params and warnings", () => {
  const lines = fixtureLines("samples.ndjson");
  const book = decoded(lines[1]);
  assert.deepEqual(book, {
    kind: "ack",
    method: "subscribe",
    result: {
      channel: "book",
      symbol: "BTC/USD",
      depth: 10,
      snapshot: true,
      eventTrigger: undefined,
      interval: undefined,
    },
    reqId: 11,
    warnings: [],
    timeIn: "2024-05-19T16:27:13.694962Z",
    timeOut: "2024-05-19T16:27:13.695006Z",
  });
  const ohlc = decoded(lines[3]);
  assert.ok(ohlc.kind === "ack");
  if (ohlc.kind === "ack") {
    assert.equal(ohlc.result.interval, 60);
    assert.deepEqual(ohlc.warnings, ["timestamp is deprecated, use interval_begin"]);
  }
  const ticker = decoded(lines[0]);
  assert.ok(ticker.kind === "ack" && ticker.result.eventTrigger === "trades");
  const unsubscribe = decoded(
    '{"method":"unsubscribe","result":{"channel":"trade","symbol":"BTC/USD"},"success":true,"req_id":4}',
  );
  assert.ok(unsubscribe.kind === "ack" && unsubscribe.method === "unsubscribe");
});

Deno.test("decode: rejections keep Kraken's error text, req_id and symbol", () => {
  assert.deepEqual(
    decoded(
      '{"error":"Currency pair not supported XBT/USD","method":"subscribe","success":false,' +
        '"symbol":"XBT/USD","req_id":5,"time_in":"a","time_out":"b"}',
    ),
    {
      kind: "rejection",
      method: "subscribe",
      error: "Currency pair not supported XBT/USD",
      reqId: 5,
      symbol: "XBT/USD",
      channel: undefined,
      timeIn: "a",
      timeOut: "b",
    },
  );
  // A missing or non-boolean success is a failure, never an acknowledgement.
  const vague = decoded(
    '{"method":"subscribe","result":{"channel":"book","symbol":"BTC/USD"},"success":"yes"}',
  );
  assert.equal(vague.kind, "rejection");
  if (vague.kind === "rejection") assert.equal(vague.channel, "book");
  assert.equal(decoded('{"method":"subscribe","error":"Exceeded msg rate"}').kind, "rejection");
});

Deno.test("decode: pong, heartbeat and unknown channels", () => {
  assert.deepEqual(decoded('{"method":"pong","req_id":42,"time_in":"x","time_out":"y"}'), {
    kind: "pong",
    reqId: 42,
    timeIn: "x",
    timeOut: "y",
    warnings: [],
  });
  assert.deepEqual(decoded('{"channel":"heartbeat"}'), { kind: "heartbeat" });
  const raw = '{"channel":"level9","type":"update","data":[{"x":0.10}]}';
  assert.deepEqual(decoded(raw), {
    kind: "unknown",
    channel: "level9",
    value: { channel: "level9", type: "update", data: [{ x: 0.1 }] },
    raw,
  });
  const method = decoded('{"method":"withdraw","success":true,"result":{"refid":"X"}}');
  assert.ok(method.kind === "unknown" && method.method === "withdraw");
});

Deno.test("decode: trade, ticker and ohlc keep every decimal's text", () => {
  const trade = decoded(
    fixtureLines("live-btc-eth.ndjson").find((line) => line.startsWith('{"channel":"trade"'))!,
  );
  assert.ok(trade.kind === "trade");
  if (trade.kind === "trade") {
    assert.deepEqual(trade.data[0], {
      symbol: "ETH/USD",
      side: "buy",
      price: 1774.14,
      priceText: "1774.14",
      qty: 0.00147959,
      qtyText: "0.00147959",
      ordType: "limit",
      tradeId: 64175815,
      timestamp: "2026-07-07T23:00:04.585581Z",
    });
  }
  const ticker = decoded(
    '{"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":63501.6,' +
      '"bid_qty":0.63889204,"ask":63501.9,"ask_qty":0.00100000,"last":63501.9,"volume":1234.5,' +
      '"vwap":63000.0,"low":62000.0,"high":64000.0,"change":-100.0,"change_pct":-0.16,' +
      '"timestamp":"2026-07-07T23:00:04.585581Z"}]}',
  );
  assert.ok(ticker.kind === "ticker");
  if (ticker.kind === "ticker") {
    const [entry] = ticker.data;
    assert.equal(entry.askQtyText, "0.00100000");
    assert.equal(entry.askQty, 0.001);
    assert.equal(entry.changeText, "-100.0");
    assert.equal(entry.changePct, -0.16);
    assert.equal(entry.timestamp, "2026-07-07T23:00:04.585581Z");
  }
  const ohlc = decoded(
    '{"channel":"ohlc","type":"update","data":[{"symbol":"ETH/USD","open":1774.10,' +
      '"high":1775.00,"low":1773.00,"close":1774.50,"vwap":1774.2,"trades":12,' +
      '"volume":3.50000000,"interval_begin":"2026-07-07T23:00:00.000000000Z","interval":1,' +
      '"timestamp":"2026-07-07T23:01:00.000000Z"}]}',
  );
  assert.ok(ohlc.kind === "ohlc");
  if (ohlc.kind === "ohlc") {
    assert.equal(ohlc.data[0].openText, "1774.10");
    assert.equal(ohlc.data[0].volumeText, "3.50000000");
    assert.equal(ohlc.data[0].trades, 12);
    assert.equal(ohlc.data[0].intervalBegin, "2026-07-07T23:00:00.000000000Z");
  }
});

Deno.test("decode: instrument pairs give precisions and keep the rest", () => {
  const message = decoded(
    '{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled"}],' +
      '"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online",' +
      '"price_precision":1,"qty_precision":8,"price_increment":1e-01,"qty_increment":1e-08,' +
      '"marginable":true,"cost_min":"0.5"}]}}',
  );
  assert.ok(message.kind === "instrument");
  if (message.kind === "instrument") {
    assert.deepEqual(message.assets, [{ id: "BTC", status: "enabled", fields: {} }]);
    const [pair] = message.pairs;
    assert.equal(pair.pricePrecision, 1);
    assert.equal(pair.qtyPrecision, 8);
    assert.deepEqual(pair.fields, {
      price_increment: 0.1,
      qty_increment: 1e-8,
      marginable: true,
      cost_min: "0.5",
    });
  }
});

Deno.test("decode: instrument increments and limits keep their wire text; precisions are numbers", () => {
  const message = decoded(
    '{"channel":"instrument","type":"update","data":{"assets":[{"id":"USD","status":"enabled",' +
      '"precision":4,"precision_display":2,"borrowable":true,"collateral_value":1.0,' +
      '"margin_rate":0.0150,"future_field":[1]}],' +
      '"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online",' +
      '"qty_precision":8,"qty_increment":1e-08,"price_precision":1,"cost_precision":5,' +
      '"marginable":true,"has_index":true,"cost_min":"0.50","margin_initial":0.20,' +
      '"position_limit_long":250,"position_limit_short":200,"tick_size":0.1,' +
      '"price_increment":0.1,"qty_min":0.00010000},' +
      '{"symbol":"MINA/GBP","base":"MINA","quote":"GBP","status":"cancel_only",' +
      '"price_precision":4,"qty_precision":8,"margin_initial":null}]}}',
  );
  assert.ok(message.kind === "instrument");
  if (message.kind !== "instrument") return;
  assert.equal(message.type, "update");
  const [btc, mina] = message.pairs;
  assert.deepEqual(
    {
      costPrecision: btc.costPrecision,
      qtyIncrement: [btc.qtyIncrement, btc.qtyIncrementText],
      priceIncrement: [btc.priceIncrement, btc.priceIncrementText],
      qtyMin: [btc.qtyMin, btc.qtyMinText],
      costMin: [btc.costMin, btc.costMinText],
      marginInitial: [btc.marginInitial, btc.marginInitialText],
      positionLimits: [btc.positionLimitLongText, btc.positionLimitShort],
      flags: [btc.marginable, btc.hasIndex],
    },
    {
      costPrecision: 5,
      qtyIncrement: [1e-8, "1e-08"],
      priceIncrement: [0.1, "0.1"],
      qtyMin: [0.0001, "0.00010000"],
      costMin: [0.5, "0.50"],
      marginInitial: [0.2, "0.20"],
      positionLimits: ["250", 200],
      flags: [true, true],
    },
  );
  // The deprecated tick_size is not typed: it stays among the fields, as received.
  assert.equal(btc.fields.tick_size, 0.1);
  assert.equal(btc.fields.cost_min, "0.50");
  // null is an absent value, kept as received.
  assert.equal(mina.marginInitial, undefined);
  assert.equal("marginInitialText" in mina, false);
  assert.equal(mina.fields.margin_initial, null);
  assert.equal(mina.status, "cancel_only");
  const [usd] = message.assets;
  assert.deepEqual(
    [usd.id, usd.precision, usd.precisionDisplay, usd.borrowable, usd.collateralValueText],
    ["USD", 4, 2, true, "1.0"],
  );
  assert.deepEqual([usd.marginRate, usd.marginRateText], [0.015, "0.0150"]);
  assert.deepEqual(usd.fields.future_field, [1]);
});
