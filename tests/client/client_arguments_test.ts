/**
 * A JavaScript caller is not held to the declared types: every public entry of `KrakenWs` checks
 * its arguments at run time and throws before anything changes; a session that throws anyway
 * closes the whole client instead of going on half-changed.
 */

import assert from "node:assert/strict";
import { KrakenWs, probedClient } from "../../src/client/kraken_ws.ts";
import { KrakenClosedError } from "../../src/client/kraken_closed_error.ts";
import { KrakenInternalError } from "../../src/client/kraken_internal_error.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { EventCollector } from "./event_collector.ts";
import { AUTO_ACK, ScriptedServer } from "./scripted_server.ts";

/** What a JavaScript caller can pass: anything. */
type Loose = Record<string, (kraken: Record<string, (...args: unknown[]) => unknown>) => unknown>;

const BAD_CALLS: Loose = {
  "book depth 7": (kraken) => kraken.book("BTC/USD", { depth: 7 }),
  "book depth as text": (kraken) => kraken.book("BTC/USD", { depth: "10" }),
  "book with a misspelt option": (kraken) => kraken.book("BTC/USD", { dept: 25 }),
  "book of a number": (kraken) => kraken.book(42),
  "book of an empty list": (kraken) => kraken.book([]),
  "book of a list with a number": (kraken) => kraken.book(["BTC/USD", 7]),
  "book of an empty name": (kraken) => kraken.book(""),
  "book with options that are not an object": (kraken) => kraken.book("BTC/USD", 10),
  "trades with snapshot as text": (kraken) => kraken.trades("BTC/USD", { snapshot: "yes" }),
  "ticker trigger x": (kraken) => kraken.ticker("BTC/USD", { trigger: "x" }),
  "ohlc interval 2": (kraken) => kraken.ohlc("BTC/USD", { interval: 2 }),
  "ohlc interval as text": (kraken) => kraken.ohlc("BTC/USD", { interval: "5" }),
  "events with an unknown type": (kraken) => kraken.events({ types: ["boom"] }),
  "events with channels not a list": (kraken) => kraken.events({ channels: "book" }),
  "ready with a number": (kraken) => kraken.ready(5),
};

Deno.test("arguments: every bad argument is a TypeError or RangeError, thrown before anything changes", async () => {
  const clock = new VirtualClock(0);
  let sockets = 0;
  const kraken = new KrakenWs({
    clock,
    webSocket: () => {
      sockets++;
      throw new TypeError("no network here");
    },
  });
  for (const [name, call] of Object.entries(BAD_CALLS)) {
    assert.throws(
      () => call(kraken as unknown as Record<string, (...args: unknown[]) => unknown>),
      (error: unknown) => error instanceof TypeError || error instanceof RangeError,
      name,
    );
    assert.equal(kraken.state, "idle", `${name}: nothing connects`);
  }
  assert.equal(sockets, 0);
  // A list with one bad symbol subscribes none of the good ones either.
  assert.throws(() => kraken.book(["BTC/USD", "ETH/USD", ""]), RangeError);
  assert.equal(kraken.state, "idle");
  await kraken.close();
});

Deno.test("arguments: bad options are refused by the constructor", () => {
  const bad: Record<string, unknown>[] = [
    { bufferSize: 0 },
    { bufferSize: 1.5 },
    { heartbeatTimeoutMs: -1 },
    { heartbeatTimeoutMs: Number.NaN },
    { pingIntervalMs: "30000" },
    { requestsPerSecond: 0 },
    { maxSymbolsPerRequest: 0 },
    { lingerMs: Infinity },
    { reconnect: { initialDelayMs: -5 } },
    { reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } },
    { reconnect: 3 },
    { webSocket: "ws" },
    { clock: { now: () => 0 } },
    { url: 42 },
    { url: "http://example.com" },
    { auth: { apiKey: "key" } },
    { auth: { apiKey: "key", apiSecret: "c2VjcmV0", token: () => Promise.resolve("t") } },
    { tradingTimeoutMs: 0 },
    { heartbeatTimeoutMs: 1000, heartbeatTimeout: 1000 },
  ];
  for (const options of bad) {
    assert.throws(
      () => new KrakenWs(options as never),
      (error: unknown) => error instanceof TypeError || error instanceof RangeError,
      JSON.stringify(options),
    );
  }
});

Deno.test("arguments: a trading call with bad options rejects before anything is sent", async () => {
  const kraken = new KrakenWs({
    clock: new VirtualClock(0),
    auth: { token: () => Promise.resolve("t") },
    webSocket: () => {
      throw new TypeError("no network here");
    },
  });
  await assert.rejects(kraken.cancelAll({ timeoutMs: -1 }), RangeError);
  await assert.rejects(kraken.cancelAll({ waitForConnection: "no" } as never), TypeError);
  await assert.rejects(kraken.cancelAll({ timeout: 5 } as never), TypeError);
  assert.equal(kraken.authState, "idle");
  assert.throws(() => kraken.executions({ snapTrades: "yes" } as never), TypeError);
  assert.throws(() => kraken.level3("BTC/USD", { depth: 25 } as never), RangeError);
  assert.throws(() => kraken.deadManSwitch(-1), RangeError);
  assert.equal(kraken.authState, "idle");
  await kraken.close();
});

Deno.test("arguments: a session that throws anyway closes the whole client; every stream fails with the internal error", async () => {
  const server = ScriptedServer.start(AUTO_ACK);
  const clock = new VirtualClock(1_000_000);
  let broken = false;
  const kraken = probedClient({ url: server.url, clock, reconnect: { seed: 11 } }, {
    attached: (view) => {
      const session = view.session;
      const handle = session.handle.bind(session);
      // A defect that no real input reaches any more: the session throws on a heartbeat.
      session.handle = (input, now) => {
        if (broken && input.type === "frame" && input.text.includes("heartbeat")) {
          throw new Error("a defect");
        }
        return handle(input, now);
      };
    },
  });
  const events = new EventCollector<KrakenEvent>(kraken.events());
  const trades = new EventCollector(kraken.trades("BTC/USD"));
  const books = new EventCollector(kraken.book("BTC/USD"));
  await trades.waitFor((event) => event.type === "state" && event.to === "synced");
  broken = true;
  const connection = await server.connection(0);
  connection.send({ channel: "heartbeat" });
  // Going on after a mere `internal` error event is what must not happen.
  const outcome = await Promise.race([
    events.done,
    events.waitFor((event) => event.type === "error" && event.code === "internal").then(() =>
      "reported, and went on"
    ),
  ]);
  assert.ok(outcome instanceof KrakenInternalError, `${outcome}`);
  for (const collector of [events, trades, books]) {
    const error = await collector.done;
    assert.ok(error instanceof KrakenInternalError, `stream failed with ${error}`);
    assert.match(error.message, /a defect/);
    assert.ok(error.cause instanceof Error);
  }
  await assert.rejects(kraken.ready(), KrakenInternalError);
  assert.throws(() => kraken.trades("ETH/USD"), KrakenClosedError);
  await kraken.close();
  await connection.closed;
  assert.equal(
    trades.events.filter((event) => event.type === "trade").length,
    0,
    "nothing made up after the defect",
  );
  await server.close();
});
