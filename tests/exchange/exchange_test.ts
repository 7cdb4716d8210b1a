import assert from "node:assert/strict";
import {
  Exchange,
  type ExchangeOptions,
  type ExchangeOutput,
} from "../../src/exchange/exchange.ts";
import { MALFORMED_FRAME, UNKNOWN_CHANNEL_FRAME } from "../../src/exchange/faults.ts";
import { SimMarket } from "../../src/exchange/market.ts";
import { MarketFeed } from "../../src/exchange/market_feed.ts";
import { decoded, jsonObject, requestText } from "./helpers.ts";

const LATENCY = 5;

/** An exchange on a seeded market, with a 5 ms link unless told otherwise. */
function exchangeOf(options: Partial<ExchangeOptions> = {}): Exchange {
  return new Exchange({ feed: new MarketFeed(new SimMarket(7)), latencyMs: LATENCY, ...options });
}

/** Advances `exchange` to `until` in 1 ms steps and returns every output, in order. */
function run(exchange: Exchange, from: number, until: number): ExchangeOutput[] {
  const outputs: ExchangeOutput[] = [];
  for (let now = from; now <= until; now++) outputs.push(...exchange.advance(now));
  return outputs;
}

/** The frames delivered on `connection`. */
function delivered(outputs: readonly ExchangeOutput[], connection: number) {
  return outputs.flatMap((output) =>
    output.type === "deliver" && output.connection === connection ? [output] : []
  );
}

/** A connection opened at 0 and subscribed to BTC/USD trades and book at 10 ms. */
function subscribedConnection(
  exchange: Exchange,
): { connection: number; opened: ExchangeOutput[] } {
  const connection = exchange.connect(0);
  const opened = run(exchange, 0, 10);
  exchange.receive(
    connection,
    requestText("subscribe", { channel: "book", symbol: ["BTC/USD"] }, 1),
    10,
  );
  exchange.receive(
    connection,
    requestText("subscribe", { channel: "trade", symbol: ["BTC/USD"] }, 2),
    10,
  );
  return { connection, opened };
}

Deno.test("Exchange: a connection opens one latency after connecting and gets the status next", () => {
  const exchange = exchangeOf();
  const connection = exchange.connect(0);
  assert.equal(connection, 1);
  assert.equal(exchange.nextDueAt(), LATENCY);
  const outputs = run(exchange, 0, 20);
  assert.deepEqual(outputs.map((output) => `${output.at} ${output.type}`), [
    "5 open",
    "10 deliver",
  ]);
  const status = delivered(outputs, 1)[0];
  assert.equal(status.frame.kind, "status");
  assert.equal(decoded(status.text).kind, "status");
  assert.equal(exchange.connections[0].open, true);
  assert.equal(exchange.connections[0].framesSent, 1);
});

Deno.test("Exchange: requests are answered one latency each way, with Kraken's replies and data", () => {
  const exchange = exchangeOf();
  const { connection } = subscribedConnection(exchange);
  const outputs = run(exchange, 11, 2000);
  const frames = delivered(outputs, connection);
  // Arrived at 15, answered at 20: two acks, the book snapshot, then updates from the steps.
  assert.deepEqual(frames.slice(0, 3).map((frame) => `${frame.at} ${frame.frame.kind}`), [
    "20 reply",
    "20 book",
    "20 reply",
  ]);
  assert.ok(frames.some((frame) => frame.frame.kind === "trade"));
  assert.ok(frames.filter((frame) => frame.frame.kind === "book").length > 2);
  // Every step's frames arrive one latency after the step.
  for (const frame of frames.slice(3)) assert.equal(frame.at % 100, LATENCY, `${frame.at}`);
  assert.deepEqual(exchange.connections[0].subscriptions.map((held) => held.channel), [
    "book",
    "trade",
  ]);
});

Deno.test("Exchange: during an outage connections are refused and open ones dropped", () => {
  const exchange = exchangeOf();
  const { connection } = subscribedConnection(exchange);
  run(exchange, 11, 100);
  assert.ok(exchange.inject("outage", { durationMs: 1000 }, 100));
  assert.equal(exchange.accepting(100), false);
  const cut = run(exchange, 101, 110);
  assert.deepEqual(
    cut.filter((output) => output.type !== "fault").map((o) => `${o.at} ${o.type}`),
    ["105 drop"],
  );
  assert.equal(cut.find((output) => output.type === "drop")?.connection, connection);
  const refused = exchange.connect(500);
  assert.deepEqual(run(exchange, 500, 510).map((o) => `${o.at} ${o.type} ${o.connection}`), [
    `505 refuse ${refused}`,
  ]);
  assert.equal(exchange.accepting(1100), true);
  const accepted = exchange.connect(1100);
  assert.equal(run(exchange, 1100, 1105).at(-1)?.type, "open");
  assert.deepEqual(exchange.connections.map((info) => info.open), [false, false, true]);
  assert.equal(accepted, 3);
});

Deno.test("Exchange: close faults carry Kraken's codes and reasons; a drop carries none", () => {
  for (
    const [kind, code, reason] of [
      ["close_1001", 1001, "CloudFlare WebSocket proxy restarting"],
      ["close_1008", 1008, "Policy violation"],
      ["close_1011", 1011, "keepalive ping timeout"],
    ] as const
  ) {
    const exchange = exchangeOf();
    const { connection } = subscribedConnection(exchange);
    run(exchange, 11, 150);
    exchange.inject(kind, {}, 150);
    const outputs = run(exchange, 150, 400);
    const ends = outputs.filter((output) => output.type === "close");
    assert.deepEqual(ends, [{ at: 155, connection, type: "close", code, reason }]);
    // Nothing arrives after the close: frames in flight were lost with the link.
    assert.deepEqual(delivered(outputs, connection), []);
    assert.deepEqual(exchange.connections[0].faults, [kind]);
  }
  const exchange = exchangeOf();
  subscribedConnection(exchange);
  run(exchange, 11, 150);
  exchange.inject("drop_connection", {}, 150);
  const outputs = run(exchange, 150, 300);
  assert.deepEqual(outputs.filter((output) => output.type !== "fault"), [
    { at: 155, connection: 1, type: "drop" },
  ]);
  assert.equal(exchange.inject("stall", {}, 300), false, "no open connection left");
});

Deno.test("Exchange: a client's close is answered with the same close, even while connecting", () => {
  const exchange = exchangeOf();
  const { connection } = subscribedConnection(exchange);
  run(exchange, 11, 150);
  exchange.disconnect(connection, 1000, "client closed", 150);
  const outputs = run(exchange, 150, 300);
  assert.deepEqual(outputs, [
    { at: 160, connection, type: "close", code: 1000, reason: "client closed" },
  ]);
  // A close sent while connecting arrives after the opening, and is answered.
  const early = exchange.connect(300);
  exchange.disconnect(early, 1000, "", 301);
  assert.deepEqual(run(exchange, 300, 320).map((output) => `${output.at} ${output.type}`), [
    "305 open",
    "311 close",
  ]);
});

Deno.test("Exchange: a slow link delivers every frame 200 ms late, in order, then catches up", () => {
  const exchange = exchangeOf();
  const { connection } = subscribedConnection(exchange);
  run(exchange, 11, 1000);
  exchange.inject("slow", { durationMs: 1000 }, 1000);
  const outputs = run(exchange, 1000, 3000);
  const frames = delivered(outputs, connection);
  // Frames of the step at 1000 were already on their way.
  const sentDuring = frames.filter((frame) => frame.at > 1005 && frame.at < 2000 + 200);
  assert.ok(sentDuring.length > 5);
  for (const frame of sentDuring) assert.ok(frame.at >= 1200, `${frame.at}`);
  for (let i = 1; i < frames.length; i++) {
    assert.ok(frames[i].at >= frames[i - 1].at, "never out of order");
    assert.ok(frames[i].serial > frames[i - 1].serial, "in the order made");
  }
  assert.equal(frames.at(-1)!.at % 100, LATENCY, "back to the link's own latency");
});

Deno.test("Exchange: a stall sends nothing, heartbeats included, and then goes on", () => {
  const exchange = exchangeOf();
  const { connection } = subscribedConnection(exchange);
  run(exchange, 11, 500);
  exchange.inject("stall", { durationMs: 3000 }, 500);
  const outputs = run(exchange, 500, 5000);
  const frames = delivered(outputs, connection);
  assert.ok(frames.every((frame) => frame.at <= 505 || frame.at >= 3500));
  assert.ok(frames.some((frame) => frame.at >= 3500));
});

Deno.test("Exchange: frame faults: a wrong checksum, a lost update, a duplicate, bad frames", () => {
  const exchange = exchangeOf();
  const { connection } = subscribedConnection(exchange);
  run(exchange, 11, 550);
  for (
    const kind of [
      "wrong_checksum",
      "drop_update",
      "duplicate_frame",
      "malformed_json",
      "unknown_channel",
      "oversized_frame",
    ] as const
  ) exchange.inject(kind, {}, 550);
  const outputs = run(exchange, 550, 2000);
  const frames = delivered(outputs, connection);
  assert.deepEqual(
    frames.slice(0, 3).map((frame) => frame.text),
    [MALFORMED_FRAME, UNKNOWN_CHANNEL_FRAME, frames[2].text],
  );
  assert.equal(frames[2].text.length, 9 * 1024 * 1024);
  const lost = outputs.filter((output) => output.type === "lost");
  assert.equal(lost.length, 1);
  assert.ok(lost[0].type === "lost" && lost[0].frame.kind === "book");
  const corrupted = frames.filter((frame) => frame.fate === "corrupted");
  assert.equal(corrupted.length, 1);
  assert.notEqual(
    jsonObject(corrupted[0].text).data,
    undefined,
  );
  const checksum = decoded(corrupted[0].text);
  assert.ok(checksum.kind === "book");
  assert.equal(checksum.data[0].checksum, (corrupted[0].frame.book!.checksum + 1) >>> 0);
  const duplicated = frames.filter((frame) => frame.fate === "duplicated");
  assert.equal(duplicated.length, 2);
  assert.equal(duplicated[0].serial, duplicated[1].serial);
  assert.equal(duplicated[0].text, duplicated[1].text);
  assert.deepEqual(exchange.connections[0].faults, [
    "wrong_checksum",
    "drop_update",
    "duplicate_frame",
    "malformed_json",
    "unknown_channel",
    "oversized_frame",
  ]);
});

Deno.test("Exchange: the rate limit and the exceeded_msg_rate fault answer `Exceeded msg rate`", () => {
  const exchange = exchangeOf({ maxRequestsPerSecond: 3 });
  const connection = exchange.connect(0);
  run(exchange, 0, 10);
  for (let i = 0; i < 5; i++) {
    exchange.receive(
      connection,
      requestText("subscribe", { channel: "ticker", symbol: ["ETH/USD"] }, 10 + i),
      10,
    );
  }
  const replies = delivered(run(exchange, 10, 30), connection)
    .filter((frame) => frame.frame.kind === "reply").map((frame) => jsonObject(frame.text));
  assert.deepEqual(replies.map((reply) => reply.error ?? "ok"), [
    "ok",
    "Already subscribed",
    "Already subscribed",
    "Exceeded msg rate",
    "Exceeded msg rate",
  ]);
  assert.deepEqual(replies.slice(3).map((reply) => reply.req_id), [13, 14]);
  // A second later the window has passed. The fault takes the next subscribe, not an unsubscribe.
  exchange.inject("exceeded_msg_rate", {}, 2000);
  exchange.receive(
    connection,
    requestText("unsubscribe", { channel: "ticker", symbol: ["ETH/USD"] }, 20),
    2000,
  );
  exchange.receive(
    connection,
    requestText("subscribe", { channel: "ticker", symbol: ["ETH/USD"] }, 21),
    2000,
  );
  exchange.receive(
    connection,
    requestText("subscribe", { channel: "ticker", symbol: ["ETH/USD"] }, 22),
    2000,
  );
  const after = delivered(run(exchange, 2000, 2020), connection)
    .filter((frame) => frame.frame.kind === "reply").map((frame) => jsonObject(frame.text));
  assert.deepEqual(after.map((reply) => `${reply.req_id} ${reply.error ?? "ok"}`), [
    "20 ok",
    "21 Exceeded msg rate",
    "22 ok",
  ]);
});

Deno.test("Exchange: maintenance is exchange-wide, told to new connections, never ended early", () => {
  const exchange = exchangeOf();
  const first = exchange.connect(0);
  const outputs = run(exchange, 0, 1000);
  exchange.inject("maintenance", { durationMs: 5000 }, 1000);
  outputs.push(...run(exchange, 1000, 2000));
  // A second, shorter window inside the first does not end it.
  exchange.inject("maintenance", { durationMs: 1000 }, 2000);
  outputs.push(...run(exchange, 2000, 2500));
  exchange.inject("drop_connection", {}, 2500);
  const second = exchange.connect(3000);
  outputs.push(...run(exchange, 3000, 8000));
  const statuses = (connection: number) =>
    delivered(outputs, connection).filter((frame) => frame.frame.kind === "status").map((
      frame,
    ) => {
      const message = decoded(frame.text);
      return `${frame.at} ${message.kind === "status" ? message.data[0].system : "?"}`;
    });
  assert.deepEqual(statuses(first), ["10 online", "1005 maintenance"]);
  assert.deepEqual(statuses(second), ["3010 maintenance", "6005 online"]);
  // With no connection at all, a scheduled maintenance still happens.
  const empty = exchangeOf({ faults: { schedule: [{ at: 100, kind: "maintenance" }] } });
  run(empty, 0, 200);
  const late = empty.connect(200);
  assert.match(delivered(run(empty, 200, 300), late)[0].text, /"system":"maintenance"/);
});

Deno.test("Exchange: scheduled faults hit the newest open connection; scripted ones their own", () => {
  const exchange = exchangeOf({
    faults: {
      schedule: [{ at: 1000, kind: "close_1001" }, { at: 3000, kind: "stall" }],
      scripted: { 2: [{ at: 500, kind: "unknown_channel" }] },
    },
  });
  exchange.connect(0);
  run(exchange, 0, 1500);
  const second = exchange.connect(1500);
  const outputs = run(exchange, 1500, 4000);
  assert.equal(
    delivered(outputs, second).some((frame) => frame.text === UNKNOWN_CHANNEL_FRAME),
    true,
  );
  assert.deepEqual(exchange.connections.map((info) => info.faults), [
    ["close_1001"],
    ["unknown_channel", "stall"],
  ]);
});

Deno.test("Exchange: random faults come from the seed, per connection, and calm() ends them", () => {
  const faultsOf = (seed: number) => {
    const exchange = exchangeOf({
      seed,
      faults: {
        random: { meanGapMs: 300, kinds: ["stall", "slow", "duplicate_frame", "unknown_channel"] },
      },
    });
    exchange.connect(0);
    run(exchange, 0, 5000);
    return exchange.connections.flatMap((info) => info.faults);
  };
  const first = faultsOf(4);
  assert.ok(first.length > 3, first.join(", "));
  assert.deepEqual(faultsOf(4), first);
  assert.notDeepEqual(faultsOf(5), first);
  const exchange = exchangeOf({ faults: { random: { meanGapMs: 100, kinds: ["stall"] } } });
  exchange.connect(0);
  run(exchange, 0, 300);
  exchange.calm(300);
  const thrown = exchange.connections[0].faults.length;
  const outputs = run(exchange, 300, 3000);
  assert.equal(exchange.connections[0].faults.length, thrown);
  assert.deepEqual(outputs.filter((output) => output.type === "fault"), []);
});

Deno.test("Exchange: the same inputs give the same outputs", () => {
  const outputsOf = () => {
    const exchange = exchangeOf({ faults: { random: { meanGapMs: 500 } } });
    const { connection } = subscribedConnection(exchange);
    const outputs = run(exchange, 11, 10_000);
    return { connection, texts: outputs.map((output) => JSON.stringify(output)) };
  };
  assert.deepEqual(outputsOf(), outputsOf());
});
